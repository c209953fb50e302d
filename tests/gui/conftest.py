"""GUI tests: offscreen Qt, a Qt warning or critical message fails the test unless expected.

``allow_qt_message("substring")`` marks a message as expected.  Every test gets a fresh
``Backend`` over its own home; ``make_shell`` builds the whole app (window, tray, engine
bridge) and shuts it down — lanes, workers and the sandbox — after the test.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler

from nexpura_desktop.engine.job import JobContext
from nexpura_desktop.engine.registry import Registry
from nexpura_desktop.exports import backups
from nexpura_desktop.ledger import connections
from nexpura_desktop.paths import resolve
from nexpura_desktop.secrets import MemoryKeyring, SecretStore
from nexpura_desktop.ui.backend import Backend
from nexpura_desktop.ui.shell import Shell

# pytest-qt's session-scoped ``qapp`` is built before the function-scoped fixture of
# tests/conftest.py sets the platform, so set it here, at import, for the whole session.
os.environ.setdefault("QT_QPA_PLATFORM", os.environ.get("NEXPURA_TEST_QPA", "offscreen"))

_FAILING = (QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg)


@pytest.fixture(autouse=True)
def strict_qt_messages() -> Iterator[Callable[[str], None]]:
    allowed: list[str] = []
    bad: list[str] = []

    def handler(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
        if kind in _FAILING and not any(a in message for a in allowed):
            bad.append(f"{kind.name}: {message}")

    previous = qInstallMessageHandler(handler)
    try:
        yield allowed.append
    finally:
        qInstallMessageHandler(previous)
    assert bad == [], f"unexpected Qt messages: {bad}"


@pytest.fixture
def allow_qt_message(strict_qt_messages: Callable[[str], None]) -> Callable[[str], None]:
    return strict_qt_messages


class FakeJobs:
    """Sync jobs for the engine whose outcome a test chooses."""

    def __init__(self) -> None:
        self.fail_with: Exception | None = None
        self.hold: threading.Event | None = None  # set: jobs wait for it (a busy lane)
        self.runs: list[str] = []

    def job(self) -> object:
        outer = self

        class _Job:
            def run(self, ctx: JobContext) -> None:
                outer.runs.append(ctx.name)
                if outer.hold is not None:
                    outer.hold.wait(10)
                if outer.fail_with is not None:
                    raise outer.fail_with
                ctx.count("created", 2)
                ctx.progress("items", 2, 2)

        return _Job()


@pytest.fixture
def fake_jobs() -> FakeJobs:
    return FakeJobs()


@pytest.fixture
def registry(fake_jobs: FakeJobs) -> Registry:
    reg = Registry()
    for service in ("shopify", "mailchimp", "xero"):
        reg.register(f"{service}.products.import", fake_jobs.job)  # type: ignore[arg-type]
    backups.register(reg)
    return reg


@pytest.fixture
def keyring() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture
def backend(isolated_home: Path, registry: Registry, keyring: MemoryKeyring) -> Iterator[Backend]:
    store = SecretStore(service="Nexpura Desktop [gui test]", backend=keyring)
    made = Backend(resolve(isolated_home), registry, secrets=store)
    yield made
    made.shutdown(10)


def connect(backend: Backend, *services: str) -> None:
    with backend.ledger() as ledger:
        for service in services:
            connections.save_connected(
                ledger.conn, service, account=f"{service} shop", config={}, secrets=[]
            )


@pytest.fixture
def make_shell(qtbot: object, backend: Backend) -> Iterator[Callable[..., Shell]]:
    made: list[Shell] = []

    def build(*, tray: bool = True, show: bool = True) -> Shell:
        shell = Shell(backend, tray_available=tray)
        qtbot.addWidget(shell.window)  # type: ignore[attr-defined]
        if show:
            shell.window.show()
        made.append(shell)
        return shell

    yield build
    for shell in made:
        assert shell.shutdown(10)
