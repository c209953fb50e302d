"""``woocommerce_paging``: the WooCommerce client reading a large shop in-process.

10 000 variable products × 3 variations, 20 000 customers and 50 000 orders, read with
the client alone (no ledger writes: the ``woocommerce_import`` benchmark adds those once
the engine jobs exist).  Two lower bounds are reported next to the requests made:

* ``naive_lower_bound`` — every object / 100 per page (the brief's figure);
* ``api_lower_bound`` — what REST v3 allows: variations are only listed per parent
  product, so each variable product costs at least one request of its own.
"""

from __future__ import annotations

import asyncio
import math
import time
from typing import Any

PRODUCTS, VARIATIONS, CUSTOMERS, ORDERS = 10_000, 3, 20_000, 50_000


async def _read_all(client: Any) -> dict[str, int]:
    counts = {"products": 0, "variations": 0, "customers": 0, "orders": 0}
    parents: list[int] = []
    async for page in client.products():
        counts["products"] += len(page.items)
        parents += [p["id"] for p in page.items if p.get("type") == "variable"]
    for parent in parents:
        async for page in client.variations(parent):
            counts["variations"] += len(page.items)
    async for page in client.customers():
        counts["customers"] += len(page.items)
    async for page in client.orders():
        counts["orders"] += len(page.items)
    return counts


def run() -> dict[str, Any]:
    from nexpura_desktop.connectors.woocommerce.client import WooClient
    from nexpura_desktop.sandbox import Sandbox

    sandbox = Sandbox(services=["woocommerce"])
    emu = sandbox["woocommerce"]
    started = time.perf_counter()
    emu.seed(
        {
            "generate": {
                "products": PRODUCTS,
                "variations_per_product": VARIATIONS,
                "customers": CUSTOMERS,
                "orders": ORDERS,
                "seed": 1,
            }
        }
    )
    seed_s = time.perf_counter() - started
    creds = emu.credentials()

    async def main() -> tuple[dict[str, int], int, float]:
        async with WooClient(
            creds["store_url"],
            creds["read_only"]["consumer_key"],
            creds["read_only"]["consumer_secret"],
            transport=sandbox.transport(),
        ) as client:
            t = time.perf_counter()
            counts = await _read_all(client)
            return counts, client.requests, time.perf_counter() - t

    counts, requests, wall = asyncio.run(main())
    objects = sum(counts.values())
    naive = math.ceil(objects / 100)
    api = (
        math.ceil(PRODUCTS / 100)
        + PRODUCTS * math.ceil(VARIATIONS / 100)
        + math.ceil(CUSTOMERS / 100)
        + math.ceil(ORDERS / 100)
    )
    return {
        "name": "woocommerce_paging",
        "objects": counts,
        "requests": requests,
        "wall_s": round(wall, 2),
        "seed_s": round(seed_s, 2),
        "naive_lower_bound": naive,
        "api_lower_bound": api,
        "ratio_to_naive": round(requests / naive, 2),
        "ratio_to_api": round(requests / api, 3),
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run()))
