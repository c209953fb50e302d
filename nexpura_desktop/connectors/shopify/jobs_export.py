"""Ledger → Shopify stock, as compare-and-set (``shopify.inventory.export``).

The ledger owns stock quantities.  For every linked item whose ledger quantity differs
from the quantity both sides last agreed on (the ``inventory`` link's version, moved by
imported online sales as well), the job reads Shopify's current level and:

* Shopify still holds the agreed quantity → ``inventorySetQuantities`` to the ledger's
  quantity with ``changeFromQuantity`` = what was read, so a sale landing between the read
  and the write makes Shopify refuse (``StockChanged``) instead of being overwritten;
* Shopify moved by something not imported yet (an online sale after the order import)
  → skipped and marked; the next sync imports that order first.  If the same difference
  is still there on the next run (a manual change in Shopify's admin), the ledger's
  quantity wins, still compare-and-set.

Only items changed since the change-feed watermark (or marked) are looked at, so a sync
with nothing changed sends no request at all.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from ...engine.job import JobContext
from ...ledger.changes import latest_seq
from ...sync import links
from ...sync.cursors import get_cursor, set_cursor
from ...sync.ecommerce import agreed_quantity
from ...sync.feed import changed_ids
from ...sync.stock import stock_to_push
from . import queries
from .client import ShopifyClient
from .errors import StockChanged, UserErrors
from .jobs_import import SERVICE, location
from .mapping import set_quantities_variables, set_quantity_input, variant_levels
from .settings import ShopifySettings

CURSOR = "inventory.export"
DRIFT = "drift:"  # remote_hash marker of a difference seen once
READ_BATCH = 50
WRITE_BATCH = 100


@dataclass
class Push:
    local_id: str
    link: links.Link
    quantity: int  # the ledger's
    remote: int | None = None  # what Shopify held when read
    found: bool = False  # the inventory item still exists


def changed_items(conn: sqlite3.Connection, start: int, end: int) -> set[str]:
    if start <= 0:
        return {
            str(r[0])
            for r in conn.execute(
                "SELECT local_id FROM sync_links WHERE service = ? AND entity = 'inventory'",
                (SERVICE,),
            )
        }
    out = changed_ids(conn, ["inventory"], start, end)
    out.update(
        str(r[0])
        for r in conn.execute(
            "SELECT local_id FROM sync_links WHERE service = ? AND entity = 'inventory' "
            "AND remote_hash LIKE 'drift:%'",
            (SERVICE,),
        )
    )
    return out


def plan(ctx: JobContext, ids: set[str]) -> list[Push]:
    return [
        Push(s.local_id, s.link, s.quantity) for s in stock_to_push(ctx, SERVICE, ids, (DRIFT,))
    ]


async def read_levels(client: ShopifyClient, pushes: list[Push], loc: str) -> None:
    by_item = {p.link.remote_id: p for p in pushes}
    data = await client.execute(queries.INVENTORY_LEVELS, {"ids": list(by_item), "levelsFirst": 10})
    for node in data.get("nodes") or []:
        if not isinstance(node, dict) or str(node.get("id")) not in by_item:
            continue
        levels = variant_levels({"inventoryItem": node})
        push = by_item[str(node["id"])]
        push.found = True
        push.remote = levels.get(loc)


def _remember(ctx: JobContext, p: Push, agreed: int, marker: str) -> None:
    links.upsert(
        ctx.ledger.conn,
        SERVICE,
        "inventory",
        "inventory",
        p.local_id,
        p.link.remote_id,
        remote_version=str(agreed),
        remote_hash=marker,
    )


async def write(ctx: JobContext, client: ShopifyClient, pushes: list[Push], loc: str) -> None:
    """One compare-and-set mutation; entries Shopify finds stale are left for next run."""
    pending = list(pushes)
    while pending:
        quantities = [
            set_quantity_input(
                p.link.remote_id, loc, p.quantity, p.remote, api_version=client.api_version
            )
            for p in pending
        ]
        variables = set_quantities_variables(
            quantities, reason="correction", reference="nexpura-desktop://stock"
        )
        try:
            await client.mutate(queries.INVENTORY_SET_QUANTITIES, variables, idempotent=True)
        except StockChanged as exc:
            stale = set(exc.stale_indexes) if exc.stale_indexes else set(range(len(pending)))
            with ctx.ledger.transaction():
                for i in sorted(stale):
                    p = pending[i]
                    _remember(ctx, p, agreed_quantity(p.link) or 0, f"{DRIFT}race")
                    ctx.count("skipped")
            pending = [p for i, p in enumerate(pending) if i not in stale]
            continue
        except UserErrors as exc:
            with ctx.ledger.transaction():
                for p in pending:
                    ctx.record_issue(f"Shopify refused the stock update: {exc}",
                                     local_table="inventory", local_id=p.local_id,
                                     remote_id=p.link.remote_id)  # fmt: skip
            return
        with ctx.ledger.transaction():
            for p in pending:
                _remember(ctx, p, p.quantity, "ok")
                ctx.count("updated")
        return


async def export_stock(ctx: JobContext, client: ShopifyClient, _settings: ShopifySettings) -> None:
    conn = ctx.ledger.conn
    before = get_cursor(conn, SERVICE, CURSOR)
    start = 0 if ctx.full else int(before or 0)
    end = latest_seq(conn)
    pushes = plan(ctx, changed_items(conn, start, end))
    if pushes:
        loc = await location(ctx, client)
        done = 0
        for i in range(0, len(pushes), READ_BATCH):
            chunk = pushes[i : i + READ_BATCH]
            await read_levels(client, chunk, loc)
            ready: list[Push] = []
            with ctx.ledger.transaction():
                for p in chunk:
                    ready.extend(_decide(ctx, p))
            if ready:
                await write(ctx, client, ready, loc)
            done += len(chunk)
            ctx.progress("stock", done, len(pushes))
            ctx.raise_if_cancelled()
    if str(end) != before:
        with ctx.ledger.transaction():
            set_cursor(conn, SERVICE, CURSOR, str(end))


def _decide(ctx: JobContext, p: Push) -> list[Push]:
    """Whether to write now (a list of one) or leave it for the next run (empty)."""
    if p.remote is None:
        reason = (
            "this item is not stocked at the Shopify location the sync uses; stock it there "
            "in Shopify's admin"
            if p.found
            else "the Shopify inventory item of this item is gone; link it again"
        )
        ctx.record_issue(reason, local_table="inventory", local_id=p.local_id,
                         remote_id=p.link.remote_id, count_failed=False)  # fmt: skip
        ctx.count("skipped")
        return []
    agreed = agreed_quantity(p.link)
    seen = f"{DRIFT}{p.remote}"
    if agreed is not None and p.remote != agreed and p.link.remote_hash != seen:
        # Shopify moved by something not imported yet (an order after the import, or an
        # edit in its admin): wait a run; if the same figure is still there, ledger wins.
        _remember(ctx, p, agreed, seen)
        ctx.count("skipped")
        return []
    if p.remote == p.quantity:
        _remember(ctx, p, p.quantity, "ok")
        ctx.count("unchanged")
        return []
    return [p]
