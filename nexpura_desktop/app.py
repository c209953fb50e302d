"""Composition root of the desktop app: builds the engine, window and tray from a home.

The CLI calls :func:`run_gui` for ``nexpura-desktop`` (no command), ``gui`` and
``--demo``; :func:`has_display` tells it whether a window can open at all.  Qt is
imported only inside these functions, so headless commands never load it.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from .engine.registry import Registry
from .paths import Paths

if TYPE_CHECKING:
    from .ui.shell import Shell

_HEADLESS_PLATFORMS = ("offscreen", "minimal", "vnc", "linuxfb", "eglfs")


def has_display() -> bool:
    """False on Linux/BSD with neither ``DISPLAY`` nor ``WAYLAND_DISPLAY`` (unless Qt is
    told to render offscreen); True on Windows and macOS."""
    platform = os.environ.get("QT_QPA_PLATFORM", "").split(":")[0]
    if platform in _HEADLESS_PLATFORMS:
        return True
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def build_registry() -> Registry:
    """Every job the app can run (the same registry ``sync`` and ``run-due`` use)."""
    from .connectors.registry import build_registry as full_registry

    return full_registry()


def run_gui(paths: Paths, *, demo: bool = False, sandbox_url: str | None = None) -> int:
    """Open the window (or focus the one already open for this home); returns the exit code.

    ``demo``: load the demo shop and start the sandbox in-process straight away (when the
    ledger holds no shop yet).  ``sandbox_url``: use the sandbox served at that URL
    (``nexpura-desktop sandbox``) for every integration.
    """
    import asyncio

    from PySide6.QtCore import QCoreApplication, Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication
    from qasync import QEventLoop

    from . import APP_NAME, __version__
    from .logs import setup_logging
    from .ui.crash import CrashHandler
    from .ui.icons import app_icon
    from .ui.single_instance import SingleInstance, server_name

    paths = paths.ensure()
    setup_logging(paths.logs)
    if QApplication.instance() is None:  # only possible before the app exists
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
            Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
        )
    QCoreApplication.setApplicationName(APP_NAME)
    QCoreApplication.setApplicationVersion(__version__)
    QCoreApplication.setOrganizationName("Nexpura")
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setWindowIcon(app_icon())
    app.setQuitOnLastWindowClosed(False)  # the tray keeps running; Shell.quit ends it
    app.setDesktopFileName("nexpura-desktop")

    instance = SingleInstance(server_name(paths.data))
    if not instance.claim():
        return 0  # the running window was asked to come forward
    crash = CrashHandler(paths.crash_dir)
    crash.install()
    try:
        shell = _build_shell(paths, sandbox_url)
        instance.activated.connect(shell.window.bring_to_front)
        crash.window = shell.window
        loop = QEventLoop(app)
        asyncio.set_event_loop(loop)
        closing = asyncio.Event()
        app.aboutToQuit.connect(closing.set)
        shell.start()
        _install_secret_store(shell)
        if demo and not shell.backend.has_shop():
            shell.window.first_run.start_demo()
        with loop:
            loop.run_until_complete(closing.wait())
        shell.shutdown()
        return 0
    finally:
        crash.uninstall()
        instance.close()


def _install_secret_store(shell: Shell) -> None:
    """Choose the keyring off the GUI thread and make it the store engine jobs read.

    A missing or locked keyring is one sentence in the status bar; connecting says it
    again when tried.
    """
    from .secrets import set_default_store
    from .ui.bridge import BackgroundTask

    backend = shell.backend
    task = BackgroundTask("keyring", lambda _p, _c: backend.secret_store(), shell)
    task.succeeded.connect(set_default_store)
    task.failed.connect(shell.window.show_status)
    shell.keyring_task = task
    task.start()


def _build_shell(paths: Paths, sandbox_url: str | None) -> Shell:
    from .ui.backend import Backend
    from .ui.shell import Shell

    backend = Backend(paths, build_registry(), sandbox_url=sandbox_url)
    return Shell(backend)
