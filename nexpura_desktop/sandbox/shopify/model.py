"""The shop's records, and the sorted indexes that keep paging O(page size).

Each :class:`Collection` keeps its rows by numeric id plus one sorted list of
``(sort value, id)`` keys per sort key it is asked about often (``ID``, ``UPDATED_AT``,
``CREATED_AT`` …), so a page after a cursor is a ``bisect`` and a slice, even with tens of
thousands of orders.  Rarer sort keys get an index built on first use.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

# Quantity names an inventory level tracks; on_hand is derived (see ``Level.on_hand``).
QUANTITY_NAMES = (
    "available",
    "committed",
    "damaged",
    "incoming",
    "quality_control",
    "reserved",
    "safety_stock",
)
ON_HAND_PARTS = ("available", "committed", "damaged", "quality_control", "reserved", "safety_stock")


@dataclass
class Location:
    id: int
    name: str
    address: dict[str, Any]
    created_at: float
    updated_at: float
    is_active: bool = True
    fulfills_online_orders: bool = True


@dataclass
class InventoryItem:
    id: int
    variant_id: int
    sku: str | None
    created_at: float
    updated_at: float
    tracked: bool = True
    requires_shipping: bool = True
    unit_cost: str | None = None


@dataclass
class Level:
    id: int
    item_id: int
    location_id: int
    created_at: float
    updated_at: float
    quantities: dict[str, int] = field(default_factory=lambda: dict.fromkeys(QUANTITY_NAMES, 0))

    def quantity(self, name: str) -> int:
        if name == "on_hand":
            return sum(self.quantities[n] for n in ON_HAND_PARTS)
        return self.quantities.get(name, 0)


@dataclass
class Variant:
    id: int
    product_id: int
    inventory_item_id: int
    title: str
    price: str
    created_at: float
    updated_at: float
    position: int = 1
    compare_at_price: str | None = None
    barcode: str | None = None
    inventory_policy: str = "DENY"
    taxable: bool = True
    options: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Product:
    id: int
    title: str
    handle: str
    created_at: float
    updated_at: float
    status: str = "ACTIVE"
    description_html: str = ""
    vendor: str = ""
    product_type: str = ""
    tags: list[str] = field(default_factory=list)
    published_at: float | None = None
    variant_ids: list[int] = field(default_factory=list)
    has_only_default_variant: bool = True


@dataclass
class Customer:
    id: int
    created_at: float
    updated_at: float
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    tags: list[str] = field(default_factory=list)
    note: str | None = None
    state: str = "DISABLED"
    verified_email: bool = True
    marketing_state: str = "NOT_SUBSCRIBED"
    opt_in_level: str | None = None
    consent_updated_at: float | None = None
    order_ids: list[int] = field(default_factory=list)


@dataclass
class LineItem:
    id: int
    title: str
    quantity: int
    price: str
    sku: str | None = None
    variant_id: int | None = None
    product_id: int | None = None
    variant_title: str | None = None
    vendor: str | None = None


@dataclass
class Order:
    id: int
    number: int
    created_at: float
    updated_at: float
    processed_at: float
    currency: str
    line_items: list[LineItem]
    email: str | None = None
    phone: str | None = None
    customer_id: int | None = None
    financial_status: str = "PAID"
    fulfillment_status: str = "UNFULFILLED"
    cancelled_at: float | None = None
    closed_at: float | None = None
    total_tax: str = "0.00"
    total_discounts: str = "0.00"
    tags: list[str] = field(default_factory=list)
    note: str | None = None
    source_name: str = "web"
    test: bool = False

    @property
    def name(self) -> str:
        return f"#{self.number}"


T = TypeVar("T")
SortFn = Callable[[Any], Any]


class SortedIndex:
    """Sorted ``(value, id)`` keys with iteration from a cursor in either direction."""

    def __init__(self) -> None:
        self.keys: list[tuple[Any, int]] = []

    def add(self, key: tuple[Any, int]) -> None:
        if not self.keys or key > self.keys[-1]:
            self.keys.append(key)
        else:
            bisect.insort(self.keys, key)

    def remove(self, key: tuple[Any, int]) -> None:
        pos = bisect.bisect_left(self.keys, key)
        if pos < len(self.keys) and self.keys[pos] == key:
            del self.keys[pos]

    def iter_ids(
        self, start: tuple[Any, int] | None, *, descending: bool, inclusive: bool = False
    ) -> Iterator[int]:
        keys = self.keys
        if descending:
            if start is None:
                pos = len(keys) - 1
            else:
                pos = (bisect.bisect_right if inclusive else bisect.bisect_left)(keys, start) - 1
            while pos >= 0:
                yield keys[pos][1]
                pos -= 1
        else:
            if start is None:
                pos = 0
            else:
                pos = (bisect.bisect_left if inclusive else bisect.bisect_right)(keys, start)
            while pos < len(keys):
                yield keys[pos][1]
                pos += 1


class Collection(Generic[T]):
    """Rows by id plus the sorted indexes named in ``sorts`` (sort key -> value of a row)."""

    def __init__(self, sorts: dict[str, SortFn], eager: tuple[str, ...] = ("ID",)) -> None:
        self.rows: dict[int, T] = {}
        self._sorts = {"ID": lambda row: row.id, **sorts}
        self._indexes: dict[str, SortedIndex] = {}
        self._keys: dict[int, dict[str, tuple[Any, int]]] = {}
        for name in eager:
            self._indexes[name] = SortedIndex()

    def __len__(self) -> int:
        return len(self.rows)

    def get(self, row_id: int | None) -> T | None:
        return None if row_id is None else self.rows.get(row_id)

    def sort_value(self, sort: str, row: T) -> Any:
        return self._sorts.get(sort, self._sorts["ID"])(row)

    def put(self, row: T) -> None:
        """Insert or re-index ``row`` (call after changing a sorted attribute)."""
        row_id: int = row.id  # type: ignore[attr-defined]
        self.rows[row_id] = row
        old = self._keys.setdefault(row_id, {})
        for name, index in self._indexes.items():
            key = (self._sorts[name](row), row_id)
            if old.get(name) != key:
                if name in old:
                    index.remove(old[name])
                index.add(key)
                old[name] = key

    def index(self, sort: str) -> SortedIndex:
        sort = sort if sort in self._sorts else "ID"
        if sort not in self._indexes:
            index = SortedIndex()
            index.keys = sorted((self._sorts[sort](r), i) for i, r in self.rows.items())
            for key in index.keys:
                self._keys.setdefault(key[1], {})[sort] = key
            self._indexes[sort] = index
        return self._indexes[sort]

    def clear(self) -> None:
        self.rows.clear()
        self._keys.clear()
        for index in self._indexes.values():
            index.keys.clear()
