"""Loading a shop: explicit objects, a compact generated spec, or the Nexpura demo shop.

``seed(data)`` JSON shape (every key optional)::

    {"shop": {"name", "email", "currency", "timezone"},
     "app": {"client_id", "client_secret", "redirect_uris": [...], "scopes": "a,b",
             "client_credentials": true, "refresh_seconds": 7776000},
     "settings": {"maximum_available": 2000, "restore_rate": 100, "max_query_cost": 1000,
                  "throttled_http_status": 200, "bulk_query_concurrency": 1,
                  "bulk_objects_per_second": 5000},
     "locations": [{"name", "address1", "city", "province", "zip", "country", "countryCode"}],
     "products": [{"title", "status", "vendor", "product_type", "tags", "description_html",
                   "handle", "created_at", "updated_at",
                   "variants": [{"sku", "price", "compare_at_price", "barcode", "title",
                                 "cost", "inventory": {"<location name>": 3}}]}],
     "customers": [{"email", "phone", "first_name", "last_name", "tags", "note",
                    "marketing_state": "SUBSCRIBED", "created_at", "updated_at"}],
     "orders": [{"email", "customer_email", "created_at", "updated_at", "financial_status",
                 "fulfillment_status", "currency", "tags", "cancelled_at", "closed_at",
                 "line_items": [{"sku", "title", "quantity", "price"}]}],
     "generate": {"products": 10000, "variants_per_product": 3, "customers": 20000,
                  "orders": 50000, "locations": 2, "seed": 1}}

Times are ISO 8601 strings.  Returns the number of objects created per kind.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from typing import Any

from .ids import parse_time
from .model import Product
from .store import Store, money

METALS = ("Gold", "Silver", "Platinum", "Rose Gold")
PIECES = ("Ring", "Pendant", "Bracelet", "Earrings", "Necklace", "Bangle")
SIZES = ("S", "M", "L", "XL")
FIRST = ("Olivia", "Jack", "Mia", "Noah", "Ava", "Leo", "Isla", "Henry", "Grace", "Oscar")
LAST = ("Smith", "Nguyen", "Brown", "Wilson", "Taylor", "Lee", "Martin", "Kelly", "Singh")


def _time(value: Any, default: float) -> float:
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        parsed = parse_time(value)
        if parsed is not None:
            return parsed
    return default


def _location_ids(store: Store, stock: Mapping[str, Any], now: float) -> dict[int, int]:
    by_name = {loc.name: loc.id for loc in store.locations.rows.values()}
    out: dict[int, int] = {}
    for name, qty in stock.items():
        if name not in by_name:
            by_name[name] = store.add_location(name, now).id
        out[by_name[name]] = int(qty)
    return out


def seed_objects(store: Store, data: Mapping[str, Any], now: float) -> dict[str, int]:
    counts = {"locations": 0, "products": 0, "variants": 0, "customers": 0, "orders": 0}
    for loc in data.get("locations") or []:
        fields = {k: v for k, v in loc.items() if k != "name"}
        store.add_location(str(loc.get("name") or "Shop location"), now, **fields)
        counts["locations"] += 1
    if not store.locations.rows:
        store.add_location(
            "Shop location",
            now,
            address1="1 George St",
            city="Sydney",
            country="Australia",
            countryCode="AU",
        )
        counts["locations"] += 1
    for raw in data.get("products") or []:
        counts["variants"] += add_product(store, raw, now)
        counts["products"] += 1
    for raw in data.get("customers") or []:
        add_customer(store, raw, now)
        counts["customers"] += 1
    for raw in data.get("orders") or []:
        add_order(store, raw, now)
        counts["orders"] += 1
    return counts


def add_product(store: Store, raw: Mapping[str, Any], now: float) -> int:
    created = _time(raw.get("created_at"), now)
    product = store.add_product(
        created,
        str(raw.get("title") or "Untitled"),
        handle=raw.get("handle"),
        status=str(raw.get("status") or "ACTIVE").upper(),
        vendor=str(raw.get("vendor") or ""),
        product_type=str(raw.get("product_type") or ""),
        tags=list(raw.get("tags") or []),
        description_html=str(raw.get("description_html") or ""),
    )
    variants = list(raw.get("variants") or [{}])
    for raw_variant in variants:
        title = str(raw_variant.get("title") or "Default Title")
        store.add_variant(
            product,
            created,
            price=money(raw_variant.get("price", 0)),
            sku=raw_variant.get("sku"),
            title=title,
            options=[("Title", title)] if title == "Default Title" else [("Size", title)],
            stock=_location_ids(store, raw_variant.get("inventory") or {}, now),
            compare_at_price=None
            if raw_variant.get("compare_at_price") is None
            else money(raw_variant["compare_at_price"]),
            barcode=raw_variant.get("barcode"),
            **(
                {"unit_cost": money(raw_variant["cost"])}
                if raw_variant.get("cost") is not None
                else {}
            ),
        )
    product.has_only_default_variant = len(variants) == 1 and variants[0].get("title") in (
        None,
        "Default Title",
    )
    product.updated_at = _time(raw.get("updated_at"), created)
    store.products.put(product)
    return len(variants)


def add_customer(store: Store, raw: Mapping[str, Any], now: float) -> None:
    created = _time(raw.get("created_at"), now)
    email = raw.get("email") or None
    if email and email.lower() in store.emails:
        return
    state = str(raw.get("marketing_state") or "NOT_SUBSCRIBED").upper()
    customer = store.add_customer(
        created,
        first_name=raw.get("first_name"),
        last_name=raw.get("last_name"),
        email=email,
        phone=raw.get("phone") if raw.get("phone") not in store.phones else None,
        tags=list(raw.get("tags") or []),
        note=raw.get("note"),
        marketing_state=state,
        opt_in_level="SINGLE_OPT_IN" if state == "SUBSCRIBED" else None,
        consent_updated_at=created if state == "SUBSCRIBED" else None,
    )
    customer.updated_at = _time(raw.get("updated_at"), created)
    store.customers.put(customer)


def add_order(store: Store, raw: Mapping[str, Any], now: float) -> None:
    created = _time(raw.get("created_at"), now)
    email = raw.get("customer_email") or raw.get("email")
    customer_id = store.emails.get(email.lower()) if email else None
    store.add_order(
        created,
        list(raw.get("line_items") or []),
        created_at=created,
        updated_at=_time(raw.get("updated_at"), created),
        processed_at=created,
        currency=str(raw.get("currency") or "AUD"),
        email=email,
        customer_id=customer_id,
        financial_status=str(raw.get("financial_status") or "PAID").upper(),
        fulfillment_status=str(raw.get("fulfillment_status") or "UNFULFILLED").upper(),
        tags=list(raw.get("tags") or []),
        cancelled_at=_time(raw["cancelled_at"], now) if raw.get("cancelled_at") else None,
        closed_at=_time(raw["closed_at"], now) if raw.get("closed_at") else None,
    )


def generate(store: Store, spec: Mapping[str, Any], now: float) -> dict[str, int]:
    """A large deterministic shop for benchmarks (ids and times increase together)."""
    rng = random.Random(int(spec.get("seed", 1)))
    n_products = int(spec.get("products", 0))
    per_product = max(1, int(spec.get("variants_per_product", 1)))
    n_customers = int(spec.get("customers", 0))
    n_orders = int(spec.get("orders", 0))
    n_locations = max(1, int(spec.get("locations", 1)))
    while len(store.locations) < n_locations:
        store.add_location(f"Location {len(store.locations) + 1}", now)
    locations = list(store.locations.rows)
    total = n_products + n_customers + n_orders
    start = now - 365 * 86400
    step = (365 * 86400) / max(1, total)
    t = start
    skus: list[str] = []
    for p in range(n_products):
        t += step
        product = store.add_product(
            t, f"{rng.choice(METALS)} {rng.choice(PIECES)} {p + 1}", vendor="Nexpura Demo"
        )
        product.has_only_default_variant = per_product == 1
        for v in range(per_product):
            sku = f"GEN-{p + 1:06d}-{v + 1}"
            skus.append(sku)
            size = SIZES[v % len(SIZES)] if per_product > 1 else "Default Title"
            store.add_variant(
                product,
                t,
                price=f"{rng.randint(50, 5000)}.00",
                sku=sku,
                title=size,
                options=[("Size", size)] if per_product > 1 else None,
                stock={loc: rng.randint(0, 5) for loc in locations},
            )
    for c in range(n_customers):
        t += step
        first, last = rng.choice(FIRST), rng.choice(LAST)
        store.add_customer(
            t,
            first_name=first,
            last_name=last,
            email=f"{first.lower()}.{last.lower()}.{c + 1}@example.com",
            marketing_state="SUBSCRIBED" if rng.random() < 0.4 else "NOT_SUBSCRIBED",
        )
    customer_ids = list(store.customers.rows)
    for _ in range(n_orders):
        t += step
        lines = [
            {"sku": rng.choice(skus), "quantity": rng.randint(1, 2)}
            if skus
            else {"title": "Gift card", "price": "50"}
            for _ in range(rng.randint(1, 3))
        ]
        customer_id = rng.choice(customer_ids) if customer_ids and rng.random() < 0.8 else None
        customer = store.customers.get(customer_id)
        store.add_order(
            t,
            lines,
            currency="AUD",
            customer_id=customer_id,
            email=customer.email if customer else None,
        )
    return {
        "products": n_products,
        "variants": n_products * per_product,
        "customers": n_customers,
        "orders": n_orders,
    }


def seed_demo(
    store: Store, tables: Mapping[str, Iterable[Mapping[str, Any]]], now: float
) -> dict[str, int]:
    """The online store of the demo shop: some of its pieces, some web-only customers and orders.

    Published inventory rows become products (one variant, stock at the row's location);
    about a third of the shop's customers with an email already have an online account, plus
    a few online-only customers; online orders buy published SKUs, and a few buy SKUs the shop
    does not have (web-only products deleted since, or typos) so the sync meets them.
    """
    rng = random.Random(7)
    locations = {}
    for row in tables.get("locations") or []:
        if row.get("is_active", True) is False:
            continue
        loc = store.add_location(
            str(row.get("name") or "Shop"),
            now,
            address1=row.get("address_line1"),
            city=row.get("suburb"),
            province=row.get("state"),
            zip=row.get("postcode"),
            country="Australia",
            countryCode="AU",
        )
        locations[row.get("id")] = loc.id
    if not locations:
        locations[None] = store.add_location(
            "Shop location", now, city="Sydney", country="Australia", countryCode="AU"
        ).id
    fallback = next(iter(locations.values()))
    inventory = [r for r in tables.get("inventory") or [] if r.get("sku")]
    published = [r for r in inventory if r.get("is_published")] or inventory[: len(inventory) // 2]
    counts = {
        "locations": len(locations),
        "products": 0,
        "variants": 0,
        "customers": 0,
        "orders": 0,
    }
    skus: list[str] = []
    for row in published:
        if str(row.get("status") or "") in ("sold", "inactive"):
            continue
        tags = [t for t in (row.get("category"), row.get("metal"), row.get("stone")) if t]
        product = store.add_product(
            _time(row.get("created_at"), now),
            str(row.get("name") or row["sku"]),
            description_html=f"<p>{row.get('description') or ''}</p>",
            product_type=str(row.get("category") or ""),
            vendor="Nexpura Demo Jewellers",
            tags=[str(t) for t in tags],
        )
        location_id = locations.get(row.get("location_id"), fallback)
        store.add_variant(
            product,
            product.created_at,
            price=money(row.get("retail_price") or 0),
            sku=str(row["sku"]),
            stock={location_id: int(row.get("quantity") or 0)},
            unit_cost=None if row.get("cost_price") is None else money(row["cost_price"]),
        )
        _settle(store, product, row, now)
        skus.append(str(row["sku"]))
        counts["products"] += 1
        counts["variants"] += 1
    customers = [r for r in tables.get("customers") or [] if r.get("email")]
    for row in customers[::3]:
        add_customer(
            store,
            {
                "email": row["email"],
                "phone": row.get("mobile") or row.get("phone"),
                "first_name": row.get("first_name")
                or (row.get("full_name") or "").split(" ")[0]
                or None,
                "last_name": row.get("last_name"),
                "tags": ["in-store"],
                "marketing_state": "SUBSCRIBED"
                if row.get("marketing_consent")
                else "NOT_SUBSCRIBED",
                "created_at": row.get("created_at"),
                "updated_at": row.get("updated_at"),
            },
            now,
        )
        counts["customers"] += 1
    for n in range(5):
        first, last = FIRST[n], LAST[n]
        add_customer(
            store,
            {
                "email": f"{first.lower()}.{last.lower()}@web.example",
                "first_name": first,
                "last_name": last,
                "tags": ["online"],
                "marketing_state": "SUBSCRIBED" if n % 2 else "NOT_SUBSCRIBED",
            },
            now - (30 - n) * 86400,
        )
        counts["customers"] += 1
    emails = sorted(store.emails)
    for n in range(12):
        lines = (
            [{"sku": rng.choice(skus), "quantity": 1}]
            if skus and n < 10
            else [
                {
                    "sku": f"WEB-ONLY-{n:03d}",
                    "title": "Engraving service",
                    "price": "45.00",
                    "quantity": 1,
                }
            ]
        )
        when = now - (40 - 3 * n) * 86400
        add_order(
            store,
            {
                "email": rng.choice(emails) if emails else None,
                "created_at": when,
                "line_items": lines,
            },
            now,
        )
        counts["orders"] += 1
    return counts


def _settle(store: Store, product: Product, row: Mapping[str, Any], now: float) -> None:
    product.updated_at = _time(row.get("updated_at"), product.created_at)
    store.products.put(product)
