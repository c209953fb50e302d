"""``export``: the large demo shop exported to CSV (neutralising on) vs the ``sqlite3`` shell.

Both dump the same tables in the same run: ours via ``export_ledger`` in a fresh
interpreter (its own peak RSS reported), the shell as ``sqlite3 -csv -header db "SELECT *
FROM t" > t.csv`` per table.  Goal: ratio ≤ 2.0 and peak RSS ≤ 200 MB.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from .common import cached_demo_ledger, run_child

SIZE = "large"
SEED = 1
GOAL_RATIO = 2.0
GOAL_RSS_MB = 200.0

CHILD = """
import json, sys, time
from pathlib import Path
from nexpura_desktop.exports import export_ledger
from tests.benchmarks.common import peak_rss_mb
t = time.perf_counter()
result = export_ledger(Path(sys.argv[1]), Path(sys.argv[2]))
seconds = time.perf_counter() - t
print(json.dumps({"rows": result.total_rows, "seconds": seconds,
                  "bytes": sum(t.bytes for t in result.tables),
                  "tables": [t.name for t in result.tables], "peak_rss_mb": peak_rss_mb()}))
"""


def ledger_path() -> tuple[Path, str]:
    return cached_demo_ledger(SIZE, SEED), f"demo-{SIZE}"


def shell_dump(db: Path, tables: list[str], out: Path) -> float:
    """Seconds for the ``sqlite3`` shell to dump ``tables`` as CSV into ``out``."""
    shell = shutil.which("sqlite3")
    if shell is None:
        raise RuntimeError(
            "the sqlite3 command-line shell is not installed (apt-get install sqlite3)"
        )
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for table in tables:
        with (out / f"{table}.csv").open("wb") as sink:
            subprocess.run(
                [shell, "-readonly", "-csv", "-header", str(db), f'SELECT * FROM "{table}"'],
                stdout=sink,
                check=True,
            )
    return time.perf_counter() - started


def run() -> dict[str, Any]:
    db, source = ledger_path()
    with tempfile.TemporaryDirectory(prefix="bench-export-") as tmp:
        ours, process_wall = run_child(CHILD, str(db), str(Path(tmp) / "ours"))
        shell_seconds = shell_dump(db, list(ours["tables"]), Path(tmp) / "shell")
        shell_bytes = sum(p.stat().st_size for p in (Path(tmp) / "shell").iterdir())
    ratio = ours["seconds"] / shell_seconds
    return {
        "name": "export",
        "ledger": source,
        "rows": ours["rows"],
        "tables": len(ours["tables"]),
        "ours_s": round(ours["seconds"], 3),
        "ours_process_s": round(process_wall, 3),
        "shell_s": round(shell_seconds, 3),
        "ratio": round(ratio, 3),
        "rows_per_s": round(ours["rows"] / ours["seconds"]),
        "ours_mb": round(ours["bytes"] / 1e6, 1),
        "shell_mb": round(shell_bytes / 1e6, 1),
        "peak_rss_mb": round(ours["peak_rss_mb"], 1),
        "goal_ratio": GOAL_RATIO,
        "goal_rss_mb": GOAL_RSS_MB,
        "ok": ratio <= GOAL_RATIO and ours["peak_rss_mb"] <= GOAL_RSS_MB,
    }


if __name__ == "__main__":
    import json

    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    print(json.dumps(run()))
