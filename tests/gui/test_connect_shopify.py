"""Shopify's connect dialog: the admin-token form or a sign-in with the shop's own custom
app (OAuth through the browser), and the demo's keyring fallback on a bare machine."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import keyring
import keyring.backends.fail
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from nexpura_desktop import secrets
from nexpura_desktop.auth.keyring_choice import ENV, SANDBOX_FILE
from nexpura_desktop.engine.registry import Registry
from nexpura_desktop.errors import UserError
from nexpura_desktop.paths import resolve
from nexpura_desktop.sandbox.runner import SandboxServer
from nexpura_desktop.sandbox.shopify.auth import App
from nexpura_desktop.secrets import MemoryKeyring, SecretStore
from nexpura_desktop.ui.backend import Backend
from nexpura_desktop.ui.connect_dialog import ConnectDialog
from nexpura_desktop.ui.shell import Shell
from nexpura_desktop.ui.strings import S
from tests.integration.connect_support import Browser

OFFSCREEN = "This plugin does not support propagateSizeHints()"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    server = SandboxServer(port_base=0, services=["shopify"]).start_in_thread()
    # the shop's custom app allows a loopback redirect (as the owner sets it up)
    port = _free_port()
    server.sandbox["shopify"].seed(
        {"app": {"redirect_uris": [f"http://localhost:{port}/shopify/callback"]}}
    )
    yield server
    server.close()


@pytest.fixture(autouse=True)
def _default_store(monkeypatch: pytest.MonkeyPatch) -> None:
    """The store jobs read is process-global: each test starts (and ends) without one."""
    monkeypatch.setattr(secrets, "_default_store", None)


def click(widget: object) -> None:
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)  # type: ignore[call-overload]


def open_dialog(shell: Shell) -> ConnectDialog:
    click(shell.window.integrations.cards["shopify"].connect_button)
    dialog = shell.window.integrations.connect_dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


class ApprovingBrowser:
    """``open_url``: the shop owner approving the app on the sandbox's consent page."""

    def __init__(self) -> None:
        self.urls: list[str] = []
        self.threads: list[threading.Thread] = []

    def __call__(self, url: str) -> None:
        self.urls.append(url)

        def run() -> None:
            asyncio.run(Browser(httpx.AsyncHTTPTransport()).consent(url, "approve"))

        thread = threading.Thread(target=run, daemon=True)
        self.threads.append(thread)
        thread.start()


def test_sign_in_with_the_shops_own_app(
    qtbot: QtBot,
    isolated_home: Path,
    registry: Registry,
    keyring: MemoryKeyring,
    sandbox: SandboxServer,
    allow_qt_message: Callable[[str], None],
) -> None:
    allow_qt_message(OFFSCREEN)
    store = SecretStore(service="Nexpura Desktop [gui test]", backend=keyring)
    backend = Backend(resolve(isolated_home), registry, sandbox_url=sandbox.hub_url, secrets=store)
    shell = Shell(backend, tray_available=False)
    qtbot.addWidget(shell.window)
    shell.window.show()
    try:
        browser = ApprovingBrowser()
        shell.window.integrations.open_url = browser
        dialog = open_dialog(shell)
        assert [b.text() for b in dialog.methods] == [
            S.METHOD_SHOPIFY_TOKEN,
            S.METHOD_SHOPIFY_APP,
        ]
        assert dialog.edits["token"].isVisibleTo(dialog)
        assert not dialog.edits["client_id"].isVisibleTo(dialog)
        click(dialog.methods[1])
        assert dialog.start_button.text() == S.CONNECT_SIGN_IN
        assert not dialog.edits["token"].isVisibleTo(dialog)
        assert dialog.edits["client_id"].isVisibleTo(dialog)
        assert dialog.copy_button.isVisible()
        assert set(dialog.values()) == {"shop", "client_id", "client_secret"}
        # empty id and secret in the sandbox: its own test app signs in
        with qtbot.waitSignal(dialog.finished, timeout=30_000):
            click(dialog.start_button)
        row = backend.connection("shopify")
        assert row.status == "connected", dialog.status.text()
        assert row.config["auth_method"] == "authorization_code"
        assert row.config["client_id"] == App().client_id
        assert browser.urls and "/admin/oauth/authorize" in browser.urls[0]
        assert dialog.link == browser.urls[0]
    finally:
        assert shell.shutdown(10)


def test_the_admin_token_form_validates_the_token(
    qtbot: QtBot, make_shell: Callable[..., Shell], allow_qt_message: Callable[[str], None]
) -> None:
    allow_qt_message(OFFSCREEN)
    shell = make_shell()
    dialog = open_dialog(shell)
    QTest.keyClicks(dialog.edits["shop"], "nexpura-demo")
    QTest.keyClicks(dialog.edits["token"], "not-a-token")
    assert dialog.errors["token"].text() == S.INVALID_SHOPIFY_TOKEN
    assert not dialog.start_button.isEnabled()
    dialog.edits["token"].setText("shpat_0123456789abcdef")
    assert dialog.errors["token"].isHidden()
    assert dialog.start_button.isEnabled()
    dialog.reject()


def test_demo_without_a_keyring_keeps_sandbox_credentials_in_the_sandbox_file(
    qtbot: QtBot,
    isolated_home: Path,
    registry: Registry,
    sandbox: SandboxServer,
    monkeypatch: pytest.MonkeyPatch,
    allow_qt_message: Callable[[str], None],
) -> None:
    allow_qt_message(OFFSCREEN)
    monkeypatch.delenv(ENV, raising=False)
    monkeypatch.setattr(keyring, "get_keyring", lambda: keyring.backends.fail.Keyring())  # type: ignore[no-untyped-call]
    backend = Backend(resolve(isolated_home), registry, sandbox_url=sandbox.hub_url)
    shell = Shell(backend, tray_available=False)
    qtbot.addWidget(shell.window)
    shell.window.show()
    try:
        dialog = open_dialog(shell)
        with qtbot.waitSignal(dialog.finished, timeout=30_000):
            click(dialog.start_button)  # empty fields: the sandbox shop's admin token
        assert backend.connection("shopify").status == "connected", dialog.status.text()
        file = backend.paths.data / SANDBOX_FILE
        items = json.loads(file.read_text(encoding="utf-8"))["items"]
        assert any("shopify" in key for key in items)
        assert secrets.store_for_jobs() is backend.secret_store()  # jobs read the same store

        backend.set_setting("sandbox.enabled", False)  # out of sandbox mode: no file store
        with pytest.raises(UserError):
            backend.secret_store()
    finally:
        assert shell.shutdown(10)
