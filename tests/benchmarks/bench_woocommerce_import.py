"""``woocommerce_import``: the first full WooCommerce import through the engine jobs.

The same shop as ``shopify_import`` — 10 000 variable products × 3 variations, 20 000
customers, 50 000 orders — served by the in-process sandbox with a per-request latency
and a number of PHP workers (``LATENCY``/``WORKERS``: WooCommerce has no published rate
limit; a site's response time and worker count are what bound a client).  Reported:
requests made, wall seconds, and the lower bound measured in the same run:

* ``bound_requests`` — pages of 100 for products, customers and orders, plus **one
  variations request per variable product** (REST v3 lists variations per parent only);
* ``bound_s`` — those requests spread over every worker, each taking the latency:
  ``ceil(bound_requests / WORKERS) × latency``.

``ratio`` is wall time over ``bound_s`` (goal ≤ 1.25); ``ratio_requests`` the same for
requests.  ``NEXPURA_BENCH_WOO_SCALE`` (default 1) shrinks the shop for development
(0.02 is 1/50th).
"""

from __future__ import annotations

import math
import os
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

PRODUCTS, VARIATIONS, CUSTOMERS, ORDERS = 10_000, 3, 20_000, 50_000
LATENCY = 0.2  # sandbox seconds per request: a modest shared host (real ones: 0.1–1 s)
WORKERS = 4
IMPORTS = {"products": "import", "customers": "import", "orders": "import", "inventory": "off"}


def _sizes(scale: float) -> dict[str, int]:
    return {
        "products": max(1, round(PRODUCTS * scale)),
        "customers": max(1, round(CUSTOMERS * scale)),
        "orders": max(1, round(ORDERS * scale)),
    }


def _seconds(run: Any) -> float:
    from datetime import datetime

    started = datetime.fromisoformat(run.started_at)
    return round((datetime.fromisoformat(run.finished_at) - started).total_seconds(), 2)


def bound_requests(sizes: dict[str, int]) -> int:
    pages = sum(math.ceil(sizes[k] / 100) for k in ("products", "customers", "orders"))
    return pages + sizes["products"]  # every product is variable: one variations request each


def run(scale: float | None = None) -> dict[str, Any]:
    from tests.integration.woocommerce_support import sync_world

    if scale is None:
        scale = float(os.environ.get("NEXPURA_BENCH_WOO_SCALE", "1"))
    sizes = _sizes(scale)
    with tempfile.TemporaryDirectory() as tmp:
        world = sync_world(Path(tmp) / "ledger.db", IMPORTS)
        started = time.perf_counter()
        with world.emu.lock:
            world.emu.seed(
                {
                    "settings": {"latency": LATENCY, "workers": WORKERS},
                    "generate": {**sizes, "variations_per_product": VARIATIONS, "seed": 1},
                }
            )
        seed_s = time.perf_counter() - started
        started = time.perf_counter()
        result = world.sync()
        wall = time.perf_counter() - started
        with sqlite3.connect(world.path) as db:
            rows = {
                t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("inventory", "customers", "sales")
            }
    bound = bound_requests(sizes)
    bound_s = math.ceil(bound / WORKERS) * world.emu.clock.real_seconds(LATENCY)
    return {
        "name": "woocommerce_import",
        "scale": scale,
        "shop": {**sizes, "variations": sizes["products"] * VARIATIONS},
        "outcome": result.outcome,
        "ledger_rows": rows,
        "requests": result.requests,
        "streams": {
            r.job.split(".")[1]: {"requests": r.requests, "s": _seconds(r)} for r in result.runs
        },
        "wall_s": round(wall, 2),
        "seed_s": round(seed_s, 2),
        "latency_s": LATENCY,
        "workers": WORKERS,
        "bound_requests": bound,
        "bound_s": round(bound_s, 2),
        "ratio_requests": round(result.requests / bound, 3),
        "ratio": round(wall / bound_s, 3),
        "goal_met": wall / bound_s <= 1.25,
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run()))
