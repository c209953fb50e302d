"""``noop_resync``: Shopify and WooCommerce, nothing changed since the last sync.

A shop of 300 products, 200 customers and 300 orders is imported once per service
(in-process sandbox); then a second sync runs with nothing changed.  Reported per
service: requests of the second sync, streams (jobs) it ran, requests per stream and the
most any one stream made (the ratio: goal ≤ 1 request per stream), its wall seconds (goal
< 1 s), and whether it wrote anything to the ledger.  WooCommerce customers have no
modified filter: a quiet stream reads the newest page with ``X-WP-Total`` and re-reads
every page only for its periodic full scan (``jobs_import_customers.RESCAN_S``).
"""

from __future__ import annotations

import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

PRODUCTS, CUSTOMERS, ORDERS = 300, 200, 300
# Every WooCommerce stream on (imports and exports), as a shop selling both ways has it.
WOO_DIRECTIONS = {"products": "both", "customers": "both", "orders": "import",
                  "inventory": "export"}  # fmt: skip


def _shopify(folder: Path) -> dict[str, Any]:
    from nexpura_desktop.ledger.changes import latest_seq
    from tests.integration.test_shopify_sync_support import World, shop_data

    world = World(folder / "shopify.db")
    data = shop_data(PRODUCTS, orders=ORDERS)
    data["customers"] = [
        {"email": f"c{i}@larkspur.com.au", "first_name": f"C{i}", "last_name": "Lee"}
        for i in range(CUSTOMERS)
    ]
    world.seed(data)
    world.sync()
    return _second(world.sync, lambda: latest_seq(sqlite3.connect(world.path)))


def _woocommerce(folder: Path) -> dict[str, Any]:
    from nexpura_desktop.ledger.changes import latest_seq
    from tests.integration.test_woocommerce_sync import shop
    from tests.integration.woocommerce_support import sync_world

    world = sync_world(folder / "woo.db", WOO_DIRECTIONS)
    data = shop(PRODUCTS)
    data["customers"] = [
        {"email": f"w{i}@larkspur.com.au", "first_name": f"W{i}", "last_name": "Ng"}
        for i in range(CUSTOMERS)
    ]
    data["orders"] = [
        {"status": "completed", "date_created_gmt": f"2026-03-{1 + i % 28:02d}T{i % 24:02d}:00:00",
         "line_items": [{"sku": f"W-{i % PRODUCTS}", "quantity": 1}]}
        for i in range(ORDERS)
    ]  # fmt: skip
    with world.emu.lock:
        world.emu.seed(data)
    world.sync()
    return _second(world.sync, lambda: latest_seq(sqlite3.connect(world.path)))


def _second(sync: Any, seq: Any) -> dict[str, Any]:
    before = seq()
    started = time.perf_counter()
    result = sync()
    wall = time.perf_counter() - started
    streams = len(result.runs)
    return {
        "outcome": result.outcome,
        "requests": result.requests,
        "streams": streams,
        "requests_per_stream": round(result.requests / max(1, streams), 2),
        "most_in_one_stream": max((r.requests for r in result.runs), default=0),
        "wall_s": round(wall, 3),
        "wrote": seq() != before,
    }


def run() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        shopify = _shopify(folder)
        woo = _woocommerce(folder)
    worst = max(shopify["most_in_one_stream"], woo["most_in_one_stream"])
    return {
        "shopify": shopify,
        "woocommerce": woo,
        "bound_requests_per_stream": 1,
        "ratio": worst,
        "goal_met": worst <= 1 and max(shopify["wall_s"], woo["wall_s"]) < 1.0,
    }
