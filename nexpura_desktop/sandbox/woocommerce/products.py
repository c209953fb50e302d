"""Products and variations: creation, updates, SKUs, stock and deletion rules.

Follows WC_Product's setters and the REST products controllers (service-apis.md §2.2–2.3):
a duplicated SKU is ``400 product_invalid_sku`` ("Invalid or duplicated SKU.") with the
owner in ``data.resource_id``; SKUs are unique across products *and* variations (trashed
products release theirs); ``stock_status`` follows ``stock_quantity`` when stock is
managed; a variable product's price is its cheapest variation's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .schema import BACKORDERS, STOCK_STATUSES, as_bool, as_int
from .store import Record, Store, slugify
from .wp import WPError

TEXT_FIELDS = ("name", "description", "short_description", "weight")
VARIATION_TEXT_FIELDS = ("description", "weight")


def _price(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float | int) and not isinstance(value, bool):
        return f"{value:.2f}" if isinstance(value, float) else str(value)
    return str(value).strip()


def set_sku(store: Store, record: Record, raw: Any) -> None:
    sku = str(raw or "").strip()
    current = record.get("sku", "")
    if sku == current:
        return
    if sku:
        owner_id = store.sku_index.get(sku)
        owner = store.product_or_variation(owner_id) if owner_id is not None else None
        if owner is not None and owner_id != record.get("id") and owner.get("status") != "trash":
            raise WPError(
                "product_invalid_sku", "Invalid or duplicated SKU.", 400, resource_id=owner_id
            )
    if current and store.sku_index.get(current) == record.get("id"):
        del store.sku_index[current]
    if sku:
        store.sku_index[sku] = int(record["id"])
    record["sku"] = sku


def refresh_stock_status(record: Record) -> None:
    """WC_Product::validate_props: a managed stock level decides the stock status."""
    if not record.get("manage_stock"):
        record["stock_quantity"] = None
        return
    quantity = int(record.get("stock_quantity") or 0)
    record["stock_quantity"] = quantity
    backorders = record.get("backorders", "no")
    if quantity > 0:
        record["stock_status"] = "instock"
    elif backorders != "no":
        record["stock_status"] = "onbackorder"
    else:
        record["stock_status"] = "outofstock"


def _merge_meta(store: Store, record: Record, items: Any) -> None:
    if not isinstance(items, list):
        return
    meta: list[dict[str, Any]] = record.setdefault("meta_data", [])
    for item in items:
        if not isinstance(item, Mapping) or "key" not in item:
            continue
        existing = next(
            (
                m
                for m in meta
                if ("id" in item and m["id"] == item["id"]) or m["key"] == item["key"]
            ),
            None,
        )
        if existing is not None:
            existing["value"] = item.get("value")
        else:
            meta.append(
                {"id": store.next_item_id(), "key": item["key"], "value": item.get("value")}
            )


def _categories(store: Store, items: Any, *, by_name: bool) -> list[int]:
    result: list[int] = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, Mapping):
            continue
        term_id = as_int(item.get("id"), 0)
        if term_id in store.categories:
            result.append(term_id)
        elif by_name and item.get("name"):
            result.append(store.category(str(item["name"])))
    return result


def _apply_common(
    store: Store, record: Record, body: Mapping[str, Any], texts: tuple[str, ...]
) -> None:
    for name in texts:
        if name in body and body[name] is not None:
            record[name] = str(body[name])
    for name in ("regular_price", "sale_price"):
        if name in body:
            record[name] = _price(body[name])
    if body.get("status"):
        record["status"] = str(body["status"])
    if "manage_stock" in body:
        record["manage_stock"] = as_bool(body["manage_stock"])
    if "stock_quantity" in body and body["stock_quantity"] is not None:
        record["stock_quantity"] = as_int(body["stock_quantity"])
    if body.get("stock_status") in STOCK_STATUSES:
        record["stock_status"] = body["stock_status"]
    if body.get("backorders") in BACKORDERS:
        record["backorders"] = body["backorders"]
    if "menu_order" in body:
        record["menu_order"] = as_int(body["menu_order"])
    if "meta_data" in body:
        _merge_meta(store, record, body["meta_data"])
    if "sku" in body:
        set_sku(store, record, body["sku"])
    refresh_stock_status(record)


def new_product(store: Store, body: Mapping[str, Any], *, seeding: bool = False) -> Record:
    """Build, validate and insert a product; nothing is stored if a setter refuses."""
    now = store.now()
    record: Record = {
        "id": 0,
        "name": "",
        "type": "simple",
        "status": "publish",
        "featured": False,
        "catalog_visibility": "visible",
        "sku": "",
        "regular_price": "",
        "sale_price": "",
        "manage_stock": False,
        "stock_quantity": None,
        "stock_status": "instock",
        "backorders": "no",
        "menu_order": 0,
        "total_sales": 0,
        "created": now,
        "modified": now,
        "variation_ids": [],
    }
    sku = body.get("sku")
    if sku:
        set_sku(store, {"id": 0, "sku": ""}, sku)  # raises before anything is stored
    update_product(store, record, {k: v for k, v in body.items() if k != "sku"}, seeding=seeding)
    wanted = as_int(body.get("id"), 0) if seeding else 0
    record["id"] = store.claim_post_id(wanted) if wanted else store.next_post_id()
    set_sku(store, record, sku)
    if not record.get("categories"):
        record["categories"] = [15]
    record["slug"] = store.unique_slug(slugify(str(body.get("slug") or record["name"])))
    store.products[record["id"]] = record
    store.bump("products")
    return record


def update_product(
    store: Store, record: Record, body: Mapping[str, Any], *, seeding: bool = False
) -> None:
    _apply_common(store, record, body, TEXT_FIELDS)
    if body.get("type") in ("simple", "grouped", "external", "variable"):
        record["type"] = body["type"]
    if "featured" in body:
        record["featured"] = as_bool(body["featured"])
    if body.get("catalog_visibility"):
        record["catalog_visibility"] = str(body["catalog_visibility"])
    if "categories" in body:
        record["categories"] = _categories(store, body["categories"], by_name=seeding)
    for name in ("tags", "images", "attributes"):
        if isinstance(body.get(name), list):
            record[name] = [dict(i) for i in body[name] if isinstance(i, Mapping)]
    if record.get("id"):
        record["modified"] = store.now()
        store.bump("products")


def new_variation(
    store: Store, parent: Record, body: Mapping[str, Any], *, seeding: bool = False
) -> Record:
    now = store.now()
    record: Record = {
        "id": 0,
        "parent_id": parent["id"],
        "status": "publish",
        "sku": "",
        "regular_price": "",
        "sale_price": "",
        "manage_stock": False,
        "stock_quantity": None,
        "stock_status": "instock",
        "backorders": "no",
        "menu_order": 0,
        "created": now,
        "modified": now,
        "attributes": [],
    }
    sku = body.get("sku")
    if sku:
        set_sku(store, {"id": 0, "sku": ""}, sku)
    update_variation(store, record, {k: v for k, v in body.items() if k != "sku"})
    record["id"] = store.next_post_id()
    set_sku(store, record, sku)
    store.variations[record["id"]] = record
    parent.setdefault("variation_ids", []).append(record["id"])
    if not seeding:
        parent["modified"] = now
    store.bump("variations")
    store.bump("products")
    return record


def update_variation(store: Store, record: Record, body: Mapping[str, Any]) -> None:
    _apply_common(store, record, body, VARIATION_TEXT_FIELDS)
    if isinstance(body.get("attributes"), list):
        record["attributes"] = [
            {
                "id": as_int(a.get("id")),
                "name": str(a.get("name", "")),
                "option": str(a.get("option", "")),
            }
            for a in body["attributes"]
            if isinstance(a, Mapping)
        ]
    if record.get("id"):
        record["modified"] = store.now()
        store.bump("variations")


def delete_product(store: Store, record: Record, *, force: bool) -> None:
    if not force:
        if record.get("status") == "trash":
            raise WPError(
                "woocommerce_rest_already_trashed", "The product has already been deleted.", 410
            )
        record["status_before_trash"] = record.get("status")
        record["status"] = "trash"
        record["modified"] = store.now()
        store.bump("products")
        return
    for variation_id in record.get("variation_ids", []):
        variation = store.variations.pop(variation_id, None)
        if variation is not None and variation.get("sku"):
            store.sku_index.pop(variation["sku"], None)
    if record.get("sku") and store.sku_index.get(record["sku"]) == record["id"]:
        del store.sku_index[record["sku"]]
    store.products.pop(record["id"], None)
    store.bump("products")
    store.bump("variations")


def delete_variation(store: Store, record: Record) -> None:
    store.variations.pop(record["id"], None)
    if record.get("sku") and store.sku_index.get(record["sku"]) == record["id"]:
        del store.sku_index[record["sku"]]
    parent = store.products.get(record["parent_id"])
    if parent is not None and record["id"] in parent.get("variation_ids", []):
        parent["variation_ids"].remove(record["id"])
    store.bump("variations")
    store.bump("products")


def adjust_stock(store: Store, target: Record, delta: int) -> bool:
    """wc_update_product_stock: only managed stock moves; True when it changed."""
    if not target.get("manage_stock"):
        return False
    target["stock_quantity"] = int(target.get("stock_quantity") or 0) + delta
    refresh_stock_status(target)
    if store.settings.get("stock_change_touches_product", True):
        target["modified"] = store.now()
    is_variation = "parent_id" in target
    store.bump("variations" if is_variation else "products")
    return True
