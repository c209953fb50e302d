"""``shopify_paging``: page 10 000 products × 3 variants at Shopify's real cost limits.

The emulator runs at Shopify's Standard figures (bucket 2000 points, restore 100/s,
1000 points per query) on a time-scaled clock (``NEXPURA_BENCH_SHOPIFY_SCALE``, default 50:
one real second is fifty shop seconds); the client's limiter reads that clock and sleeps
scaled time.  The lower bound is what the cost model allows at best: the points the pages
actually cost, minus the full bucket we start with, at the restore rate; and one request
per page.  Figures are in shop seconds so the ratio does not depend on the scale.
"""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any

import httpx

from nexpura_desktop.connectors.shopify import queries as q
from nexpura_desktop.connectors.shopify.client import ShopifyClient
from nexpura_desktop.connectors.shopify.limiter import CostLimiter
from nexpura_desktop.sandbox import Sandbox
from nexpura_desktop.sandbox.shopify import ShopifyEmulator

PRODUCTS = int(os.environ.get("NEXPURA_BENCH_SHOPIFY_PRODUCTS", "10000"))
VARIANTS = 3
SCALE = float(os.environ.get("NEXPURA_BENCH_SHOPIFY_SCALE", "50"))


async def _measure() -> dict[str, Any]:
    sandbox = Sandbox(services=["shopify"], time_scale=SCALE)
    emu = sandbox["shopify"]
    assert isinstance(emu, ShopifyEmulator)
    with emu.lock:
        emu.seed({"generate": {"products": PRODUCTS, "variants_per_product": VARIANTS}})
    maximum = float(emu.settings["maximum_available"])
    rate = float(emu.settings["restore_rate"])

    async def scaled_sleep(seconds: float) -> None:
        await asyncio.sleep(seconds / SCALE)

    limiter = CostLimiter(emu.shop.domain, clock=emu.clock.time, sleep=scaled_sleep)
    creds = emu.credentials()
    variables = {"first": q.products_page_size(10, 1), "variantsFirst": 10, "levelsFirst": 1}
    async with httpx.AsyncClient(transport=sandbox.transport()) as http:
        client = ShopifyClient(
            http,
            base_url=creds["base_url"],
            token=creds["admin_token"],
            api_version=creds["api_version"],
            limiter=limiter,
        )
        start_shop, start_wall = emu.clock.time(), time.perf_counter()
        products = variants = pages = 0
        async for page in client.iterate(q.PRODUCTS, variables, ["products"]):
            pages += 1
            products += len(page.nodes)
            variants += sum(len(p["variants"]["nodes"]) for p in page.nodes)
        shop_seconds = emu.clock.time() - start_shop
        wall = time.perf_counter() - start_wall
    bound_s = max(0.0, client.points - maximum) / rate
    bound_requests = -(-PRODUCTS // variables["first"])
    return {
        "name": "shopify_paging",
        "products": products,
        "variants": variants,
        "page_size": variables["first"],
        "requests": client.requests,
        "requests_lower_bound": bound_requests,
        "throttled": client.throttled,
        "points": round(client.points),
        "shop_seconds": round(shop_seconds, 1),
        "lower_bound_shop_seconds": round(bound_s, 1),
        "ratio": round(shop_seconds / bound_s, 3) if bound_s else None,
        "wall_s": round(wall, 1),
        "time_scale": SCALE,
    }


def run() -> dict[str, Any]:
    return asyncio.run(_measure())


if __name__ == "__main__":
    import json

    print(json.dumps(run()))
