"""WooCommerce → ledger: products/variations (as inventory) and orders (customers:
:mod:`.jobs_import_customers`).

Products and orders are read ``orderby=modified`` with ``modified_after`` (the stream's
watermark minus an overlap, ``dates_are_gmt=true``); each page's rows and its watermark
commit in one transaction; a quiet stream costs one request (:mod:`.incremental`), and
variations are read a page ahead while the current page is stored.  Row ids are
deterministic and stock
movements are applied once by id, so a replay cannot duplicate.  The stock-snapshot rule
(an order placed before an item was first read moves no stock) uses ``last_synced_at``.

Links (service ``woocommerce``): ``variant`` (inventory ⇄ product/variation id, version =
``date_modified_gmt``, hash = the listing both sides agreed on), ``variation`` (the
parent, :mod:`.jobs_common`), ``inventory`` (version = the stock both sides agreed on,
hash = a ``drift:`` marker, :mod:`.jobs_stock`), ``product`` (a variable parent) and
``order`` (version = ``date_modified_gmt``).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from typing import Any

from ...engine.job import JobContext
from ...sync import links
from ...sync.cursors import get_cursor, set_cursor
from ...sync.ecommerce import (
    UnlinkedSkus,
    after_snapshot,
    agreed_quantity,
    apply_movement,
    newest,
    since_with_overlap,
    sku_match,
    snapshot_stamp,
    store_row,
)
from .client import Page, WooClient
from .incremental import changed_pages
from .jobs_common import listing_hash, remember_parent
from .mapping import (
    SkuIndex,
    gmt_timestamp,
    local_id,
    order_rows,
    product_rows,
)
from .settings import WooSettings

SERVICE = "woocommerce"
SNAPSHOT = "last_synced_at"
COUNTRY = "AU"
DRIFT = "drift:"  # the inventory link's marker (see jobs_stock)
# Storing a page holds the event loop; yielding every few records lets the requests in
# flight (the next pages, variations) finish meanwhile, so the shop's workers stay busy.
YIELD_EVERY = 5
STOCK_COLUMNS = ("quantity", "status", "location_id", "tenant_id", SNAPSHOT)


def tenant_id(conn: sqlite3.Connection) -> str | None:
    row = conn.execute("SELECT id FROM tenants ORDER BY id LIMIT 1").fetchone()
    return None if row is None else str(row[0])


def _save_cursor(
    conn: sqlite3.Connection, stream: str, before: str | None, value: str | None
) -> None:
    if value is not None and value != before:
        set_cursor(conn, SERVICE, stream, value)


def store_item(
    ctx: JobContext,
    fields: dict[str, Any],
    version: str | None,
    tenant: str | None,
    stamp: str,
    unlinked: UnlinkedSkus | None = None,
) -> None:
    conn = ctx.ledger.conn
    remote_id = str(fields["woo_product_id"])
    link = links.by_remote(conn, SERVICE, "variant", remote_id)
    if link is not None and link.remote_version == version and not ctx.full:
        ctx.count("unchanged")
        return
    row = {**fields, "tenant_id": tenant, "updated_at": gmt_timestamp(version)}
    if link is not None:
        row["id"] = link.local_id
        outcome = store_row(conn, "inventory", row, keep=STOCK_COLUMNS)
    else:
        matched = (
            unlinked.take(row.get("sku"))
            if unlinked is not None
            else sku_match(conn, SERVICE, row.get("sku"))
        )
        if matched is not None:
            row = {"id": matched, "woo_product_id": remote_id, SNAPSHOT: stamp}
        else:
            row.update({"id": local_id("item", remote_id), SNAPSHOT: stamp})
            row.setdefault("quantity", 0)
        outcome = store_row(conn, "inventory", row)
    item = str(row["id"])
    meta = fields.get("import_metadata") or {}
    variation = meta.get("woo_type") == "variation" and bool(meta.get("woo_parent_id"))
    links.upsert(conn, SERVICE, "variant", "inventory", item, remote_id, remote_version=version,
                 remote_hash=listing_hash(fields, variation=variation))  # fmt: skip
    if variation:
        remember_parent(conn, item, int(meta["woo_parent_id"]), int(remote_id))
    tracked = fields.get("track_quantity") and "quantity" in fields
    stock = links.by_local(conn, SERVICE, "inventory", "inventory", item) if tracked else None
    if tracked and stock is None:
        links.upsert(conn, SERVICE, "inventory", "inventory", item, remote_id,
                     remote_version=str(fields["quantity"]))  # fmt: skip
    elif stock is not None and _stock_moved(stock, fields["quantity"]):
        # The shop's figure moved by something not imported (yet): the stock export
        # looks at it, waits a run for an order to explain it, then the ledger wins.
        links.upsert(conn, SERVICE, "inventory", "inventory", item, stock.remote_id,
                     remote_hash=f"{DRIFT}?")  # fmt: skip
    ctx.count(outcome)


def _stock_moved(stock: links.Link, quantity: object) -> bool:
    agreed = agreed_quantity(stock)
    marked = (stock.remote_hash or "").startswith((DRIFT, "sent:"))
    return agreed is not None and not marked and quantity != agreed


def _parent_unchanged(ctx: JobContext, product: dict[str, Any]) -> bool:
    """A variable product whose parent did not change since it was read (a variation's
    stock or price change touches the parent's ``date_modified``)."""
    if product.get("type") != "variable" or ctx.full:
        return False
    link = links.by_remote(ctx.ledger.conn, SERVICE, "product", str(product.get("id")))
    return link is not None and link.remote_version == product.get("date_modified_gmt")


def _product_unchanged(ctx: JobContext, product: dict[str, Any]) -> bool:
    if product.get("type") == "variable":
        return _parent_unchanged(ctx, product)
    link = links.by_remote(ctx.ledger.conn, SERVICE, "variant", str(product.get("id")))
    return link is not None and link.remote_version == product.get("date_modified_gmt")


def _known(conn: sqlite3.Connection, entity: str, bound: str) -> int:
    """How many objects of ``entity`` we hold at a version later than ``bound``."""
    row = conn.execute(
        "SELECT COUNT(*) FROM sync_links WHERE service = ? AND entity = ? AND remote_version > ?",
        (SERVICE, entity, bound),
    ).fetchone()
    return int(row[0])


def _linked(conn: sqlite3.Connection, entity: str) -> int:
    row = conn.execute(
        "SELECT COUNT(*) FROM sync_links WHERE service = ? AND entity = ?", (SERVICE, entity)
    ).fetchone()
    return int(row[0])


def _known_products(conn: sqlite3.Connection, bound: str) -> int:
    """Products (simple ones and variable parents, not variations) stored after ``bound``."""
    row = conn.execute(
        "SELECT COUNT(*) FROM sync_links l WHERE l.service = ? AND l.remote_version > ? AND "
        "(l.entity = 'product' OR (l.entity = 'variant' AND NOT EXISTS (SELECT 1 FROM "
        "sync_links v WHERE v.service = l.service AND v.entity = 'variation' "
        "AND v.local_id = l.local_id)))",
        (SERVICE, bound),
    ).fetchone()
    return int(row[0])


def _order_unchanged(conn: sqlite3.Connection, order: dict[str, Any]) -> bool:
    link = links.by_remote(conn, SERVICE, "order", str(order.get("id")))
    return link is not None and link.remote_version == order.get("date_modified_gmt")


async def _variations(client: WooClient, product: dict[str, Any]) -> list[dict[str, Any]]:
    if product.get("type") != "variable":
        return []
    found: list[dict[str, Any]] = []
    async for page in client.variations(int(product["id"])):
        found.extend(page.items)
    return found


async def import_products(ctx: JobContext, client: WooClient, settings: WooSettings) -> None:
    conn = ctx.ledger.conn
    tenant = tenant_id(conn)
    before = get_cursor(conn, SERVICE, "products")
    since = None if ctx.full else since_with_overlap(before)
    mark, done = before, 0
    unlinked = UnlinkedSkus(conn, SERVICE)
    pages = changed_pages(
        client,
        "products",
        since,
        unchanged=lambda p: _product_unchanged(ctx, p),
        known_in_window=lambda bound: _known_products(conn, bound),
    )
    async for page, batch in with_variations(ctx, client, pages):
        stamp = snapshot_stamp(page.sent_at or settings.clock())
        with ctx.ledger.transaction():
            for product in page.items:
                mark = newest(mark, gmt_timestamp(product.get("date_modified_gmt")))
            for n, (product, variations) in enumerate(batch):
                if n % YIELD_EVERY == 0:
                    await asyncio.sleep(0)  # let the shop's answers in flight arrive
                try:
                    rows = product_rows(product, variations)
                except (KeyError, TypeError, ValueError) as exc:
                    ctx.record_issue(f"a WooCommerce product could not be read ({exc})",
                                     remote_id=str(product.get("id")))  # fmt: skip
                    continue
                by_id = {str(v.get("id")): v for v in variations}
                for fields in rows:
                    source = by_id.get(str(fields["woo_product_id"]), product)
                    version = str(source.get("date_modified_gmt") or "") or None
                    store_item(ctx, fields, version, tenant, stamp, unlinked)
                if product.get("type") == "variable":
                    links.upsert(conn, SERVICE, "product", "products", str(product["id"]),
                                 str(product["id"]),
                                 remote_version=str(product.get("date_modified_gmt")))  # fmt: skip
            _save_cursor(conn, "products", before, mark)
        before = mark
        done += len(page.items)
        ctx.progress("products", done)
        ctx.raise_if_cancelled()


Batch = list[tuple[dict[str, Any], list[dict[str, Any]]]]


async def with_variations(
    ctx: JobContext, client: WooClient, pages: AsyncIterator[Page]
) -> AsyncIterator[tuple[Page, Batch]]:
    """Each page with its changed products' variations, read one page ahead.

    A producer task reads the next page and its variations (the client keeps at most
    ``concurrency`` requests in flight) while the caller stores the current one, so the
    shop's response time and our ledger writes overlap.  Nothing is written here.
    """
    queue: asyncio.Queue[tuple[Page, Batch] | BaseException | None] = asyncio.Queue(maxsize=1)

    async def produce() -> None:
        try:
            async for page in pages:
                fresh = [p for p in page.items if not _parent_unchanged(ctx, p)]
                ctx.count("unchanged", len(page.items) - len(fresh))
                found = await asyncio.gather(
                    *(_variations(client, p) for p in fresh), return_exceptions=True
                )
                failed = [f for f in found if isinstance(f, BaseException)]
                if failed:
                    raise failed[0]
                lists = [f for f in found if not isinstance(f, BaseException)]
                await queue.put((page, list(zip(fresh, lists, strict=True))))
            await queue.put(None)
        except Exception as exc:  # noqa: BLE001 (handed to the caller, who raises it)
            await queue.put(exc)

    task = asyncio.ensure_future(produce())
    try:
        while True:
            item = await queue.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


# -- orders -------------------------------------------------------------------------------


def sku_index(conn: sqlite3.Connection) -> SkuIndex:
    out = SkuIndex()
    for item, sku in conn.execute(
        "SELECT id, sku FROM inventory WHERE deleted_at IS NULL AND sku IS NOT NULL ORDER BY id"
    ):
        out.setdefault(str(sku).casefold(), str(item))
    return out


class Emails:
    """Ledger customers by lower-cased email, read once per run when a guest order needs it
    (a per-order ``lower(email)`` query scans the whole table)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._map: dict[str, str] | None = None

    def get(self, email: str) -> str | None:
        if self._map is None:
            self._map = {}
            for cid, found in self._conn.execute(
                "SELECT id, email FROM customers WHERE deleted_at IS NULL AND email IS NOT NULL "
                "ORDER BY id"
            ):
                self._map.setdefault(str(found).strip().lower(), str(cid))
        return self._map.get(email)


def _customer_of(
    conn: sqlite3.Connection, order: dict[str, Any], emails: Emails | None = None
) -> str | None:
    if order.get("customer_id"):
        link = links.by_remote(conn, SERVICE, "customer", str(order["customer_id"]))
        if link is not None:
            return link.local_id
    billing = order.get("billing") if isinstance(order.get("billing"), dict) else {}
    email = str((billing or {}).get("email") or "").strip().lower()
    return (emails or Emails(conn)).get(email) if email else None


def store_order(
    ctx: JobContext,
    order: dict[str, Any],
    skus: dict[str, str],
    tenant: str | None,
    *,
    force: bool = False,
    emails: Emails | None = None,
) -> None:
    """One order as a sale; ``force`` maps it again even at a known version (an incomplete
    sale retried by reconciliation once its items exist)."""
    conn = ctx.ledger.conn
    remote_id = str(order["id"])
    version = str(order.get("date_modified_gmt") or "") or None
    link = links.by_remote(conn, SERVICE, "order", remote_id)
    if link is not None and link.remote_version == version and not (ctx.full or force):
        ctx.count("unchanged")
        return
    rows = order_rows(order, skus, customer_id=_customer_of(conn, order, emails))
    sale = {**rows.sale, "tenant_id": tenant, "updated_at": gmt_timestamp(version)}
    outcome = store_row(conn, "sales", sale)
    for item in rows.items:
        store_row(conn, "sale_items", {**item, "tenant_id": tenant})
    for movement in rows.movements:
        moved = {**movement, "tenant_id": tenant, "created_at": sale.get("sale_date")}
        if after_snapshot(conn, moved, SNAPSHOT):
            apply_movement(conn, SERVICE, moved)
    if sale["status"] in ("cancelled", "refunded"):
        for line in order.get("line_items") or []:
            moved_id = local_id("order_line_stock", line.get("id"))
            taken = conn.execute(
                "SELECT inventory_id, quantity_change FROM stock_movements WHERE id = ?",
                (moved_id,),
            ).fetchone()
            if taken is not None and taken[1]:
                apply_movement(conn, SERVICE, {
                    "id": f"{moved_id}-back", "tenant_id": tenant,
                    "inventory_id": taken[0], "movement_type": "return",
                    "quantity_change": -int(taken[1]),
                    "notes": f"{sale['sale_number']} {sale['status']}",
                    "created_at": gmt_timestamp(version),
                })  # fmt: skip
    links.upsert(conn, SERVICE, "order", "sales", str(sale["id"]), remote_id,
                 remote_version=version)  # fmt: skip
    if rows.unmatched_skus:
        ctx.record_issue(
            f"WooCommerce order #{order.get('number') or remote_id} was imported as incomplete: "
            f"no item in the ledger has SKU {', '.join(rows.unmatched_skus)}",
            local_table="sales",
            local_id=sale["id"],
            remote_id=remote_id,
            count_failed=False,
        )
    ctx.count(outcome)


async def import_orders(ctx: JobContext, client: WooClient, _settings: WooSettings) -> None:
    conn = ctx.ledger.conn
    tenant = tenant_id(conn)
    skus = sku_index(conn)
    emails = Emails(conn)
    before = get_cursor(conn, SERVICE, "orders")
    since = None if ctx.full else since_with_overlap(before)
    mark, done = before, 0
    pages = changed_pages(
        client,
        "orders",
        since,
        unchanged=lambda o: _order_unchanged(conn, o),
        known_in_window=lambda bound: _known(conn, "order", bound),
    )
    async for page in pages:
        with ctx.ledger.transaction():
            for n, order in enumerate(page.items):
                if n % YIELD_EVERY == 0:
                    await asyncio.sleep(0)  # let the prefetched pages' answers arrive
                try:
                    store_order(ctx, order, skus, tenant, emails=emails)
                except (KeyError, TypeError, ValueError) as exc:
                    ctx.record_issue(f"a WooCommerce order could not be read ({exc})",
                                     remote_id=str(order.get("id")))  # fmt: skip
                mark = newest(mark, gmt_timestamp(order.get("date_modified_gmt")))
            _save_cursor(conn, "orders", before, mark)
        before = mark
        done += len(page.items)
        ctx.progress("orders", done)
        ctx.raise_if_cancelled()
