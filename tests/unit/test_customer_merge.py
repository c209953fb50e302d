"""The shared field-by-field customer merge, over a real ledger (links and issues)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from nexpura_desktop.ledger.db import Ledger
from nexpura_desktop.sync import customer_merge, issues, links

SERVICE = "shopify"


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    with Ledger(tmp_path / "ledger.sqlite3") as opened:
        yield opened


def _local(**fields: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": "c1",
        "first_name": "Ann",
        "last_name": "Lee",
        "full_name": "Ann Lee",
        "email": "ann@example.com",
        "phone": "0412 345 678",
        "notes": None,
        "tags": "[]",
        "updated_at": "2026-03-01T00:00:00Z",
    }
    row.update(fields)
    return row


def _remote(**fields: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "first_name": "Ann",
        "last_name": "Lee",
        "email": "ANN@example.com",
        "phone": "+61412345678",
        "notes": None,
        "tags": [],
    }
    row.update(fields)
    return row


def _agree(ledger: Ledger, base: dict[str, Any]) -> links.Link:
    with ledger.transaction() as conn:
        return customer_merge.remember(
            conn, SERVICE, "c1", "gid://shopify/Customer/1", customer_merge.normalise(base),
            remote_version="2026-02-01T00:00:00Z",
        )  # fmt: skip


def _merge(
    ledger: Ledger, local: dict[str, Any] | None, remote: dict[str, Any], when: str, link: Any
) -> customer_merge.CustomerMerge:
    with ledger.transaction() as conn:
        return customer_merge.merge_customer(
            conn,
            service=SERVICE,
            job="shopify.customers.import",
            local=local,
            remote=remote,
            remote_updated_at=when,
            link=link,
            remote_id="gid://shopify/Customer/1",
        )


def test_new_customer_takes_every_filled_remote_field(ledger: Ledger) -> None:
    merge = _merge(ledger, None, _remote(notes=""), "2026-02-01T00:00:00Z", None)
    assert merge.to_local == {
        "first_name": "Ann",
        "last_name": "Lee",
        "email": "ann@example.com",
        "phone": "+61412345678",
    }
    assert merge.to_remote == {} and merge.conflicts == []


def test_same_values_in_other_spellings_are_no_change(ledger: Ledger) -> None:
    link = _agree(ledger, _remote())
    merge = _merge(ledger, _local(), _remote(), "2026-05-01T00:00:00Z", link)
    assert merge.to_local == {} and merge.to_remote == {} and merge.conflicts == []
    assert customer_merge.unchanged_since_base(link, customer_merge.local_fields(_local()))


def test_each_side_keeps_the_fields_only_it_changed(ledger: Ledger) -> None:
    link = _agree(ledger, _remote())
    local = _local(notes="Prefers rose gold", updated_at="2026-03-01T00:00:00Z")
    remote = _remote(last_name="Lee-Smith")
    merge = _merge(ledger, local, remote, "2026-04-01T00:00:00Z", link)
    assert merge.to_local == {"last_name": "Lee-Smith"}
    assert merge.to_remote == {"notes": "Prefers rose gold"}
    assert merge.conflicts == []
    assert merge.base_after_import()["notes"] is None  # still pending on the remote side
    assert merge.base_after_push()["notes"] == "Prefers rose gold"
    assert issues.list_open(ledger.conn, SERVICE) == []


@pytest.mark.parametrize(
    ("remote_at", "winner", "kept"),
    [("2026-04-01T00:00:00Z", "remote", "ann@new.example"), ("2026-02-15T00:00:00Z", "local",
     "ann@shop.example")],
)  # fmt: skip
def test_both_changed_newest_wins_and_the_conflict_is_recorded(
    ledger: Ledger, remote_at: str, winner: str, kept: str
) -> None:
    link = _agree(ledger, _remote())
    local = _local(email="ann@shop.example", updated_at="2026-03-01T00:00:00Z")
    merge = _merge(ledger, local, _remote(email="ann@new.example"), remote_at, link)
    assert merge.merged["email"] == kept
    assert [c.winner for c in merge.conflicts] == [winner]
    (issue,) = issues.list_open(ledger.conn, SERVICE)
    assert issue.kind == "conflict" and issue.local_id == "c1"
    assert "email" in issue.reason and "ann@" in (issue.detail or "")
    side = merge.to_local if winner == "remote" else merge.to_remote
    assert side == {"email": kept}


def test_without_a_base_a_blank_never_overwrites_and_names_stay_whole(ledger: Ledger) -> None:
    local = _local(first_name=None, last_name=None, full_name="Known", phone=None, email=None)
    merge = _merge(ledger, local, _remote(notes="VIP"), "2026-01-01T00:00:00Z", None)
    # email/phone/notes were blank in the ledger: filled; the name is the ledger's own
    assert merge.to_local == {"email": "ann@example.com", "phone": "+61412345678", "notes": "VIP"}
    assert merge.merged["first_name"] == "Known"
    assert [c.field for c in merge.conflicts] == ["first_name"]  # Known vs Ann, ledger newer
    assert merge.conflicts[0].winner == "local"


def test_base_round_trips_and_foreign_hashes_are_no_base(ledger: Ledger) -> None:
    link = _agree(ledger, _remote(tags=["b", "a", "a"]))
    assert customer_merge.base_of(link) == {
        "email": "ann@example.com",
        "first_name": "Ann",
        "last_name": "Lee",
        "notes": None,
        "phone": "+61412345678",
        "tags": ["a", "b"],
    }
    with ledger.transaction() as conn:
        other = links.upsert(conn, SERVICE, "customer", "customers", "c2", "x", remote_hash="abc")
    assert customer_merge.base_of(other) is None
    assert customer_merge.base_of(None) is None
    assert not customer_merge.unchanged_since_base(other, customer_merge.normalise(_remote()))


def test_a_remote_change_after_the_base_flows_in_without_conflict_next_time(
    ledger: Ledger,
) -> None:
    link = _agree(ledger, _remote())
    first = _merge(ledger, _local(notes="ring size N"), _remote(), "2026-04-01T00:00:00Z", link)
    assert first.to_remote == {"notes": "ring size N"}
    with ledger.transaction() as conn:
        link = customer_merge.remember(conn, SERVICE, "c1", "gid://shopify/Customer/1",
                                       first.base_after_push())  # fmt: skip
    second = _merge(
        ledger, _local(notes="ring size N"), _remote(notes="ring size N", first_name="Anne"),
        "2026-05-01T00:00:00Z", link,
    )  # fmt: skip
    assert second.to_local == {"first_name": "Anne"} and second.to_remote == {}
    assert second.conflicts == []
