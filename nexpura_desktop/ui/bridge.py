"""Background work → GUI thread: engine callbacks and worker tasks as queued Qt signals.

The core is UI-free and calls plain callbacks on its own threads (lane threads, worker
threads).  These QObjects live on the GUI thread; emitting their signals from another
thread queues the call, so every slot runs on the GUI thread.  Progress is throttled
here (at most one signal per ``PROGRESS_INTERVAL`` per source, plus the last one), so a
job reporting every row cannot flood the event loop.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from ..engine.engine import Engine, EngineListener
from ..engine.runs import RunSummary
from ..errors import UserError
from ..exports import ExportCancelled
from ..ledger.importer import ImportCancelled

log = logging.getLogger(__name__)
PROGRESS_INTERVAL = 0.05
ProgressFn = Callable[[str, int, "int | None"], None]
Work = Callable[[ProgressFn, threading.Event], Any]
CANCELLED = (ExportCancelled, ImportCancelled)


class _Throttle:
    """Lets a progress report through at most every ``interval`` s (and always the last)."""

    def __init__(self, interval: float = PROGRESS_INTERVAL) -> None:
        self.interval = interval
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()

    def allow(self, key: str, done: int, total: int | None) -> bool:
        now = time.monotonic()
        with self._lock:
            if total is not None and done >= total:
                self._last[key] = now
                return True
            if now - self._last.get(key, 0.0) < self.interval:
                return False
            self._last[key] = now
            return True


class EngineBridge(QObject):
    """The engine's listener calls, re-emitted as queued signals on the GUI thread."""

    runStarted = Signal(object)  # RunSummary
    runProgress = Signal(str, str, str, int, object)  # service, job, label, done, total
    runFinished = Signal(object)  # RunSummary

    def __init__(self, engine: Engine, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._engine = engine
        self._relay = _Relay(self)
        engine.subscribe(self._relay)

    def detach(self) -> None:
        self._engine.unsubscribe(self._relay)


class _Relay(EngineListener):
    def __init__(self, bridge: EngineBridge) -> None:
        self._bridge = bridge
        self._throttle = _Throttle()

    def run_started(self, run: RunSummary) -> None:
        self._bridge.runStarted.emit(run)

    def progress(self, service: str, job: str, label: str, done: int, total: int | None) -> None:
        if self._throttle.allow(job, done, total):
            self._bridge.runProgress.emit(service, job, label, done, total)

    def run_finished(self, run: RunSummary) -> None:
        self._bridge.runFinished.emit(run)


class BackgroundTask(QObject):
    """Runs ``work(progress, cancel)`` on a worker thread and reports through signals.

    Exactly one of ``succeeded`` (result), ``cancelled`` (sentence) or ``failed``
    (sentence) is emitted, then ``finished``.  An unexpected exception is reported as
    ``failed`` and re-raised on the worker, so the crash handler records it.
    """

    progressed = Signal(str, int, object)  # label, done, total
    succeeded = Signal(object)
    cancelled = Signal(str)
    failed = Signal(str)
    finished = Signal()

    def __init__(self, name: str, work: Work, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._work = work
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None
        self._throttle = _Throttle()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError(f"task {self.name} was already started")
        self._thread = threading.Thread(target=self._run, name=f"task-{self.name}", daemon=True)
        self._thread.start()

    def cancel(self) -> None:
        self._cancel.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Join the worker; ``True`` when it has stopped."""
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _progress(self, label: str, done: int, total: int | None) -> None:
        if self._throttle.allow("task", done, total):
            self.progressed.emit(label, done, total)

    def _run(self) -> None:
        try:
            result = self._work(self._progress, self._cancel)
        except CANCELLED as exc:
            self.cancelled.emit(str(exc))
        except UserError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:
            from .strings import S

            self.failed.emit(S.UNEXPECTED.format(kind=type(exc).__name__))
            self.finished.emit()
            raise
        else:
            self.succeeded.emit(result)
        self.finished.emit()
