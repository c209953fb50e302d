"""The connect dialogs run the real auth flows against the loopback sandbox.

Key form: Mailchimp (inline validation, connect, audience choice, disconnect clears the
keyring).  Browser sign-in: Google, with a fake ``open_url`` that plays the person at the
sandbox consent page over httpx; and Cancel while the browser is out, which must close the
loopback listener.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from nexpura_desktop.engine.registry import Registry
from nexpura_desktop.paths import resolve
from nexpura_desktop.sandbox.runner import SandboxServer
from nexpura_desktop.secrets import MemoryKeyring, SecretStore
from nexpura_desktop.ui.backend import Backend
from nexpura_desktop.ui.connect_dialog import ConnectDialog
from nexpura_desktop.ui.shell import Shell
from nexpura_desktop.ui.strings import S
from tests.integration.connect_support import Browser

OFFSCREEN = "This plugin does not support propagateSizeHints()"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    server = SandboxServer(port_base=0, services=["mailchimp", "google"]).start_in_thread()
    yield server
    server.close()


@pytest.fixture
def backend(
    isolated_home: Path, registry: Registry, keyring: MemoryKeyring, sandbox: SandboxServer
) -> Iterator[Backend]:
    store = SecretStore(service="Nexpura Desktop [gui test]", backend=keyring)
    made = Backend(resolve(isolated_home), registry, sandbox_url=sandbox.hub_url, secrets=store)
    yield made
    made.shutdown(10)


def click(widget: object) -> None:
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)  # type: ignore[call-overload]


def open_dialog(shell: Shell, service: str) -> ConnectDialog:
    click(shell.window.integrations.cards[service].connect_button)
    dialog = shell.window.integrations.connect_dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


def test_mailchimp_key_form_validates_connects_and_disconnects(
    qtbot: QtBot,
    make_shell: Callable[..., Shell],
    backend: Backend,
    keyring: MemoryKeyring,
    sandbox: SandboxServer,
    allow_qt_message: Callable[[str], None],
) -> None:
    allow_qt_message(OFFSCREEN)
    shell = make_shell()
    page = shell.window.integrations
    dialog = open_dialog(shell, "mailchimp")
    assert "API keys" in dialog.intro.text()  # the service's own hint
    key_edit = dialog.edits["api_key"]
    assert key_edit.echoMode() == key_edit.EchoMode.Password
    # a malformed key is refused inline, before any request
    QTest.keyClicks(key_edit, "not-a-key")
    assert dialog.errors["api_key"].isVisibleTo(dialog)
    assert "not a Mailchimp API key" in dialog.errors["api_key"].text()
    assert not dialog.start_button.isEnabled()
    key = str(sandbox.sandbox["mailchimp"].credentials()["api_key"])
    key_edit.setText(key)
    assert not dialog.errors["api_key"].isVisibleTo(dialog)
    assert dialog.start_button.isEnabled()

    chosen: list[str] = []
    names: list[str] = []

    def pick(question: str, options: object, default: object) -> None:
        chosen.append(question)
        names.extend(dialog.choice.itemText(i) for i in range(dialog.choice.count()))
        dialog.choice.setCurrentIndex(dialog.choice.count() - 1)
        click(dialog.choose_button)

    with qtbot.waitSignal(dialog.finished, timeout=20_000):
        click(dialog.start_button)
        assert dialog.runner is not None
        dialog.runner.choiceNeeded.connect(pick)
    row = backend.connection("mailchimp")
    assert row.status == "connected", dialog.status.text()
    assert chosen == ["Which Mailchimp audience should customers go to?"]
    assert row.config["audience_name"] == names[-1]
    assert row.config["schedule"] == {"kind": "interval", "minutes": 60}
    assert page.cards["mailchimp"].badge.state == "connected"
    store = SecretStore(service="Nexpura Desktop [gui test]", backend=keyring)
    assert store.get("mailchimp/api_key") == key

    task = page.start_disconnect("mailchimp")
    with qtbot.waitSignal(task.finished, timeout=20_000):
        pass
    assert backend.connection("mailchimp").status == "disconnected"
    assert store.get("mailchimp/api_key") is None
    qtbot.waitUntil(lambda: page.cards["mailchimp"].badge.state == "disconnected")


class FakeBrowser:
    """``open_url`` for the dialog: a person clicking Allow on the sandbox consent page."""

    def __init__(self, button: str | None) -> None:
        self.button = button
        self.urls: list[str] = []
        self.threads: list[threading.Thread] = []
        self.status: int | None = None

    def __call__(self, url: str) -> None:
        self.urls.append(url)
        if self.button is None:
            return  # the person never finishes

        def run() -> None:
            browser = Browser(httpx.AsyncHTTPTransport())
            response = asyncio.run(browser.consent(url, str(self.button)))
            self.status = response.status_code

        thread = threading.Thread(target=run, daemon=True)
        self.threads.append(thread)
        thread.start()


def test_google_browser_sign_in_with_calendar_choice(
    qtbot: QtBot,
    make_shell: Callable[..., Shell],
    backend: Backend,
    allow_qt_message: Callable[[str], None],
) -> None:
    allow_qt_message(OFFSCREEN)
    shell = make_shell()
    browser = FakeBrowser("submit_approve_access")
    shell.window.integrations.open_url = browser
    dialog = open_dialog(shell, "google_calendar")
    assert dialog.start_button.text() == S.CONNECT_SIGN_IN
    assert dialog.copy_button.isVisible() and not dialog.copy_button.isEnabled()
    click(dialog.start_button)
    # the calendar question comes back into the dialog once the browser said yes
    qtbot.waitUntil(lambda: dialog.choice.isVisibleTo(dialog), timeout=20_000)
    assert dialog.copy_button.isEnabled() and dialog.link == browser.urls[0]
    names = [dialog.choice.itemText(i) for i in range(dialog.choice.count())]
    assert "Shop appointments" in names
    dialog.choice.setCurrentIndex(names.index("Shop appointments"))
    with qtbot.waitSignal(dialog.finished, timeout=20_000):
        click(dialog.choose_button)
    row = backend.connection("google_calendar")
    assert row.status == "connected"
    assert row.config["calendar_id"].endswith("@group.calendar.google.com")
    assert browser.status == 200


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_cancel_while_signing_in_closes_the_listener(
    qtbot: QtBot,
    make_shell: Callable[..., Shell],
    backend: Backend,
    allow_qt_message: Callable[[str], None],
) -> None:
    allow_qt_message(OFFSCREEN)
    shell = make_shell()
    browser = FakeBrowser(None)
    shell.window.integrations.open_url = browser
    dialog = open_dialog(shell, "google_calendar")
    click(dialog.start_button)
    qtbot.waitUntil(lambda: bool(browser.urls), timeout=20_000)
    redirect = parse_qs(urlsplit(browser.urls[0]).query)["redirect_uri"][0]
    port = urlsplit(redirect).port
    assert port is not None and _listening(port)
    click(dialog.copy_button)
    assert dialog.status.text() == S.LINK_COPIED
    with qtbot.waitSignal(dialog.runner.finished, timeout=20_000):  # type: ignore[union-attr]
        click(dialog.cancel_button)
    qtbot.waitUntil(lambda: dialog.runner is None)
    assert dialog.status.text() == S.CONNECT_CANCELLED.format(service="Google Calendar")
    assert not _listening(port)
    assert backend.connection("google_calendar").status == "disconnected"
    assert dialog.isVisible() and dialog.start_button.isEnabled()  # may try again
