"""Shopify GraphQL objects ⇄ ledger rows, as pure functions (no I/O: a test enforces it).

Import side: a product becomes one ``inventory`` row per variant, a customer one
``customers`` row, an order a ``sales`` row with ``sale_items`` and the ``stock_movements``
of what it sold (see :mod:`.mapping_orders`).  Export side: ledger rows become the input
objects of ``productCreate``/``productVariantsBulk*``/``customer*`` and
``inventorySetQuantities``.  ``*_push_hash`` digest exactly the fields we push, computed the
same way from either side, so the next pull can recognise our own write (echo
suppression, ARCHITECTURE §4.3).

Row ids are deterministic (UUID 5 of the Shopify id), so importing the same object twice
yields the same row — a replay after a crash cannot duplicate.  Columns and status values
follow ``0002_tenant_tables.sql`` and its CHECK constraints.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .mapping_common import (
    clean,
    content_hash,
    html_to_text,
    money,
    money_text,
    nodes,
    normalise_phone,
    numeric_id,
    product_gid,
    row_id,
    tags_list,
    text_to_html,
    variant_gid,
)
from .mapping_orders import ItemIndex, MappedOrder, order_to_sale, sale_status
from .mapping_people import (
    MappedCustomer,
    customer_push_hash,
    customer_to_input,
    customer_to_row,
    remote_customer_hash,
)

DEFAULT_VARIANT_TITLE = "Default Title"
NAME_SEPARATOR = " – "


# -- products and variants → inventory -----------------------------------------------------


@dataclass(frozen=True)
class MappedItem:
    """One inventory row from one variant, plus what the sync needs to link and push it."""

    row: dict[str, Any]
    product_id: str
    variant_id: str
    inventory_item_id: str | None
    levels: dict[str, int] = field(default_factory=dict)  # location gid → available
    remote_version: str | None = None
    push_hash: str = ""


def variant_levels(variant: Mapping[str, Any]) -> dict[str, int]:
    """Available quantity per location gid of one variant."""
    item = variant.get("inventoryItem")
    out: dict[str, int] = {}
    if not isinstance(item, Mapping):
        return out
    for level in nodes(item.get("inventoryLevels")):
        location = level.get("location") or {}
        loc_id = location.get("id") if isinstance(location, Mapping) else None
        if not loc_id:
            continue
        for quantity in level.get("quantities") or []:
            if isinstance(quantity, Mapping) and quantity.get("name") == "available":
                out[str(loc_id)] = int(quantity.get("quantity") or 0)
    return out


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def item_name(product_title: Any, variant_title: Any) -> str:
    """``Product – Variant``, or just the product for Shopify's single default variant."""
    product = clean(product_title) or "Untitled"
    variant = clean(variant_title)
    if variant is None or variant in (DEFAULT_VARIANT_TITLE, product):
        return product
    return f"{product}{NAME_SEPARATOR}{variant}"


def product_to_inventory(
    product: Mapping[str, Any],
    *,
    location_id: str | None = None,
    ledger_location_id: str | None = None,
    tenant_id: str | None = None,
) -> list[MappedItem]:
    """One :class:`MappedItem` per variant of ``product``.

    ``location_id`` (a Shopify location gid) picks the stock of that location; without it
    the quantity is the sum over all locations.  Shopify allows negative availability
    (oversold); the ledger does not, so it is stored as 0 and the real figure stays in
    ``levels`` for drift reports.
    """
    status = str(product.get("status") or "ACTIVE").upper()
    published = status == "ACTIVE"
    tags = tags_list(product.get("tags"))
    out: list[MappedItem] = []
    for variant in nodes(product.get("variants")):
        levels = variant_levels(variant)
        if location_id is not None:
            available = levels.get(location_id, 0)
        elif levels:
            available = sum(levels.values())
        else:
            available = int(variant.get("inventoryQuantity") or 0)
        quantity = max(0, available)
        item = _mapping(variant.get("inventoryItem"))
        unit_cost = _mapping(item.get("unitCost"))
        if status == "ARCHIVED":
            stock_status = "inactive"
        else:
            stock_status = "in_stock" if quantity > 0 else "out_of_stock"
        updated = max(str(product.get("updatedAt") or ""), str(variant.get("updatedAt") or ""))
        row: dict[str, Any] = {
            "id": row_id("variant", str(variant["id"])),
            "tenant_id": tenant_id,
            "sku": clean(variant.get("sku")),
            "name": item_name(product.get("title"), variant.get("title")),
            "description": html_to_text(product.get("descriptionHtml")),
            "category": clean(product.get("productType")),
            "retail_price": money(variant.get("price")),
            "cost_price": money(unit_cost.get("amount")),
            "quantity": quantity,
            "status": stock_status,
            "tags": tags,
            "barcode": clean(variant.get("barcode")),
            "is_published": published,
            "listed_on_website": published,
            "track_quantity": bool(item.get("tracked", True)),
            "shopify_product_id": numeric_id(product.get("id")),
            "shopify_variant_id": numeric_id(variant.get("id")),
            "location_id": ledger_location_id,
            "created_at": variant.get("createdAt") or product.get("createdAt"),
            "updated_at": updated or None,
        }
        out.append(
            MappedItem(
                row=row,
                product_id=str(product.get("id")),
                variant_id=str(variant["id"]),
                inventory_item_id=str(item["id"]) if item.get("id") else None,
                levels=levels,
                remote_version=updated or None,
                push_hash=remote_item_hash(product, variant),
            )
        )
    return out


def _item_fields(
    *, title: Any, variant_title: Any, sku: Any, price: Any, barcode: Any, status: Any, tags: Any
) -> dict[str, Any]:
    return {
        "name": item_name(title, variant_title),
        "sku": clean(sku),
        "price": money_text(price),
        "barcode": clean(barcode),
        "status": str(status or "").upper() or None,
        "tags": tags_list(tags),
    }


def remote_item_hash(product: Mapping[str, Any], variant: Mapping[str, Any]) -> str:
    """The push hash of what Shopify holds for one variant (see :func:`item_push_hash`)."""
    return content_hash(
        _item_fields(
            title=product.get("title"),
            variant_title=variant.get("title"),
            sku=variant.get("sku"),
            price=variant.get("price"),
            barcode=variant.get("barcode"),
            status=product.get("status"),
            tags=product.get("tags"),
        )
    )


def item_push_hash(row: Mapping[str, Any]) -> str:
    """The hash of the fields we push for one inventory row (equal to the remote hash
    after a successful push, so the next pull is recognised as our own echo)."""
    return content_hash(
        _item_fields(
            title=row.get("name"),
            variant_title=None,
            sku=row.get("sku"),
            price=row.get("retail_price"),
            barcode=row.get("barcode") or row.get("barcode_value"),
            status=product_status(row),
            tags=row.get("tags"),
        )
    )


# -- inventory → Shopify inputs -------------------------------------------------------------


def is_published(row: Mapping[str, Any]) -> bool:
    return bool(row.get("is_published")) or bool(row.get("listed_on_website"))


def product_status(row: Mapping[str, Any]) -> str:
    """ACTIVE for items listed online, ARCHIVED for retired ones, else DRAFT."""
    if row.get("deleted_at") or row.get("status") == "inactive":
        return "ARCHIVED"
    return "ACTIVE" if is_published(row) else "DRAFT"


def inventory_to_product_input(
    row: Mapping[str, Any], *, product_id: str | int | None = None
) -> dict[str, Any]:
    """``ProductCreateInput`` (or ``ProductUpdateInput`` with ``product_id``) for one item.

    Each ledger item is its own Shopify product with one variant: the ledger's model is
    flat (one row per size), and the full name already says the variant.
    """
    out: dict[str, Any] = {
        "title": clean(row.get("name")) or clean(row.get("sku")) or "Untitled item",
        "descriptionHtml": text_to_html(row.get("description")),
        "productType": clean(row.get("category")) or "",
        "tags": tags_list(row.get("tags")),
        "status": product_status(row),
    }
    if product_id is not None:
        out["id"] = product_gid(product_id)
    return out


def inventory_to_variant_input(
    row: Mapping[str, Any],
    *,
    variant_id: str | int | None = None,
    location_id: str | None = None,
) -> dict[str, Any]:
    """``ProductVariantsBulkInput`` for one item.

    Stock is set only on create (``inventoryQuantities`` with ``location_id``); later
    changes go through :func:`set_quantity_input` so they never overwrite an online sale.
    """
    item: dict[str, Any] = {"sku": clean(row.get("sku")), "tracked": True}
    cost = money_text(row.get("cost_price"))
    if cost is not None:
        item["cost"] = cost
    if row.get("track_quantity") is False:
        item["tracked"] = False
    out: dict[str, Any] = {
        "price": money_text(row.get("retail_price")) or "0.00",
        "barcode": clean(row.get("barcode")) or clean(row.get("barcode_value")),
        "inventoryItem": item,
        "inventoryPolicy": "DENY",
    }
    if variant_id is not None:
        out["id"] = variant_gid(variant_id)
    elif location_id is not None:
        out["inventoryQuantities"] = [
            {"locationId": location_id, "availableQuantity": max(0, int(row.get("quantity") or 0))}
        ]
    return out


def set_quantity_input(
    inventory_item_id: str,
    location_id: str,
    quantity: int,
    expected: int | None,
    *,
    api_version: str = "2026-01",
) -> dict[str, Any]:
    """One ``InventoryQuantityInput`` that only applies if Shopify still holds ``expected``.

    From API 2026-01 the compare field is ``changeFromQuantity`` (``compareQuantity`` is
    deprecated there and removed in 2026-04); older versions take ``compareQuantity``.
    """
    field_name = "changeFromQuantity" if api_version >= "2026-01" else "compareQuantity"
    return {
        "inventoryItemId": inventory_item_id,
        "locationId": location_id,
        "quantity": max(0, int(quantity)),
        field_name: expected,
    }


def set_quantities_variables(
    quantities: Sequence[Mapping[str, Any]],
    *,
    reason: str = "correction",
    reference: str | None = None,
) -> dict[str, Any]:
    """Variables for ``INVENTORY_SET_QUANTITIES`` (``available`` stock, compare-and-set)."""
    payload: dict[str, Any] = {
        "name": "available",
        "reason": reason,
        "quantities": list(quantities),
    }
    if reference:
        payload["referenceDocumentUri"] = reference
    return {"input": payload}


__all__ = [
    "ItemIndex",
    "MappedCustomer",
    "MappedItem",
    "MappedOrder",
    "content_hash",
    "customer_push_hash",
    "customer_to_input",
    "customer_to_row",
    "inventory_to_product_input",
    "inventory_to_variant_input",
    "item_name",
    "item_push_hash",
    "normalise_phone",
    "order_to_sale",
    "product_to_inventory",
    "remote_customer_hash",
    "remote_item_hash",
    "row_id",
    "sale_status",
    "set_quantities_variables",
    "set_quantity_input",
    "variant_levels",
]
