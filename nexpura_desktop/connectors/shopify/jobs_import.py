"""Shopify → ledger: products (as inventory), customers, orders (as sales).

Each stream reads ``sortKey: UPDATED_AT`` pages filtered by ``updated_at:>`` the stream's
watermark minus an overlap, and commits every page's rows **with** the watermark of that
page in one transaction — a crash or cancel between pages resumes exactly there, and
the overlap's re-read rows are recognised by their link's ``remote_version`` and write
nothing.  Row ids are deterministic (UUID 5 of the Shopify id), movements are applied once
by id, so replays cannot duplicate.

Links (``sync_links``, service ``shopify``):

* ``variant`` — inventory row ⇄ variant gid; version = the variant's ``updatedAt``;
* ``inventory`` — inventory row ⇄ inventory item gid; version = the stock both sides
  agreed on (see :mod:`nexpura_desktop.sync.ecommerce`);
* ``customer`` — customers row ⇄ customer gid; ``order`` — sales row ⇄ order gid.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from ...engine.errors import ConfigurationError
from ...engine.job import JobContext
from ...sync import customer_merge, links
from ...sync.cursors import get_cursor, set_cursor
from ...sync.ecommerce import OVERLAP_S, UnlinkedSkus, apply_movement, newest, sku_match, store_row
from . import first_load, queries
from .client import ShopifyClient
from .mapping import ItemIndex, MappedItem, order_to_sale, product_to_inventory, variant_levels
from .mapping_common import nodes, normalise_phone, row_id
from .mapping_people import MappedCustomer, customer_to_row
from .settings import ShopifySettings

SERVICE = "shopify"
LOCATION_CURSOR = "location"
VARIANTS_FIRST = 5
LEVELS_FIRST = 2
LINES_FIRST = 10
# Columns the ledger owns once an item exists (stock policy: the ledger owns quantities).
STOCK_COLUMNS = ("quantity", "status", "location_id", "tenant_id", "shopify_synced_at")


def utc_now(clock: Callable[[], float]) -> str:
    """Whole seconds, rounded down: Shopify's times are second-granular, and an order in
    the same second as the snapshot counts as after it (at worst the ledger under-counts
    by that sale, which never oversells)."""
    return datetime.fromtimestamp(int(clock()), UTC).isoformat(timespec="seconds")


def _instant(value: object) -> datetime | None:
    text = str(value or "")
    if not text:
        return None
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def tenant_id(conn: sqlite3.Connection) -> str | None:
    row = conn.execute("SELECT id FROM tenants ORDER BY id LIMIT 1").fetchone()
    return None if row is None else str(row[0])


def _save_cursor(
    conn: sqlite3.Connection, stream: str, before: str | None, value: str | None
) -> None:
    if value is not None and value != before:
        set_cursor(conn, SERVICE, stream, value)


async def location(ctx: JobContext, client: ShopifyClient) -> str:
    """The Shopify location whose stock the ledger mirrors (chosen once, then kept).

    With several active locations, the one where most of the first products are stocked
    (one sample page) wins; ties go to a location that fulfils online orders.
    """
    conn = ctx.ledger.conn
    known = get_cursor(conn, SERVICE, LOCATION_CURSOR)
    if known:
        return known
    active: dict[str, int] = {}
    async for node in client.nodes(queries.LOCATIONS, {"first": 50}, ("locations",)):
        if node.get("isActive", True):
            active[str(node["id"])] = 1 if node.get("fulfillsOnlineOrders") else 0
    if not active:
        raise ConfigurationError("the Shopify store has no active location to hold stock")
    stocked = dict.fromkeys(active, 0)
    if len(active) > 1:
        sample = await client.execute(
            queries.PRODUCTS,
            {"first": queries.products_page_size(VARIANTS_FIRST, LEVELS_FIRST), "after": None,
             "query": None, "variantsFirst": VARIANTS_FIRST, "levelsFirst": LEVELS_FIRST},
        )  # fmt: skip
        for product in nodes(sample.get("products") or {}):
            for variant in nodes(product.get("variants")):
                for loc in variant_levels(variant):
                    if loc in stocked:
                        stocked[loc] += 1
    chosen = max(sorted(active), key=lambda loc: (stocked[loc], active[loc]))
    with ctx.ledger.transaction():
        set_cursor(conn, SERVICE, LOCATION_CURSOR, chosen)
    return chosen


# -- products -----------------------------------------------------------------------------


def store_item(
    ctx: JobContext,
    item: MappedItem,
    loc: str,
    tenant: str | None,
    stamp: str,
    skus: UnlinkedSkus | None = None,
) -> None:
    """One variant into the ledger (match by link, then SKU; else a new item).

    ``stamp`` (taken just *before* the page was read) marks the stock snapshot: online
    orders placed before it are already in the quantity Shopify reported (a new item) or
    in the ledger's own count (an item matched by SKU), so they move no stock.
    """
    conn = ctx.ledger.conn
    link = links.by_remote(conn, SERVICE, "variant", item.variant_id)
    if link is not None and link.remote_version == item.remote_version and not ctx.full:
        ctx.count("unchanged")
        return
    row = dict(item.row)
    row["tenant_id"] = tenant
    if link is not None:
        row["id"] = link.local_id
        if link.remote_hash == item.push_hash and link.remote_version is None:
            outcome = "unchanged"  # the echo of our own push
        else:
            outcome = store_row(conn, "inventory", row, keep=STOCK_COLUMNS)
    else:
        if skus is None:
            matched = sku_match(conn, SERVICE, row.get("sku"))
        else:
            matched = skus.take(row.get("sku"))
        if matched is not None:
            row = {
                "id": matched,
                "shopify_product_id": row["shopify_product_id"],
                "shopify_variant_id": row["shopify_variant_id"],
                "shopify_synced_at": stamp,
            }
            outcome = store_row(conn, "inventory", row)
        else:
            row["shopify_synced_at"] = stamp
            outcome = store_row(conn, "inventory", row)
    local_id = str(row["id"])
    links.upsert(
        conn,
        SERVICE,
        "variant",
        "inventory",
        local_id,
        item.variant_id,
        remote_version=item.remote_version,
        remote_hash=item.push_hash,
    )
    if (
        item.inventory_item_id
        and links.by_local(conn, SERVICE, "inventory", "inventory", local_id) is None
    ):
        links.upsert(
            conn,
            SERVICE,
            "inventory",
            "inventory",
            local_id,
            item.inventory_item_id,
            remote_version=str(item.levels.get(loc, 0)),
        )
    ctx.count(outcome)


async def _all_variants(client: ShopifyClient, product: dict[str, Any]) -> dict[str, Any]:
    """The product with every variant (a second query when it has more than one page)."""
    variants = product.get("variants") or {}
    info = variants.get("pageInfo") or {}
    if not info.get("hasNextPage"):
        return product
    found = list(variants.get("nodes") or [])
    async for page in client.iterate(
        queries.PRODUCT_VARIANTS,
        {
            "id": product["id"],
            "first": queries.product_variants_page_size(LEVELS_FIRST),
            "levelsFirst": LEVELS_FIRST,
        },
        ("product", "variants"),
        after=info.get("endCursor"),
    ):
        found.extend(page.nodes)
    return {**product, "variants": {"nodes": found}}


def _store_products(
    ctx: JobContext,
    products: list[dict[str, Any]],
    loc: str,
    tenant: str | None,
    stamp: str,
    skus: UnlinkedSkus,
) -> str | None:
    """One batch of products (caller's transaction); the newest ``updatedAt`` seen."""
    mark = None
    for product in products:
        try:
            items = product_to_inventory(product, location_id=loc, tenant_id=tenant)
        except (KeyError, TypeError, ValueError) as exc:
            ctx.record_issue(f"a Shopify product could not be read ({exc})",
                             remote_id=str(product.get("id")))  # fmt: skip
            continue
        for item in items:
            store_item(ctx, item, loc, tenant, stamp, skus)
        mark = newest(mark, product.get("updatedAt"))
    return mark


async def import_products(
    ctx: JobContext, client: ShopifyClient, settings: ShopifySettings
) -> None:
    conn = ctx.ledger.conn
    loc = await location(ctx, client)
    tenant = tenant_id(conn)
    skus = UnlinkedSkus(conn, SERVICE)
    before = get_cursor(conn, SERVICE, "products")
    if first_load.wanted(ctx, before):
        await first_load.run(
            ctx, client, settings, "products", queries.BULK_PRODUCTS,
            lambda load, batch: _store_products(
                ctx, batch, loc, tenant, load.as_of or utc_now(settings.clock), skus
            ),
        )  # fmt: skip
        return
    variables = {
        "first": queries.products_page_size(VARIANTS_FIRST, LEVELS_FIRST),
        "query": queries.updated_since(before, overlap_s=OVERLAP_S),
        "variantsFirst": VARIANTS_FIRST,
        "levelsFirst": LEVELS_FIRST,
    }
    done = 0
    mark = before
    stamp = utc_now(settings.clock)
    async for page in client.iterate(queries.PRODUCTS, variables, ("products",)):
        products = [await _all_variants(client, p) for p in page.nodes]
        with ctx.ledger.transaction():
            mark = newest(mark, _store_products(ctx, products, loc, tenant, stamp, skus))
            _save_cursor(conn, "products", before, mark)
        before = mark
        stamp = utc_now(settings.clock)  # the next page is read after this instant
        done += len(products)
        ctx.progress("products", done)
        ctx.raise_if_cancelled()


# -- customers ----------------------------------------------------------------------------


class PeopleIndex:
    """Local customers by lower-cased email and by E.164 phone (built once per run)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.by_email: dict[str, str] = {}
        self.by_phone: dict[str, str] = {}
        for cid, email, phone, mobile in conn.execute(
            "SELECT id, email, phone, mobile FROM customers WHERE deleted_at IS NULL ORDER BY id"
        ):
            if email:
                self.by_email.setdefault(str(email).strip().lower(), str(cid))
            for number in (phone, mobile):
                e164 = normalise_phone(number) if number else None
                if e164:
                    self.by_phone.setdefault(e164, str(cid))

    def find(self, mapped: MappedCustomer) -> str | None:
        if mapped.email and mapped.email in self.by_email:
            return self.by_email[mapped.email]
        if mapped.phone and mapped.phone in self.by_phone:
            return self.by_phone[mapped.phone]
        return None

    def add(self, mapped: MappedCustomer, local_id: str) -> None:
        if mapped.email:
            self.by_email.setdefault(mapped.email, local_id)
        if mapped.phone:
            self.by_phone.setdefault(mapped.phone, local_id)


def _consent_changes(local: Mapping[str, Any], remote: Mapping[str, Any]) -> dict[str, Any]:
    """Consent from Shopify: an opt-out (or a bounce) always applies — nobody who
    unsubscribed online may be marketed to — and a consent only fills a ledger blank."""
    out: dict[str, Any] = {}
    if remote.get("email_opted_out") and not local.get("email_opted_out"):
        out.update(email_opted_out=True, email_opted_out_at=remote.get("email_opted_out_at"),
                   marketing_consent=False)  # fmt: skip
    elif (
        local.get("marketing_consent") is None
        and remote.get("marketing_consent") is not None
        and not local.get("email_opted_out")
    ):
        out["marketing_consent"] = remote["marketing_consent"]
    if remote.get("email_status") == "bounced" and local.get("email_status") != "bounced":
        out["email_status"] = "bounced"
    return out


def local_customer(conn: sqlite3.Connection, local_id: str) -> dict[str, Any] | None:
    cur = conn.execute("SELECT * FROM customers WHERE id = ?", (local_id,))
    row = cur.fetchone()
    if row is None:
        return None
    return {d[0]: v for d, v in zip(cur.description, row, strict=True)}


def merge_customer(
    ctx: JobContext,
    local: Mapping[str, Any],
    mapped: MappedCustomer,
    link: links.Link | None,
    local_id: str,
) -> customer_merge.CustomerMerge:
    """Merge a Shopify customer into its ledger row field by field (import and export alike)."""
    return customer_merge.merge_customer(
        ctx.ledger.conn,
        service=SERVICE,
        job=str(ctx.job),
        local=local,
        remote=mapped.row,
        remote_updated_at=mapped.remote_version,
        link=link,
        local_id=local_id,
        remote_id=mapped.remote_id,
        remote_name="Shopify",
        run_id=ctx.run_id,
    )


def store_customer(ctx: JobContext, mapped: MappedCustomer, people: PeopleIndex) -> None:
    """One customer: new → inserted; linked or matched → merged field by field
    (:mod:`nexpura_desktop.sync.customer_merge`), conflicts recorded, base kept on the link."""
    conn = ctx.ledger.conn
    link = links.by_remote(conn, SERVICE, "customer", mapped.remote_id)
    if link is not None and link.remote_version == mapped.remote_version and not ctx.full:
        ctx.count("unchanged")
        return
    local_id = link.local_id if link is not None else people.find(mapped)
    local = local_customer(conn, local_id) if local_id is not None else None
    if local is None:
        row = dict(mapped.row)
        outcome = store_row(conn, "customers", row)
        local_id = str(row["id"])
        base = customer_merge.normalise(row)
    else:
        assert local_id is not None
        merge = merge_customer(ctx, local, mapped, link, local_id)
        changes = {**merge.to_local, **_consent_changes(local, mapped.row)}
        if "first_name" in changes or "last_name" in changes:
            first = changes.get("first_name", local.get("first_name"))
            last = changes.get("last_name", local.get("last_name"))
            changes["full_name"] = " ".join(p for p in (first, last) if p) or None
        if changes:
            changes["updated_at"] = mapped.remote_version or local.get("updated_at")
            outcome = store_row(conn, "customers", {"id": local_id, **changes})
        else:
            outcome = "unchanged"
        base = merge.base_after_import()
    people.add(mapped, local_id)
    customer_merge.remember(conn, SERVICE, local_id, mapped.remote_id, base,
                            remote_version=mapped.remote_version)  # fmt: skip
    ctx.count(outcome)


def _store_customers(
    ctx: JobContext, nodes_: list[dict[str, Any]], people: PeopleIndex, tenant: str | None
) -> str | None:
    mark = None
    for node in nodes_:
        try:
            mapped = customer_to_row(node, tenant_id=tenant)
        except (KeyError, TypeError, ValueError) as exc:
            ctx.record_issue(
                f"a Shopify customer could not be read ({exc})",
                remote_id=str(node.get("id")),
            )
            continue
        store_customer(ctx, mapped, people)
        mark = newest(mark, node.get("updatedAt"))
    return mark


async def import_customers(
    ctx: JobContext, client: ShopifyClient, settings: ShopifySettings
) -> None:
    conn = ctx.ledger.conn
    tenant = tenant_id(conn)
    people = PeopleIndex(conn)
    before = get_cursor(conn, SERVICE, "customers")
    if first_load.wanted(ctx, before):
        await first_load.run(
            ctx, client, settings, "customers", queries.BULK_CUSTOMERS,
            lambda _load, batch: _store_customers(ctx, batch, people, tenant),
        )  # fmt: skip
        return
    variables = {
        "first": queries.customers_page_size(),
        "query": queries.updated_since(before, overlap_s=OVERLAP_S),
    }
    done = 0
    mark = before
    async for page in client.iterate(queries.CUSTOMERS, variables, ("customers",)):
        with ctx.ledger.transaction():
            mark = newest(mark, _store_customers(ctx, page.nodes, people, tenant))
            _save_cursor(conn, "customers", before, mark)
        before = mark
        done += len(page.nodes)
        ctx.progress("customers", done)
        ctx.raise_if_cancelled()


# -- orders -------------------------------------------------------------------------------


def item_index(conn: sqlite3.Connection) -> ItemIndex:
    rows = conn.execute(
        "SELECT id, sku, shopify_variant_id FROM inventory WHERE deleted_at IS NULL ORDER BY id"
    )
    return ItemIndex.build({"id": r[0], "sku": r[1], "shopify_variant_id": r[2]} for r in rows)


def _order_customer(conn: sqlite3.Connection, order: Mapping[str, Any]) -> str | None:
    customer = order.get("customer")
    if isinstance(customer, Mapping) and customer.get("id"):
        link = links.by_remote(conn, SERVICE, "customer", str(customer["id"]))
        if link is not None:
            return link.local_id
    email = str(order.get("email") or "").strip().lower()
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
    ctx: JobContext,
    order: dict[str, Any],
    index: ItemIndex,
    tenant: str | None,
    *,
    force: bool = False,
) -> None:
    """One order as a sale (``force``: map it again even if its version is known — a
    reconcile retrying an incomplete one after the missing items arrived)."""
    conn = ctx.ledger.conn
    remote_id = str(order["id"])
    link = links.by_remote(conn, SERVICE, "order", remote_id)
    version = str(order.get("updatedAt") or "") or None
    if link is not None and link.remote_version == version and not (ctx.full or force):
        ctx.count("unchanged")
        return
    mapped = order_to_sale(order, index, customer_id=_order_customer(conn, order), tenant_id=tenant)
    outcome = store_row(conn, "sales", mapped.sale)
    for item in mapped.items:
        store_row(conn, "sale_items", item)
    for movement in mapped.movements:
        if _after_snapshot(conn, movement):
            apply_movement(conn, SERVICE, movement)
    if mapped.sale["status"] == "cancelled":
        _reverse_movements(conn, order, str(order.get("name") or mapped.sale["sale_number"]))
    links.upsert(conn, SERVICE, "order", "sales", str(mapped.sale["id"]), remote_id,
                 remote_version=version)  # fmt: skip
    if mapped.unmatched:
        ctx.record_issue(
            f"Shopify order {order.get('name')} was imported as incomplete: no item in the "
            f"ledger matches {', '.join(mapped.unmatched)}",
            local_table="sales",
            local_id=mapped.sale["id"],
            remote_id=remote_id,
            count_failed=False,
        )
    else:
        ctx.resolve_issue(local_table="sales", local_id=mapped.sale["id"], remote_id=remote_id)
    ctx.count(outcome)


def _after_snapshot(conn: sqlite3.Connection, movement: Mapping[str, Any]) -> bool:
    """Whether an online sale happened after the item's stock snapshot (else it is counted)."""
    row = conn.execute(
        "SELECT shopify_synced_at FROM inventory WHERE id = ?", (str(movement["inventory_id"]),)
    ).fetchone()
    snapshot = _instant(row[0]) if row is not None else None
    sold = _instant(movement.get("created_at"))
    return snapshot is None or sold is None or sold >= snapshot


def _reverse_movements(conn: sqlite3.Connection, order: Mapping[str, Any], label: str) -> None:
    """A cancelled order gives back the stock its earlier import took (once per line)."""
    for line in nodes(order.get("lineItems")):
        gid = str(line["id"])
        taken = conn.execute(
            "SELECT inventory_id, quantity_change, tenant_id FROM stock_movements WHERE id = ?",
            (row_id("sale_movement", gid),),
        ).fetchone()
        if taken is None or not taken[1]:
            continue
        apply_movement(
            conn,
            SERVICE,
            {
                "id": row_id("cancel_movement", gid),
                "tenant_id": taken[2],
                "inventory_id": taken[0],
                "movement_type": "return",
                "quantity_change": -int(taken[1]),
                "notes": f"Shopify order {label} cancelled",
                "created_at": order.get("cancelledAt") or order.get("updatedAt"),
            },
        )


def _store_orders(
    ctx: JobContext, orders: list[dict[str, Any]], index: ItemIndex, tenant: str | None
) -> str | None:
    mark = None
    for order in orders:
        try:
            store_order(ctx, order, index, tenant)
        except (KeyError, TypeError, ValueError) as exc:
            ctx.record_issue(
                f"Shopify order {order.get('name')} could not be read ({exc})",
                remote_id=str(order.get("id")),
            )
        mark = newest(mark, order.get("updatedAt"))
    return mark


async def import_orders(ctx: JobContext, client: ShopifyClient, settings: ShopifySettings) -> None:
    conn = ctx.ledger.conn
    tenant = tenant_id(conn)
    index = item_index(conn)
    before = get_cursor(conn, SERVICE, "orders")
    if first_load.wanted(ctx, before):
        await first_load.run(
            ctx, client, settings, "orders", queries.BULK_ORDERS,
            lambda _load, batch: _store_orders(ctx, batch, index, tenant),
        )  # fmt: skip
        return
    variables = {
        "first": queries.orders_page_size(LINES_FIRST),
        "query": queries.updated_since(before, overlap_s=OVERLAP_S),
        "linesFirst": LINES_FIRST,
    }
    done = 0
    mark = before
    async for page in client.iterate(queries.ORDERS, variables, ("orders",)):
        orders = [await _all_lines(client, o) for o in page.nodes]
        with ctx.ledger.transaction():
            mark = newest(mark, _store_orders(ctx, orders, index, tenant))
            _save_cursor(conn, "orders", before, mark)
        before = mark
        done += len(orders)
        ctx.progress("orders", done)
        ctx.raise_if_cancelled()


async def _all_lines(client: ShopifyClient, order: dict[str, Any]) -> dict[str, Any]:
    lines = order.get("lineItems") or {}
    info = lines.get("pageInfo") or {}
    if not info.get("hasNextPage"):
        return order
    found = list(lines.get("nodes") or [])
    async for page in client.iterate(
        queries.ORDER_LINE_ITEMS,
        {"id": order["id"], "first": queries.order_lines_page_size()},
        ("order", "lineItems"),
        after=info.get("endCursor"),
    ):
        found.extend(page.nodes)
    return {**order, "lineItems": {"nodes": found}}
