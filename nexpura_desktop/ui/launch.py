"""Window first, app second: the start-up path that puts a window on screen at once.

Importing the core (engine, connectors, HTTP, keyring) and opening the ledger takes far
longer than Qt needs to show a window, and someone who double-clicked the icon should
see it react.  So :class:`Launch` shows the main window's frame (page list and a
"Loading" page: Qt only), waits for its first paint, and only then imports and builds
the backend, the pages, the tray and the scheduler into that same window.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QMessageBox, QSystemTrayIcon, QWidget

from .main_window import MainWindow
from .strings import S

if TYPE_CHECKING:
    from ..paths import Paths
    from .shell import Shell

log = logging.getLogger(__name__)
FIRST_PAINT_FALLBACK_MS = 1000  # a window never painted (minimised, no compositor) still loads


class _FirstPaint(QObject):
    """Calls ``callback`` once, on the event loop's next turn after ``widget`` first paints."""

    def __init__(self, widget: QWidget, callback: Callable[[], None]) -> None:
        super().__init__(widget)
        self._callback: Callable[[], None] | None = callback
        self._widget = widget
        widget.installEventFilter(self)
        QTimer.singleShot(FIRST_PAINT_FALLBACK_MS, self, self._fire)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._widget and event.type() == QEvent.Type.Paint:
            QTimer.singleShot(0, self, self._fire)  # after the frame has been flushed
        return False

    def _fire(self) -> None:
        callback, self._callback = self._callback, None
        if callback is None:
            return
        self._widget.removeEventFilter(self)
        callback()


def after_first_paint(widget: QWidget, callback: Callable[[], None]) -> None:
    """Run ``callback`` once ``widget`` is on screen (or after a short fallback delay)."""
    _FirstPaint(widget, callback)


class Launch(QObject):
    """The window on screen now; the whole app (``shell``) once it has painted."""

    ready = Signal(object)  # the Shell, built and started

    def __init__(
        self,
        paths: Paths,
        *,
        sandbox_url: str | None = None,
        demo: bool = False,
        tray_available: bool | None = None,
    ) -> None:
        super().__init__()
        self.paths = paths
        self.sandbox_url = sandbox_url
        self.demo = demo
        available = (
            QSystemTrayIcon.isSystemTrayAvailable() if tray_available is None else tray_available
        )
        self.window = MainWindow(None, tray_available=available, request_quit=self.quit)
        self.shell: Shell | None = None
        self.failed = False

    def show(self) -> None:
        self.window.show()
        after_first_paint(self.window, self.build)

    def build(self) -> None:
        """Import the core, open the ledger and fill the window (GUI thread, once)."""
        if self.shell is not None or self.failed:
            return
        from ..errors import UserError

        try:
            shell = self._make_shell()
        except UserError as exc:  # e.g. a ledger from a newer version: say it, then quit
            self.failed = True
            log.error("start-up failed: %s", exc)
            QMessageBox.critical(self.window, S.APP_NAME, S.START_FAILED.format(message=exc))
            self.quit()
            return
        self.shell = shell
        shell.start()
        if self.demo and not shell.backend.has_shop():
            shell.window.first_run.start_demo()
        self.ready.emit(shell)

    def _make_shell(self) -> Shell:
        from ..app import build_registry
        from .backend import Backend
        from .shell import Shell

        backend = Backend(self.paths, build_registry(), sandbox_url=self.sandbox_url)
        return Shell(backend, window=self.window)

    def quit(self) -> None:
        if self.shell is not None:
            self.shell.quit()
            return
        self.window.quitting = True
        self.window.close()
        app = QApplication.instance()
        if app is not None:
            app.quit()

    def shutdown(self, timeout: float = 30.0) -> bool:
        return True if self.shell is None else self.shell.shutdown(timeout)
