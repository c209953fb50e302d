"""Composition root of the desktop app: builds the engine, window and tray from a home.

The CLI calls :func:`run_gui` for ``nexpura-desktop`` (no command), ``gui`` and
``--demo``; :func:`has_display` tells it whether a window can open at all.  Qt is
imported only inside these functions, so headless commands never load it.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the core loads after the window is on screen (ui.launch)
    from .engine.registry import Registry
    from .paths import Paths
    from .ui.launch import Launch
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
    from PySide6.QtCore import QCoreApplication, Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

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
        launch = open_window(paths, demo=demo, sandbox_url=sandbox_url)
        instance.activated.connect(launch.window.bring_to_front)
        crash.window = launch.window
        import asyncio  # after show(): these load while the window's first frame is queued

        from qasync import QEventLoop

        loop = QEventLoop(app)
        asyncio.set_event_loop(loop)
        closing = asyncio.Event()
        app.aboutToQuit.connect(closing.set)
        with loop:
            loop.run_until_complete(closing.wait())
        launch.shutdown()
        return 0
    finally:
        crash.uninstall()
        instance.close()


def open_window(paths: Paths, *, demo: bool = False, sandbox_url: str | None = None) -> Launch:
    """Show the window now and build the app into it after its first paint.

    Needs the ``QApplication``.  Once built, the keyring is chosen off the GUI thread.
    """
    from .ui.launch import Launch

    launch = Launch(paths, demo=demo, sandbox_url=sandbox_url)
    launch.ready.connect(_install_secret_store)
    launch.ready.connect(_start_local_api)
    launch.show()
    return launch


def _start_local_api(shell: Shell) -> None:
    """Serve the local API if the owner switched it on (worker thread: the keyring)."""
    from .ui.bridge import BackgroundTask

    backend = shell.backend

    def work(_progress: object, _cancel: object) -> None:
        from .api.service import start_if_enabled

        start_if_enabled(backend)

    task = BackgroundTask("local-api", work, shell)
    task.failed.connect(shell.window.show_status)
    shell.api_task = task
    task.start()


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
