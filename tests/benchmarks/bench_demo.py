"""``demo``: loading the large demo shop into a fresh ledger (the export benchmark's input).

Runs in a child interpreter so the peak RSS is the load's own.  Goal: well under 180 s on
the 2-core reference machine; the ratio is seconds / 180.
"""

from __future__ import annotations

import os
from typing import Any

from .common import run_child

SIZE = os.environ.get("NEXPURA_BENCH_DEMO_SIZE", "large")
GOAL_S = 180.0

CHILD = """
import json, sys, tempfile, time
from pathlib import Path
from nexpura_desktop.ledger.db import Ledger
from nexpura_desktop.ledger.demo import load_demo
from tests.benchmarks.common import peak_rss_mb
with tempfile.TemporaryDirectory() as tmp:
    with Ledger(Path(tmp) / "ledger.sqlite3") as ledger:
        started = time.perf_counter()
        counts = load_demo(ledger, sys.argv[1])
        seconds = time.perf_counter() - started
        size_mb = (Path(tmp) / "ledger.sqlite3").stat().st_size / 1e6
print(json.dumps({"seconds": seconds, "rows": sum(counts.values()),
                  "sale_items": counts["sale_items"], "peak_rss_mb": peak_rss_mb(),
                  "ledger_mb": size_mb}))
"""


def run() -> dict[str, Any]:
    child, wall = run_child(CHILD, SIZE)
    seconds = float(child["seconds"])
    return {
        "name": "demo",
        "size": SIZE,
        "load_s": round(seconds, 1),
        "rows": child["rows"],
        "sale_items": child["sale_items"],
        "rows_per_s": round(child["rows"] / seconds),
        "peak_rss_mb": round(float(child["peak_rss_mb"]), 1),
        "ledger_mb": round(float(child["ledger_mb"]), 1),
        "goal_s": GOAL_S,
        "ratio": round(seconds / GOAL_S, 2),
        "child_wall_s": round(wall, 1),
    }


if __name__ == "__main__":
    print(run())
