"""WooCommerce → ledger: products/variations (as inventory), customers, orders.

Products and orders are read ``orderby=modified`` with ``modified_after`` (the stream's
watermark minus an overlap, ``dates_are_gmt=true``); each page's rows and its watermark
commit in one transaction.  Customers have no modified filter: all are read and a content
hash kept on their link tells which changed.  Row ids are deterministic and stock
movements are applied once by id, so a replay cannot duplicate.  The stock-snapshot rule
(an order placed before an item was first read moves no stock) uses ``last_synced_at``.

Links (service ``woocommerce``): ``variant`` (inventory ⇄ product/variation id, version =
``date_modified_gmt``), ``inventory`` (version = the stock both sides agreed on),
``customer`` (hash of the synced fields) and ``order`` (version = ``date_modified_gmt``).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from ...engine.job import JobContext
from ...sync import links
from ...sync.cursors import get_cursor, set_cursor
from ...sync.ecommerce import (
    after_snapshot,
    apply_movement,
    newest,
    since_with_overlap,
    snapshot_stamp,
    store_row,
)
from .client import WooClient
from .mapping import (
    customer_fields,
    customer_hash,
    e164,
    gmt_timestamp,
    local_id,
    order_rows,
    product_rows,
)
from .settings import WooSettings

SERVICE = "woocommerce"
SNAPSHOT = "last_synced_at"
COUNTRY = "AU"
STOCK_COLUMNS = ("quantity", "status", "location_id", "tenant_id", SNAPSHOT)


def tenant_id(conn: sqlite3.Connection) -> str | None:
    row = conn.execute("SELECT id FROM tenants ORDER BY id LIMIT 1").fetchone()
    return None if row is None else str(row[0])


def _save_cursor(
    conn: sqlite3.Connection, stream: str, before: str | None, value: str | None
) -> None:
    if value is not None and value != before:
        set_cursor(conn, SERVICE, stream, value)


def _sku_match(conn: sqlite3.Connection, sku: object) -> str | None:
    text = str(sku or "").strip()
    if not text:
        return None
    row = conn.execute(
        "SELECT i.id FROM inventory i WHERE upper(i.sku) = upper(?) AND i.deleted_at IS NULL "
        "AND NOT EXISTS (SELECT 1 FROM sync_links l WHERE l.service = ? AND l.entity = 'variant' "
        "AND l.local_table = 'inventory' AND l.local_id = i.id) ORDER BY i.id LIMIT 1",
        (text, SERVICE),
    ).fetchone()
    return None if row is None else str(row[0])


def store_item(
    ctx: JobContext, fields: dict[str, Any], version: str | None, tenant: str | None, stamp: str
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
        matched = _sku_match(conn, row.get("sku"))
        if matched is not None:
            row = {"id": matched, "woo_product_id": remote_id, SNAPSHOT: stamp}
        else:
            row.update({"id": local_id("item", remote_id), SNAPSHOT: stamp})
            row.setdefault("quantity", 0)
        outcome = store_row(conn, "inventory", row)
    item = str(row["id"])
    links.upsert(conn, SERVICE, "variant", "inventory", item, remote_id, remote_version=version)
    tracked = fields.get("track_quantity") and "quantity" in fields
    if tracked and links.by_local(conn, SERVICE, "inventory", "inventory", item) is None:
        links.upsert(conn, SERVICE, "inventory", "inventory", item, remote_id,
                     remote_version=str(fields["quantity"]))  # fmt: skip
    ctx.count(outcome)


def _parent_unchanged(ctx: JobContext, product: dict[str, Any]) -> bool:
    """A variable product whose parent did not change since it was read (a variation's
    stock or price change touches the parent's ``date_modified``)."""
    if product.get("type") != "variable" or ctx.full:
        return False
    link = links.by_remote(ctx.ledger.conn, SERVICE, "product", str(product.get("id")))
    return link is not None and link.remote_version == product.get("date_modified_gmt")


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
    stamp = snapshot_stamp(settings.clock())
    mark, done = before, 0
    async for page in client.products(modified_after=since):
        fresh = [p for p in page.items if not _parent_unchanged(ctx, p)]
        ctx.count("unchanged", len(page.items) - len(fresh))
        batch = [(p, await _variations(client, p)) for p in fresh]
        with ctx.ledger.transaction():
            for product in page.items:
                mark = newest(mark, gmt_timestamp(product.get("date_modified_gmt")))
            for product, variations in batch:
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
                    store_item(ctx, fields, version, tenant, stamp)
                if product.get("type") == "variable":
                    links.upsert(conn, SERVICE, "product", "products", str(product["id"]),
                                 str(product["id"]),
                                 remote_version=str(product.get("date_modified_gmt")))  # fmt: skip
            _save_cursor(conn, "products", before, mark)
        before = mark
        stamp = snapshot_stamp(settings.clock())
        done += len(page.items)
        ctx.progress("products", done)
        ctx.raise_if_cancelled()


# -- customers ----------------------------------------------------------------------------


def _people(conn: sqlite3.Connection) -> tuple[dict[str, str], dict[str, str]]:
    by_email: dict[str, str] = {}
    by_phone: dict[str, str] = {}
    for cid, email, phone, mobile in conn.execute(
        "SELECT id, email, phone, mobile FROM customers WHERE deleted_at IS NULL ORDER BY id"
    ):
        if email:
            by_email.setdefault(str(email).strip().lower(), str(cid))
        for number in (phone, mobile):
            e = e164(number, COUNTRY) if number else None
            if e:
                by_phone.setdefault(e, str(cid))
    return by_email, by_phone


def _fill_blanks(conn: sqlite3.Connection, cid: str, row: dict[str, Any]) -> dict[str, Any]:
    names = ["first_name", "last_name", "full_name", "email", "phone", "mobile"]
    found = conn.execute(f"SELECT {', '.join(names)} FROM customers WHERE id = ?", (cid,))
    current = found.fetchone() or [None] * len(names)
    out: dict[str, Any] = {"id": cid}
    for name, value in zip(names, current, strict=True):
        if value in (None, "") and row.get(name) not in (None, ""):
            out[name] = row[name]
    return out


async def import_customers(ctx: JobContext, client: WooClient, _settings: WooSettings) -> None:
    conn = ctx.ledger.conn
    tenant = tenant_id(conn)
    by_email, by_phone = _people(conn)
    done = 0
    async for page in client.customers():
        with ctx.ledger.transaction():
            for customer in page.items:
                remote_id = str(customer.get("id"))
                digest = customer_hash(customer)
                link = links.by_remote(conn, SERVICE, "customer", remote_id)
                if link is not None and link.remote_hash == digest and not ctx.full:
                    ctx.count("unchanged")
                    continue
                row = {**customer_fields(customer, COUNTRY), "tenant_id": tenant}
                email, phone = row.get("email"), row.get("phone")
                if link is not None:
                    row["id"] = link.local_id
                    outcome = store_row(conn, "customers", row, keep=("tenant_id",))
                else:
                    matched = (by_email.get(email) if email else None) or (
                        by_phone.get(phone) if phone else None
                    )
                    if matched is not None:
                        outcome = store_row(conn, "customers", _fill_blanks(conn, matched, row))
                        row["id"] = matched
                    else:
                        row["id"] = local_id("customer", remote_id)
                        row["created_at"] = gmt_timestamp(customer.get("date_created_gmt"))
                        outcome = store_row(conn, "customers", row)
                    if email:
                        by_email.setdefault(str(email), str(row["id"]))
                    if phone:
                        by_phone.setdefault(str(phone), str(row["id"]))
                links.upsert(conn, SERVICE, "customer", "customers", str(row["id"]), remote_id,
                             remote_hash=digest)  # fmt: skip
                ctx.count(outcome)
        done += len(page.items)
        ctx.progress("customers", done)
        ctx.raise_if_cancelled()


# -- orders -------------------------------------------------------------------------------


def _skus(conn: sqlite3.Connection) -> dict[str, str]:
    out: dict[str, str] = {}
    for item, sku in conn.execute(
        "SELECT id, sku FROM inventory WHERE deleted_at IS NULL AND sku IS NOT NULL ORDER BY id"
    ):
        out.setdefault(str(sku), str(item))
    return out


def _customer_of(conn: sqlite3.Connection, order: dict[str, Any]) -> str | None:
    if order.get("customer_id"):
        link = links.by_remote(conn, SERVICE, "customer", str(order["customer_id"]))
        if link is not None:
            return link.local_id
    billing = order.get("billing") if isinstance(order.get("billing"), dict) else {}
    email = str((billing or {}).get("email") or "").strip().lower()
    if email:
        row = conn.execute(
            "SELECT id FROM customers WHERE lower(email) = ? AND deleted_at IS NULL "
            "ORDER BY id LIMIT 1",
            (email,),
        ).fetchone()
        if row is not None:
            return str(row[0])
    return None


def store_order(
    ctx: JobContext, order: dict[str, Any], skus: dict[str, str], tenant: str | None
) -> None:
    conn = ctx.ledger.conn
    remote_id = str(order["id"])
    version = str(order.get("date_modified_gmt") or "") or None
    link = links.by_remote(conn, SERVICE, "order", remote_id)
    if link is not None and link.remote_version == version and not ctx.full:
        ctx.count("unchanged")
        return
    rows = order_rows(order, skus, customer_id=_customer_of(conn, order))
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
    skus = _skus(conn)
    before = get_cursor(conn, SERVICE, "orders")
    since = None if ctx.full else since_with_overlap(before)
    mark, done = before, 0
    async for page in client.orders(modified_after=since):
        with ctx.ledger.transaction():
            for order in page.items:
                try:
                    store_order(ctx, order, skus, tenant)
                except (KeyError, TypeError, ValueError) as exc:
                    ctx.record_issue(f"a WooCommerce order could not be read ({exc})",
                                     remote_id=str(order.get("id")))  # fmt: skip
                mark = newest(mark, gmt_timestamp(order.get("date_modified_gmt")))
            _save_cursor(conn, "orders", before, mark)
        before = mark
        done += len(page.items)
        ctx.progress("orders", done)
        ctx.raise_if_cancelled()
