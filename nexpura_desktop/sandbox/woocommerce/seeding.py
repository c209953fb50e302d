"""Loading a starting state: the emulator's own JSON, a generated bulk shop, or the
ledger's demo shop.

``POST /_sandbox/seed`` body (every key optional)::

    {
      "settings":  {"timezone": "Australia/Sydney", "currency": "AUD",
                    "stock_change_touches_product": true},
      "products":  [{<wc/v3 product fields>, "id"?, "date_created_gmt"?,
                     "date_modified_gmt"?, "variations": [{<variation fields>}]}],
      "customers": [{<wc/v3 customer fields>, "date_created_gmt"?}],
      "orders":    [{<wc/v3 order fields>, "customer_email"?, "date_created_gmt"?,
                     "line_items": [{"sku" | "product_id" | "variation_id", "quantity"}]}],
      "webhooks":  [{"name", "topic", "delivery_url", "secret", "status"}],
      "generate":  {"products": 10000, "variations_per_product": 3, "customers": 20000,
                    "orders": 50000, "seed": 1}
    }

Seeded records are the shop's history: no webhooks fire and no stock moves.  Categories
may be given by ``name`` here (the REST API itself only takes existing term IDs).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from . import orders, products
from .control import apply_settings
from .store import Record
from .webhooks import new_webhook
from .wp import WPError

if TYPE_CHECKING:
    from .emulator import WooCommerceEmulator

DAY = 86_400
FIRST_NAMES = (
    "Olivia",
    "Jack",
    "Charlotte",
    "Noah",
    "Amelia",
    "Leo",
    "Isla",
    "Oliver",
    "Mia",
    "William",
    "Ava",
    "Henry",
    "Grace",
    "Thomas",
    "Chloe",
    "Lucas",
)
LAST_NAMES = (
    "Smith",
    "Nguyen",
    "Williams",
    "Brown",
    "Wilson",
    "Taylor",
    "Jones",
    "Martin",
    "Anderson",
    "Lee",
    "Walker",
    "Harris",
    "Ryan",
    "Chen",
    "Kelly",
    "King",
)
PIECES = ("Ring", "Pendant", "Bracelet", "Earrings", "Necklace", "Bangle", "Brooch", "Chain")
METALS = ("9ct Yellow Gold", "18ct White Gold", "Sterling Silver", "Platinum", "18ct Rose Gold")
STONES = ("Diamond", "Sapphire", "Emerald", "Ruby", "Pearl", "Opal", "Tanzanite", "")
SIZES = ("J", "L", "N", "P", "R", "T")


def _dates(emu: WooCommerceEmulator, record: Record, source: Mapping[str, Any]) -> None:
    site = emu.site
    created = site.parse(source.get("date_created_gmt"), gmt=True) or site.parse(
        source.get("date_created"), gmt=False
    )
    modified = site.parse(source.get("date_modified_gmt"), gmt=True) or site.parse(
        source.get("date_modified"), gmt=False
    )
    if created is not None:
        record["created"] = created
        record["modified"] = max(created, record["modified"]) if modified is None else modified
    elif modified is not None:
        record["modified"] = modified


def seed(emu: WooCommerceEmulator, data: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(data, Mapping):
        raise ValueError("seed data must be an object")
    store = emu.store
    if isinstance(data.get("settings"), Mapping):
        apply_settings(emu, dict(data["settings"]))
    counts = dict.fromkeys(("products", "variations", "customers", "orders", "webhooks"), 0)
    try:
        for item in data.get("products") or []:
            record = products.new_product(store, item, seeding=True)
            for variation in item.get("variations") or []:
                child = products.new_variation(store, record, variation, seeding=True)
                _dates(emu, child, variation)
                counts["variations"] += 1
            _dates(emu, record, item)
            counts["products"] += 1
        for item in data.get("customers") or []:
            _dates(emu, orders.new_customer(store, item, seeding=True), item)
            counts["customers"] += 1
        for item in data.get("orders") or []:
            fields = dict(item)
            email = str(fields.pop("customer_email", "") or "").lower()
            if email and email in store.email_index:
                fields["customer_id"] = store.email_index[email]
            order = orders.new_order(store, fields, seeding=True)
            _dates(emu, order, item)
            for stamp in ("date_paid", "date_completed"):
                if order.get(stamp) is not None:
                    order[stamp] = order["modified"]
            counts["orders"] += 1
        for item in data.get("webhooks") or []:
            new_webhook(store, item, emu.site_now())
            counts["webhooks"] += 1
    except (WPError, KeyError, TypeError, ValueError, AttributeError) as exc:
        message = exc.message if isinstance(exc, WPError) else str(exc)
        raise ValueError(f"cannot seed: {message}") from exc
    if isinstance(data.get("generate"), Mapping):
        for name, count in generate(emu, data["generate"]).items():
            counts[name] += count
    for kind in store.versions:
        store.bump(kind)
    return counts


def generate(emu: WooCommerceEmulator, spec: Mapping[str, Any]) -> dict[str, int]:
    """A large, deterministic shop for benchmarks (records built straight into the store)."""
    rng = random.Random(int(spec.get("seed", 1)))
    store = emu.store
    now = store.now()
    n_products = int(spec.get("products", 0))
    n_variations = int(spec.get("variations_per_product", 0))
    span = int(spec.get("days", 730)) * DAY
    categories = [store.category(p + "s") for p in PIECES]
    targets: list[tuple[int, int, float]] = []  # (product_id, variation_id, price)
    for n in range(n_products):
        created = now - rng.randrange(span)
        price = float(rng.randrange(49, 9_000))
        piece = PIECES[n % len(PIECES)]
        name = f"{rng.choice(METALS)} {rng.choice(STONES)} {piece} {n + 1}".replace("  ", " ")
        record = products.new_product(
            store,
            {
                "name": name,
                "type": "variable" if n_variations else "simple",
                "sku": f"GEN-{n + 1:06d}",
                "regular_price": f"{price:.2f}",
                "manage_stock": not n_variations,
                "stock_quantity": rng.randrange(0, 6),
                "categories": [{"id": categories[n % len(categories)]}],
            },
        )
        record["created"] = created
        record["modified"] = created + rng.randrange(max(1, now - created))
        if not n_variations:
            targets.append((record["id"], 0, price))
        for v in range(n_variations):
            child = products.new_variation(
                store,
                record,
                {
                    "sku": f"GEN-{n + 1:06d}-{SIZES[v % len(SIZES)]}",
                    "regular_price": f"{price + 10 * v:.2f}",
                    "manage_stock": True,
                    "stock_quantity": rng.randrange(0, 4),
                    "attributes": [{"name": "Size", "option": SIZES[v % len(SIZES)]}],
                },
                seeding=True,
            )
            child["created"] = created
            child["modified"] = record["modified"]
            targets.append((record["id"], child["id"], price + 10 * v))
    n_customers = int(spec.get("customers", 0))
    customer_ids: list[int] = []
    for n in range(n_customers):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        customer = orders.new_customer(
            store,
            {
                "email": f"{first}.{last}.{n + 1}@example.com".lower(),
                "first_name": first,
                "last_name": last,
                "billing": {"first_name": first, "last_name": last, "country": "AU"},
            },
            seeding=True,
        )
        customer["created"] = customer["modified"] = now - rng.randrange(span)
        customer_ids.append(customer["id"])
    n_orders = int(spec.get("orders", 0))
    statuses = ("completed",) * 6 + ("processing", "processing", "cancelled", "refunded")
    for _ in range(n_orders if targets else 0):
        customer_id = rng.choice(customer_ids) if customer_ids and rng.random() < 0.8 else 0
        product_id, variation_id, price = rng.choice(targets)
        quantity = 1 if rng.random() < 0.9 else 2
        created = now - rng.randrange(span)
        record = _bulk_order(emu, customer_id, product_id, variation_id, price, quantity)
        record["status"] = rng.choice(statuses)
        record["created"] = created
        record["date_paid"] = created
        record["modified"] = created + rng.randrange(max(1, min(now - created, 30 * DAY)))
        if record["status"] == "completed":
            record["date_completed"] = record["modified"]
    return {
        "products": n_products,
        "variations": n_products * n_variations,
        "customers": n_customers,
        "orders": n_orders if targets else 0,
    }


def _bulk_order(
    emu: WooCommerceEmulator,
    customer_id: int,
    product_id: int,
    variation_id: int,
    price: float,
    quantity: int,
) -> Record:
    store = emu.store
    customer = store.customers.get(customer_id)
    billing = (
        {
            "first_name": customer["first_name"],
            "last_name": customer["last_name"],
            "email": customer["email"],
            "country": "AU",
        }
        if customer
        else {"first_name": "Guest", "email": "guest@example.com", "country": "AU"}
    )
    target = store.product_or_variation(variation_id or product_id) or {}
    record: Record = {
        "id": store.next_post_id(),
        "status": "completed",
        "currency": store.settings["currency"],
        "customer_id": customer_id,
        "customer_note": "",
        "billing": billing,
        "shipping": {},
        "payment_method": "stripe",
        "payment_method_title": "Credit card",
        "transaction_id": "",
        "created_via": "checkout",
        "order_key": store.order_key(),
        "line_items": [
            {
                "id": store.next_item_id(),
                "name": str(store.products.get(product_id, {}).get("name", "")),
                "product_id": product_id,
                "variation_id": variation_id,
                "quantity": quantity,
                "subtotal": orders.money(price * quantity),
                "total": orders.money(price * quantity),
                "sku": target.get("sku", ""),
                "price": price,
                "parent_name": None,
            }
        ],
        "shipping_total": "0.00",
        "total": orders.money(price * quantity),
        "date_paid": None,
        "date_completed": None,
        "stock_reduced": True,
        "meta_data": [],
        "created": 0,
        "modified": 0,
    }
    store.orders[record["id"]] = record
    return record


# -- the ledger's demo shop -------------------------------------------------------------------
def _text(row: Mapping[str, Any], *names: str) -> str:
    for name in names:
        value = row.get(name)
        if value not in (None, ""):
            return str(value)
    return ""


def _money(value: Any) -> str:
    try:
        return f"{float(value):.2f}"
    except (TypeError, ValueError):
        return ""


def _iso(value: Any) -> str | None:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value) if value else None


def seed_demo(
    emu: WooCommerceEmulator, tables: Mapping[str, Iterable[Mapping[str, Any]]]
) -> dict[str, Any]:
    """The shop's website as it might look before the app is connected.

    Most published inventory is already online as simple products (a few with a stale web
    price), three ring styles are online-only variable products, about a third of the
    shop's customers with an email have web accounts, a few customers exist online only,
    and there are recent web orders.
    """
    tenant = next(iter(tables.get("tenants", []) or []), None)
    if tenant:
        settings = {k: tenant[k] for k in ("currency", "timezone") if tenant.get(k)}
        apply_settings(emu, settings)
    data: dict[str, Any] = {"products": [], "customers": [], "orders": []}
    inventory = [
        row
        for row in tables.get("inventory", []) or []
        if (row.get("is_published") or row.get("listed_on_website"))
        and not row.get("deleted_at")
        and row.get("status") not in ("sold", "inactive", "unavailable")
    ]
    for n, row in enumerate(inventory):
        if n % 5 == 4:  # not everything made it onto the website
            continue
        price = _money(row.get("retail_price"))
        if n % 10 == 3 and price:
            price = _money(float(price) + 20)  # the web price was never updated
        data["products"].append(
            {
                "name": _text(row, "name") or "Untitled piece",
                "sku": _text(row, "sku"),
                "description": _text(row, "description"),
                "regular_price": price,
                "manage_stock": True,
                "stock_quantity": int(row.get("quantity") or 0),
                "categories": [{"name": _text(row, "category")}] if row.get("category") else [],
                "date_created_gmt": _iso(row.get("created_at")),
            }
        )
    for n, style in enumerate(("Classic Court Band", "Twist Solitaire Ring", "Milgrain Band")):
        data["products"].append(
            {
                "name": style,
                "type": "variable",
                "sku": f"WEB-RING-{n + 1}",
                "categories": [{"name": "Rings"}],
                "attributes": [
                    {
                        "id": 0,
                        "name": "Size",
                        "position": 0,
                        "visible": True,
                        "variation": True,
                        "options": list(SIZES[:3]),
                    }
                ],
                "variations": [
                    {
                        "sku": f"WEB-RING-{n + 1}-{size}",
                        "regular_price": str(450 + 150 * n),
                        "manage_stock": True,
                        "stock_quantity": 2,
                        "attributes": [{"id": 0, "name": "Size", "option": size}],
                    }
                    for size in SIZES[:3]
                ],
            }
        )
    shop_customers = [r for r in tables.get("customers", []) or [] if r.get("email")]
    for row in shop_customers[::3]:
        first = _text(row, "first_name") or _text(row, "full_name").split(" ")[0]
        last = _text(row, "last_name") or " ".join(_text(row, "full_name").split(" ")[1:])
        data["customers"].append(
            {
                "email": _text(row, "email"),
                "first_name": first,
                "last_name": last,
                "billing": {
                    "first_name": first,
                    "last_name": last,
                    "email": _text(row, "email"),
                    "phone": _text(row, "mobile", "phone"),
                    "country": "AU",
                },
                "date_created_gmt": _iso(row.get("created_at")),
            }
        )
    for n, (first, last) in enumerate((("Zara", "Okafor"), ("Ethan", "Brooks"), ("Ruby", "Dang"))):
        data["customers"].append(
            {
                "email": f"{first}.{last}@example.net".lower(),
                "first_name": first,
                "last_name": last,
                "billing": {
                    "first_name": first,
                    "last_name": last,
                    "email": f"{first}.{last}@example.net".lower(),
                    "country": "AU",
                    "postcode": f"20{n}0",
                },
            }
        )
    counts = seed(emu, {k: v for k, v in data.items() if k != "orders"})
    counts["orders"] = _demo_orders(emu)
    return counts


def _demo_orders(emu: WooCommerceEmulator) -> int:
    store = emu.store
    sellable = [p for p in store.products.values() if p.get("type") == "simple" and p.get("sku")]
    variations = list(store.variations.values())
    customers = list(store.customers.values())
    if not (sellable or variations):
        return 0
    now = store.now()
    made = 0
    for n in range(min(12, 2 * len(customers) + 2)):
        target = variations[n % len(variations)] if n % 4 == 0 and variations else None
        target = target or (sellable or variations)[n % len(sellable or variations)]
        customer = customers[n % len(customers)] if customers and n % 5 else None
        record = orders.new_order(
            store,
            {
                "status": ("completed", "processing", "completed", "on-hold")[n % 4],
                "customer_id": customer["id"] if customer else 0,
                "billing": {"first_name": "Guest", "email": f"guest{n}@example.org"}
                if customer is None
                else {
                    "first_name": customer.get("first_name", ""),
                    "last_name": customer.get("last_name", ""),
                },
                "payment_method": "stripe",
                "payment_method_title": "Credit card",
                "line_items": [{"sku": target["sku"], "quantity": 1}],
            },
            created_via="checkout",
            seeding=True,
        )
        record["created"] = record["modified"] = now - (n + 1) * 2 * DAY
        made += 1
    store.bump("orders")
    return made
