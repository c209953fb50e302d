"""``import``: a large Nexpura export file imported into a fresh ledger.

Reports MB/s and the importer's peak RSS for a medium and a large file: flat memory means
the large file's peak is close to the medium one's although the file is ~10× bigger.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .common import CACHE, run_child

CHILD = """
import json, sys, tempfile, time
from pathlib import Path
from nexpura_desktop.ledger.db import Ledger
from nexpura_desktop.ledger.importer import import_export
from tests.benchmarks.common import peak_rss_mb
with tempfile.TemporaryDirectory() as d:
    with Ledger(Path(d) / "ledger.sqlite3") as ledger:
        t = time.perf_counter()
        result = import_export(ledger, Path(sys.argv[1]))
        seconds = time.perf_counter() - t
    rows = result.total("inserted")
print(json.dumps({"rows": rows, "seconds": seconds, "peak_rss_mb": peak_rss_mb()}))
"""


def export_file(size: str, seed: int = 1) -> Path:
    """A format-2.0 export of the demo shop, written row by row (cached)."""
    from nexpura_desktop.ledger import demo

    path = CACHE / f"export-{size}-{seed}.json"
    if path.exists():
        return path
    tables = demo.generate_tables(size=size, seed=seed)
    tmp = path.with_suffix(".partial")
    CACHE.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    with tmp.open("w", encoding="utf-8") as out:
        tenant = next(iter(tables["tenants"]))
        out.write('{"exported_at": "2026-11-01T00:00:00.000Z",\n"tenant": ')
        out.write(json.dumps(tenant, default=str))
        for name, rows in tables.items():
            if name == "tenants":
                continue
            out.write(f",\n{json.dumps(name)}: [")
            count = 0
            for row in rows:
                out.write(("," if count else "") + "\n" + json.dumps(row, default=str))
                count += 1
            out.write("]")
            counts[name] = count
        meta: dict[str, Any] = {
            "format_version": "2.0",
            "exported_by": "owner@example.com",
            "tables_exported": len(counts),
            "total_rows": sum(counts.values()),
            "record_counts": counts,
        }
        out.write(',\n"_storage_manifest": {},\n"_meta": ' + json.dumps(meta) + "}\n")
    tmp.replace(path)
    return path


def measure(size: str) -> dict[str, Any]:
    path = export_file(size)
    megabytes = path.stat().st_size / 1e6
    figures, _wall = run_child(CHILD, str(path))
    return {
        "file_mb": round(megabytes, 1),
        "rows": figures["rows"],
        "seconds": round(figures["seconds"], 2),
        "mb_per_s": round(megabytes / figures["seconds"], 2),
        "rows_per_s": round(figures["rows"] / figures["seconds"]),
        "peak_rss_mb": round(figures["peak_rss_mb"], 1),
    }


def run() -> dict[str, Any]:
    medium = measure("medium")
    large = measure("large")
    return {
        "name": "import",
        "medium": medium,
        "large": large,
        "file_size_ratio": round(large["file_mb"] / medium["file_mb"], 2),
        "peak_rss_ratio_large_to_medium": round(large["peak_rss_mb"] / medium["peak_rss_mb"], 2),
    }
