"""Start-up: the window is on screen before the core loads; the app fills it after."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from nexpura_desktop.errors import UserError
from nexpura_desktop.paths import resolve
from nexpura_desktop.ui.launch import Launch
from nexpura_desktop.ui.main_window import MainWindow
from nexpura_desktop.ui.shell import Shell


@pytest.fixture
def launches() -> Iterator[list[Launch]]:
    made: list[Launch] = []
    yield made
    for item in made:
        assert item.shutdown(10)
        item.window.close()
        item.window.deleteLater()


def test_the_window_frame_needs_none_of_the_core() -> None:
    code = (
        "import sys\n"
        "import nexpura_desktop.app, nexpura_desktop.ui.launch\n"
        "heavy = [m for m in ('nexpura_desktop.engine.engine', 'nexpura_desktop.ui.backend',"
        " 'nexpura_desktop.connectors.registry', 'httpx', 'keyring', 'sqlite3')"
        " if m in sys.modules]\n"
        "print(heavy)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "[]"


def test_window_shows_loading_then_the_app_after_its_first_paint(
    qtbot: QtBot, isolated_home: Path, launches: list[Launch]
) -> None:
    launch = Launch(resolve(isolated_home), tray_available=False)
    launches.append(launch)
    launch.show()
    assert launch.window.current_page() == "loading"  # the app is not built yet
    assert not launch.window.nav.isEnabled()
    qtbot.waitExposed(launch.window)
    with qtbot.waitSignal(launch.ready, timeout=30_000) as ready:
        pass
    shell: Shell = ready.args[0]
    assert shell is launch.shell
    assert shell.window is launch.window
    assert launch.window.current_page() == "first_run"  # a fresh home: the welcome page
    assert launch.window.nav.isEnabled()
    assert shell.timer.isActive()


def test_shortcuts_before_the_pages_exist_do_nothing(qtbot: QtBot) -> None:
    quits: list[bool] = []
    window = MainWindow(None, tray_available=False, request_quit=lambda: quits.append(True))
    qtbot.addWidget(window)
    window.show()
    window.nav.setCurrentRow(2)
    assert window.current_page() == "loading"
    window.refresh()  # harmless before attach
    window.quitting = True
    window.close()
    assert quits == []


def test_a_start_up_error_is_said_and_the_app_quits(
    qtbot: QtBot,
    isolated_home: Path,
    launches: list[Launch],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    said: list[str] = []

    def broken(self: Launch) -> object:
        raise UserError("the ledger was written by a newer Nexpura Desktop")

    monkeypatch.setattr(Launch, "_make_shell", broken)
    monkeypatch.setattr(QMessageBox, "critical", lambda _parent, _title, text: said.append(text))
    launch = Launch(resolve(isolated_home), tray_available=False)
    launches.append(launch)
    launch.build()
    assert launch.failed and launch.shell is None
    assert said and "newer Nexpura Desktop" in said[0]
    assert not launch.window.isVisible()


def test_the_local_api_starts_with_the_app_when_switched_on_and_stops_with_it(
    qtbot: QtBot,
    isolated_home: Path,
    launches: list[Launch],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from nexpura_desktop.api import config as api_config
    from nexpura_desktop.api.service import service_for
    from nexpura_desktop.app import open_window
    from nexpura_desktop.ledger.db import Ledger

    monkeypatch.setenv("NEXPURA_DESKTOP_KEYRING", "memory")
    paths = resolve(isolated_home).ensure()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    with Ledger(paths.ledger) as ledger:
        api_config.save(ledger.conn, api_config.ApiConfig(enabled=True, port=port))
    launch = open_window(paths)
    launches.append(launch)
    with qtbot.waitSignal(launch.ready, timeout=30_000) as ready:
        pass
    shell = ready.args[0]
    qtbot.waitUntil(lambda: shell.api_task is not None and not shell.api_task.running)
    service = service_for(shell.backend)
    assert service.running and service.url is not None and str(port) in service.url
    assert shell.shutdown(10)
    assert not service.running
