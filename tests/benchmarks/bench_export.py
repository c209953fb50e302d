"""``export``: the large demo shop exported to CSV (neutralising on) vs the ``sqlite3`` shell.

Both dump the same tables in the same run: ours via ``export_ledger`` in a fresh
interpreter (its own peak RSS reported), the shell as ``sqlite3 -csv -header db "SELECT *
FROM t" > t.csv`` per table.  Goal: ratio ≤ 2.0 and peak RSS ≤ 200 MB.  The CPU-time
ratio (ours: the export's process time; the shell: its children's user + system time) is
reported too: on a busy machine it is far steadier than the wall-clock one.
"""

from __future__ import annotations

import resource
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
cpu = time.process_time()
result = export_ledger(Path(sys.argv[1]), Path(sys.argv[2]))
cpu = time.process_time() - cpu
seconds = time.perf_counter() - t
print(json.dumps({"rows": result.total_rows, "seconds": seconds, "cpu_seconds": cpu,
                  "bytes": sum(t.bytes for t in result.tables),
                  "tables": [t.name for t in result.tables], "peak_rss_mb": peak_rss_mb()}))
"""


def ledger_path() -> tuple[Path, str]:
    return cached_demo_ledger(SIZE, SEED), f"demo-{SIZE}"


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def shell_dump(db: Path, tables: list[str], out: Path) -> tuple[float, float]:
    """(wall, CPU) seconds for the ``sqlite3`` shell to dump ``tables`` as CSV into ``out``."""
    shell = shutil.which("sqlite3")
    if shell is None:
        raise RuntimeError(
            "the sqlite3 command-line shell is not installed (apt-get install sqlite3)"
        )
    out.mkdir(parents=True, exist_ok=True)
    cpu = _children_cpu()
    started = time.perf_counter()
    for table in tables:
        with (out / f"{table}.csv").open("wb") as sink:
            subprocess.run(
                [shell, "-readonly", "-csv", "-header", str(db), f'SELECT * FROM "{table}"'],
                stdout=sink,
                check=True,
            )
    return time.perf_counter() - started, _children_cpu() - cpu


def run() -> dict[str, Any]:
    db, source = ledger_path()
    with tempfile.TemporaryDirectory(prefix="bench-export-") as tmp:
        ours, process_wall = run_child(CHILD, str(db), str(Path(tmp) / "ours"))
        shell_seconds, shell_cpu = shell_dump(db, list(ours["tables"]), Path(tmp) / "shell")
        shell_bytes = sum(p.stat().st_size for p in (Path(tmp) / "shell").iterdir())
    ratio = ours["seconds"] / shell_seconds
    cpu_ratio = ours["cpu_seconds"] / shell_cpu
    rss_ok = ours["peak_rss_mb"] <= GOAL_RSS_MB
    return {
        "name": "export",
        "ledger": source,
        "rows": ours["rows"],
        "tables": len(ours["tables"]),
        "ours_s": round(ours["seconds"], 3),
        "ours_process_s": round(process_wall, 3),
        "shell_s": round(shell_seconds, 3),
        "ratio": round(ratio, 3),
        "ours_cpu_s": round(ours["cpu_seconds"], 3),
        "shell_cpu_s": round(shell_cpu, 3),
        "cpu_ratio": round(cpu_ratio, 3),
        "rows_per_s": round(ours["rows"] / ours["seconds"]),
        "ours_mb": round(ours["bytes"] / 1e6, 1),
        "shell_mb": round(shell_bytes / 1e6, 1),
        "peak_rss_mb": round(ours["peak_rss_mb"], 1),
        "goal_ratio": GOAL_RATIO,
        "goal_rss_mb": GOAL_RSS_MB,
        "ok": ratio <= GOAL_RATIO and rss_ok,
        "cpu_ok": cpu_ratio <= GOAL_RATIO and rss_ok,
    }


if __name__ == "__main__":
    import json

    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    print(json.dumps(run()))
