"""Shopify orders → ledger ``sales``, ``sale_items`` and ``stock_movements`` (pure).

An order becomes a sale with ``external_reference`` ``shopify_<numeric id>`` (what
Nexpura's own reconciliation looks for).  Each line is matched to an inventory row by
SKU, then by the variant link; if any line has no match the sale is imported as
``incomplete`` (the reconciliation job retries it later) and that line carries no
``inventory_id`` and moves no stock.  Cancelled orders move no stock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .mapping_common import bag_amount, clean, decimal, money, nodes, numeric_id, row_id

PAID_STATES = frozenset({"PAID", "PARTIALLY_REFUNDED", "REFUNDED"})
VOID_STATES = frozenset({"VOIDED", "EXPIRED"})


def sku_key(sku: Any) -> str | None:
    text = clean(sku)
    return text.upper() if text else None


@dataclass(frozen=True)
class ItemIndex:
    """Which inventory row a Shopify line refers to: by SKU, then by variant id."""

    by_sku: Mapping[str, str] = field(default_factory=dict)
    by_variant: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def build(cls, rows: Iterable[Mapping[str, Any]]) -> ItemIndex:
        """From inventory rows (``id``, ``sku``, ``shopify_variant_id``)."""
        by_sku: dict[str, str] = {}
        by_variant: dict[str, str] = {}
        for row in rows:
            key = sku_key(row.get("sku"))
            if key:
                by_sku.setdefault(key, str(row["id"]))
            variant = numeric_id(row.get("shopify_variant_id"))
            if variant:
                by_variant.setdefault(variant, str(row["id"]))
        return cls(by_sku, by_variant)

    def find(self, sku: Any, variant_id: Any) -> str | None:
        key = sku_key(sku)
        if key and key in self.by_sku:
            return self.by_sku[key]
        variant = numeric_id(variant_id)
        return self.by_variant.get(variant) if variant else None


@dataclass(frozen=True)
class MappedOrder:
    sale: dict[str, Any]
    items: list[dict[str, Any]]
    movements: list[dict[str, Any]]
    unmatched: list[str]  # descriptions of lines with no inventory match
    remote_id: str
    remote_version: str | None


def sale_status(order: Mapping[str, Any]) -> str:
    """A status the ledger's CHECK accepts, from Shopify's financial/fulfilment state."""
    financial = str(order.get("displayFinancialStatus") or "").upper()
    fulfilment = str(order.get("displayFulfillmentStatus") or "").upper()
    if order.get("cancelledAt") or financial in VOID_STATES:
        return "cancelled"
    if financial == "REFUNDED":
        return "refunded"
    if financial in PAID_STATES:
        return "completed" if fulfilment == "FULFILLED" or order.get("closedAt") else "paid"
    return "confirmed"


def external_reference(order_id: Any) -> str:
    return f"shopify_{numeric_id(order_id)}"


def _line_money(line: Mapping[str, Any], name: str) -> Decimal | None:
    amount = bag_amount(line.get(name))
    return None if amount is None else decimal(amount)


def order_to_sale(
    order: Mapping[str, Any],
    index: ItemIndex,
    *,
    customer_id: str | None = None,
    location_id: str | None = None,
    tenant_id: str | None = None,
) -> MappedOrder:
    """The sale, its items and its stock movements for one Shopify order."""
    order_gid = str(order["id"])
    sale_id = row_id("order", order_gid)
    status = sale_status(order)
    when = order.get("processedAt") or order.get("createdAt")
    label = clean(order.get("name")) or f"#{order.get('number')}"
    items: list[dict[str, Any]] = []
    movements: list[dict[str, Any]] = []
    unmatched: list[str] = []
    for line in nodes(order.get("lineItems")):
        quantity = line.get("currentQuantity")
        quantity = int(line.get("quantity") or 0) if quantity is None else int(quantity)
        variant = line.get("variant") if isinstance(line.get("variant"), Mapping) else {}
        assert isinstance(variant, Mapping)
        inventory_id = index.find(line.get("sku"), variant.get("id"))
        description = clean(line.get("name")) or clean(line.get("title")) or "Shopify item"
        if inventory_id is None:
            unmatched.append(description)
        unit = _line_money(line, "originalUnitPriceSet") or Decimal(0)
        paid_unit = _line_money(line, "discountedUnitPriceSet")
        paid_unit = unit if paid_unit is None else paid_unit
        discount = (
            ((unit - paid_unit) / unit * 100).quantize(Decimal("0.01")) if unit > 0 else Decimal(0)
        )
        line_gid = str(line["id"])
        items.append(
            {
                "id": row_id("line_item", line_gid),
                "tenant_id": tenant_id,
                "sale_id": sale_id,
                "inventory_id": inventory_id,
                "description": description,
                "sku": clean(line.get("sku")),
                "quantity": quantity,
                "unit_price": money(unit),
                "discount_percent": money(discount),
                "line_total": money(paid_unit * quantity),
                "created_at": order.get("createdAt"),
            }
        )
        if inventory_id is not None and quantity > 0 and status != "cancelled":
            movements.append(
                {
                    "id": row_id("sale_movement", line_gid),
                    "tenant_id": tenant_id,
                    "inventory_id": inventory_id,
                    "movement_type": "sale",
                    "quantity_change": -quantity,
                    "quantity_after": None,
                    "notes": f"Shopify order {label}",
                    "created_at": when,
                }
            )
    total = bag_amount(order.get("totalPriceSet"))
    customer = order.get("customer") if isinstance(order.get("customer"), Mapping) else None
    sale = {
        "id": sale_id,
        "tenant_id": tenant_id,
        "sale_number": f"SHOPIFY-{order.get('number') or numeric_id(order_gid)}",
        "customer_id": customer_id,
        "customer_name": _customer_name(customer),
        "customer_email": clean(order.get("email")) or _customer_email(customer),
        "status": status,
        "payment_method": None,
        "subtotal": bag_amount(order.get("subtotalPriceSet")) or 0,
        "discount_amount": bag_amount(order.get("totalDiscountsSet")) or 0,
        "tax_amount": bag_amount(order.get("totalTaxSet")) or 0,
        "total": total or 0,
        "amount_paid": (total or 0)
        if str(order.get("displayFinancialStatus") or "").upper() in PAID_STATES
        else 0,
        "notes": clean(order.get("note")),
        "sale_date": when,
        "created_at": order.get("createdAt"),
        "updated_at": order.get("updatedAt"),
        "completed_at": order.get("closedAt") if status == "completed" else None,
        "idempotency_key": external_reference(order_gid),
        "external_reference": external_reference(order_gid),
        "import_status": "incomplete" if unmatched else "complete",
        "location_id": location_id,
        "import_metadata": {
            "source": "shopify",
            "order": label,
            "currency": order.get("currencyCode"),
            "financial_status": order.get("displayFinancialStatus"),
            "fulfillment_status": order.get("displayFulfillmentStatus"),
            "unmatched_lines": unmatched,
        },
    }
    return MappedOrder(
        sale=sale,
        items=items,
        movements=movements,
        unmatched=unmatched,
        remote_id=order_gid,
        remote_version=clean(order.get("updatedAt")),
    )


def _customer_name(customer: Mapping[str, Any] | None) -> str | None:
    if customer is None:
        return None
    parts = (clean(customer.get("firstName")), clean(customer.get("lastName")))
    return clean(" ".join(p for p in parts if p))


def _customer_email(customer: Mapping[str, Any] | None) -> str | None:
    if customer is None:
        return None
    address = customer.get("defaultEmailAddress")
    if isinstance(address, Mapping):
        return clean(address.get("emailAddress"))
    return clean(customer.get("email"))
