"""WooCommerce objects ↔ ledger rows.  Pure: no I/O, no clock, no database.

Nexpura's inventory is flat — one row per size or length — so a simple product is one
``inventory`` row and a variable product is one row per variation (the parent itself is
not stock).  Orders become a ``sales`` row (``external_reference`` ``woocommerce_<id>``,
statuses folded into the ledger's CHECK values), ``sale_items`` and, for orders that took
stock, ``stock_movements``.  Row ids of everything an order creates are derived from the
WooCommerce ids (uuid5), so replaying an import after a crash rewrites the same rows
instead of adding new ones.  Column names are those of migration 0002.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import phonenumbers

from ...sync import phones

SERVICE = "woocommerce"
_NAMESPACE = uuid.UUID("5b0c8f7e-3c1d-4f53-9a51-6f1f0c2d7a11")
_TAGS = re.compile(r"<[^>]+>")
Json = dict[str, Any]

#: WooCommerce order status → ``sales.status`` (CHECK: quote, confirmed, paid, completed,
#: refunded, layby, cancelled).  Unknown (plugin) statuses count as confirmed.
ORDER_STATUS = {
    "checkout-draft": "quote",
    "pending": "confirmed",
    "on-hold": "confirmed",
    "processing": "paid",
    "completed": "completed",
    "refunded": "refunded",
    "cancelled": "cancelled",
    "failed": "cancelled",
    "trash": "cancelled",
}
#: Statuses in which WooCommerce has reduced stock for the order's lines.
STOCK_REDUCING = frozenset({"processing", "completed", "on-hold"})
#: Gateway id → ``sales.payment_method`` (CHECK: cash, card, transfer, layby, account, mixed).
PAYMENT_METHOD = {
    "bacs": "transfer",
    "cod": "cash",
    "stripe": "card",
    "stripe_cc": "card",
    "woocommerce_payments": "card",
    "square_credit_card": "card",
    "ppcp-gateway": "card",
    "paypal": "card",
    "afterpay": "card",
}
STOCK_STATUS = {"instock": "in_stock", "outofstock": "out_of_stock", "onbackorder": "available"}


def local_id(entity: str, remote_id: object) -> str:
    """A stable ledger id for a row created from WooCommerce object ``remote_id``."""
    return str(uuid.uuid5(_NAMESPACE, f"{SERVICE}/{entity}/{remote_id}"))


def external_reference(order_id: object) -> str:
    return f"{SERVICE}_{order_id}"


def content_hash(fields: Mapping[str, Any]) -> str:
    """SHA-256 of the fields' canonical JSON: equal content, equal hash (key order ignored)."""
    text = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# -- small conversions -------------------------------------------------------------------
def money(value: Any) -> float | None:
    """A WooCommerce price string ("1234.50", "") as a number; ``None`` when absent."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return float(number.quantize(Decimal("0.01"), ROUND_HALF_UP)) if number.is_finite() else None


def money_text(value: Any) -> str:
    """A ledger amount as the string WooCommerce expects ("" for none)."""
    number = money(value)
    return "" if number is None else f"{number:.2f}"


def gmt_timestamp(value: Any) -> str | None:
    """WooCommerce ``*_gmt`` (no offset) → ISO-8601 with ``+00:00``."""
    if not isinstance(value, str) or not value:
        return None
    return value if value.endswith(("Z", "+00:00")) else f"{value}+00:00"


def plain_text(html: Any) -> str | None:
    text = " ".join(_TAGS.sub(" ", str(html or "")).split())
    return text or None


def e164(raw: Any, country: str) -> str | None:
    """A typed phone number in E.164, read with the shop's country; ``None`` if not a number."""
    return phones.e164(raw or None, country or "AU")


def is_mobile(number: str) -> bool:
    parsed = phonenumbers.parse(number, None)
    kind = phonenumbers.number_type(parsed)
    return kind in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )


# -- products -----------------------------------------------------------------------------
def _stock(item: Mapping[str, Any]) -> Json:
    row: Json = {"track_quantity": bool(item.get("manage_stock"))}
    quantity = item.get("stock_quantity")
    if item.get("manage_stock") and isinstance(quantity, int | float):
        row["quantity"] = max(0, int(quantity))  # backorders go negative; the ledger cannot
    status = STOCK_STATUS.get(str(item.get("stock_status") or ""))
    if status:
        row["status"] = status
    return row


def _variation_name(parent: Mapping[str, Any], variation: Mapping[str, Any]) -> str:
    options = [
        str(a.get("option"))
        for a in variation.get("attributes") or []
        if isinstance(a, Mapping) and a.get("option")
    ]
    base = str(parent.get("name") or "")
    return f"{base} - {', '.join(options)}" if options else base


def _sku(value: Any) -> str | None:
    return str(value).strip() or None if value is not None else None


def product_rows(
    product: Mapping[str, Any], variations: Sequence[Mapping[str, Any]] = ()
) -> list[Json]:
    """``inventory`` fields for a product: one row, or one per variation if variable.

    ``woo_product_id`` is the id stock is kept on (the variation's for a variation); the
    parent id goes into ``import_metadata``.  Ids, tenant and timestamps are the caller's.
    """
    published = product.get("status") == "publish"
    categories = [c for c in product.get("categories") or [] if isinstance(c, Mapping)]
    common: Json = {
        "description": plain_text(product.get("description") or product.get("short_description")),
        "category": str(categories[0].get("name")) if categories else None,
        "is_published": published,
        "listed_on_website": published,
    }
    if product.get("type") != "variable":
        row: Json = {
            "sku": _sku(product.get("sku")),
            "name": str(product.get("name") or "") or None,
            "retail_price": money(product.get("regular_price") or product.get("price")),
            **common,
            **_stock(product),
            "woo_product_id": str(product["id"]),
            "import_metadata": {
                "source": SERVICE,
                "woo_type": str(product.get("type") or "simple"),
            },
        }
        parent = product.get("parent_id")
        if product.get("type") == "variation" and parent:
            row["import_metadata"]["woo_parent_id"] = int(parent)
        return [row]
    return [variation_row(product, v, common) for v in variations]


def variation_row(
    parent: Mapping[str, Any], variation: Mapping[str, Any], common: Mapping[str, Any] | None = None
) -> Json:
    """One variation of a variable product as an ``inventory`` row."""
    if common is None:
        return product_rows({**parent, "type": "variable"}, [variation])[0]
    sizes = [
        str(a.get("option"))
        for a in variation.get("attributes") or []
        if isinstance(a, Mapping) and str(a.get("name", "")).lower() in ("size", "ring size")
    ]
    row: Json = {
        "sku": _sku(variation.get("sku")),
        "name": _variation_name(parent, variation) or None,
        "retail_price": money(variation.get("regular_price") or variation.get("price")),
        **common,
        **_stock(variation),
        "woo_product_id": str(variation["id"]),
        "import_metadata": {
            "source": SERVICE,
            "woo_type": "variation",
            "woo_parent_id": int(parent["id"]),
        },
    }
    if variation.get("status") not in (None, "publish"):
        row["is_published"] = row["listed_on_website"] = False
    if sizes:
        row["ring_size"] = sizes[0]
    return row


def product_payload(row: Mapping[str, Any]) -> Json:
    """An ``inventory`` row as a WooCommerce simple product (create or update body)."""
    payload: Json = {
        "name": str(row.get("name") or row.get("sku") or "Untitled piece"),
        "type": "simple",
        "sku": str(row.get("sku") or ""),
        "regular_price": money_text(row.get("retail_price")),
        "description": str(row.get("description") or ""),
        "status": "publish" if row.get("listed_on_website") or row.get("is_published") else "draft",
        **stock_payload(row.get("quantity")),
    }
    return payload


def stock_payload(quantity: Any) -> Json:
    """The stock fields for a product or variation: managed stock at ``quantity``."""
    return {"manage_stock": True, "stock_quantity": max(0, int(quantity or 0))}


def product_hash(payload: Mapping[str, Any]) -> str:
    """Hash of the product fields we push (compare with ``pushed_fields`` of a reply)."""
    return content_hash(pushed_fields(payload, PRODUCT_PUSHED))


PRODUCT_PUSHED = (
    "name",
    "sku",
    "regular_price",
    "description",
    "status",
    "manage_stock",
    "stock_quantity",
)
CUSTOMER_PUSHED = ("email", "first_name", "last_name", "billing")
BILLING_PUSHED = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "address_1",
    "city",
    "state",
    "postcode",
    "country",
)


def pushed_fields(body: Mapping[str, Any], names: Sequence[str]) -> Json:
    """The fields we own out of a WooCommerce body (a reply or our payload), normalised."""
    out: Json = {}
    for name in names:
        value = body.get(name)
        if name == "billing":
            billing = value if isinstance(value, Mapping) else {}
            out[name] = {k: str(billing.get(k) or "") for k in BILLING_PUSHED}
        elif name == "regular_price":
            out[name] = money_text(value)
        elif name == "email":
            out[name] = str(value or "").strip().lower()
        elif name in ("manage_stock",):
            out[name] = bool(value)
        elif name == "stock_quantity":
            out[name] = int(value) if isinstance(value, int | float) else None
        else:
            out[name] = str(value or "")
    return out


# -- customers ----------------------------------------------------------------------------
def customer_fields(customer: Mapping[str, Any], country: str) -> Json:
    """``customers`` fields from a WooCommerce customer (or an order's billing block)."""
    billing = customer.get("billing") if isinstance(customer.get("billing"), Mapping) else {}
    assert isinstance(billing, Mapping)
    first = str(customer.get("first_name") or billing.get("first_name") or "").strip()
    last = str(customer.get("last_name") or billing.get("last_name") or "").strip()
    email = str(customer.get("email") or billing.get("email") or "").strip().lower()
    row: Json = {
        "first_name": first or None,
        "last_name": last or None,
        "full_name": " ".join(p for p in (first, last) if p) or None,
        "email": email or None,
    }
    phone = e164(billing.get("phone"), str(billing.get("country") or country))
    if phone:
        row["phone"] = phone
        if is_mobile(phone):
            row["mobile"] = phone
    address = {
        "address_line1": billing.get("address_1"),
        "suburb": billing.get("city"),
        "state": billing.get("state"),
        "postcode": billing.get("postcode"),
        "country": billing.get("country"),
    }
    row.update({k: str(v).strip() for k, v in address.items() if v and str(v).strip()})
    return row


def customer_hash(customer: Mapping[str, Any]) -> str:
    """Hash of the fields we sync, for change detection without a modified filter: a
    change to anything else (avatar, role, dates) is not a change for us."""
    return content_hash(pushed_fields(customer, CUSTOMER_PUSHED))


def customer_payload(row: Mapping[str, Any], country: str) -> Json:
    """A ``customers`` row as a WooCommerce customer body."""
    first = str(row.get("first_name") or "").strip()
    last = str(row.get("last_name") or "").strip()
    if not first and not last:
        first, _, last = str(row.get("full_name") or "").strip().partition(" ")
    email = str(row.get("email") or "").strip().lower()
    phone = e164(row.get("mobile") or row.get("phone"), country) or str(
        row.get("mobile") or row.get("phone") or ""
    )
    billing = {
        "first_name": first,
        "last_name": last.strip(),
        "email": email,
        "phone": phone,
        "address_1": str(row.get("address_line1") or ""),
        "city": str(row.get("suburb") or ""),
        "state": str(row.get("state") or ""),
        "postcode": str(row.get("postcode") or ""),
        "country": str(row.get("country") or country or ""),
    }
    return {"email": email, "first_name": first, "last_name": last.strip(), "billing": billing}


# -- orders -------------------------------------------------------------------------------
class SkuIndex(dict[str, str]):
    """SKU → inventory id, keyed case-insensitively (built once per run, not per order)."""

    def __init__(self, pairs: Mapping[str, str] | None = None) -> None:
        super().__init__()
        for sku, item in (pairs or {}).items():
            self.setdefault(sku.casefold(), item)


@dataclass
class OrderRows:
    """What one WooCommerce order becomes in the ledger."""

    sale: Json
    items: list[Json]
    movements: list[Json] = field(default_factory=list)
    unmatched_skus: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.unmatched_skus


def order_rows(
    order: Mapping[str, Any],
    inventory_by_sku: Mapping[str, str],
    *,
    customer_id: str | None = None,
) -> OrderRows:
    """``sales`` + ``sale_items`` (+ ``stock_movements`` for stock-reducing statuses).

    ``inventory_by_sku`` maps SKUs (any case) to inventory ids; a line whose SKU is not
    there keeps ``inventory_id`` NULL and makes the sale ``incomplete`` so reconciliation
    can retry it.  Movements carry ``quantity_change`` only: ``quantity_after`` needs the
    current stock, which the caller knows.
    """
    folded = (
        inventory_by_sku if isinstance(inventory_by_sku, SkuIndex) else SkuIndex(inventory_by_sku)
    )
    order_id = order["id"]
    sale_id = local_id("order", order_id)
    status = str(order.get("status") or "")
    billing = order.get("billing") if isinstance(order.get("billing"), Mapping) else {}
    assert isinstance(billing, Mapping)
    reduces = status in STOCK_REDUCING
    items: list[Json] = []
    movements: list[Json] = []
    unmatched: list[str] = []
    subtotal = Decimal(0)
    for line in order.get("line_items") or []:
        if not isinstance(line, Mapping):
            continue
        sku = str(line.get("sku") or "").strip()
        inventory_id = folded.get(sku.casefold()) if sku else None
        if inventory_id is None:
            unmatched.append(sku or f"line {line.get('id')}")
        quantity = int(line.get("quantity") or 0)
        line_total = money(line.get("total")) or 0.0
        subtotal += Decimal(str(money(line.get("subtotal")) or 0.0))
        unit = money(line.get("price"))
        items.append(
            {
                "id": local_id("order_line", line.get("id")),
                "sale_id": sale_id,
                "inventory_id": inventory_id,
                "description": str(line.get("name") or "") or None,
                "name": str(line.get("name") or "") or None,
                "sku": sku or None,
                "quantity": quantity,
                "unit_price": unit,
                "price": unit,
                "line_total": line_total,
                "total": line_total,
            }
        )
        if reduces and inventory_id is not None and quantity > 0:
            movements.append(
                {
                    "id": local_id("order_line_stock", line.get("id")),
                    "inventory_id": inventory_id,
                    "movement_type": "sale",
                    "quantity_change": -quantity,
                    "notes": f"WooCommerce order #{order.get('number') or order_id}",
                }
            )
    total = money(order.get("total")) or 0.0
    paid = bool(order.get("date_paid_gmt")) or status in ("processing", "completed")
    first = str(billing.get("first_name") or "").strip()
    last = str(billing.get("last_name") or "").strip()
    sale: Json = {
        "id": sale_id,
        "sale_number": f"WC-{order.get('number') or order_id}",
        "customer_id": customer_id,
        "customer_name": " ".join(p for p in (first, last) if p) or None,
        "customer_email": str(billing.get("email") or "").strip().lower() or None,
        "status": ORDER_STATUS.get(status, "confirmed"),
        "payment_method": PAYMENT_METHOD.get(str(order.get("payment_method") or "")),
        "subtotal": float(subtotal),
        "discount_amount": money(order.get("discount_total")) or 0.0,
        "tax_amount": money(order.get("total_tax")) or 0.0,
        "total": total,
        "amount_paid": total if paid and status not in ("refunded", "cancelled", "failed") else 0.0,
        "notes": str(order.get("customer_note") or "") or None,
        "sale_date": gmt_timestamp(order.get("date_created_gmt")),
        "completed_at": gmt_timestamp(order.get("date_completed_gmt")),
        "external_reference": external_reference(order_id),
        "import_status": "incomplete" if unmatched else "complete",
        "import_metadata": {
            "source": SERVICE,
            "woo_order_id": order_id,
            "woo_status": status,
            "currency": order.get("currency"),
            "date_modified_gmt": order.get("date_modified_gmt"),
        },
    }
    return OrderRows(sale, items, movements, unmatched)
