"""Customers and orders: the checks and side effects of WooCommerce's controllers.

service-apis.md §2.2–2.3: duplicate customer email → ``400 registration-error-email-exists``;
customers cannot be trashed (delete needs ``force=true``); orders default to ``pending``;
``set_paid`` completes payment (→ ``processing``, ``date_paid``); entering
processing/completed/on-hold reduces managed stock once, and cancelled/pending puts it
back (wc_maybe_reduce/increase_stock_levels).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .products import adjust_stock
from .schema import as_bool, as_int
from .store import Record, Store
from .wp import WPError

ADDRESS_FIELDS = (
    "first_name",
    "last_name",
    "company",
    "address_1",
    "address_2",
    "city",
    "state",
    "postcode",
    "country",
    "email",
    "phone",
)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
REDUCING = frozenset({"processing", "completed", "on-hold"})
RESTORING = frozenset({"cancelled", "pending"})


def money(value: float) -> str:
    return f"{value:.2f}"


def _address(value: Any, current: Mapping[str, str] | None = None) -> dict[str, str]:
    result = dict(current or {})
    if isinstance(value, Mapping):
        for name in ADDRESS_FIELDS:
            if name in value and value[name] is not None:
                result[name] = str(value[name])
    return {k: v for k, v in result.items() if v != ""}


# -- customers ------------------------------------------------------------------------------
def new_customer(store: Store, body: Mapping[str, Any], *, seeding: bool = False) -> Record:
    email = str(body.get("email") or "").strip().lower()
    if not email or not EMAIL.match(email):
        if not email:
            raise WPError(
                "registration-error-invalid-email", "Please provide a valid email address.", 400
            )
        raise WPError("customer_invalid_email", "Invalid email address", 400)
    if email in store.email_index:
        raise WPError(
            "registration-error-email-exists",
            'An account is already registered with your email address. <a href="#" '
            'class="showlogin">Please log in.</a>',
            400,
        )
    username = str(body.get("username") or "").strip()
    if username and username in store.usernames:
        raise WPError(
            "registration-error-username-exists",
            "An account is already registered with that username. Please choose another.",
            400,
        )
    if username:
        store.usernames.add(username)
    else:
        username = store.unique_username(email)
    now = store.now()
    record: Record = {
        "id": store.next_user_id(),
        "email": email,
        "username": username,
        "role": "customer",
        "first_name": "",
        "last_name": "",
        "billing": {},
        "shipping": {},
        "is_paying_customer": False,
        "created": now,
        "modified": now,
    }
    update_customer(
        store, record, {k: v for k, v in body.items() if k not in ("email", "username")}
    )
    record["modified"] = now
    store.customers[record["id"]] = record
    store.email_index[email] = record["id"]
    store.bump("customers")
    if not seeding:
        store.emit("customer.created", record["id"])
    return record


def update_customer(store: Store, record: Record, body: Mapping[str, Any]) -> None:
    if body.get("email"):
        email = str(body["email"]).strip().lower()
        if email != record["email"]:
            if email in store.email_index or not EMAIL.match(email):
                raise WPError(
                    "woocommerce_rest_customer_invalid_email", "Email address is invalid.", 400
                )
            del store.email_index[record["email"]]
            store.email_index[email] = record["id"]
            record["email"] = email
    if body.get("username") and body["username"] != record["username"]:
        raise WPError("woocommerce_rest_customer_invalid_argument", "Username isn't editable.", 400)
    for name in ("first_name", "last_name"):
        if name in body and body[name] is not None:
            record[name] = str(body[name])
    for name in ("billing", "shipping"):
        if name in body:
            record[name] = _address(body[name], record.get(name))
    if "meta_data" in body and isinstance(body["meta_data"], list):
        record["meta_data"] = [
            {"id": store.next_item_id(), "key": m["key"], "value": m.get("value")}
            for m in body["meta_data"]
            if isinstance(m, Mapping) and "key" in m
        ]
    record["modified"] = store.now()
    store.bump("customers")


# -- orders ---------------------------------------------------------------------------------
def _line_item(store: Store, posted: Mapping[str, Any]) -> dict[str, Any]:
    target: Record | None = None
    if posted.get("sku"):
        found = store.sku_index.get(str(posted["sku"]))
        target = store.product_or_variation(found) if found is not None else None
    else:
        wanted = as_int(posted.get("variation_id")) or as_int(posted.get("product_id"))
        if not wanted:
            raise WPError(
                "woocommerce_rest_required_product_reference",
                "Product ID or SKU is required.",
                400,
            )
        target = store.product_or_variation(wanted)
    if target is None:
        raise WPError("woocommerce_rest_invalid_product_id", "Product is invalid.", 400)
    quantity = max(1, as_int(posted.get("quantity"), 1))
    is_variation = "parent_id" in target
    parent = store.products.get(target["parent_id"]) if is_variation else None
    price_text = target.get("sale_price") or target.get("regular_price") or "0"
    try:
        price = float(price_text)
    except ValueError:
        price = 0.0
    if posted.get("total") not in (None, ""):
        line_total = float(str(posted["total"]))
    else:
        line_total = price * quantity
    name = str(posted.get("name") or "")
    if not name:
        name = str((parent or target).get("name", ""))
        if is_variation:
            options = ", ".join(a.get("option", "") for a in target.get("attributes", []))
            name = f"{name} - {options}" if options else name
    return {
        "id": store.next_item_id(),
        "name": name,
        "product_id": parent["id"] if parent else target["id"],
        "variation_id": target["id"] if is_variation else 0,
        "quantity": quantity,
        "subtotal": money(price * quantity),
        "total": money(line_total),
        "sku": target.get("sku", ""),
        "price": round(line_total / quantity, 6),
        "parent_name": parent.get("name") if parent else None,
    }


def _totals(record: Record) -> None:
    items = sum(float(i["total"]) for i in record["line_items"])
    shipping = float(record.get("shipping_total") or 0)
    record["total"] = money(items + shipping)


def new_order(
    store: Store, body: Mapping[str, Any], *, created_via: str = "rest-api", seeding: bool = False
) -> Record:
    customer_id = as_int(body.get("customer_id"))
    if customer_id and customer_id not in store.customers:
        raise WPError("woocommerce_rest_invalid_customer_id", "Customer ID is invalid.", 400)
    items = [_line_item(store, p) for p in body.get("line_items") or [] if isinstance(p, Mapping)]
    now = store.now()
    record: Record = {
        "id": 0,
        "status": "pending",
        "currency": str(body.get("currency") or store.settings["currency"]),
        "customer_id": customer_id,
        "customer_note": str(body.get("customer_note") or ""),
        "billing": _address(body.get("billing")),
        "shipping": _address(body.get("shipping")),
        "payment_method": str(body.get("payment_method") or ""),
        "payment_method_title": str(body.get("payment_method_title") or ""),
        "transaction_id": str(body.get("transaction_id") or ""),
        "created_via": created_via,
        "order_key": store.order_key(),
        "line_items": items,
        "shipping_total": money(float(str(body.get("shipping_total") or 0))),
        "date_paid": None,
        "date_completed": None,
        "stock_reduced": False,
        "meta_data": [],
        "created": now,
        "modified": now,
    }
    if customer_id and not record["billing"].get("email"):
        record["billing"]["email"] = store.customers[customer_id]["email"]
    _totals(record)
    record["id"] = store.next_post_id()
    store.orders[record["id"]] = record
    store.bump("orders")
    status = str(body.get("status") or "pending")
    if as_bool(body.get("set_paid")):
        status = "processing" if status == "pending" else status
        record["date_paid"] = now
    set_status(store, record, status, seeding=seeding)
    if not seeding:
        store.emit("order.created", record["id"])
    return record


def set_status(store: Store, record: Record, status: str, *, seeding: bool = False) -> None:
    previous = record["status"]
    record["status"] = status
    now = store.now()
    if status in ("processing", "completed") and record.get("date_paid") is None:
        record["date_paid"] = now
    if status == "completed" and record.get("date_completed") is None:
        record["date_completed"] = now
    if seeding:
        record["stock_reduced"] = status in REDUCING
        return
    if status in REDUCING and not record.get("stock_reduced"):
        _move_stock(store, record, -1)
        record["stock_reduced"] = True
    elif status in RESTORING and record.get("stock_reduced") and previous != status:
        _move_stock(store, record, +1)
        record["stock_reduced"] = False
    customer = store.customers.get(record.get("customer_id") or 0)
    if customer is not None and record.get("date_paid") and not customer["is_paying_customer"]:
        customer["is_paying_customer"] = True
        store.bump("customers")


def _move_stock(store: Store, record: Record, sign: int) -> None:
    for item in record["line_items"]:
        target_id = item["variation_id"] or item["product_id"]
        target = store.product_or_variation(target_id)
        moved = target is not None and adjust_stock(store, target, sign * int(item["quantity"]))
        if moved and store.settings.get("stock_change_touches_product", True):
            store.emit("product.updated", target_id)


def update_order(store: Store, record: Record, body: Mapping[str, Any]) -> None:
    for name in ("billing", "shipping"):
        if name in body:
            record[name] = _address(body[name], record.get(name))
    for name in ("customer_note", "payment_method", "payment_method_title", "transaction_id"):
        if name in body and body[name] is not None:
            record[name] = str(body[name])
    if "customer_id" in body:
        customer_id = as_int(body["customer_id"])
        if customer_id and customer_id not in store.customers:
            raise WPError("woocommerce_rest_invalid_customer_id", "Customer ID is invalid.", 400)
        record["customer_id"] = customer_id
    if isinstance(body.get("line_items"), list) and body["line_items"]:
        record["line_items"].extend(
            _line_item(store, p) for p in body["line_items"] if isinstance(p, Mapping)
        )
        _totals(record)
    status = body.get("status")
    if as_bool(body.get("set_paid")) and record.get("date_paid") is None:
        record["date_paid"] = store.now()
        status = status or ("processing" if record["status"] == "pending" else None)
    record["modified"] = store.now()
    if status and status != record["status"]:
        set_status(store, record, str(status))
    store.bump("orders")


def delete_order(store: Store, record: Record, *, force: bool) -> None:
    if force:
        store.orders.pop(record["id"], None)
    elif record["status"] == "trash":
        raise WPError(
            "woocommerce_rest_already_trashed", "The shop_order has already been deleted.", 410
        )
    else:
        record["status_before_trash"] = record["status"]
        record["status"] = "trash"
        record["modified"] = store.now()
    store.bump("orders")
