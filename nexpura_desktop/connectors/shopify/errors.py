"""Shopify-specific failures, as subclasses of the engine's classified sync errors.

The engine only needs the class (configuration / auth / transient / record); the extra
fields let a stream act: ``StockChanged`` says which levels moved under us so the export
re-reads and recomputes instead of overwriting an online sale (ARCHITECTURE §4.5).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...engine.errors import ConfigurationError, RecordError, Transient

STALE_CODES = frozenset(
    {"COMPARE_QUANTITY_STALE", "CHANGE_FROM_QUANTITY_STALE", "COMPARE_QUANTITY_REQUIRED"}
)


@dataclass(frozen=True)
class ShopifyUserError:
    """One entry of a mutation's ``userErrors``."""

    message: str
    field: tuple[str, ...] = ()
    code: str | None = None

    @classmethod
    def from_json(cls, raw: Any) -> ShopifyUserError:
        raw = raw if isinstance(raw, dict) else {}
        field = raw.get("field") or ()
        return cls(
            message=str(raw.get("message") or "unknown error"),
            field=tuple(str(f) for f in field) if isinstance(field, list) else (),
            code=str(raw["code"]) if raw.get("code") else None,
        )


class UserErrors(RecordError):
    """Shopify refused one record (validation ``userErrors``): skip it, list it as an issue."""

    def __init__(self, operation: str, errors: list[ShopifyUserError]) -> None:
        self.operation = operation
        self.errors = tuple(errors)
        first = errors[0].message if errors else "unknown error"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(f"Shopify refused {_describe(operation)}: {first}{more}")

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(e.code for e in self.errors if e.code)


class StockChanged(UserErrors):
    """Stock moved on Shopify between our read and our compare-and-set write.

    Nothing was written.  The sync re-reads the levels, recomputes and tries again; the
    ``stale`` tuples name the (inventory item, location) pairs that moved when Shopify
    says which ones (``field`` points into ``input.quantities``).
    """

    def __init__(
        self, operation: str, errors: list[ShopifyUserError], stale: list[int] | None = None
    ) -> None:
        super().__init__(operation, errors)
        self.stale_indexes = tuple(stale or ())
        self.detail = (
            "the stock level changed on Shopify while we were updating it (probably an online "
            "sale); it will be read again and corrected on the next pass"
        )


class QueryCostTooHigh(ConfigurationError):
    """A single query asks for more points than Shopify allows (or the bucket holds)."""

    def __init__(self, requested: float, limit: float) -> None:
        super().__init__(
            f"a Shopify query was too large ({requested:.0f} points, limit {limit:.0f}); "
            "report this to support"
        )
        self.requested = requested
        self.limit = limit


class QueryRejected(ConfigurationError):
    """Shopify rejected the document itself (unknown field, wrong API version, scope)."""


class BulkOperationFailed(Transient):
    """A bulk operation ended FAILED/CANCELED/EXPIRED or never finished in time."""


def _describe(operation: str) -> str:
    names = {
        "productCreate": "the new product",
        "productUpdate": "the product update",
        "productVariantsBulkCreate": "the new variants",
        "productVariantsBulkUpdate": "the variant update",
        "customerCreate": "the new customer",
        "customerUpdate": "the customer update",
        "inventorySetQuantities": "the stock update",
        "inventoryAdjustQuantities": "the stock adjustment",
        "bulkOperationRunQuery": "the bulk export",
        "bulkOperationCancel": "the bulk export cancel",
    }
    return names.get(operation, operation)
