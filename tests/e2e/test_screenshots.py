"""Screenshots of the real app on a real X server with a real tray host (Xvfb + trayer).

A child process runs the app with ``QT_QPA_PLATFORM=xcb`` on a private Xvfb display where
``trayer`` provides the system tray, over a home holding the small demo shop with a few
services connected and one sync run.  It saves PNGs of each main-window page, the tray
menu (a grab of the screen with the tray and the open menu) and the Mailchimp and Shopify
connect dialogs into ``test-output/screenshots/``; they are copied to ``docs/screenshots/`` for the
README.  Skipped only when Xvfb is missing and not under CI (CI must have it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "test-output" / "screenshots"
DOCS = REPO / "docs" / "screenshots"
PAGES = ("integrations", "activity", "exports", "messages", "settings")
EXPECTED = [
    *(f"page-{p}.png" for p in PAGES),
    "tray-menu.png",
    "connect-mailchimp.png",
    "connect-shopify.png",
]

CHILD = r"""
import json, sys, threading, time
from pathlib import Path
from PySide6.QtCore import QPoint
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QSystemTrayIcon
from nexpura_desktop.engine.job import JobContext
from nexpura_desktop.engine.registry import Registry
from nexpura_desktop.exports import backups
from nexpura_desktop.ledger import connections, demo
from nexpura_desktop.ledger.db import Ledger
from nexpura_desktop.paths import resolve
from nexpura_desktop.ui.backend import Backend
from nexpura_desktop.ui.shell import Shell

home, out = Path(sys.argv[1]), Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
app = QApplication(sys.argv[:1])
deadline = time.monotonic() + 10
while not QSystemTrayIcon.isSystemTrayAvailable() and time.monotonic() < deadline:
    QTest.qWait(100)
tray = QSystemTrayIcon.isSystemTrayAvailable()

class Job:
    def run(self, ctx: JobContext) -> None:
        ctx.count("created", 12)
        ctx.count("updated", 3)
        ctx.progress("products", 15, 15)

registry = Registry()
for service in ("shopify", "mailchimp"):
    registry.register(f"{service}.products.import", Job)
backups.register(registry)
paths = resolve(home)
backend = Backend(paths, registry)
with backend.ledger() as ledger:
    demo.load_demo(ledger, "small", 1)
    for service, account in (("shopify", "harbour-jewellers.myshopify.com"),
                             ("mailchimp", "Harbour Jewellers"),
                             ("xero", "Harbour Jewellers Pty Ltd")):
        connections.save_connected(ledger.conn, service, account=account,
                                   config={"schedule": {"kind": "interval", "minutes": 60}},
                                   secrets=[])
shell = Shell(backend)
shell.start()
window = shell.window
window.resize(1100, 760)
assert QTest.qWaitForWindowExposed(window)
finished = []
shell.bridge.runFinished.connect(finished.append)
shell.sync("all")
deadline = time.monotonic() + 20
while len(finished) < 2 and time.monotonic() < deadline:
    QTest.qWait(50)
window.refresh()
QTest.qWait(300)
for page in ("integrations", "activity", "exports", "messages", "settings"):
    window.show_page(page)
    QTest.qWait(300)
    assert window.grab().save(str(out / f"page-{page}.png"))
window.show_page("integrations")

menu = shell.tray.menu
geometry = shell.tray.icon.geometry()
screen = QGuiApplication.primaryScreen()
at = geometry.bottomLeft() if geometry.isValid() else QPoint(screen.size().width() - 300, 30)
menu.popup(at)
QTest.qWait(500)
assert menu.isVisible()
shot = screen.grabWindow(0)
assert shot.save(str(out / "tray-menu.png"))
menu.hide()

window.integrations.connect_service("mailchimp")
dialog = window.integrations.connect_dialog
assert QTest.qWaitForWindowExposed(dialog)
QTest.keyClicks(dialog.edits["api_key"], "0123456789abcdef")
QTest.qWait(300)
assert dialog.grab().save(str(out / "connect-mailchimp.png"))
dialog.reject()
QTest.qWait(100)

window.integrations.connect_service("shopify")
dialog = window.integrations.connect_dialog
assert QTest.qWaitForWindowExposed(dialog)
dialog.methods[1].click()  # sign in with the shop's own custom app
QTest.keyClicks(dialog.edits["shop"], "harbour-jewellers")
QTest.keyClicks(dialog.edits["client_id"], "5e1f0c1b2a3d4c5b6a7988776655aa01")
QTest.qWait(300)
assert dialog.grab().save(str(out / "connect-shopify.png"))
dialog.reject()
print(json.dumps({"tray": tray, "tray_geometry": [geometry.x(), geometry.y(), geometry.width(),
                                                  geometry.height()],
                  "runs": len(finished), "actions": shell.tray.action_texts()}))
shell.shutdown(10)
"""


def _free_display() -> int:
    for number in range(90, 140):
        if (
            not Path(f"/tmp/.X11-unix/X{number}").exists()
            and not Path(f"/tmp/.X{number}-lock").exists()
        ):
            return number
    pytest.fail("no free X display number between :90 and :139")


@pytest.fixture
def xvfb() -> Iterator[dict[str, str]]:
    if shutil.which("Xvfb") is None:
        if os.environ.get("CI"):
            pytest.fail("Xvfb is missing on CI (apt-get install -y xvfb trayer)")
        pytest.skip("Xvfb is not installed (apt-get install -y xvfb trayer)")
    number = _free_display()
    display = f":{number}"
    server = subprocess.Popen(
        ["Xvfb", display, "-screen", "0", "1280x900x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    procs = [server]
    try:
        deadline = time.monotonic() + 10
        while not Path(f"/tmp/.X11-unix/X{number}").exists():
            assert server.poll() is None, "Xvfb exited at start"
            assert time.monotonic() < deadline, "Xvfb did not start"
            time.sleep(0.05)
        env = {**os.environ, "DISPLAY": display}
        if shutil.which("trayer") is not None:
            procs.append(
                subprocess.Popen(
                    ["trayer", "--edge", "top", "--align", "right", "--widthtype", "request",
                     "--height", "28", "--transparent", "false", "--SetDockType", "true"],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )  # fmt: skip
        elif os.environ.get("CI"):
            pytest.fail("trayer is missing on CI (apt-get install -y trayer)")
        yield env
    finally:
        for proc in reversed(procs):
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)


def test_screenshots_of_every_page_the_tray_menu_and_a_connect_dialog(
    xvfb: dict[str, str], tmp_path: Path
) -> None:
    import json

    if OUT.exists():
        shutil.rmtree(OUT)
    env = {
        **xvfb,
        "QT_QPA_PLATFORM": "xcb",
        "NEXPURA_DESKTOP_KEYRING": "memory",
        "NEXPURA_DESKTOP_HOME": str(tmp_path / "home"),
        "PYTHONPATH": str(REPO),
    }
    env.pop("NEXPURA_DESKTOP_SANDBOX", None)
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(tmp_path / "home"), str(OUT)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=REPO,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    if shutil.which("trayer") is not None:
        assert report["tray"] is True, "trayer runs but Qt found no system tray"
    assert report["runs"] >= 2
    for name in EXPECTED:
        path = OUT / name
        assert path.stat().st_size > 2000, name
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    DOCS.mkdir(parents=True, exist_ok=True)
    for name in EXPECTED:
        shutil.copyfile(OUT / name, DOCS / name)
