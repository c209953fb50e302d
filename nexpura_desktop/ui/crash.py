"""Uncaught exceptions: a crash file, one dialog, and the app keeps running (qutebrowser).

Without an ``excepthook`` an exception inside a slot only reaches stderr and a tray app
carries on broken and silent.  Here each one is logged, written (secrets redacted) to
``<logs>/crashes/crash-<time>-<n>.txt``, and shown once: while a crash dialog is open,
further crashes are recorded but do not stack more dialogs.  Exceptions on worker
threads (``threading.excepthook``) are handed to the GUI thread through a queued signal.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from datetime import datetime
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from .. import __version__
from ..logs import redact
from .strings import S

log = logging.getLogger(__name__)


class CrashHandler(QObject):
    crashed = Signal(str)  # the crash file written (emitted on the GUI thread)
    _fromThread = Signal(str)

    def __init__(self, crash_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.crash_dir = crash_dir
        self.dialog: QMessageBox | None = None
        self.window: QWidget | None = None  # the main window, once there is one
        self.dialogs_shown = 0
        self._count = 0
        self._lock = threading.Lock()
        self._previous_hook = sys.excepthook
        self._previous_thread_hook = threading.excepthook
        self._installed = False
        self._fromThread.connect(self._show)

    def install(self) -> None:
        self._previous_hook = sys.excepthook
        self._previous_thread_hook = threading.excepthook
        sys.excepthook = self._hook
        threading.excepthook = self._thread_hook
        self._installed = True

    def uninstall(self) -> None:
        if self._installed:
            sys.excepthook = self._previous_hook
            threading.excepthook = self._previous_thread_hook
            self._installed = False

    # -- hooks ---------------------------------------------------------------------------
    def _hook(
        self,
        kind: type[BaseException],
        value: BaseException,
        tb: TracebackType | None,
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            self._previous_hook(kind, value, tb)
            return
        path = self.record(kind, value, tb)
        if threading.current_thread() is threading.main_thread():
            self._show(str(path))
        else:
            self._fromThread.emit(str(path))

    def _thread_hook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None or issubclass(args.exc_type, SystemExit):
            return
        self._hook(args.exc_type, args.exc_value, args.exc_traceback)

    # -- work ----------------------------------------------------------------------------
    def record(
        self, kind: type[BaseException], value: BaseException, tb: TracebackType | None
    ) -> Path:
        """Write the crash file (redacted) and log it; returns its path."""
        text = "".join(traceback.format_exception(kind, value, tb))
        log.error("uncaught exception:\n%s", text)
        with self._lock:
            self._count += 1
            number = self._count
        stamp = datetime.now().astimezone()
        body = (
            f"Nexpura Desktop {__version__}\n"
            f"time: {stamp.isoformat(timespec='seconds')}\n"
            f"thread: {threading.current_thread().name}\n"
            f"python: {sys.version.split()[0]} on {sys.platform}\n\n{redact(text)}"
        )
        self.crash_dir.mkdir(parents=True, exist_ok=True)
        path = self.crash_dir / f"crash-{stamp:%Y%m%d-%H%M%S}-{number}.txt"
        path.write_text(body, encoding="utf-8")
        return path

    def _show(self, path: str) -> None:
        self.crashed.emit(path)
        if self.dialog is not None and self.dialog.isVisible():
            return
        box = QMessageBox(self.window)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(S.CRASH_TITLE)
        box.setText(S.CRASH_TEXT.format(path=path))
        box.setStandardButtons(QMessageBox.StandardButton.Ok)
        box.setAccessibleName(S.CRASH_TITLE)
        self.dialog = box
        self.dialogs_shown += 1
        box.open()  # not exec(): never a nested event loop inside an excepthook
