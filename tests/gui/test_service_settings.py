"""The per-service settings dialogs against the sandbox (served in-process on loopback).

Each service is connected through its real flow; the dialog then lists the choices from
the account (audiences, the organisation's accounts and tax rates, calendars), the test
changes them with the keyboard and mouse, saves, and checks the stored settings and what
the ``*-settings`` command prints — the window and the CLI share one source of truth.
"""

from __future__ import annotations

import argparse
import asyncio
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from nexpura_desktop.auth.google import GoogleOptions
from nexpura_desktop.auth.mailchimp import MailchimpOptions
from nexpura_desktop.auth.xero import XeroOptions
from nexpura_desktop.connectors.google_calendar import commands as gcal_commands
from nexpura_desktop.connectors.mailchimp import commands as mc_commands
from nexpura_desktop.connectors.mailchimp.settings import (
    API_KEY_ITEM,
    load_settings,
)
from nexpura_desktop.connectors.mailchimp.streams import register as register_mailchimp
from nexpura_desktop.connectors.xero import commands as xero_commands
from nexpura_desktop.engine.registry import Registry
from nexpura_desktop.ledger import connections
from nexpura_desktop.paths import resolve
from nexpura_desktop.sandbox.runner import SandboxServer
from nexpura_desktop.secrets import MemoryKeyring, SecretStore
from nexpura_desktop.ui import service_settings
from nexpura_desktop.ui.backend import Backend
from nexpura_desktop.ui.service_settings import (
    ServiceSettingsDialog,
    has_settings,
    open_service_settings,
)
from nexpura_desktop.ui.shell import Shell
from nexpura_desktop.ui.strings import S
from tests.integration.connect_support import Browser

OFFSCREEN = ("This plugin does not support propagateSizeHints()", "does not support raise()")


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    server = SandboxServer(port_base=0, services=["mailchimp", "xero", "google"]).start_in_thread()
    yield server
    server.close()


@pytest.fixture
def store(keyring: MemoryKeyring) -> SecretStore:
    return SecretStore(service="Nexpura Desktop [gui test]", backend=keyring)


@pytest.fixture
def backend(isolated_home: Path, store: SecretStore, sandbox: SandboxServer) -> Iterator[Backend]:
    registry = Registry()
    register_mailchimp(
        registry,
        settings=lambda ledger: load_settings(ledger, api_key=lambda: store.get(API_KEY_ITEM)),
    )
    made = Backend(resolve(isolated_home), registry, sandbox_url=sandbox.hub_url, secrets=store)
    yield made
    made.shutdown(10)


@pytest.fixture(autouse=True)
def quiet_offscreen(allow_qt_message: Callable[[str], None]) -> None:
    for message in OFFSCREEN:  # what the offscreen platform cannot do; a desktop can
        allow_qt_message(message)


def connect(backend: Backend, options: object, button: str | None = None) -> None:
    """The real connect flow; ``button`` is what the person clicks on the consent page."""
    threads: list[threading.Thread] = []

    def open_url(url: str) -> None:
        def run() -> None:
            asyncio.run(Browser(httpx.AsyncHTTPTransport()).consent(url, str(button)))

        thread = threading.Thread(target=run, daemon=True)
        threads.append(thread)
        thread.start()

    def first(_question: str, options: Any, _default: str | None) -> str:
        return str(options[0][0])

    asyncio.run(backend.connect_async(options, open_url=open_url, choose=first))  # type: ignore[arg-type]
    for thread in threads:
        thread.join(10)


def cli(home: Path, module: Any, *argv: str) -> str:
    """Run a ``*-settings`` command as ``nexpura-desktop`` would; returns what it printed."""
    import contextlib
    import io

    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()

    def command(name: str, handler: Any, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--home")
        p.set_defaults(handler=handler)
        return p

    module.add_cli_commands(command)
    args = parser.parse_args([argv[0], "--home", str(home), *argv[1:]])
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert args.handler(args) == 0
    return out.getvalue()


def opened(qtbot: QtBot, service: str, backend: Backend) -> ServiceSettingsDialog:
    dialog = open_service_settings(service, backend, None)
    assert isinstance(dialog, ServiceSettingsDialog)
    qtbot.addWidget(dialog)
    assert dialog.isVisible() and not dialog.isModal()
    qtbot.waitUntil(lambda: dialog.choices is not None, timeout=20_000)
    assert dialog.save_button.isEnabled(), dialog.message.text()
    return dialog


def click(widget: object) -> None:
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)  # type: ignore[call-overload]


def items(combo: Any) -> list[tuple[str, Any]]:
    return [(combo.itemText(i), combo.itemData(i)) for i in range(combo.count())]


def test_only_the_three_outbound_services_have_settings() -> None:
    assert [s for s in ("mailchimp", "xero", "google_calendar") if has_settings(s)] == [
        "mailchimp",
        "xero",
        "google_calendar",
    ]
    assert not has_settings("shopify") and not has_settings("twilio")


def test_mailchimp_audience_schedule_and_verify(
    qtbot: QtBot, backend: Backend, sandbox: SandboxServer, isolated_home: Path
) -> None:
    creds = sandbox.sandbox["mailchimp"].credentials()
    connect(backend, MailchimpOptions(api_key=str(creds["api_key"])))
    first_id = backend.connection("mailchimp").config["audience_id"]
    dialog = opened(qtbot, "mailchimp", backend)
    combo = dialog.audience  # type: ignore[attr-defined]
    listed = items(combo)
    assert sorted(i for _t, i in listed) == sorted(a["id"] for a in creds["audiences"])
    assert combo.currentData() == first_id
    other = next(i for _t, i in listed if i != first_id)
    combo.setCurrentIndex(combo.findData(other))
    schedule = dialog.schedule  # type: ignore[attr-defined]
    # connecting scheduled it hourly: the dialog shows that
    assert schedule.switch.isChecked() and schedule.minutes.value() == 60
    schedule.switch.setFocus()
    QTest.keyClick(schedule.switch, Qt.Key.Key_Space)  # keyboard: the switch toggles
    assert not schedule.switch.isChecked() and not schedule.minutes.isEnabled()
    QTest.keyClick(schedule.switch, Qt.Key.Key_Space)
    assert schedule.switch.isChecked() and schedule.minutes.isEnabled()
    schedule.minutes.setValue(30)
    click(dialog.save_button)
    assert S.MC_AUDIENCE_CHANGED in dialog.message.text()
    config = backend.connection("mailchimp").config
    assert config["audience_id"] == other
    assert config["audience_name"] == dict((i, t) for t, i in listed)[other]
    assert config["schedule"] == {"kind": "interval", "minutes": 30} and config["auto_sync"]
    shown = cli(isolated_home, mc_commands, "mailchimp-settings")
    assert f"({other})" in shown and "automatic sync: every 30 minutes" in shown

    # Verify: one consenting customer missing from the audience is one difference
    with backend.ledger() as ledger:
        ledger.conn.execute(
            "INSERT INTO customers(id, full_name, email, marketing_consent) "
            "VALUES ('c1', 'Ann Lee', 'ann.verify@larkspur.test', 1)"
        )
    task = dialog.verify()  # type: ignore[attr-defined]
    assert task is not None and not dialog.verify_button.isEnabled()  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: dialog.differences is not None, timeout=30_000)  # type: ignore[attr-defined]
    assert dialog.differences == 1  # type: ignore[attr-defined]
    assert dialog.verify_result.text() == S.MC_VERIFY_RESULT.format(count=1)  # type: ignore[attr-defined]
    assert [i.kind for i in backend.open_issues("mailchimp")] == ["drift"]
    assert task.wait(10)


def test_xero_mapping_from_the_organisation_and_schedule(
    qtbot: QtBot, backend: Backend, isolated_home: Path
) -> None:
    connect(backend, XeroOptions(), "allow")
    dialog = opened(qtbot, "xero", backend)
    account, tax = dialog.account, dialog.tax  # type: ignore[attr-defined]
    for field in (account, tax):  # keyboard: Alt+mnemonic on the label focuses the field
        label = dialog.form.labelForField(field)
        assert label is not None and label.buddy() is field and "&" in label.text()
    accounts, taxes = items(account), items(tax)
    # the defaults come from the organisation: its "Sales" account and GST on Income
    assert accounts[0] == (S.XERO_DEFAULT.format(choice="200 · Sales"), None)
    assert ("260 · Other Revenue", "260") in accounts
    assert all(code not in {i for _t, i in accounts} for code in ("310", "610", "090"))
    assert taxes[0][1] is None and "GST on Income" in taxes[0][0]
    assert "INPUT" not in {i for _t, i in taxes}  # purchases only: not offered on sales
    assert account.currentData() is None and tax.currentData() is None
    account.setCurrentIndex(account.findData("260"))
    tax.setCurrentIndex(tax.findData("EXEMPTOUTPUT"))
    dialog.schedule.switch.setChecked(True)  # type: ignore[attr-defined]
    dialog.schedule.minutes.setValue(120)  # type: ignore[attr-defined]
    click(dialog.save_button)
    config = backend.connection("xero").config
    assert config["invoice_mapping"] == {"account_code": "260", "tax_type": "EXEMPTOUTPUT"}
    assert config["schedule"] == {"kind": "interval", "minutes": 120}
    shown = cli(isolated_home, xero_commands, "xero-settings")
    assert "sales account: 260; tax type: EXEMPTOUTPUT" in shown
    assert "every 120 minutes" in shown
    # only the account changed back to the default: the default account joins the chosen tax
    account.setCurrentIndex(0)
    click(dialog.save_button)
    assert backend.connection("xero").config["invoice_mapping"]["account_code"] == "200"
    # both back to the defaults, schedule off: manual only, the organisation's defaults
    account.setCurrentIndex(0)
    tax.setCurrentIndex(0)
    dialog.schedule.switch.setChecked(False)  # type: ignore[attr-defined]
    click(dialog.save_button)
    shown = cli(isolated_home, xero_commands, "xero-settings")
    assert "organisation's defaults" in shown and "manual only" in shown
    # what the CLI changes, the dialog shows when opened again
    cli(isolated_home, xero_commands, "xero-settings", "--account", "260", "--tax-type", "OUTPUT")
    dialog.close()
    again = opened(qtbot, "xero", backend)
    assert again is not dialog
    assert again.account.currentData() == "260"  # type: ignore[attr-defined]
    assert again.tax.currentData() == "OUTPUT"  # type: ignore[attr-defined]


def test_google_calendar_choice_changes_mode_and_schedule(
    qtbot: QtBot, backend: Backend, isolated_home: Path
) -> None:
    connect(backend, GoogleOptions(calendar="primary"), "submit_approve_access")
    before = backend.connection("google_calendar").config
    dialog = opened(qtbot, "google_calendar", backend)
    calendar = dialog.calendar  # type: ignore[attr-defined]
    listed = items(calendar)
    names = [t for t, _i in listed]
    assert "Shop appointments" in names
    assert any(t.endswith("(main calendar)") for t in names)
    assert calendar.currentData() == before["calendar_id"]
    assert dialog.report.isChecked()  # type: ignore[attr-defined]
    shop = listed[names.index("Shop appointments")][1]
    calendar.setCurrentIndex(calendar.findData(shop))
    dialog.apply.setChecked(True)  # type: ignore[attr-defined]
    dialog.schedule.switch.setChecked(True)  # type: ignore[attr-defined]
    dialog.schedule.minutes.setValue(10)  # type: ignore[attr-defined]
    click(dialog.save_button)
    assert S.GCAL_CALENDAR_CHANGED in dialog.message.text()
    config = backend.connection("google_calendar").config
    assert (config["calendar_id"], config["calendar_name"]) == (shop, "Shop appointments")
    assert config["google_changes"] == "apply"
    assert config["schedule"] == {"kind": "interval", "minutes": 10} and config["auto_sync"]
    shown = cli(isolated_home, gcal_commands, "calendar-settings")
    assert f"calendar: Shop appointments ({shop})" in shown
    assert "changes made in Google: apply" in shown and "every 10 minutes" in shown
    # opening it again raises the same dialog (non-modal, one per service)
    assert open_service_settings("google_calendar", backend, None) is dialog


def test_a_failed_read_is_shown_and_can_be_retried(
    qtbot: QtBot, backend: Backend, store: SecretStore, sandbox: SandboxServer
) -> None:
    creds = sandbox.sandbox["mailchimp"].credentials()
    with backend.ledger() as ledger:
        connections.save_connected(
            ledger.conn,
            "mailchimp",
            account="Shop",
            config={"audience_id": "x", "api_base_url": creds["api_base_url"]},
            secrets=[],
        )
    store.set(API_KEY_ITEM, "0123456789abcdef0123456789abcdef-us21")  # revoked in Mailchimp
    dialog = open_service_settings("mailchimp", backend, None)
    assert isinstance(dialog, ServiceSettingsDialog)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.reload_button.isEnabled(), timeout=20_000)
    assert dialog.message.text().startswith("Could not read your Mailchimp account")
    assert not dialog.save_button.isEnabled()
    assert dialog.audience.currentData() == "x"  # type: ignore[attr-defined]
    store.set(API_KEY_ITEM, str(creds["api_key"]))  # connected again: Read again works
    click(dialog.reload_button)
    qtbot.waitUntil(lambda: dialog.choices is not None, timeout=20_000)
    assert dialog.save_button.isEnabled()
    assert dialog.message.text() == S.SVC_LOADED.format(service="Mailchimp")


def test_closing_while_the_account_is_read_is_safe(
    qtbot: QtBot, backend: Backend, sandbox: SandboxServer
) -> None:
    """The worker outlives its dialog: its late answer is dropped, nothing crashes."""
    creds = sandbox.sandbox["mailchimp"].credentials()
    connect(backend, MailchimpOptions(api_key=str(creds["api_key"])))
    dialog = open_service_settings("mailchimp", backend, None)
    assert isinstance(dialog, ServiceSettingsDialog)
    (task,) = dialog.tasks
    dialog.close()
    dialog.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog))
    assert service_settings.shutdown(20) and task.wait(1)
    qtbot.waitUntil(lambda: not service_settings._running)  # finished arrived, dialog gone


def test_the_integrations_card_opens_the_dialog(
    qtbot: QtBot, make_shell: Callable[..., Shell], backend: Backend
) -> None:
    connect(backend, XeroOptions(), "allow")
    shell = make_shell()
    page = shell.window.integrations
    card = page.cards["xero"]
    assert card.settings_button.isVisibleTo(card)
    click(card.settings_button)
    dialog = service_settings._open["xero"]
    assert dialog.isVisible() and dialog.parent() is page
    qtbot.waitUntil(lambda: dialog.choices is not None, timeout=20_000)
    assert service_settings.shutdown(10)
