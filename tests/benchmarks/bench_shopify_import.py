"""``shopify_import``: the first full import of a big shop through the real sync jobs.

10 000 products × 3 variants, 20 000 customers and 50 000 orders (divide everything by
``NEXPURA_BENCH_SHOPIFY_IMPORT_DIV``, default 1) in the sandbox at Shopify's Standard
limits (bucket 2000 points, restore 100/s, 1000 points per query, bulk operations at
5000 objects/s) on a time-scaled clock (``NEXPURA_BENCH_SHOPIFY_SCALE``, default 50).
``nexpura-desktop sync shopify`` runs end to end: location, products, customers and
orders into a fresh ledger (first load → bulk operations), then the stock export.

Bounds, measured in the same run, in shop seconds (= real seconds at Shopify):

* ``paged_bound``: what paging the same data with the import's own page sizes would
  need at best under the rate limit — one request per page, and the points those pages
  cost (one sample page per stream, measured) beyond the full bucket, at the restore rate.
* ``bulk_bound``: the time Shopify itself spends producing the bulk files (the emulator's
  operation run times), which no client can beat.

``ratio`` estimates the import's real time against real Shopify — this machine's wall time
for the whole run (our ledger work *and* the emulator's, counted 1:1) plus the bulk
bound — over the paged bound.  ``ratio_scaled`` is the stricter raw figure: the sandbox
clock's elapsed time, in which every real second of local work counts ``SCALE`` times (so
on a loaded machine it mostly measures CPU contention).
"""

from __future__ import annotations

import asyncio
import math
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from nexpura_desktop.connectors.shopify import queries as q
from nexpura_desktop.connectors.shopify.client import ShopifyClient
from nexpura_desktop.connectors.shopify.jobs_import import LEVELS_FIRST, LINES_FIRST, VARIANTS_FIRST
from nexpura_desktop.connectors.shopify.limiter import CostLimiter
from nexpura_desktop.connectors.shopify.settings import ShopifySettings
from nexpura_desktop.connectors.shopify.streams import register
from nexpura_desktop.engine.registry import Registry
from nexpura_desktop.engine.run_due import run_sync
from nexpura_desktop.ledger import connections
from nexpura_desktop.ledger.db import Ledger
from nexpura_desktop.sandbox import Sandbox
from nexpura_desktop.sandbox.shopify import ShopifyEmulator

DIV = max(1, int(os.environ.get("NEXPURA_BENCH_SHOPIFY_IMPORT_DIV", "1")))
PRODUCTS, VARIANTS = 10_000 // DIV, 3
CUSTOMERS, ORDERS = 20_000 // DIV, 50_000 // DIV
SCALE = float(os.environ.get("NEXPURA_BENCH_SHOPIFY_SCALE", "50"))
DIRECTIONS = {"products": "import", "customers": "import", "orders": "import",
              "inventory": "export"}  # fmt: skip


class _Shop:
    def __init__(self) -> None:
        self.sandbox = Sandbox(services=["shopify"], time_scale=SCALE)
        emu = self.sandbox["shopify"]
        assert isinstance(emu, ShopifyEmulator)
        self.emu = emu
        self.waited = 0.0
        self.limiter = CostLimiter(emu.shop.domain, clock=emu.clock.time, sleep=self._sleep)

    async def _sleep(self, seconds: float) -> None:
        self.waited += max(0.0, seconds)
        await asyncio.sleep(max(0.0, seconds) / SCALE)

    async def settings(self, _ledger: Ledger) -> ShopifySettings:
        creds = self.emu.credentials()
        return ShopifySettings(
            base_url=str(creds["base_url"]),
            token=str(creds["admin_token"]),
            api_version=str(creds["api_version"]),
            transport=self.sandbox.transport(),
            limiter=self.limiter,
            timeout=120.0,
            clock=self.emu.clock.time,
        )


async def _page_costs(shop: _Shop) -> dict[str, tuple[int, float]]:
    """(page size, actual points of one full page) per stream, as the paged import asks."""
    creds = shop.emu.credentials()
    samples = {
        "products": (q.PRODUCTS, {"first": q.products_page_size(VARIANTS_FIRST, LEVELS_FIRST),
                     "variantsFirst": VARIANTS_FIRST, "levelsFirst": LEVELS_FIRST}),
        "customers": (q.CUSTOMERS, {"first": q.customers_page_size()}),
        "orders": (q.ORDERS, {"first": q.orders_page_size(LINES_FIRST),
                   "linesFirst": LINES_FIRST}),
    }  # fmt: skip
    out: dict[str, tuple[int, float]] = {}
    async with httpx.AsyncClient(transport=shop.sandbox.transport()) as http:
        client = ShopifyClient(http, base_url=creds["base_url"], token=creds["admin_token"],
                               api_version=creds["api_version"], limiter=shop.limiter)  # fmt: skip
        for name, (query, variables) in samples.items():
            before = client.points
            await client.execute(query, {**variables, "after": None, "query": None})
            out[name] = (int(variables["first"]), client.points - before)
    return out


def run() -> dict[str, Any]:
    shop = _Shop()
    with shop.emu.lock:
        shop.emu.seed({"generate": {"products": PRODUCTS, "variants_per_product": VARIANTS,
                                    "customers": CUSTOMERS, "orders": ORDERS}})  # fmt: skip
    maximum = float(shop.emu.settings["maximum_available"])
    rate = float(shop.emu.settings["restore_rate"])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ledger.db"
        with Ledger(path) as ledger:
            connections.save_connected(ledger.conn, "shopify", account="Bench shop",
                                       config={"shop": shop.emu.credentials()["shop"],
                                               "directions": DIRECTIONS}, secrets=[])  # fmt: skip
        registry = Registry()
        register(registry, settings=shop.settings)
        start_shop, start_wall = shop.emu.clock.time(), time.perf_counter()
        (result,) = run_sync(path, registry, "shopify")
        wall = time.perf_counter() - start_wall
        shop_seconds = shop.emu.clock.time() - start_shop
        with Ledger(path) as ledger:
            conn = ledger.conn
            counts = {t: int(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0])
                      for t in ("inventory", "customers", "sales", "sale_items")}  # fmt: skip
    with shop.emu.lock:
        ops = list(shop.emu.bulk_ops.ops.values())
    bulk_bound = sum(op.run_seconds for op in ops)
    costs = asyncio.run(_page_costs(shop))
    totals = {"products": PRODUCTS, "customers": CUSTOMERS, "orders": ORDERS}
    pages = {k: math.ceil(totals[k] / size) for k, (size, _) in costs.items()}
    points = sum(pages[k] * cost for k, (_, cost) in costs.items())
    paged_bound = max(0.0, points - maximum) / rate
    return {
        "name": "shopify_import",
        "outcome": result.outcome,
        "size_divisor": DIV,
        "products": PRODUCTS,
        "variants": PRODUCTS * VARIANTS,
        "customers": CUSTOMERS,
        "orders": ORDERS,
        "ledger_rows": counts,
        "requests": result.requests,
        "bulk_operations": len(ops),
        "wall_s": round(wall, 1),
        "shop_seconds": round(shop_seconds, 1),
        "paged_bound_requests": sum(pages.values()),
        "paged_bound_shop_seconds": round(paged_bound, 1),
        "ratio": round((wall + bulk_bound) / paged_bound, 3) if paged_bound else None,
        "ratio_scaled": round(shop_seconds / paged_bound, 3) if paged_bound else None,
        "bulk_bound_shop_seconds": round(bulk_bound, 1),
        "bulk_waited_shop_seconds": round(shop.waited, 1),
        "time_scale": SCALE,
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run()))
