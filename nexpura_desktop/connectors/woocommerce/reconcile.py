"""``woocommerce.orders.reconcile``: the daily safety net under the incremental sync.

1. The incremental order import runs first, so stock compared in 4 includes every sale
   the shop has taken so far.
2. Every WooCommerce order *created* since the last reconcile (minus an overlap) must
   have a sale; one without is imported now (a missed page, a lost link, an order whose
   ``date_modified`` fell behind the watermark).
3. Every sale imported as ``incomplete`` (its items were not in the ledger then) is
   mapped again with today's items; a complete one closes its import issue.
4. Stock drift: every linked, tracked item's shop figure is compared with the ledger's.
   The ledger owns stock, so a difference is recorded in ``sync_issues`` (kind
   ``drift``, both figures) and the shop is set to the ledger's figure; the issue is
   resolved once written, so the history shows what was corrected.

Directions apply: orders not imported skip 1–3, inventory not exported skips the fix (the
drift is still reported).  The watermark (``reconcile`` cursor) moves only when the run
finished.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ...engine.job import JobContext
from ...sync import issues, links, reconcile
from ...sync.cursors import get_cursor, set_cursor
from ...sync.stock import linked_stock
from .client import WooClient, gmt_param
from .jobs_common import grouped, note_own_write, target_of
from .jobs_import import SERVICE, Emails, import_orders, sku_index, store_order, tenant_id
from .jobs_stock import Push, mark_sent, read_current
from .settings import WooSettings

CURSOR = "reconcile"
OVERLAP_S = 3600.0  # an hour: checkouts are created and paid in the shop's own time
IMPORT_JOB = "woocommerce.orders.import"
SCHEDULE = {"kind": "cron", "cron": "45 3 * * *"}  # daily, early morning shop time


def _store(
    ctx: JobContext, order: dict[str, object], skus: dict[str, str], emails: Emails, *, retry: bool
) -> None:
    conn = ctx.ledger.conn
    try:
        store_order(ctx, dict(order), skus, tenant_id(conn), force=retry, emails=emails)
    except (KeyError, TypeError, ValueError) as exc:
        ctx.record_issue(f"a WooCommerce order could not be read ({exc})",
                         remote_id=str(order.get("id")))  # fmt: skip
        return
    reconcile.close_if_complete(conn, SERVICE, str(order["id"]), (IMPORT_JOB, ctx.name))


async def import_missing(ctx: JobContext, client: WooClient, since: str | None) -> None:
    """Orders created since ``since`` (minus the overlap) that have no sale."""
    params: dict[str, str | int] = {"orderby": "date", "order": "asc", "dates_are_gmt": "true"}
    if since:
        start = datetime.fromisoformat(since) - timedelta(seconds=OVERLAP_S)
        params["after"] = gmt_param(start)
    skus, emails = sku_index(ctx.ledger.conn), Emails(ctx.ledger.conn)
    async for page in client.pages("orders", params):
        missing = [
            o
            for o in page.items
            if not reconcile.has_sale(ctx.ledger.conn, SERVICE, str(o.get("id")))
        ]
        if missing:
            with ctx.ledger.transaction():
                for order in missing:
                    _store(ctx, order, skus, emails, retry=False)
        ctx.raise_if_cancelled()


async def retry_incomplete(ctx: JobContext, client: WooClient) -> None:
    ids = [int(r) for r in reconcile.incomplete_orders(ctx.ledger.conn, SERVICE)]
    skus, emails = sku_index(ctx.ledger.conn), Emails(ctx.ledger.conn)
    for i in range(0, len(ids), 100):
        chunk = ids[i : i + 100]
        params = {"include": ",".join(str(n) for n in chunk), "orderby": "include"}
        async for page in client.pages("orders", params):
            with ctx.ledger.transaction():
                for order in page.items:
                    _store(ctx, order, skus, emails, retry=True)
        ctx.raise_if_cancelled()


def _linked_stock(ctx: JobContext) -> list[Push]:
    conn = ctx.ledger.conn
    return [
        Push(target_of(conn, s.local_id, s.link.remote_id), s.link, s.quantity)
        for s in linked_stock(conn, SERVICE)
    ]


async def fix_drift(ctx: JobContext, client: WooClient, *, fix: bool) -> None:
    conn = ctx.ledger.conn
    pushes = _linked_stock(ctx)
    by_target = {id(p.target): p for p in pushes}
    done = 0
    for targets in grouped(p.target for p in pushes):
        group = [by_target[id(t)] for t in targets]
        await read_current(client, group)
        drifted: list[tuple[Push, issues.Issue]] = []
        with ctx.ledger.transaction():
            for p in group:
                raw = (p.remote or {}).get("stock_quantity")
                if p.remote is None or not isinstance(raw, int | float) or int(raw) == p.quantity:
                    continue
                action = (
                    "the shop is set to the ledger's figure (the ledger owns stock)"
                    if fix
                    else "stock export is off, so nothing was changed"
                )
                issue = ctx.record_issue(
                    f"Stock differed: WooCommerce showed {int(raw)}, the ledger holds "
                    f"{p.quantity}; {action}",
                    kind="drift", local_table="inventory", local_id=p.target.item,
                    remote_id=p.target.remote_id, detail=f"woocommerce={int(raw)} "
                    f"ledger={p.quantity}",
                )  # fmt: skip
                drifted.append((p, issue))
        if drifted and fix:
            with ctx.ledger.transaction():
                for p, _ in drifted:
                    p.write, p.agreed, p.marker = p.quantity, p.quantity, "ok"
                    mark_sent(conn, p)
            updates = [{"id": p.target.remote_id, "manage_stock": True,
                        "stock_quantity": p.quantity} for p, _ in drifted]  # fmt: skip
            result = await client.batch(group[0].target.resource, update=updates)
            with ctx.ledger.transaction():
                for outcome in result.of("update"):
                    p, issue = drifted[outcome.index]
                    if outcome.ok:
                        links.upsert(conn, SERVICE, "inventory", "inventory", p.target.item,
                                     p.link.remote_id, remote_version=str(p.quantity),
                                     remote_hash="ok")  # fmt: skip
                        note_own_write(conn, p.target.item, outcome.data or {})
                        issues.resolve(conn, issue.id)
                        ctx.count("updated")
        done += len(group)
        ctx.progress("stock", done, len(pushes))
        ctx.raise_if_cancelled()


async def reconcile_orders(ctx: JobContext, client: WooClient, settings: WooSettings) -> None:
    conn = ctx.ledger.conn
    directions = reconcile.directions(conn, SERVICE)
    stamp = datetime.fromtimestamp(settings.clock(), UTC).isoformat(timespec="seconds")
    if directions.get("orders", "both") in ("import", "both"):
        await import_orders(ctx, client, settings)
        await import_missing(ctx, client, get_cursor(conn, SERVICE, CURSOR))
        await retry_incomplete(ctx, client)
    inventory = directions.get("inventory", "export")
    if inventory != "off":
        await fix_drift(ctx, client, fix=inventory in ("export", "both"))
    with ctx.ledger.transaction():
        set_cursor(conn, SERVICE, CURSOR, stamp)
