"""Ledger items → Shopify products/variants (``shopify.products.export``).

Which items: those changed in the change feed since this job's watermark (all of them on a
full run) that are *published* (``is_published`` or ``listed_on_website``) or already
linked (so unpublishing or archiving reaches Shopify as DRAFT/ARCHIVED).  An item whose
pushed fields (:func:`.mapping.item_push_hash`) equal what the link remembers is skipped
without a request — that also makes the echo of an import (or of our own push) a no-op.

Creating is crash-safe without duplicates:

1. an ``outbox`` row records the intent and the product handle planned for it;
2. one lookup asks Shopify for the SKU and for that handle — a SKU already there is
   adopted (linked, then updated), a product left by a create that crashed before its
   link was written is reused;
3. ``productCreate`` (with the planned handle) + ``productVariantsBulkCreate``
   (``REMOVE_STANDALONE_VARIANT``, SKU, price and the starting stock);
4. the links and the outbox confirmation commit together.

Updates send ``productUpdate`` (only when the product has this one variant: a product
whose variants are several ledger items keeps its own title) and
``productVariantsBulkUpdate``.  Stock is never sent here after the create: the
compare-and-set stock export owns it.  After a push the link keeps the pushed hash with
no version, which the import recognises as our own echo.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from typing import Any

from ...engine.job import JobContext
from ...ledger.changes import latest_seq
from ...sync import links, outbox
from ...sync.cursors import get_cursor, set_cursor
from ...sync.ecommerce import store_row
from ...sync.feed import changed_ids
from . import queries
from .client import ShopifyClient
from .errors import UserErrors
from .jobs_import import SERVICE, location, utc_now
from .mapping import (
    inventory_to_product_input,
    inventory_to_variant_input,
    is_published,
    item_push_hash,
)
from .mapping_common import numeric_id
from .settings import ShopifySettings

CURSOR = "products.export"
CREATE = "product.create"


@dataclass
class Target:
    """Where one item lives on Shopify once found or created."""

    product_id: str
    variant_id: str | None = None
    inventory_item_id: str | None = None


def row_of(conn: sqlite3.Connection, table: str, row_id: str) -> dict[str, Any] | None:
    cur = conn.execute(f'SELECT * FROM "{table}" WHERE id = ?', (row_id,))
    found = cur.fetchone()
    if found is None:
        return None
    return {d[0]: v for d, v in zip(cur.description, found, strict=True)}


def changed_rows(conn: sqlite3.Connection, table: str, start: int, end: int) -> list[str]:
    """Ids of ``table`` rows changed after feed sequence ``start`` up to ``end`` (all rows
    when ``start`` is 0), in a stable order."""
    if start <= 0:
        return [str(r[0]) for r in conn.execute(f'SELECT id FROM "{table}" ORDER BY id')]
    return sorted(changed_ids(conn, [table], start, end))


def retry_ids(ctx: JobContext, table: str, ids: list[str]) -> list[str]:
    """Rows the owner asked to retry (their issue is in state ``retry``) not already due."""
    seen = set(ids)
    out = []
    for issue in ctx.issues_to_retry():
        if issue.local_table == table and issue.local_id and issue.local_id not in seen:
            seen.add(issue.local_id)
            out.append(issue.local_id)
    return out


def planned_handle(row: dict[str, Any]) -> str:
    """A readable handle that is still unique to this item (its id's first characters)."""
    base = re.sub(r"[^a-z0-9]+", "-", str(row.get("name") or "item").lower()).strip("-")
    suffix = re.sub(r"[^a-z0-9]", "", str(row["id"]).lower())[:8] or "item"
    return f"{(base or 'item')[:60]}-{suffix}"


def _siblings(conn: sqlite3.Connection, row: dict[str, Any]) -> int:
    pid = row.get("shopify_product_id")
    if not pid:
        return 1
    found = conn.execute(
        "SELECT count(*) FROM inventory WHERE shopify_product_id = ? AND deleted_at IS NULL",
        (str(pid),),
    ).fetchone()
    return int(found[0] or 1)


async def _lookup(client: ShopifyClient, sku: str, handle: str) -> tuple[Target | None, str | None]:
    """(the variant already holding ``sku``, the product already holding ``handle``)."""
    data = await client.execute(
        queries.ITEM_LOOKUP,
        {"sku": queries.sku_filter(sku), "handle": queries.handle_filter(handle)},
    )
    for node in (data.get("productVariants") or {}).get("nodes") or []:
        if str(node.get("sku") or "").strip().upper() == sku.strip().upper():
            item = node.get("inventoryItem") or {}
            return Target(
                product_id=str((node.get("product") or {}).get("id")),
                variant_id=str(node["id"]),
                inventory_item_id=str(item["id"]) if item.get("id") else None,
            ), None
    for product in (data.get("products") or {}).get("nodes") or []:
        if product.get("handle") == handle:
            return None, str(product["id"])
    return None, None


async def _create(
    ctx: JobContext, client: ShopifyClient, row: dict[str, Any], loc: str
) -> tuple[Target | None, bool]:
    """The item's variant on Shopify and whether it was made now (else: adopted)."""
    sku = str(row.get("sku") or "").strip()
    key = outbox.idempotency_key(SERVICE, CREATE, row["id"])
    with ctx.ledger.transaction() as conn:
        intent = outbox.enqueue(conn, SERVICE, CREATE, key, payload={"handle": planned_handle(row)},
                                local_table="inventory", local_id=str(row["id"]))  # fmt: skip
    handle = str(intent.payload.get("handle") or planned_handle(row))
    found, product_id = await _lookup(client, sku, handle)
    if found is not None:
        return found, False
    if product_id is None:
        product_input = {**inventory_to_product_input(row), "handle": handle}
        created = await client.mutate(
            queries.PRODUCT_CREATE, {"product": product_input}, idempotent=False
        )
        product_id = str((created.get("product") or {}).get("id"))
    variant = inventory_to_variant_input(row, location_id=loc)
    payload = await client.mutate(
        queries.VARIANTS_BULK_CREATE,
        {"productId": product_id, "variants": [variant], "strategy": "REMOVE_STANDALONE_VARIANT"},
        idempotent=False,
    )
    made = (payload.get("productVariants") or [None])[0]
    if not isinstance(made, dict):
        return None, False
    item = made.get("inventoryItem") or {}
    return Target(product_id, str(made["id"]), str(item["id"]) if item.get("id") else None), True


async def _update(
    ctx: JobContext, client: ShopifyClient, row: dict[str, Any], target: Target
) -> None:
    if _siblings(ctx.ledger.conn, row) <= 1:
        product = inventory_to_product_input(row, product_id=target.product_id)
        await client.mutate(queries.PRODUCT_UPDATE, {"product": product}, idempotent=True)
    if target.variant_id is not None:
        variant = inventory_to_variant_input(row, variant_id=target.variant_id)
        await client.mutate(
            queries.VARIANTS_BULK_UPDATE,
            {"productId": target.product_id, "variants": [variant]},
            idempotent=True,
        )


def _record_push(
    ctx: JobContext, row: dict[str, Any], target: Target, pushed: str, *, created: bool, stamp: str
) -> None:
    """Links, the item's Shopify ids and the outbox confirmation, in one transaction."""
    conn = ctx.ledger.conn
    local_id = str(row["id"])
    if target.variant_id is not None:
        links.upsert(conn, SERVICE, "variant", "inventory", local_id, target.variant_id,
                     remote_hash=pushed)  # fmt: skip
        conn.execute(
            "UPDATE sync_links SET remote_version = NULL WHERE service = ? AND entity = "
            "'variant' AND local_table = 'inventory' AND local_id = ?",
            (SERVICE, local_id),
        )
    if target.inventory_item_id and links.by_local(conn, SERVICE, "inventory", "inventory",
                                                   local_id) is None:  # fmt: skip
        agreed = str(max(0, int(row.get("quantity") or 0))) if created else None
        links.upsert(conn, SERVICE, "inventory", "inventory", local_id, target.inventory_item_id,
                     remote_version=agreed)  # fmt: skip
    ids = {
        "id": local_id,
        "shopify_product_id": numeric_id(target.product_id),
        "shopify_variant_id": numeric_id(target.variant_id),
    }
    if created:
        ids["shopify_synced_at"] = stamp  # no online sale of it can predate this
    store_row(conn, "inventory", {k: v for k, v in ids.items() if v is not None})
    _drop_intent(conn, local_id)


def _drop_intent(conn: sqlite3.Connection, local_id: str) -> None:
    intent = outbox.get(conn, outbox.idempotency_key(SERVICE, CREATE, local_id))
    if intent is not None:
        outbox.confirm(conn, intent.id)


async def push_item(
    ctx: JobContext, client: ShopifyClient, row: dict[str, Any], loc: str, stamp: str
) -> None:
    """One item: skip, adopt, create or update (counted on the run)."""
    conn = ctx.ledger.conn
    link = links.by_local(conn, SERVICE, "variant", "inventory", str(row["id"]))
    pushed = item_push_hash(row)
    if link is None and (not is_published(row) or row.get("deleted_at")):
        return  # not listed online and never was: not Shopify's business
    if link is not None and link.remote_hash == pushed:
        ctx.count("unchanged")
        return
    if link is None and not str(row.get("sku") or "").strip():
        with ctx.ledger.transaction():
            ctx.record_issue(
                "this item has no SKU; give it one so it can be listed on Shopify without "
                "risk of a duplicate",
                local_table="inventory",
                local_id=row["id"],
                count_failed=False,
            )
        ctx.count("skipped")
        return
    try:
        if link is None:
            made, created = await _create(ctx, client, row, loc)
            if made is None:
                raise UserErrors("productVariantsBulkCreate", [])
            target = made
            if not created and _linked_elsewhere(conn, row, target):
                with ctx.ledger.transaction():
                    ctx.record_issue(
                        "another item in the ledger has this SKU and is already linked to "
                        "the Shopify variant; give each item its own SKU",
                        local_table="inventory",
                        local_id=row["id"],
                        remote_id=target.variant_id,
                        count_failed=False,
                    )
                    _drop_intent(conn, str(row["id"]))
                ctx.count("skipped")
                return
        else:
            pid = row.get("shopify_product_id")
            product = f"gid://shopify/Product/{pid}" if pid else await _product_of(client, link)
            target = Target(product, link.remote_id)
            created = False
        if not created:
            await _update(ctx, client, row, target)
    except UserErrors as exc:
        with ctx.ledger.transaction():
            ctx.record_issue(
                f"Shopify refused this item: {exc}",
                local_table="inventory",
                local_id=row["id"],
                remote_id=link.remote_id if link else None,
            )
        return
    with ctx.ledger.transaction():
        _record_push(ctx, row, target, pushed, created=created, stamp=stamp)
        ctx.resolve_issue(local_table="inventory", local_id=row["id"])
    ctx.count("created" if created else "updated")


async def _product_of(client: ShopifyClient, link: links.Link) -> str:
    data = await client.execute(queries.VARIANT_PRODUCT, {"id": link.remote_id})
    variant = data.get("productVariant") or {}
    return str((variant.get("product") or {}).get("id"))


async def export_products(
    ctx: JobContext, client: ShopifyClient, settings: ShopifySettings
) -> None:
    conn = ctx.ledger.conn
    stamp = utc_now(settings.clock)
    before = get_cursor(conn, SERVICE, CURSOR)
    start = 0 if ctx.full else int(before or 0)
    end = latest_seq(conn)
    ids = changed_rows(conn, "inventory", start, end)
    ids += _interrupted_creates(ctx, ids)
    ids += retry_ids(ctx, "inventory", ids)
    loc: str | None = None
    for done, local_id in enumerate(ids, start=1):
        row = row_of(conn, "inventory", local_id)
        if row is not None:
            if loc is None and _may_push(conn, row):
                loc = await location(ctx, client)
            if loc is not None:
                await push_item(ctx, client, row, loc, stamp)
        if done % 50 == 0:
            ctx.progress("products", done, len(ids))
            ctx.raise_if_cancelled()
    if str(end) != before:
        with ctx.ledger.transaction():
            set_cursor(conn, SERVICE, CURSOR, str(end))


def _linked_elsewhere(conn: sqlite3.Connection, row: dict[str, Any], target: Target) -> bool:
    if target.variant_id is None:
        return False
    owner = links.by_remote(conn, SERVICE, "variant", target.variant_id)
    return owner is not None and owner.local_id != str(row["id"])


def _interrupted_creates(ctx: JobContext, ids: list[str]) -> list[str]:
    """Items whose create was cut short; those an import has linked since are done."""
    conn = ctx.ledger.conn
    out: list[str] = []
    for intent in outbox.pending(conn, SERVICE, operation=CREATE):
        local_id = str(intent.local_id or "")
        if links.by_local(conn, SERVICE, "variant", "inventory", local_id) is not None:
            with ctx.ledger.transaction():
                outbox.confirm(conn, intent.id)
        elif local_id and local_id not in ids:
            out.append(local_id)
    return out


def _may_push(conn: sqlite3.Connection, row: dict[str, Any]) -> bool:
    link = links.by_local(conn, SERVICE, "variant", "inventory", str(row["id"]))
    if link is None:
        return is_published(row) and not row.get("deleted_at")
    return link.remote_hash != item_push_hash(row)
