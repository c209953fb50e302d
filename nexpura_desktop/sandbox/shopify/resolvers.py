"""Field resolvers: the model objects answer GraphQL fields of the Admin schema.

A field without an entry in :data:`FIELDS` reads the model attribute of the same name in
snake_case (``productType`` -> ``product_type``), or a dict key; ``id`` becomes a gid.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any

from graphql import GraphQLError

from . import search
from .bulk import BulkOp
from .context import KINDS, Ctx, Info
from .ids import gid, gid_kind, parse_gid
from .model import Customer, InventoryItem, Level, Location, Order, Product, Variant
from .paging import connection, list_connection
from .search_fields import search_fields

Resolver = Callable[..., Any]
ALL_KINDS: dict[type, str] = {**KINDS, BulkOp: "BulkOperation"}


@cache
def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def field_resolver(source: Any, info: Info, **args: Any) -> Any:
    fn = FIELDS.get(info.parent_type.name, {}).get(info.field_name)
    if fn is not None:
        return fn(source, info, **args)
    if isinstance(source, dict):
        return source.get(info.field_name)
    if info.field_name == "id":
        return node_gid(source)
    if info.field_name == "legacyResourceId":
        return source.id
    return getattr(source, snake(info.field_name), None)


def node_gid(obj: Any) -> str:
    if isinstance(obj, Level):
        return f"{gid('InventoryLevel', obj.id)}?inventory_item_id={obj.item_id}"
    return gid(ALL_KINDS[type(obj)], obj.id)


def resolve_node_type(obj: Any, info: Info, _type: Any) -> str | None:
    if isinstance(obj, dict):
        return obj.get("__typename")
    return ALL_KINDS.get(type(obj))


def ctx_of(info: Info) -> Ctx:
    ctx: Ctx = info.context
    return ctx


def money_v2(ctx: Ctx, amount: str) -> dict[str, str]:
    return {"amount": amount, "currencyCode": ctx.shop.currency}


def money_bag(ctx: Ctx, amount: str) -> dict[str, Any]:
    money = money_v2(ctx, amount)
    return {"shopMoney": money, "presentmentMoney": money}


def count(n: int, limit: int | None = None) -> dict[str, Any]:
    if limit is not None and n > limit:
        return {"count": limit, "precision": "AT_LEAST"}
    return {"count": n, "precision": "EXACT"}


def filtered(ctx: Ctx, info: Info, resource: str, text: str | None) -> Callable[[Any], bool]:
    fields = search_fields(ctx)[resource]
    query = search.parse(text, fields)
    if query.warnings:
        ctx.search.append({"path": [info.field_name], "query": text, "warnings": query.warnings})
    return lambda row: query.matches(row, fields)


def root_connection(
    info: Info,
    resource: str,
    collection: Any,
    args: dict[str, Any],
    extra: Callable[[Any], bool] | None = None,
) -> dict[str, Any]:
    ctx = ctx_of(info)
    sort = str(args.get("sortKey") or "ID")
    match = filtered(ctx, info, resource, args.get("query"))
    predicate = match if extra is None else (lambda row: extra(row) and match(row))
    return connection(
        collection.index(sort),
        collection.rows,
        args,
        bulk=ctx.bulk,
        predicate=predicate,
        sort_value=lambda row: collection.sort_value(sort, row),
    )


def root_count(
    info: Info,
    resource: str,
    collection: Any,
    args: dict[str, Any],
    extra: Callable[[Any], bool] | None = None,
) -> dict[str, Any]:
    ctx = ctx_of(info)
    match = filtered(ctx, info, resource, args.get("query"))
    limit = args.get("limit")
    n = 0
    for row in collection.rows.values():
        if (extra is None or extra(row)) and match(row):
            n += 1
            if limit is not None and n > limit:
                break
    return count(n, limit)


def by_gid(kind: str, getter: Callable[[Ctx], Any]) -> Callable[[Ctx, Any], Any]:
    def fetch(ctx: Ctx, value: Any) -> Any:
        number = parse_gid(value, kind)
        if number is None:
            raise GraphQLError(
                f"Invalid global id '{value}'", extensions={"code": "argumentLiteralsIncompatible"}
            )
        return getter(ctx).get(number)

    return fetch


def _root(scope: str, fn: Callable[[Ctx, Info, dict[str, Any]], Any]) -> Resolver:
    def resolve(_source: Any, info: Info, **args: Any) -> Any:
        ctx = ctx_of(info)
        ctx.require(info, scope)
        return fn(ctx, info, args)

    return resolve


def _lookup(ctx: Ctx, value: Any) -> Any:
    kind = gid_kind(value) if isinstance(value, str) else None
    number = parse_gid(value)
    store = ctx.store
    tables: dict[str, Callable[[int], Any]] = {
        "Product": store.products.get,
        "ProductVariant": store.variants.get,
        "InventoryItem": store.items.get,
        "InventoryLevel": store.levels_by_id.get,
        "Location": store.locations.get,
        "Customer": store.customers.get,
        "Order": lambda n: o if (o := store.orders.get(n)) and ctx.order_visible(o) else None,
        "BulkOperation": ctx.bulk_ops.get,
    }
    if kind is None or number is None or kind not in tables:
        raise GraphQLError(
            f"Invalid global id '{value}'", extensions={"code": "argumentLiteralsIncompatible"}
        )
    return tables[kind](number)


def _visible_order(ctx: Ctx, value: Any) -> Any:
    order = by_gid("Order", lambda x: x.store.orders)(ctx, value)
    return order if order is not None and ctx.order_visible(order) else None


QUERY: dict[str, Resolver] = {
    "shop": lambda _s, info, **_a: shop_dict(ctx_of(info)),
    "products": _root(
        "read_products", lambda c, i, a: root_connection(i, "products", c.store.products, a)
    ),
    "product": _root(
        "read_products", lambda c, i, a: by_gid("Product", lambda x: x.store.products)(c, a["id"])
    ),
    "productsCount": _root(
        "read_products", lambda c, i, a: root_count(i, "products", c.store.products, a)
    ),
    "productVariants": _root(
        "read_products", lambda c, i, a: root_connection(i, "variants", c.store.variants, a)
    ),
    "productVariant": _root(
        "read_products",
        lambda c, i, a: by_gid("ProductVariant", lambda x: x.store.variants)(c, a["id"]),
    ),
    "customers": _root(
        "read_customers", lambda c, i, a: root_connection(i, "customers", c.store.customers, a)
    ),
    "customer": _root(
        "read_customers",
        lambda c, i, a: by_gid("Customer", lambda x: x.store.customers)(c, a["id"]),
    ),
    "customersCount": _root(
        "read_customers", lambda c, i, a: root_count(i, "customers", c.store.customers, a)
    ),
    "orders": _root(
        "read_orders",
        lambda c, i, a: root_connection(i, "orders", c.store.orders, a, c.order_visible),
    ),
    "order": _root("read_orders", lambda c, i, a: _visible_order(c, a["id"])),
    "ordersCount": _root(
        "read_orders", lambda c, i, a: root_count(i, "orders", c.store.orders, a, c.order_visible)
    ),
    "locations": _root(
        "read_locations",
        lambda c, i, a: root_connection(
            i,
            "locations",
            c.store.locations,
            a,
            None if a.get("includeInactive") else (lambda loc: loc.is_active),
        ),
    ),
    "location": _root(
        "read_locations",
        lambda c, i, a: (
            c.store.default_location()
            if a.get("id") is None
            else by_gid("Location", lambda x: x.store.locations)(c, a["id"])
        ),
    ),
    "inventoryItems": _root(
        "read_inventory", lambda c, i, a: root_connection(i, "inventoryItems", c.store.items, a)
    ),
    "inventoryItem": _root(
        "read_inventory",
        lambda c, i, a: by_gid("InventoryItem", lambda x: x.store.items)(c, a["id"]),
    ),
    "inventoryLevel": _root(
        "read_inventory",
        lambda c, i, a: by_gid("InventoryLevel", lambda x: x.store.levels_by_id)(c, a["id"]),
    ),
    "bulkOperation": lambda _s, info, **a: by_gid("BulkOperation", lambda x: x.bulk_ops)(
        ctx_of(info), a["id"]
    ),
    "currentBulkOperation": lambda _s, info, **a: ctx_of(info).bulk_ops.current(
        ctx_of(info).app_key, a.get("type", "QUERY")
    ),
    "bulkOperations": lambda _s, info, **a: root_connection(
        info, "bulkOperations", ctx_of(info).bulk_ops.collection(ctx_of(info).app_key), a
    ),
    "node": lambda _s, info, **a: _lookup(ctx_of(info), a["id"]),
    "nodes": lambda _s, info, **a: [_lookup(ctx_of(info), v) for v in a["ids"]],
}


def shop_dict(ctx: Ctx) -> dict[str, Any]:
    shop = ctx.shop
    return {
        "__typename": "Shop",
        "id": gid("Shop", 60_000_001),
        "name": shop.name,
        "email": shop.email,
        "contactEmail": shop.email,
        "myshopifyDomain": shop.domain,
        "currencyCode": shop.currency,
        "ianaTimezone": shop.timezone,
        "url": f"https://{shop.domain}",
        "createdAt": shop.created_at,
        "updatedAt": shop.created_at,
    }


def _product_fields() -> dict[str, Resolver]:
    def variants(p: Product, info: Info, **a: Any) -> Any:
        ctx = ctx_of(info)
        rows = ctx.store.variants_of(p)
        if a.get("sortKey") == "ID":
            rows.sort(key=lambda v: v.id)
        if a.get("reverse"):
            rows.reverse()
        return list_connection(rows, a, bulk=ctx.bulk)

    return {
        "variants": variants,
        "variantsCount": lambda p, i: count(len(p.variant_ids)),
        "totalInventory": lambda p, i: sum(
            ctx_of(i).store.available(v.inventory_item_id) for v in ctx_of(i).store.variants_of(p)
        ),
        "tracksInventory": lambda p, i: any(
            ctx_of(i).store.items.rows[v.inventory_item_id].tracked
            for v in ctx_of(i).store.variants_of(p)
        ),
    }


def _variant_fields() -> dict[str, Resolver]:
    def available_for_sale(v: Variant, info: Info) -> bool:
        store = ctx_of(info).store
        product = store.products.rows[v.product_id]
        stocked = store.available(v.inventory_item_id) > 0 or v.inventory_policy == "CONTINUE"
        return product.status == "ACTIVE" and stocked

    return {
        "sku": lambda v, i: ctx_of(i).store.variant_sku(v),
        "inventoryQuantity": lambda v, i: ctx_of(i).store.available(v.inventory_item_id),
        "inventoryItem": lambda v, i: ctx_of(i).store.items.rows[v.inventory_item_id],
        "product": lambda v, i: ctx_of(i).store.products.rows[v.product_id],
        "selectedOptions": lambda v, i: [{"name": n, "value": val} for n, val in v.options],
        "displayName": lambda v, i: (
            f"{ctx_of(i).store.products.rows[v.product_id].title} - {v.title}"
        ),
        "availableForSale": available_for_sale,
    }


def _item_fields() -> dict[str, Resolver]:
    def level(item: InventoryItem, info: Info, locationId: str) -> Any:
        return ctx_of(info).store.levels.get((item.id, parse_gid(locationId, "Location") or 0))

    def levels(item: InventoryItem, info: Info, **a: Any) -> Any:
        ctx = ctx_of(info)
        return list_connection(ctx.store.levels_of_item(item.id), a, bulk=ctx.bulk)

    return {
        "variant": lambda item, i: ctx_of(i).store.variants.rows[item.variant_id],
        "inventoryLevel": level,
        "inventoryLevels": levels,
        "duplicateSkuCount": lambda item, i: max(
            0, len(ctx_of(i).store.skus.get(item.sku or "", ())) - 1
        ),
        "unitCost": lambda item, i: (
            None if item.unit_cost is None else money_v2(ctx_of(i), item.unit_cost)
        ),
    }


def _quantities(lv: Level, info: Info, names: list[str]) -> list[dict[str, Any]]:
    known = {*lv.quantities, "on_hand"}
    return [
        {
            "id": f"{gid('InventoryQuantity', lv.id)}?inventory_item_id={lv.item_id}&name={name}",
            "name": name,
            "quantity": lv.quantity(name),
            "updatedAt": lv.updated_at,
        }
        for name in names
        if name in known
    ]


def _location_fields() -> dict[str, Resolver]:
    def address(loc: Location, info: Info) -> dict[str, Any]:
        a = dict(loc.address)
        parts = [
            a.get("address1"),
            a.get("city"),
            a.get("province"),
            a.get("zip"),
            a.get("country"),
        ]
        a["formatted"] = [p for p in parts if p]
        return a

    def levels(loc: Location, info: Info, **a: Any) -> Any:
        ctx = ctx_of(info)
        return list_connection(ctx.store.levels_at(loc.id), a, bulk=ctx.bulk)

    return {
        "address": address,
        "inventoryLevel": lambda loc, i, inventoryItemId: ctx_of(i).store.levels.get(
            (parse_gid(inventoryItemId, "InventoryItem") or 0, loc.id)
        ),
        "inventoryLevels": levels,
    }


def _customer_fields() -> dict[str, Resolver]:
    def display_name(c: Customer, info: Info) -> str:
        name = " ".join(p for p in (c.first_name, c.last_name) if p)
        return name or c.email or c.phone or ""

    def email_address(c: Customer, info: Info) -> Any:
        if not c.email:
            return None
        state = "INVALID" if c.marketing_state == "REDACTED" else c.marketing_state
        return {
            "emailAddress": c.email,
            "marketingState": state,
            "marketingOptInLevel": c.opt_in_level,
            "marketingUpdatedAt": c.consent_updated_at,
        }

    def consent(c: Customer, info: Info) -> Any:
        if not c.email:
            return None
        return {
            "marketingState": c.marketing_state,
            "marketingOptInLevel": c.opt_in_level,
            "consentUpdatedAt": c.consent_updated_at,
        }

    def spent(c: Customer, info: Info) -> Any:
        store = ctx_of(info).store
        total = sum(float(store.order_total(store.orders.rows[o])) for o in c.order_ids)
        return money_v2(ctx_of(info), f"{total:.2f}")

    return {
        "displayName": display_name,
        "defaultEmailAddress": email_address,
        "defaultPhoneNumber": lambda c, i: {"phoneNumber": c.phone} if c.phone else None,
        "emailMarketingConsent": consent,
        "numberOfOrders": lambda c, i: len(c.order_ids),
        "amountSpent": spent,
    }


def _order_fields() -> dict[str, Resolver]:
    def lines(o: Order, info: Info, **a: Any) -> Any:
        return list_connection(o.line_items, a, bulk=ctx_of(info).bulk)

    return {
        "customer": lambda o, i: ctx_of(i).store.customers.get(o.customer_id),
        "lineItems": lines,
        "currencyCode": lambda o, i: o.currency,
        "closed": lambda o, i: o.closed_at is not None,
        "displayFinancialStatus": lambda o, i: o.financial_status,
        "displayFulfillmentStatus": lambda o, i: o.fulfillment_status,
        "subtotalLineItemsQuantity": lambda o, i: sum(li.quantity for li in o.line_items),
        "subtotalPriceSet": lambda o, i: money_bag(ctx_of(i), ctx_of(i).store.order_subtotal(o)),
        "totalPriceSet": lambda o, i: money_bag(ctx_of(i), ctx_of(i).store.order_total(o)),
        "currentTotalPriceSet": lambda o, i: money_bag(ctx_of(i), ctx_of(i).store.order_total(o)),
        "totalTaxSet": lambda o, i: money_bag(ctx_of(i), o.total_tax),
        "totalDiscountsSet": lambda o, i: money_bag(ctx_of(i), o.total_discounts),
    }


def _line_fields() -> dict[str, Resolver]:
    return {
        "name": lambda li, i: (
            li.title if not li.variant_title else f"{li.title} - {li.variant_title}"
        ),
        "currentQuantity": lambda li, i: li.quantity,
        "variant": lambda li, i: ctx_of(i).store.variants.get(li.variant_id),
        "product": lambda li, i: ctx_of(i).store.products.get(li.product_id),
        "originalUnitPriceSet": lambda li, i: money_bag(ctx_of(i), li.price),
        "discountedUnitPriceSet": lambda li, i: money_bag(ctx_of(i), li.price),
        "originalTotalSet": lambda li, i: money_bag(
            ctx_of(i), f"{float(li.price) * li.quantity:.2f}"
        ),
    }


FIELDS: dict[str, dict[str, Resolver]] = {
    "QueryRoot": QUERY,
    "Product": _product_fields(),
    "ProductVariant": _variant_fields(),
    "InventoryItem": _item_fields(),
    "InventoryLevel": {
        "item": lambda lv, i: ctx_of(i).store.items.rows[lv.item_id],
        "location": lambda lv, i: ctx_of(i).store.locations.rows[lv.location_id],
        "quantities": _quantities,
    },
    "Location": _location_fields(),
    "Customer": _customer_fields(),
    "Order": _order_fields(),
    "LineItem": _line_fields(),
}
