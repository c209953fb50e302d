"""Which ``query:`` search fields each resource answers (service-apis §1.4/§1.5), and how."""

from __future__ import annotations

from . import search
from .context import Ctx


def search_fields(ctx: Ctx) -> dict[str, search.Fields]:
    store = ctx.store
    return {
        "products": search.Fields(
            {
                "title": lambda p: p.title,
                "sku": lambda p: [store.variant_sku(v) for v in store.variants_of(p)],
                "status": lambda p: p.status,
                "vendor": lambda p: p.vendor,
                "product_type": lambda p: p.product_type,
                "handle": lambda p: p.handle,
                "tag": lambda p: p.tags,
                "id": lambda p: p.id,
                "updated_at": lambda p: p.updated_at,
                "created_at": lambda p: p.created_at,
            },
            default="title",
        ),
        "variants": search.Fields(
            {
                "sku": store.variant_sku,
                "title": lambda v: v.title,
                "barcode": lambda v: v.barcode,
                "product_id": lambda v: v.product_id,
                "id": lambda v: v.id,
                "updated_at": lambda v: v.updated_at,
                "created_at": lambda v: v.created_at,
            },
            numbers=frozenset({"id", "product_id"}),
            default="sku",
        ),
        "customers": search.Fields(
            {
                "email": lambda c: c.email,
                "phone": lambda c: c.phone,
                "first_name": lambda c: c.first_name,
                "last_name": lambda c: c.last_name,
                "tag": lambda c: c.tags,
                "state": lambda c: c.state,
                "name": lambda c: [c.first_name, c.last_name, c.email],
                "id": lambda c: c.id,
                "updated_at": lambda c: c.updated_at,
                "created_at": lambda c: c.created_at,
            },
            default="name",
        ),
        "orders": search.Fields(
            {
                "name": lambda o: [o.name, str(o.number)],
                "email": lambda o: o.email,
                "sku": lambda o: [li.sku for li in o.line_items],
                "financial_status": lambda o: o.financial_status,
                "fulfillment_status": lambda o: o.fulfillment_status,
                "status": lambda o: (
                    "cancelled" if o.cancelled_at else ("closed" if o.closed_at else "open")
                ),
                "customer_id": lambda o: o.customer_id,
                "tag": lambda o: o.tags,
                "id": lambda o: o.id,
                "updated_at": lambda o: o.updated_at,
                "created_at": lambda o: o.created_at,
                "processed_at": lambda o: o.processed_at,
            },
            numbers=frozenset({"id", "customer_id"}),
            default="name",
        ),
        "inventoryItems": search.Fields(
            {
                "sku": lambda i: i.sku,
                "id": lambda i: i.id,
                "updated_at": lambda i: i.updated_at,
                "created_at": lambda i: i.created_at,
            },
            default="sku",
        ),
        "locations": search.Fields(
            {
                "name": lambda loc: loc.name,
                "id": lambda loc: loc.id,
                "active": lambda loc: str(loc.is_active).lower(),
            },
            default="name",
        ),
        "bulkOperations": search.Fields(
            {
                "status": lambda b: b.status,
                "operation_type": lambda b: b.type,
                "id": lambda b: b.id,
                "created_at": lambda b: b.created_at,
            }
        ),
    }
