"""What one GraphQL request's resolvers see: the shop, the time, the caller's scopes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias

from graphql import GraphQLError, GraphQLResolveInfo

from .model import Customer, InventoryItem, Level, LineItem, Location, Order, Product, Variant
from .store import Store

if TYPE_CHECKING:
    from .bulk import BulkManager

KINDS: dict[type, str] = {
    Product: "Product",
    Variant: "ProductVariant",
    InventoryItem: "InventoryItem",
    Level: "InventoryLevel",
    Location: "Location",
    Customer: "Customer",
    Order: "Order",
    LineItem: "LineItem",
}
ORDER_WINDOW_SECONDS = 60 * 86400


@dataclass
class Shop:
    """The one shop the emulator hosts."""

    domain: str = "nexpura-demo.myshopify.com"
    name: str = "Nexpura Demo Jewellers"
    email: str = "owner@nexpura-demo.example"
    currency: str = "AUD"
    timezone: str = "Australia/Sydney"
    created_at: float = 1_700_000_000.0


@dataclass
class Ctx:
    store: Store
    shop: Shop
    now: float
    scopes: frozenset[str]
    version: str
    bulk_ops: BulkManager
    base_url: str
    app_key: str
    bulk: bool = False
    search: list[dict[str, Any]] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
    # runs a bulk query over the whole shop: (result data, error messages)
    run_bulk: Callable[[str], tuple[dict[str, Any] | None, list[str]]] | None = None

    def has(self, scope: str) -> bool:
        """``write_x`` implies ``read_x``, as on Shopify."""
        if scope in self.scopes:
            return True
        return scope.startswith("read_") and "write_" + scope[5:] in self.scopes

    def require(self, info: Info, scope: str) -> None:
        if self.has(scope):
            return
        needed = f"`{scope}` access scope."
        raise GraphQLError(
            f"Access denied for {info.field_name} field. Required access: {needed}",
            extensions={
                "code": "ACCESS_DENIED",
                "documentation": "https://shopify.dev/api/usage/access-scopes",
                "requiredAccess": needed,
            },
        )

    def order_visible(self, order: Order) -> bool:
        """Without ``read_all_orders`` only the last 60 days of orders exist for an app."""
        return self.has("read_all_orders") or order.created_at >= self.now - ORDER_WINDOW_SECONDS


Info: TypeAlias = "GraphQLResolveInfo[Ctx]"
