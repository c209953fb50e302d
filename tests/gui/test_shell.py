"""App shell: closing with and without a tray, single instance, crashes, scheduled backups."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from nexpura_desktop import app
from nexpura_desktop.exports import backups
from nexpura_desktop.ui.backend import Backend
from nexpura_desktop.ui.crash import CrashHandler
from nexpura_desktop.ui.shell import Shell
from nexpura_desktop.ui.single_instance import SingleInstance, server_name
from nexpura_desktop.ui.strings import S

from .conftest import connect


def test_without_a_tray_closing_asks_first(
    make_shell: Callable[..., Shell], backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    connect(backend, "shopify")
    shell = make_shell(tray=False)
    assert shell.window.no_tray_banner.isVisible()
    assert shell.window.no_tray_banner.text() == S.NO_TRAY_BANNER
    asked: list[str] = []
    answer = QMessageBox.StandardButton.No

    def question(parent: object, title: str, text: str, *args: object) -> object:
        asked.append(title)
        return answer

    monkeypatch.setattr(QMessageBox, "question", question)
    quits: list[bool] = []
    monkeypatch.setattr(shell, "quit", lambda: quits.append(True))
    shell.window.request_quit = shell.quit
    shell.window.close()
    assert asked == [S.QUIT_TITLE]
    assert shell.window.isVisible() and quits == []
    answer = QMessageBox.StandardButton.Yes
    shell.window.close()
    assert asked == [S.QUIT_TITLE, S.QUIT_TITLE]
    assert quits == [True]


def test_with_a_tray_closing_hides_and_keeps_running(
    make_shell: Callable[..., Shell],
    backend: Backend,
    monkeypatch: pytest.MonkeyPatch,
    allow_qt_message: Callable[[str], None],
) -> None:
    allow_qt_message("This plugin does not support raise()")  # offscreen has no stacking
    connect(backend, "shopify")
    shell = make_shell(tray=True)
    monkeypatch.setattr(QMessageBox, "question", lambda *a: pytest.fail("must not ask"))
    assert not shell.window.no_tray_banner.isVisible()
    shell.window.close()
    assert not shell.window.isVisible() and shell.window.hid_to_tray
    assert not shell.closed
    shell.tray.actions.open_window()
    assert shell.window.isVisible()


def test_shutdown_cancels_running_work_and_waits(
    qtbot: QtBot, make_shell: Callable[..., Shell], backend: Backend, fake_jobs: object
) -> None:
    import threading

    connect(backend, "shopify")
    fake_jobs.hold = threading.Event()  # type: ignore[attr-defined]
    shell = make_shell()
    backend.sync_now("shopify")
    qtbot.waitUntil(lambda: backend.busy("shopify"))
    fake_jobs.hold.set()  # type: ignore[attr-defined]
    assert shell.shutdown(10)
    assert not backend.busy()
    assert shell.shutdown(10)  # idempotent


def test_second_instance_hands_over_and_exits(qtbot: QtBot, tmp_path: Path) -> None:
    name = server_name(tmp_path / "data") + "-test"
    first = SingleInstance(name)
    assert first.claim()
    try:
        second = SingleInstance(name)
        with qtbot.waitSignal(first.activated, timeout=5_000):
            assert not second.claim()
        other = SingleInstance(server_name(tmp_path / "elsewhere") + "-test")
        assert other.claim()  # another home is another app
        other.close()
    finally:
        first.close()
    again = SingleInstance(name)
    assert again.claim()  # the first one is gone: the next launch takes over
    again.close()


def test_crash_handler_writes_the_file_once_shows_one_dialog_and_keeps_running(
    qtbot: QtBot, tmp_path: Path, allow_qt_message: Callable[[str], None]
) -> None:
    allow_qt_message("This plugin does not support propagateSizeHints()")  # offscreen
    from nexpura_desktop.logs import register_secret

    register_secret("sk_live_topsecret_123")
    handler = CrashHandler(tmp_path / "crashes")
    handler.install()
    ticks: list[int] = []
    try:

        def boom() -> None:
            raise RuntimeError("token sk_live_topsecret_123 was refused")

        with qtbot.waitSignal(handler.crashed, timeout=5_000):
            QTimer.singleShot(0, boom)
        QTimer.singleShot(0, lambda: ticks.append(1))
        qtbot.waitUntil(lambda: ticks == [1])  # the event loop is still alive
        [crash] = (tmp_path / "crashes").iterdir()
        text = crash.read_text(encoding="utf-8")
        assert "RuntimeError" in text and "boom" in text
        assert "sk_live_topsecret_123" not in text
        assert handler.dialogs_shown == 1
        assert handler.dialog is not None and handler.dialog.isVisible()
        with qtbot.waitSignal(handler.crashed, timeout=5_000):
            QTimer.singleShot(0, boom)  # a second crash while the dialog is open
        assert len(list((tmp_path / "crashes").iterdir())) == 2
        assert handler.dialogs_shown == 1  # recorded, but no second dialog
    finally:
        handler.uninstall()
        if handler.dialog is not None:
            handler.dialog.close()
    assert sys.excepthook is not handler._hook


def test_crash_on_a_worker_thread_reaches_the_gui_thread(
    qtbot: QtBot, tmp_path: Path, allow_qt_message: Callable[[str], None]
) -> None:
    allow_qt_message("This plugin does not support propagateSizeHints()")  # offscreen
    import threading

    handler = CrashHandler(tmp_path / "crashes")
    handler.install()
    try:

        def worker() -> None:
            raise ValueError("worker broke")

        with qtbot.waitSignal(handler.crashed, timeout=5_000):
            threading.Thread(target=worker).start()
        assert handler.dialogs_shown == 1
        assert "ValueError" in next((tmp_path / "crashes").iterdir()).read_text()
    finally:
        handler.uninstall()
        if handler.dialog is not None:
            handler.dialog.close()


def test_scheduled_backup_runs_on_a_tick_and_keeps_the_last_n(
    qtbot: QtBot, make_shell: Callable[..., Shell], backend: Backend, tmp_path: Path
) -> None:
    connect(backend, "shopify")
    folder = tmp_path / "backups"
    backend.set_setting(backups.FOLDER_KEY, str(folder))
    backend.set_setting(backups.KEEP_KEY, 1)
    (folder / "nexpura-export-20000101-000000").mkdir(parents=True)
    (folder / "nexpura-export-20000101-000000" / "manifest.json").write_text("{}")
    backend.set_setting(backups.SCHEDULE_KEY, {"kind": "interval", "minutes": 1440})
    shell = make_shell()
    with qtbot.waitSignal(shell.bridge.runFinished, timeout=30_000) as done:
        shell.tick()
    assert (done.args[0].job, done.args[0].outcome) == (backups.JOB, "success")
    [kept] = backups.backups_in(folder)
    assert kept.name != "nexpura-export-20000101-000000"
    assert (kept / "tenants.csv").is_file()


def test_has_display(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    assert not app.has_display()
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    assert app.has_display()
    monkeypatch.delenv("WAYLAND_DISPLAY")
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert app.has_display()
    monkeypatch.delenv("QT_QPA_PLATFORM")
    monkeypatch.setattr(sys, "platform", "win32")
    assert app.has_display()


def test_app_registry_has_the_backup_job() -> None:
    assert backups.JOB in app.build_registry()
    assert QApplication.instance() is not None
