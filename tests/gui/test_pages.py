"""Pages switch from the list and the keyboard; Activity, Messages and Settings show the ledger."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QTableWidget
from pytestqt.qtbot import QtBot

from nexpura_desktop.ui.backend import Backend, ShopProfile
from nexpura_desktop.ui.main_window import PAGES
from nexpura_desktop.ui.shell import Shell
from nexpura_desktop.ui.strings import S

from .conftest import FakeJobs, connect


def _cell(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    assert item is not None
    return item.text()


def _run_row(backend: Backend, outcome: str, message: str) -> int:
    with backend.ledger() as ledger:
        cur = ledger.conn.execute(
            "INSERT INTO sync_runs(service, job, trigger, started_at, finished_at, outcome, "
            "created, message) VALUES ('shopify', 'shopify.products.import', 'manual', "
            "'2026-01-01T00:00:00+00:00', '2026-01-01T00:00:05+00:00', ?, 3, ?)",
            (outcome, message),
        )
        return int(cur.lastrowid or 0)


def test_pages_switch_by_list_and_shortcut(qtbot: QtBot, make_shell: Callable[..., Shell],
                                           backend: Backend) -> None:  # fmt: skip
    connect(backend, "shopify")
    window = make_shell().window
    assert window.current_page() == "integrations"
    for row, name in enumerate(PAGES):
        window.nav.setCurrentRow(row)
        assert window.current_page() == name
        assert window.stack.currentWidget() is window.pages[name]
    with qtbot.waitActive(window):
        window.activateWindow()
    window.nav.setFocus()
    QTest.keyClick(window.nav, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() == "exports"
    assert window.nav.currentRow() == PAGES.index("exports")


def test_activity_filters_runs_and_retries_and_skips_issues(
    qtbot: QtBot, make_shell: Callable[..., Shell], backend: Backend, fake_jobs: FakeJobs
) -> None:
    connect(backend, "shopify")
    _run_row(backend, "success", "Shopify success: 3 created.")
    run_id = _run_row(backend, "failed", "Shopify could not be reached.")
    with backend.ledger() as ledger:
        for local_id in ("c1", "c2"):
            ledger.conn.execute(
                "INSERT INTO sync_issues(service, job, local_table, local_id, reason, run_id) "
                "VALUES ('shopify', 'shopify.products.import', 'inventory', ?, "
                "'price is missing', ?)",
                (local_id, run_id),
            )
    shell = make_shell()
    window = shell.window
    window.show_page("activity")
    page = window.activity
    assert page.runs.rowCount() == 2
    page.outcome_filter.setCurrentIndex(page.outcome_filter.findData("failed"))
    assert page.runs.rowCount() == 1
    assert _cell(page.runs, 0, 6) == "Shopify could not be reached."
    assert page.issues.rowCount() == 2
    assert not page.retry_button.isEnabled()

    page.issues.selectRow(0)
    assert page.retry_button.isEnabled()
    chosen = page.selected_issue()
    with qtbot.waitSignal(shell.bridge.runFinished, timeout=10_000):
        QTest.mouseClick(page.retry_button, Qt.MouseButton.LeftButton)
    assert fake_jobs.runs == ["shopify.products.import"]
    with backend.ledger() as ledger:
        state = ledger.conn.execute(
            "SELECT state FROM sync_issues WHERE id = ?", (chosen,)
        ).fetchone()[0]
    assert state == "retry"

    page.issues.selectRow(0)
    skipped = page.selected_issue()
    QTest.mouseClick(page.skip_button, Qt.MouseButton.LeftButton)
    assert skipped not in [i.id for i in backend.open_issues()]
    assert page.issues.rowCount() == 1


def test_messages_page_lists_whatsapp_and_sms(make_shell: Callable[..., Shell],
                                              backend: Backend) -> None:  # fmt: skip
    connect(backend, "twilio")
    with backend.ledger() as ledger:
        ledger.conn.execute(
            "INSERT INTO whatsapp_sends(id, phone, message, status, sent_at) VALUES "
            "('w1', '+61412345678', 'Your ring is ready', 'delivered', '2026-02-02T10:00:00+00:00')"
        )
        ledger.conn.execute(
            "INSERT INTO sms_sends(id, phone, message, status, sent_at, error_message) VALUES "
            "('s1', '+61400000000', 'Repair due', 'failed', '2026-02-01T10:00:00+00:00', "
            "'21610 unsubscribed')"
        )
    window = make_shell().window
    window.show_page("messages")
    page = window.messages
    assert page.table.rowCount() == 2
    assert _cell(page.table, 0, 0) == S.CHANNEL_WHATSAPP
    assert _cell(page.table, 1, 5) == "21610 unsubscribed"
    page.channel.setCurrentIndex(page.channel.findData("sms"))
    assert page.table.rowCount() == 1
    assert not page.empty.isVisible()


def test_settings_save_shop_profile_and_refuse_a_bad_currency(
    make_shell: Callable[..., Shell], backend: Backend, monkeypatch: pytest.MonkeyPatch,
    tmp_path: object,
) -> None:  # fmt: skip
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    connect(backend, "xero")
    window = make_shell().window
    window.show_page("settings")
    page = window.settings
    page.currency.setText("nz")
    assert not page.save()
    assert page.message.text() == S.SETTINGS_CURRENCY_INVALID
    page.currency.setText("nzd")
    page.country.setText("New Zealand")
    page.timezone.setCurrentText("Pacific/Auckland")
    page.tax_inclusive.setChecked(False)
    page.close_to_tray.setChecked(False)
    assert page.save()
    assert backend.shop_profile() == ShopProfile("Pacific/Auckland", "New Zealand", "NZD", False)
    assert backend.close_to_tray() is False
