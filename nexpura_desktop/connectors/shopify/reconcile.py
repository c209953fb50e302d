"""``shopify.orders.reconcile``: the daily safety net under the incremental sync.

1. Every Shopify order *created* since the last reconcile (minus an overlap) must have a
   sale; one without is imported now (a missed page, an order edited so that its
   ``updated_at`` fell behind a watermark, a link lost to a restore).
2. Every sale imported as ``incomplete`` (items not in the ledger then) is mapped again
   with today's items; a complete one closes its import issue.
3. Stock drift: for every linked item, Shopify's available quantity at the synced location
   is compared with the ledger's.  The ledger owns stock, so a difference is recorded in
   ``sync_issues`` (kind ``drift``, with both figures) and fixed by a compare-and-set push
   (a sale landing between the read and the write makes Shopify refuse; the next run sees
   it).  A fixed drift issue is resolved, so the history shows what was corrected.

The owner's directions apply: orders ``off``/``export`` skip 1–2, inventory ``off``
skips 3.  The watermark (``reconcile`` cursor) moves only when the run finished.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from ...engine.job import JobContext
from ...sync import issues, links, reconcile
from ...sync.cursors import get_cursor, set_cursor
from ...sync.stock import linked_stock
from . import queries
from .client import ShopifyClient
from .jobs_export import READ_BATCH, Push, read_levels, write
from .jobs_import import (
    LINES_FIRST,
    SERVICE,
    _all_lines,
    item_index,
    location,
    store_order,
    tenant_id,
    utc_now,
)
from .settings import ShopifySettings

CURSOR = "reconcile"
OVERLAP_S = 3600.0  # an hour: orders are created and paid in Shopify's own time
ORDERS_BATCH = 25
IMPORT_JOB = "shopify.orders.import"
SCHEDULE = {"kind": "cron", "cron": "30 3 * * *"}  # daily, early morning shop time


async def missing_orders(ctx: JobContext, client: ShopifyClient, since: str | None) -> list[str]:
    conn = ctx.ledger.conn
    variables = {"first": queries.MAX_PAGE, "query": queries.created_since(since,
                 overlap_s=OVERLAP_S)}  # fmt: skip
    out: list[str] = []
    async for page in client.iterate(queries.ORDER_IDS, variables, ("orders",)):
        out.extend(
            str(n["id"]) for n in page.nodes if not reconcile.has_sale(conn, SERVICE, str(n["id"]))
        )
        ctx.raise_if_cancelled()
    return out


async def import_by_id(
    ctx: JobContext, client: ShopifyClient, remote_ids: list[str], *, retry: bool
) -> None:
    conn = ctx.ledger.conn
    tenant = tenant_id(conn)
    index = item_index(conn)
    for i in range(0, len(remote_ids), ORDERS_BATCH):
        chunk = remote_ids[i : i + ORDERS_BATCH]
        data = await client.execute(queries.ORDERS_BY_ID, {"ids": chunk, "linesFirst": LINES_FIRST})
        found = [n for n in data.get("nodes") or [] if isinstance(n, dict) and n.get("id")]
        orders = [await _all_lines(client, o) for o in found]
        with ctx.ledger.transaction():
            for order in orders:
                _store(ctx, order, index, tenant, retry=retry)
        ctx.raise_if_cancelled()


def _store(
    ctx: JobContext, order: dict[str, Any], index: Any, tenant: str | None, *, retry: bool
) -> None:
    try:
        store_order(ctx, order, index, tenant, force=retry)
    except (KeyError, TypeError, ValueError) as exc:
        ctx.record_issue(f"Shopify order {order.get('name')} could not be read ({exc})",
                         remote_id=str(order.get("id")))  # fmt: skip
        return
    reconcile.close_if_complete(ctx.ledger.conn, SERVICE, str(order["id"]), (IMPORT_JOB,))


def _linked_stock(conn: sqlite3.Connection) -> list[Push]:
    return [Push(s.local_id, s.link, s.quantity) for s in linked_stock(conn, SERVICE)]


async def fix_drift(ctx: JobContext, client: ShopifyClient) -> None:
    conn = ctx.ledger.conn
    pushes = _linked_stock(conn)
    if not pushes:
        return
    loc = await location(ctx, client)
    for i in range(0, len(pushes), READ_BATCH):
        chunk = pushes[i : i + READ_BATCH]
        await read_levels(client, chunk, loc)
        drifted: list[tuple[Push, issues.Issue]] = []
        with ctx.ledger.transaction():
            for p in chunk:
                if p.remote is None or p.remote == p.quantity:
                    continue
                issue = ctx.record_issue(
                    f"Stock differed: Shopify showed {p.remote}, the ledger holds {p.quantity}; "
                    "Shopify is set to the ledger's figure (the ledger owns stock)",
                    kind="drift", local_table="inventory", local_id=p.local_id,
                    remote_id=p.link.remote_id, detail=f"shopify={p.remote} ledger={p.quantity}",
                )  # fmt: skip
                drifted.append((p, issue))
        if drifted:
            await write(ctx, client, [p for p, _ in drifted], loc)
            with ctx.ledger.transaction():
                for p, issue in drifted:
                    agreed = links.by_local(conn, SERVICE, "inventory", "inventory", p.local_id)
                    if agreed is not None and agreed.remote_hash == "ok":
                        issues.resolve(conn, issue.id)
        ctx.progress("stock", i + len(chunk), len(pushes))
        ctx.raise_if_cancelled()


async def reconcile_orders(
    ctx: JobContext, client: ShopifyClient, settings: ShopifySettings
) -> None:
    conn = ctx.ledger.conn
    directions = reconcile.directions(conn, SERVICE)
    stamp = utc_now(settings.clock)
    if directions.get("orders", "both") in ("import", "both"):
        since = get_cursor(conn, SERVICE, CURSOR)
        missing = await missing_orders(ctx, client, since)
        await import_by_id(ctx, client, missing, retry=False)
        retry = [r for r in reconcile.incomplete_orders(conn, SERVICE) if r not in set(missing)]
        await import_by_id(ctx, client, retry, retry=True)
    if directions.get("inventory", "export") in ("export", "both"):
        await fix_drift(ctx, client)
    with ctx.ledger.transaction():
        set_cursor(conn, SERVICE, CURSOR, stamp)
