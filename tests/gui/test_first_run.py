"""First run: nothing configured → welcome page; the demo and the import set the app up."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from nexpura_desktop.ui.backend import Backend
from nexpura_desktop.ui.shell import Shell
from nexpura_desktop.ui.strings import S
from tests.unit.export_files import TENANT_ID, export_document, write_export


def test_fresh_home_offers_demo_or_import(make_shell: Callable[..., Shell]) -> None:
    shell = make_shell()
    window = shell.window
    assert window.current_page() == "first_run"
    assert not window.nav.isVisible()
    assert window.first_run.demo_button.text() == S.WELCOME_DEMO
    assert window.first_run.import_button.text() == S.WELCOME_IMPORT


def test_demo_loads_shop_starts_sandbox_and_connects_without_accounts(
    qtbot: QtBot,
    make_shell: Callable[..., Shell],
    backend: Backend,
    allow_qt_message: Callable[[str], None],
) -> None:
    allow_qt_message("This plugin does not support propagateSizeHints()")  # offscreen
    shell = make_shell()
    page = shell.window.first_run
    with qtbot.waitSignal(page.ready, timeout=60_000) as ready:
        QTest.mouseClick(page.demo_button, Qt.MouseButton.LeftButton)
    assert ready.args == [S.WELCOME_DEMO_READY]
    assert shell.window.current_page() == "integrations"
    assert backend.has_shop()
    url = backend.sandbox_url()
    assert url is not None and url.startswith("http://127.0.0.1:")
    assert shell.window.windowTitle() == S.WINDOW_TITLE_SANDBOX

    card = shell.window.integrations.cards["woocommerce"]
    assert card.badge.state == "disconnected"
    QTest.mouseClick(card.connect_button, Qt.MouseButton.LeftButton)
    dialog = shell.window.integrations.connect_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.start_button.isEnabled()  # sandbox: the fields may stay empty
    with qtbot.waitSignal(dialog.finished, timeout=30_000):
        QTest.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    assert card.badge.state == "connected", dialog.status.text()
    assert backend.connection("woocommerce").config["sandbox"] == url
    assert not card.connect_button.isVisible()
    assert card.sync_button.isEnabled()


def test_import_of_a_nexpura_export(
    qtbot: QtBot, make_shell: Callable[..., Shell], backend: Backend, tmp_path: Path
) -> None:
    document = export_document(
        {"customers": [{"id": "c1", "tenant_id": TENANT_ID, "full_name": "Ada Lovelace"}]}
    )
    path = write_export(tmp_path / "export.json", document)
    shell = make_shell()
    with qtbot.waitSignal(shell.window.first_run.ready, timeout=30_000) as ready:
        assert shell.window.first_run.start_import(path)
    assert "export.json" in str(ready.args[0])
    assert backend.has_shop()
    assert shell.window.current_page() == "integrations"


def test_a_bad_import_file_says_so_and_stays_on_the_welcome_page(
    qtbot: QtBot, make_shell: Callable[..., Shell], tmp_path: Path
) -> None:
    path = tmp_path / "not.json"
    path.write_text("this is not json", encoding="utf-8")
    shell = make_shell()
    page = shell.window.first_run
    assert page.start_import(path)
    qtbot.waitUntil(lambda: page.demo_button.isEnabled(), timeout=30_000)
    assert page.message.text().startswith(S.WELCOME_FAILED.split("{")[0])
    assert shell.window.current_page() == "first_run"
    assert page.demo_button.isEnabled()
