"""``make bench``: run every ``bench_*.py`` (or the ones named) and print one JSON line each.

Each benchmark module exposes ``run() -> dict`` returning its figures, the baseline or
bound measured in the same run, and the ratio between them.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    wanted = {a.removeprefix("bench_") for a in argv}
    modules = sorted(p.stem for p in HERE.glob("bench_*.py"))
    failures = 0
    for stem in modules:
        name = stem.removeprefix("bench_")
        if wanted and name not in wanted:
            continue
        started = time.monotonic()
        try:
            module = importlib.import_module(f"tests.benchmarks.{stem}")
            result = dict(module.run())
        except Exception as exc:  # a broken benchmark must not hide the others
            traceback.print_exc()
            result = {"name": name, "error": f"{type(exc).__name__}: {exc}"}
            failures += 1
        result.setdefault("name", name)
        result["bench_wall_s"] = round(time.monotonic() - started, 2)
        print(json.dumps(result), flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
