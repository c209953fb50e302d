"""The in-memory shop: every record, the id counters and the writes the API performs.

Mutations and seeding both go through these methods so the indexes stay right.  Callers
hold the emulator's lock.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .model import (
    Collection,
    Customer,
    InventoryItem,
    Level,
    LineItem,
    Location,
    Order,
    Product,
    Variant,
)

TIMESTAMP_SORTS: dict[str, Callable[[Any], Any]] = {
    "UPDATED_AT": lambda r: r.updated_at,
    "CREATED_AT": lambda r: r.created_at,
}
FIRST_IDS = {
    "Product": 8_000_000_001,
    "ProductVariant": 44_000_000_001,
    "InventoryItem": 46_000_000_001,
    "InventoryLevel": 100_000_001,
    "Location": 70_000_001,
    "Customer": 7_000_000_001,
    "Order": 5_500_000_001,
    "LineItem": 14_000_000_001,
    "BulkOperation": 3_000_000_001,
    "InventoryAdjustmentGroup": 20_000_000_001,
}


def handleize(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "product"


class Store:
    """All of one shop's records."""

    def __init__(self) -> None:
        self._next = dict(FIRST_IDS)
        self.locations: Collection[Location] = Collection({"NAME": lambda r: r.name.lower()})
        self.products: Collection[Product] = Collection(
            {**TIMESTAMP_SORTS, "TITLE": lambda r: r.title.lower()},
            eager=("ID", "UPDATED_AT"),
        )
        self.variants: Collection[Variant] = Collection(
            {"SKU": lambda r: "", "POSITION": lambda r: r.position}, eager=("ID",)
        )
        self.items: Collection[InventoryItem] = Collection(dict(TIMESTAMP_SORTS))
        self.levels: dict[tuple[int, int], Level] = {}
        self.levels_by_id: dict[int, Level] = {}
        self.customers: Collection[Customer] = Collection(
            {**TIMESTAMP_SORTS, "NAME": lambda r: f"{r.first_name or ''} {r.last_name or ''}"},
            eager=("ID", "UPDATED_AT"),
        )
        self.orders: Collection[Order] = Collection(
            {
                **TIMESTAMP_SORTS,
                "PROCESSED_AT": lambda r: r.processed_at,
                "ORDER_NUMBER": lambda r: r.number,
            },
            eager=("ID", "UPDATED_AT", "PROCESSED_AT"),
        )
        self.line_items: dict[int, LineItem] = {}
        self.emails: dict[str, int] = {}
        self.phones: dict[str, int] = {}
        self.handles: dict[str, int] = {}
        self.skus: dict[str, set[int]] = {}
        self.next_order_number = 1001

    def new_id(self, kind: str) -> int:
        value = self._next[kind]
        self._next[kind] = value + 1
        return value

    # -- locations ---------------------------------------------------------------------
    def add_location(self, name: str, now: float, **address: Any) -> Location:
        location = Location(self.new_id("Location"), name, dict(address), now, now)
        self.locations.put(location)
        return location

    def default_location(self) -> Location | None:
        for location in self.locations.rows.values():
            if location.is_active:
                return location
        return None

    # -- products and variants -----------------------------------------------------------
    def unique_handle(self, wanted: str) -> str:
        handle, n = wanted, 1
        while handle in self.handles:
            handle = f"{wanted}-{n}"
            n += 1
        return handle

    def add_product(self, now: float, title: str, **fields: Any) -> Product:
        handle = self.unique_handle(fields.pop("handle", None) or handleize(title))
        product = Product(self.new_id("Product"), title, handle, now, now, **fields)
        if product.status == "ACTIVE" and product.published_at is None:
            product.published_at = now
        self.handles[handle] = product.id
        self.products.put(product)
        return product

    def add_variant(
        self,
        product: Product,
        now: float,
        *,
        price: str = "0.00",
        sku: str | None = None,
        title: str = "Default Title",
        options: list[tuple[str, str]] | None = None,
        stock: dict[int, int] | None = None,
        unit_cost: str | None = None,
        **fields: Any,
    ) -> Variant:
        variant_id = self.new_id("ProductVariant")
        item = InventoryItem(self.new_id("InventoryItem"), variant_id, sku or None, now, now)
        item.unit_cost = unit_cost
        variant = Variant(
            variant_id,
            product.id,
            item.id,
            title,
            price,
            now,
            now,
            position=len(product.variant_ids) + 1,
            options=list(options or [("Title", "Default Title")]),
            **fields,
        )
        self.items.put(item)
        self.variants.put(variant)
        self.index_sku(item, None)
        product.variant_ids.append(variant.id)
        for location_id, available in (stock or {}).items():
            self.stock(item, location_id, now).quantities["available"] = available
        return variant

    def remove_variant(self, variant: Variant) -> None:
        product = self.products.rows[variant.product_id]
        product.variant_ids.remove(variant.id)
        item = self.items.rows[variant.inventory_item_id]
        self.unindex_sku(item)
        for key in [k for k in self.levels if k[0] == item.id]:
            del self.levels_by_id[self.levels.pop(key).id]
        self.variants.rows.pop(variant.id, None)
        self.items.rows.pop(item.id, None)

    def index_sku(self, item: InventoryItem, old: str | None) -> None:
        if old:
            self.skus.get(old, set()).discard(item.id)
        if item.sku:
            self.skus.setdefault(item.sku, set()).add(item.id)

    def unindex_sku(self, item: InventoryItem) -> None:
        if item.sku:
            self.skus.get(item.sku, set()).discard(item.id)

    def touch_product(self, product: Product, now: float) -> None:
        product.updated_at = now
        self.products.put(product)

    def variant_sku(self, variant: Variant) -> str | None:
        return self.items.rows[variant.inventory_item_id].sku

    def variants_of(self, product: Product) -> list[Variant]:
        return [self.variants.rows[v] for v in product.variant_ids]

    # -- inventory -------------------------------------------------------------------------
    def stock(self, item: InventoryItem, location_id: int, now: float) -> Level:
        """The item's level at a location, activating it there if needed."""
        key = (item.id, location_id)
        level = self.levels.get(key)
        if level is None:
            level = Level(self.new_id("InventoryLevel"), item.id, location_id, now, now)
            self.levels[key] = level
            self.levels_by_id[level.id] = level
        return level

    def levels_of_item(self, item_id: int) -> list[Level]:
        return [
            self.levels[(item_id, loc)]
            for loc in self.locations.rows
            if (item_id, loc) in self.levels
        ]

    def levels_at(self, location_id: int) -> list[Level]:
        return [lv for (_, loc), lv in self.levels.items() if loc == location_id]

    def available(self, item_id: int) -> int:
        return sum(lv.quantities["available"] for lv in self.levels_of_item(item_id))

    # -- customers -----------------------------------------------------------------------
    def add_customer(self, now: float, **fields: Any) -> Customer:
        customer = Customer(self.new_id("Customer"), now, now, **fields)
        self.put_customer(customer, None, None)
        return customer

    def put_customer(
        self, customer: Customer, old_email: str | None, old_phone: str | None
    ) -> None:
        if old_email:
            self.emails.pop(old_email.lower(), None)
        if old_phone:
            self.phones.pop(old_phone, None)
        if customer.email:
            self.emails[customer.email.lower()] = customer.id
        if customer.phone:
            self.phones[customer.phone] = customer.id
        self.customers.put(customer)

    # -- orders ------------------------------------------------------------------------------
    def add_order(self, now: float, lines: list[dict[str, Any]], **fields: Any) -> Order:
        items: list[LineItem] = []
        for line in lines:
            sku = line.get("sku")
            variant = self.variant_by_sku(sku) if sku else None
            product = self.products.get(variant.product_id) if variant else None
            item = LineItem(
                self.new_id("LineItem"),
                title=str(line.get("title") or (product.title if product else sku or "Item")),
                quantity=int(line.get("quantity", 1)),
                price=money(line.get("price", variant.price if variant else "0")),
                sku=sku,
                variant_id=variant.id if variant else None,
                product_id=product.id if product else None,
                variant_title=None
                if variant is None or variant.title == "Default Title"
                else variant.title,
                vendor=product.vendor if product else None,
            )
            self.line_items[item.id] = item
            items.append(item)
        fields.setdefault("processed_at", now)
        order = Order(
            self.new_id("Order"),
            self.next_order_number,
            fields.pop("created_at", now),
            fields.pop("updated_at", now),
            line_items=items,
            **fields,
        )
        self.next_order_number += 1
        self.orders.put(order)
        customer = self.customers.get(order.customer_id)
        if customer is not None:
            customer.order_ids.append(order.id)
        return order

    def variant_by_sku(self, sku: str) -> Variant | None:
        for item_id in sorted(self.skus.get(sku, ())):
            return self.variants.rows[self.items.rows[item_id].variant_id]
        return None

    def order_subtotal(self, order: Order) -> str:
        total = sum(float(li.price) * li.quantity for li in order.line_items)
        return f"{total:.2f}"

    def order_total(self, order: Order) -> str:
        total = (
            float(self.order_subtotal(order))
            + float(order.total_tax)
            - float(order.total_discounts)
        )
        return f"{total:.2f}"


def money(value: Any) -> str:
    """Shopify's decimal string for an amount (``"12.5"`` -> ``"12.50"``)."""
    try:
        return f"{float(value):.2f}"
    except (TypeError, ValueError):
        return "0.00"
