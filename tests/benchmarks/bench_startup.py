"""``startup``: time to a shown main window vs a bare PySide6 window, in the same run.

Each figure is a fresh interpreter started by this process: the clock starts just before
the child is spawned and stops when the child's window is exposed (``qWaitForWindowExposed``
— the first frame is on screen).  The bare child imports PySide6 and shows an empty
``QMainWindow``; ours builds the real app (``Backend`` over a home holding the small demo
shop, ``Shell`` with window and tray, every page populated) exactly as ``run_gui`` does.
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
import sys
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
window = QMainWindow()
window.setWindowTitle("bare")
window.resize(1000, 700)
window.show()
assert QTest.qWaitForWindowExposed(window)
"""

APP = """
import sys
from pathlib import Path
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from nexpura_desktop.app import build_registry
from nexpura_desktop.paths import resolve
from nexpura_desktop.ui.backend import Backend
from nexpura_desktop.ui.icons import app_icon
from nexpura_desktop.ui.shell import Shell
app = QApplication(sys.argv[:1])
app.setWindowIcon(app_icon())
backend = Backend(resolve(sys.argv[1]), build_registry())
shell = Shell(backend)
shell.start()
assert QTest.qWaitForWindowExposed(shell.window)
shell.shutdown(10)
"""


def _time(code: str, *args: str) -> float:
    env = {**os.environ, "NEXPURA_DESKTOP_KEYRING": "memory"}
    env.setdefault("QT_QPA_PLATFORM", "xcb" if env.get("DISPLAY") else "offscreen")
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
        env=env,
    )
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"startup child failed: {proc.stderr.strip()[-2000:]}")
    return seconds


def run() -> dict[str, Any]:
    source = cached_demo_ledger("small", 1)
    bare: list[float] = []
    ours: list[float] = []
    with tempfile.TemporaryDirectory(prefix="nexpura-startup-") as tmp:
        for index in range(REPEATS):
            home = Path(tmp) / f"home{index}"
            (home / "data").mkdir(parents=True)
            shutil.copyfile(source, home / "data" / "ledger.sqlite3")
            bare.append(_time(BARE))
            ours.append(_time(APP, str(home)))
    bare_s, ours_s = statistics.median(bare), statistics.median(ours)
    return {
        "name": "startup",
        "window_shown_s": round(ours_s, 3),
        "bare_pyside6_s": round(bare_s, 3),
        "ratio": round(ours_s / bare_s, 3),
        "goal_ratio": GOAL_RATIO,
        "runs": REPEATS,
        "all_window_s": [round(s, 3) for s in ours],
        "all_bare_s": [round(s, 3) for s in bare],
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run()))
