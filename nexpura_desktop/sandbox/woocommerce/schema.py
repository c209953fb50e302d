"""Argument schemas of the writable fields, so bad types get WP's ``rest_invalid_param``.

WordPress validates a request body against the route's schema before the controller runs
(direct requests only: the batch endpoint calls the controllers without that step, so a
batch item with a wrong type is coerced rather than refused — kept as in WooCommerce).
Types follow the wc/v3 route schemas (the gerbrand OpenAPI file in ``specs/woocommerce``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .wp import Params

PRODUCT_STATUSES = ("draft", "pending", "private", "publish", "future")
ORDER_STATUSES = (
    "pending",
    "processing",
    "on-hold",
    "completed",
    "cancelled",
    "refunded",
    "failed",
)
STOCK_STATUSES = ("instock", "outofstock", "onbackorder")
BACKORDERS = ("no", "notify", "yes")
WEBHOOK_STATUSES = ("active", "paused", "disabled")

_ADDRESS = "object"
FieldSpec = str | tuple[str, ...]  # a JSON type, or an enum of strings

PRODUCT: dict[str, FieldSpec] = {
    "name": "string",
    "slug": "string",
    "type": ("simple", "grouped", "external", "variable"),
    "status": PRODUCT_STATUSES,
    "featured": "boolean",
    "catalog_visibility": ("visible", "catalog", "search", "hidden"),
    "description": "string",
    "short_description": "string",
    "sku": "string",
    "regular_price": "string",
    "sale_price": "string",
    "manage_stock": "boolean",
    "stock_quantity": "integer",
    "stock_status": STOCK_STATUSES,
    "backorders": BACKORDERS,
    "weight": "string",
    "menu_order": "integer",
    "categories": "array",
    "tags": "array",
    "images": "array",
    "attributes": "array",
    "meta_data": "array",
}
VARIATION: dict[str, FieldSpec] = {
    key: PRODUCT[key]
    for key in (
        "description",
        "sku",
        "regular_price",
        "sale_price",
        "manage_stock",
        "stock_quantity",
        "stock_status",
        "backorders",
        "weight",
        "menu_order",
        "attributes",
        "meta_data",
    )
}
VARIATION["status"] = ("draft", "pending", "private", "publish")
CUSTOMER: dict[str, FieldSpec] = {
    "email": "string",
    "first_name": "string",
    "last_name": "string",
    "username": "string",
    "password": "string",
    "billing": _ADDRESS,
    "shipping": _ADDRESS,
    "meta_data": "array",
}
ORDER: dict[str, FieldSpec] = {
    "parent_id": "integer",
    "status": ORDER_STATUSES,
    "currency": "string",
    "customer_id": "integer",
    "customer_note": "string",
    "billing": _ADDRESS,
    "shipping": _ADDRESS,
    "payment_method": "string",
    "payment_method_title": "string",
    "transaction_id": "string",
    "line_items": "array",
    "shipping_lines": "array",
    "fee_lines": "array",
    "coupon_lines": "array",
    "meta_data": "array",
    "set_paid": "boolean",
}
WEBHOOK: dict[str, FieldSpec] = {
    "name": "string",
    "status": WEBHOOK_STATUSES,
    "topic": "string",
    "secret": "string",
    "delivery_url": "string",
}


def _type_ok(kind: str, value: Any) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        if isinstance(value, bool):
            return False
        return isinstance(value, int) or (
            isinstance(value, str) and re.fullmatch(r"-?\d+", value) is not None
        )
    if kind == "boolean":
        return isinstance(value, bool) or value in ("true", "false", "1", "0", 1, 0)
    if kind == "array":
        return isinstance(value, list)
    if kind == "object":
        return isinstance(value, dict)
    return True


def validate_body(body: Mapping[str, Any], fields: Mapping[str, FieldSpec]) -> None:
    """Raise ``rest_invalid_param`` for every field of the wrong type or outside its enum."""
    params = Params({})
    for name, spec in fields.items():
        if name not in body or body[name] is None:
            continue
        value = body[name]
        if isinstance(spec, tuple):
            if not isinstance(value, str):
                params.errors.setdefault(
                    name, ("rest_invalid_type", f"{name} is not of type string.")
                )
            else:
                checker = Params({name: value})
                checker.enum(name, spec, None)
                params.errors.update(checker.errors)
        elif not _type_ok(spec, value):
            params.errors.setdefault(name, ("rest_invalid_type", f"{name} is not of type {spec}."))
    params.check()


def as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.lower() in ("true", "1", "yes")
    return bool(value)


def as_int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default
