"""Ledger → WooCommerce stock (``woocommerce.inventory.export``).

The ledger owns stock quantities, but WooCommerce has no compare-and-set: a write of
``stock_quantity`` overwrites whatever the shop holds.  So for every linked item whose
ledger quantity ``L`` differs from the quantity both sides last agreed on (``A``, the
``inventory`` link's version, moved by imported online sales too), the job reads the
shop's current ``R`` right before writing, per batch of ≤ 100, and writes:

* ``R == A`` (nothing happened online that we have not imported) → ``L``;
* ``R != A`` the first time → ``R + (L − A)``: the ledger's own change (in-store sales,
  receipts) is applied as a delta on top of the shop's figure, so an online sale not
  imported yet is kept.  ``A`` becomes ``L`` — exactly what the shop will hold once that
  sale is imported (the import moves both by the sale) — and the written figure is
  remembered as ``drift:<n>``;
* the same figure still there on the next run (no import explained it: an edit in
  wp-admin) → the ledger wins: ``L``.

Before each batch write the link notes what is being sent (``sent:…``): a crash after
the shop took the write but before its answer was stored is recognised on the next run
(the shop holds what we sent), instead of being mistaken for an online change.

Only items changed since the change-feed watermark (or left marked) are looked at, so a
sync with nothing changed sends no request.  Per-item batch errors go to ``sync_issues``.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, replace
from typing import Any

from ...engine.job import JobContext
from ...ledger.changes import latest_seq
from ...sync import links
from ...sync.cursors import get_cursor, set_cursor
from ...sync.ecommerce import agreed_quantity
from ...sync.stock import stock_to_push
from .client import WooClient
from .errors import WooRecordError
from .jobs_common import (
    SERVICE,
    Target,
    changed_rows,
    grouped,
    issue_rows,
    note_own_write,
    target_of,
)
from .settings import WooSettings

CURSOR = "inventory.export"
DRIFT = "drift:"
SENT = "sent:"  # a write on its way (see mark_sent)
MARKS = (DRIFT, SENT)
Json = dict[str, Any]


@dataclass
class Push:
    target: Target
    link: links.Link
    quantity: int  # the ledger's
    remote: Json | None = None  # the shop's object, read right before the write
    write: int | None = None  # what to write (None: nothing)
    agreed: int = 0  # the link's version afterwards
    marker: str = "ok"


def _planned(conn: sqlite3.Connection, job: str, start: int, end: int) -> set[str]:
    if start <= 0:
        ids = {
            str(r[0])
            for r in conn.execute(
                "SELECT local_id FROM sync_links WHERE service = ? AND entity = 'inventory'",
                (SERVICE,),
            )
        }
    else:
        ids = changed_rows(conn, "inventory", start, end)
    ids.update(
        str(r[0])
        for r in conn.execute(
            "SELECT local_id FROM sync_links WHERE service = ? AND entity = 'inventory' "
            "AND (remote_hash LIKE 'drift:%' OR remote_hash LIKE 'sent:%')",
            (SERVICE,),
        )
    )
    return ids | issue_rows(conn, job, "inventory")


def plan(ctx: JobContext, ids: set[str]) -> list[Push]:
    """Linked, tracked, live items whose quantity is not the agreed one (or marked)."""
    conn = ctx.ledger.conn
    return [
        Push(target_of(conn, s.local_id, s.link.remote_id), s.link, s.quantity)
        for s in stock_to_push(ctx, SERVICE, ids, MARKS)
    ]


def mark_sent(conn: sqlite3.Connection, p: Push) -> None:
    """Before a write: note what is being written, so that after a crash before the answer
    came back the next run recognises the shop's figure as ours (:func:`recovered`)."""
    before = agreed_quantity(p.link)
    note = f"{SENT}{p.write}:{p.agreed}:{'' if before is None else before}:{p.marker}"
    links.upsert(conn, SERVICE, "inventory", "inventory", p.target.item, p.link.remote_id,
                 remote_hash=note)  # fmt: skip


def recovered(link: links.Link, current: int | None) -> links.Link:
    """The link as it would be had the answer to our last write been stored: if the shop
    holds what we sent, it took it (an imported sale since moved the agreed figure on)."""
    if not (link.remote_hash or "").startswith(SENT):
        return link
    written, agreed, before, marker = (link.remote_hash or "")[len(SENT) :].split(":", 3)
    if current is None or str(current) != written:
        return replace(link, remote_hash=None)  # it did not land: decide afresh
    now = agreed_quantity(link)
    shift = now - int(before) if now is not None and before else 0
    return replace(link, remote_version=str(int(agreed) + shift), remote_hash=marker)


def decide(p: Push) -> None:
    """Fill ``write``/``agreed``/``marker`` from the shop's current figure (see module doc)."""
    assert p.remote is not None
    raw = p.remote.get("stock_quantity")
    managed = bool(p.remote.get("manage_stock")) and isinstance(raw, int | float)
    current = int(raw) if managed and isinstance(raw, int | float) else None
    p.link = recovered(p.link, current)
    agreed = agreed_quantity(p.link)
    p.agreed, p.marker, target = p.quantity, "ok", p.quantity
    first_seen = p.link.remote_hash != f"{DRIFT}{current}"
    if current is not None and agreed is not None and current != agreed and first_seen:
        target = max(0, current + p.quantity - agreed)
        if target != p.quantity:
            p.marker = f"{DRIFT}{target}"
    p.write = None if current == target else target


async def read_current(client: WooClient, group: list[Push]) -> None:
    """The shop's objects for one write group, in one request (≤ 100 ids)."""
    resource = group[0].target.resource
    wanted = {p.target.remote_id: p for p in group}
    params = {"include": ",".join(str(i) for i in wanted), "orderby": "include"}
    async for page in client.pages(resource, params):
        for item in page.items:
            found = wanted.get(int(item.get("id") or 0))
            if found is not None:
                found.remote = item


def _remember(conn: sqlite3.Connection, p: Push) -> None:
    links.upsert(conn, SERVICE, "inventory", "inventory", p.target.item, p.link.remote_id,
                 remote_version=str(p.agreed), remote_hash=p.marker)  # fmt: skip


async def write_group(ctx: JobContext, client: WooClient, group: list[Push]) -> None:
    await read_current(client, group)
    conn = ctx.ledger.conn
    writes: list[Push] = []
    with ctx.ledger.transaction():
        for p in group:
            if p.remote is None:
                ctx.record_issue(
                    "the WooCommerce product of this item is gone (deleted in the shop); "
                    "link it again or list it afresh",
                    local_table="inventory", local_id=p.target.item,
                    remote_id=p.target.remote_id, count_failed=False,
                )  # fmt: skip
                ctx.count("skipped")
                continue
            decide(p)
            if p.write is None:
                _remember(conn, p)
                ctx.count("unchanged")
            else:
                writes.append(p)
    if not writes:
        return
    with ctx.ledger.transaction():
        for p in writes:
            mark_sent(conn, p)
    updates = [
        {"id": p.target.remote_id, "manage_stock": True, "stock_quantity": p.write} for p in writes
    ]
    result = await client.batch(writes[0].target.resource, update=updates)
    with ctx.ledger.transaction():
        for outcome in result.of("update"):
            p = writes[outcome.index]
            if outcome.ok:
                _remember(conn, p)
                note_own_write(conn, p.target.item, outcome.data or {})
                ctx.resolve_issue(local_table="inventory", local_id=p.target.item)
                ctx.count("updated")
            else:
                error = outcome.error or WooRecordError("the shop refused the stock update")
                ctx.record_issue(f"WooCommerce refused the stock update: {error}",
                                 local_table="inventory", local_id=p.target.item)  # fmt: skip


async def export_stock(ctx: JobContext, client: WooClient, _settings: WooSettings) -> None:
    conn = ctx.ledger.conn
    before = get_cursor(conn, SERVICE, CURSOR)
    start = 0 if ctx.full else int(before or 0)
    end = latest_seq(conn)
    pushes = plan(ctx, _planned(conn, ctx.name, start, end))
    done = 0
    for group in grouped_pushes(pushes):
        await write_group(ctx, client, group)
        done += len(group)
        ctx.progress("stock", done, len(pushes))
        ctx.raise_if_cancelled()
    if str(end) != before:
        with ctx.ledger.transaction():
            set_cursor(conn, SERVICE, CURSOR, str(end))


def grouped_pushes(pushes: list[Push]) -> list[list[Push]]:
    by_target = {id(p.target): p for p in pushes}
    return [[by_target[id(t)] for t in g] for g in grouped(p.target for p in pushes)]
