"""Cursors, links, outbox, issues and the conflict policy, over a real ledger."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from nexpura_desktop.ledger.db import Ledger
from nexpura_desktop.sync import conflicts, cursors, issues, links, outbox


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    with Ledger(tmp_path / "ledger.sqlite3") as opened:
        opened.conn.execute("CREATE TABLE fake_items (id TEXT PRIMARY KEY, name TEXT)")
        yield opened


def test_cursor_commits_with_its_rows_and_a_rollback_loses_both(ledger: Ledger) -> None:
    with ledger.transaction() as conn:
        conn.execute("INSERT INTO fake_items VALUES ('1', 'one')")
        cursors.set_cursor(conn, "shopify", "products", "2024-01-01T00:00:00Z")
    with pytest.raises(RuntimeError, match="crash"), ledger.transaction() as conn:
        conn.execute("INSERT INTO fake_items VALUES ('2', 'two')")
        cursors.set_cursor(conn, "shopify", "products", "2024-02-01T00:00:00Z")
        raise RuntimeError("crash")
    assert cursors.get_cursor(ledger.conn, "shopify", "products") == "2024-01-01T00:00:00Z"
    assert ledger.conn.execute("SELECT id FROM fake_items").fetchall() == [("1",)]
    assert cursors.get_cursor(ledger.conn, "shopify", "orders") is None


def test_a_cursor_outside_a_transaction_is_refused(ledger: Ledger) -> None:
    with pytest.raises(RuntimeError, match="inside the caller's transaction"):
        cursors.set_cursor(ledger.conn, "shopify", "products", "x")
    with ledger.transaction() as conn:
        cursors.set_cursor(conn, "shopify", "a", "1")
        cursors.set_cursor(conn, "shopify", "b", "2")
    assert cursors.all_cursors(ledger.conn, "shopify") == {"a": "1", "b": "2"}
    assert cursors.reset_cursors(ledger.conn, "shopify", "a") == 1
    assert cursors.all_cursors(ledger.conn, "shopify") == {"b": "2"}


def test_links_match_both_ways_keep_versions_and_suppress_echoes(ledger: Ledger) -> None:
    conn = ledger.conn
    link = links.upsert(
        conn, "shopify", "products", "inventory", "7", "gid://P/1", remote_version="v1"
    )
    assert links.by_remote(conn, "shopify", "products", "gid://P/1") == link
    assert links.by_local(conn, "shopify", "products", "inventory", "7") == link
    assert links.needs_push(link, 10)
    pushed = links.mark_pushed(conn, link, local_version=10, remote_version="v2")
    assert pushed.remote_version == "v2" and pushed.local_version == 10
    assert not links.needs_push(pushed, 10) and links.needs_push(pushed, 11)
    assert links.is_echo(pushed, remote_version="v2")  # our own write coming back
    assert not links.is_echo(pushed, remote_version="v3")  # someone edited it online
    assert not links.is_echo(None, remote_version="v2")
    assert not links.is_echo(pushed)  # nothing to compare: never skip real data
    # Updating without versions keeps the ones stored.
    again = links.upsert(conn, "shopify", "products", "inventory", "7", "gid://P/1")
    assert again.remote_version == "v2" and again.local_version == 10


def test_relinking_replaces_stale_links_on_either_side(ledger: Ledger) -> None:
    conn = ledger.conn
    links.upsert(conn, "woocommerce", "customers", "customers", "a", "100")
    links.upsert(conn, "woocommerce", "customers", "customers", "b", "200")
    # Remote 200 now belongs to local a (b was a duplicate merged into a).
    link = links.upsert(conn, "woocommerce", "customers", "customers", "a", "200", remote_hash="h")
    assert link.remote_id == "200" and link.remote_hash == "h"
    assert links.by_local(conn, "woocommerce", "customers", "customers", "b") is None
    assert links.by_remote(conn, "woocommerce", "customers", "100") is None
    assert conn.execute("SELECT COUNT(*) FROM sync_links").fetchone() == (1,)
    assert links.is_echo(link, remote_hash="h")
    assert links.remove(conn, "woocommerce", "customers", "200")


def test_a_batch_of_links_is_one_to_one_like_single_upserts(ledger: Ledger) -> None:
    conn = ledger.conn
    links.upsert(conn, "xero", "invoice", "invoices", "a", "X1", remote_hash="old")
    links.upsert(conn, "xero", "invoice", "invoices", "z", "X2")  # X2 moves to b below
    links.upsert_many(
        conn,
        "xero",
        "invoice",
        "invoices",
        [("a", "X1", "DRAFT", None), ("b", "X2", None, "h2"), ("c", "X3", "DRAFT", "h3")],
    )
    a = links.by_local(conn, "xero", "invoice", "invoices", "a")
    assert a is not None and (a.remote_version, a.remote_hash) == ("DRAFT", "old")  # kept
    assert links.by_local(conn, "xero", "invoice", "invoices", "z") is None
    b = links.by_remote(conn, "xero", "invoice", "X2")
    assert b is not None and (b.local_id, b.remote_hash) == ("b", "h2")
    # two local rows claiming one remote object: the last one wins, as one by one
    links.upsert_many(conn, "xero", "contact", "customers", [("p", "C1", None, None),
                                                             ("q", "C1", None, None)])  # fmt: skip
    c1 = links.by_remote(conn, "xero", "contact", "C1")
    assert c1 is not None and c1.local_id == "q"
    assert links.by_local(conn, "xero", "contact", "customers", "p") is None
    assert conn.execute("SELECT COUNT(*) FROM sync_links").fetchone() == (4,)
    # two links trading remote objects keep their versions, as one upsert after another
    links.upsert(conn, "xero", "invoice", "invoices", "d", "X4", remote_hash="hd")
    links.upsert(conn, "xero", "invoice", "invoices", "e", "X5", remote_hash="he")
    links.upsert_many(conn, "xero", "invoice", "invoices", [("d", "X5", None, None),
                                                            ("e", "X4", None, None)])  # fmt: skip
    d = links.by_local(conn, "xero", "invoice", "invoices", "d")
    e = links.by_local(conn, "xero", "invoice", "invoices", "e")
    assert d is not None and (d.remote_id, d.remote_hash) == ("X5", "hd")
    assert e is not None and (e.remote_id, e.remote_hash) == ("X4", None)  # as upsert does
    conn.execute("DELETE FROM sync_links WHERE local_id IN ('d', 'e')")
    some = links.by_local_ids(conn, "xero", "invoice", "invoices", {"a", "c", "gone"})
    assert {k: v.remote_id for k, v in some.items()} == {"a": "X1", "c": "X3"}
    every = links.by_local_ids(conn, "xero", "invoice", "invoices", None)
    assert sorted(every) == ["a", "b", "c"] and every["b"] == b


def test_a_batch_of_intents_keeps_existing_keys_and_is_confirmed_by_key(ledger: Ledger) -> None:
    with ledger.transaction() as conn:
        outbox.enqueue(conn, "xero", "invoice.create", "k1", payload={"n": "first"})
        outbox.enqueue_many(
            conn,
            "xero",
            "invoice.create",
            [
                outbox.Intent("k1", {"n": "again"}),
                outbox.Intent("k2", {"n": "two"}, "invoices", "i2"),
            ],
        )
    with pytest.raises(RuntimeError, match="inside the caller's transaction"):
        outbox.enqueue_many(ledger.conn, "xero", "invoice.create", [outbox.Intent("k3", {})])
    pending = outbox.pending(ledger.conn, "xero")
    assert [(i.idempotency_key, i.payload) for i in pending] == [
        ("k1", {"n": "first"}),
        ("k2", {"n": "two"}),
    ]
    assert (pending[1].local_table, pending[1].local_id) == ("invoices", "i2")
    with ledger.transaction() as conn:
        outbox.confirm_keys(conn, ["k2", "unknown"])
    assert [i.idempotency_key for i in outbox.pending(ledger.conn, "xero")] == ["k1"]


class FakeRemote:
    """A service honouring idempotency keys (as Xero does): same key → same object."""

    def __init__(self) -> None:
        self.objects: dict[str, str] = {}
        self.calls = 0

    def create(self, key: str, name: str) -> str:
        self.calls += 1
        return self.objects.setdefault(key, f"remote-{len(self.objects) + 1}:{name}")


def push_outbox(ledger: Ledger, remote: FakeRemote, *, crash_before_confirm: bool) -> None:
    for item in outbox.pending(ledger.conn, "xero"):
        outbox.mark_attempt(ledger.conn, item.id)
        remote_id = remote.create(item.idempotency_key, item.payload["name"])
        if crash_before_confirm:
            raise KeyboardInterrupt  # the process dies after the remote call
        with ledger.transaction() as conn:
            links.upsert(conn, "xero", "invoices", "invoices", str(item.local_id), remote_id)
            outbox.confirm(conn, item.id)


def test_outbox_replay_after_a_crash_does_not_duplicate(ledger: Ledger) -> None:
    key = outbox.idempotency_key("xero", "create_invoice", "invoices", "inv-1")
    assert key == outbox.idempotency_key("xero", "create_invoice", "invoices", "inv-1")
    assert key != outbox.idempotency_key("xero", "create_invoice", "invoices", "inv-2")
    with ledger.transaction() as conn:
        conn.execute("INSERT INTO fake_items VALUES ('inv-1', 'INV-1')")
        first = outbox.enqueue(
            conn,
            "xero",
            "create_invoice",
            key,
            payload={"name": "INV-1"},
            local_table="invoices",
            local_id="inv-1",
        )
        # Enqueuing the same intent again (e.g. the change replayed) is one row.
        assert outbox.enqueue(conn, "xero", "create_invoice", key, payload={"name": "?"}) == first
    remote = FakeRemote()
    with pytest.raises(KeyboardInterrupt):
        push_outbox(ledger, remote, crash_before_confirm=True)
    [left] = outbox.pending(ledger.conn, "xero")
    assert left.attempts == 1 and left.payload == {"name": "INV-1"}
    push_outbox(ledger, remote, crash_before_confirm=False)  # the restart replays it
    assert remote.calls == 2 and list(remote.objects.values()) == ["remote-1:INV-1"]
    assert outbox.count(ledger.conn, "xero") == 0
    link = links.by_local(ledger.conn, "xero", "invoices", "invoices", "inv-1")
    assert link is not None and link.remote_id == "remote-1:INV-1"


def test_outbox_entries_roll_back_with_their_change_and_keep_order(ledger: Ledger) -> None:
    with pytest.raises(sqlite3.IntegrityError), ledger.transaction() as conn:
        outbox.enqueue(conn, "xero", "create", "k0")
        conn.execute("INSERT INTO fake_items VALUES ('dup', 'a')")
        conn.execute("INSERT INTO fake_items VALUES ('dup', 'b')")  # the change fails
    assert outbox.count(ledger.conn, "xero") == 0
    with pytest.raises(RuntimeError):
        outbox.enqueue(ledger.conn, "xero", "create", "k-outside")
    from datetime import UTC, datetime, timedelta

    now = datetime(2025, 1, 1, tzinfo=UTC)
    with ledger.transaction() as conn:
        items = [outbox.enqueue(conn, "xero", "create", f"k{i}") for i in range(1, 4)]
    outbox.mark_attempt(ledger.conn, items[0].id, error="503", retry_at=now + timedelta(minutes=5))
    assert [i.idempotency_key for i in outbox.pending(ledger.conn, "xero")] == ["k1", "k2", "k3"]
    assert [i.idempotency_key for i in outbox.pending(ledger.conn, "xero", now=now)] == ["k2", "k3"]
    assert outbox.get(ledger.conn, "k1") is not None
    assert outbox.pending(ledger.conn, "xero", now=now)[0].last_error is None
    assert outbox.get(ledger.conn, "k1").last_error == "503"  # type: ignore[union-attr]


def test_an_issue_recorded_again_updates_instead_of_duplicating(ledger: Ledger) -> None:
    conn = ledger.conn
    first = issues.record(conn, "shopify", "shopify.products.import", "no SKU", remote_id="p1")
    again = issues.record(
        conn, "shopify", "shopify.products.import", "still no SKU", remote_id="p1"
    )
    other = issues.record(conn, "shopify", "shopify.products.import", "no SKU", remote_id="p2")
    assert again.id == first.id and again.attempts == 2 and again.reason == "still no SKU"
    assert other.id != first.id
    assert [i.remote_id for i in issues.list_open(conn, "shopify")] == ["p2", "p1"]
    assert issues.retry(conn, first.id).state == "retry"
    assert [i.id for i in issues.to_retry(conn, "shopify", "shopify.products.import")] == [first.id]
    assert issues.skip(conn, other.id).state == "skipped"
    assert issues.is_skipped(conn, "shopify", "shopify.products.import", remote_id="p2")
    # A skipped record failing again stays skipped (the owner chose to ignore it).
    assert issues.record(conn, "shopify", "shopify.products.import", "x", remote_id="p2").state == (
        "skipped"
    )
    assert issues.resolve_record(conn, "shopify", "shopify.products.import", remote_id="p1") == 1
    assert issues.list_open(conn) == []
    reopened = issues.record(conn, "shopify", "shopify.products.import", "again", remote_id="p1")
    assert reopened.id == first.id and reopened.state == "open" and reopened.attempts == 3
    assert issues.resolve(conn, first.id).state == "resolved"
    with pytest.raises(LookupError):
        issues.retry(conn, 9999)
    with pytest.raises(ValueError, match="must name"):
        issues.record(conn, "shopify", "shopify.products.import", "what?")


def test_customers_merge_field_by_field_newest_wins_and_conflicts_are_recorded(
    ledger: Ledger,
) -> None:
    base = {"email": "a@x.au", "phone": "+61400000000", "first_name": "Ann", "notes": None}
    local = {**base, "phone": "+61411111111", "first_name": "Anne"}
    remote = {**base, "email": "ann@x.au", "first_name": "Annie"}
    result = conflicts.merge_newest_wins(
        local,
        remote,
        ["email", "phone", "first_name", "notes"],
        local_changed_at="2025-01-01T10:00:00+00:00",
        remote_changed_at="2025-01-01T11:00:00+00:00",
        base=base,
    )
    assert result.merged == {
        "email": "ann@x.au",
        "phone": "+61411111111",
        "first_name": "Annie",
        "notes": None,
    }
    assert result.to_local == {"email": "ann@x.au", "first_name": "Annie"}
    assert result.to_remote == {"phone": "+61411111111"}
    assert [(c.field, c.winner) for c in result.conflicts] == [("first_name", "remote")]
    issue = conflicts.record_conflicts(
        ledger.conn,
        "shopify",
        "shopify.customers.import",
        result.conflicts,
        remote_name="Shopify",
        local_table="customers",
        local_id="c1",
        remote_id="gid://C/1",
    )
    assert issue is not None and issue.kind == "conflict"
    assert issue.reason == (
        "Changed in both places since the last sync: first_name kept from Shopify "
        "(the other value was 'Anne')."
    )
    assert (
        conflicts.record_conflicts(
            ledger.conn,
            "shopify",
            "j.k.l",
            [],
            remote_name="Shopify",
            local_table="customers",
            local_id="c1",
            remote_id="r",
        )
        is None
    )


def test_merge_without_a_base_never_lets_a_blank_erase_a_value() -> None:
    result = conflicts.merge_newest_wins(
        {"email": "a@x.au", "phone": None, "name": "Ann"},
        {"email": "", "phone": "+61400000000", "name": "Annie"},
        ["email", "phone", "name"],
        local_changed_at="2025-01-02T00:00:00+00:00",  # local is newer
        remote_changed_at="2025-01-01T00:00:00+00:00",
    )
    assert result.merged == {"email": "a@x.au", "phone": "+61400000000", "name": "Ann"}
    assert [(c.field, c.winner) for c in result.conflicts] == [("name", "local")]
    tie = conflicts.merge_newest_wins(
        {"name": "A"}, {"name": "B"}, ["name"], local_changed_at=None, remote_changed_at=None
    )
    assert tie.merged == {"name": "A"}  # ties go to the ledger
