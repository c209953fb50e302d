"""``startup``: time to a shown main window vs a bare PySide6 window, in the same run.

Each figure is a fresh interpreter started by this process: the clock starts just before
the child is spawned and stops when the child's window is exposed (``qWaitForWindowExposed``
— the first frame is on screen); the child prints that moment's wall-clock time.  The bare
child imports PySide6 and shows an empty ``QMainWindow``; ours starts the real app the way
``run_gui`` does (``app.open_window``: the window's frame first, then — after its first
paint — ``Backend`` over a home holding the small demo shop, ``Shell`` with tray and every
page populated).  ``ready_s`` is when that app is complete (pages filled, scheduler
started), reported beside the goal figure so the deferral hides nothing.
``REPEATS`` alternating runs each; the medians are compared.  Goal: ratio ≤ 1.5.
Offscreen unless a display is set.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from .common import REPO, cached_demo_ledger

GOAL_RATIO = 1.5
REPEATS = int(os.environ.get("NEXPURA_BENCH_STARTUP_REPEATS", "5"))

BARE = """
import sys, time
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
window = QMainWindow()
window.setWindowTitle("bare")
window.resize(1000, 700)
window.show()
assert QTest.qWaitForWindowExposed(window)
print("shown", time.time(), flush=True)
"""

APP = """
import sys, time
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from nexpura_desktop.app import open_window
from nexpura_desktop.paths import resolve
from nexpura_desktop.ui.icons import app_icon
app = QApplication(sys.argv[:1])
app.setWindowIcon(app_icon())
launch = open_window(resolve(sys.argv[1]))
assert QTest.qWaitForWindowExposed(launch.window)
print("shown", time.time(), flush=True)
deadline = time.monotonic() + 60
while launch.shell is None and time.monotonic() < deadline:
    app.processEvents()
    time.sleep(0.001)
assert launch.shell is not None and launch.window.current_page() == "integrations"
print("ready", time.time(), flush=True)
assert launch.shutdown(10)
"""


def _time(code: str, *args: str) -> dict[str, float]:
    """Seconds from spawning the child to each moment it printed (``shown``, ``ready``)."""
    env = {**os.environ, "NEXPURA_DESKTOP_KEYRING": "memory"}
    env.setdefault("QT_QPA_PLATFORM", "xcb" if env.get("DISPLAY") else "offscreen")
    started = time.time()
    proc = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
        env=env,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"startup child failed: {proc.stderr.strip()[-2000:]}")
    moments = {}
    for line in proc.stdout.splitlines():
        name, _, stamp = line.partition(" ")
        if name in ("shown", "ready"):
            moments[name] = float(stamp) - started
    return moments


def run() -> dict[str, Any]:
    source = cached_demo_ledger("small", 1)
    bare: list[float] = []
    ours: list[float] = []
    ready: list[float] = []
    with tempfile.TemporaryDirectory(prefix="nexpura-startup-") as tmp:
        for index in range(REPEATS):
            home = Path(tmp) / f"home{index}"
            (home / "data").mkdir(parents=True)
            shutil.copyfile(source, home / "data" / "ledger.sqlite3")
            bare.append(_time(BARE)["shown"])
            moments = _time(APP, str(home))
            ours.append(moments["shown"])
            ready.append(moments["ready"])
    bare_s, ours_s = statistics.median(bare), statistics.median(ours)
    return {
        "name": "startup",
        "window_shown_s": round(ours_s, 3),
        "bare_pyside6_s": round(bare_s, 3),
        "ratio": round(ours_s / bare_s, 3),
        "goal_ratio": GOAL_RATIO,
        "ready_s": round(statistics.median(ready), 3),
        "ready_ratio": round(statistics.median(ready) / bare_s, 3),
        "runs": REPEATS,
        "all_window_s": [round(s, 3) for s in ours],
        "all_bare_s": [round(s, 3) for s in bare],
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run()))
