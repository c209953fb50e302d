"""``noop_resync``: Shopify and WooCommerce, nothing changed since the last sync.

A shop of 300 products, 200 customers and 300 orders is imported once per service
(in-process sandbox); then a second sync runs with nothing changed.  Reported per
service: requests of the second sync, streams (jobs) it ran, the ratio (goal ≤ 1 request
per stream), its wall seconds (goal < 1 s), and whether it wrote anything to the ledger.
WooCommerce customers have no modified filter, so that stream must read every page of
customers (⌈customers / 100⌉ requests) to see whether anything changed.
"""

from __future__ import annotations

import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

PRODUCTS, CUSTOMERS, ORDERS = 300, 200, 300


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
    from tests.integration.test_woocommerce_sync import World, shop

    world = World(folder / "woo.db")
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
        "wall_s": round(wall, 3),
        "wrote": seq() != before,
    }


def run() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        shopify = _shopify(folder)
        woo = _woocommerce(folder)
    worst = max(shopify["requests_per_stream"], woo["requests_per_stream"])
    return {
        "shopify": shopify,
        "woocommerce": woo,
        "bound_requests_per_stream": 1,
        "ratio": worst,
        "goal_met": worst <= 1 and max(shopify["wall_s"], woo["wall_s"]) < 1.0,
    }
