"""Shared benchmark plumbing: cached demo ledgers and peak-RSS measurement of a child."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("NEXPURA_BENCH_CACHE", Path(tempfile.gettempdir()) / "nexpura-bench"))


def cached_demo_ledger(size: str, seed: int = 1) -> Path:
    """A ledger holding the demo shop of ``size``, built once and reused across runs."""
    from nexpura_desktop.ledger import demo
    from nexpura_desktop.ledger.db import Ledger

    path = CACHE / f"demo-{size}-{seed}" / "ledger.sqlite3"
    done = path.with_suffix(".complete")
    if not done.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        for stale in path.parent.glob("ledger.sqlite3*"):
            stale.unlink()
        with Ledger(path) as ledger:
            demo.load_demo(ledger, size, seed)
            ledger.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        done.write_text("ok")
    return path


def run_child(code: str, *args: str) -> tuple[dict[str, Any], float]:
    """Run ``code`` in a fresh interpreter: (the last JSON line it printed, wall seconds).

    Children report their own peak RSS (``peak_rss_mb()``) in that JSON, so one run's
    figure is never confused with another's.
    """
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False, cwd=REPO
    )
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark child failed: {proc.stderr.strip()[-2000:]}")
    out = proc.stdout.strip().splitlines()
    return (json.loads(out[-1]) if out else {}), wall


def peak_rss_mb() -> float:
    """This process's peak resident set size in MB.

    ``VmHWM`` belongs to this exec'd image; ``ru_maxrss`` can carry a parent's peak over
    exec, so it is only the fallback where /proc is missing.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
