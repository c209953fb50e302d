"""Background work → GUI thread: engine callbacks and worker tasks as queued Qt signals.

The core is UI-free and calls plain callbacks on its own threads (lane threads, worker
threads).  These QObjects live on the GUI thread; emitting their signals from another
thread queues the call, so every slot runs on the GUI thread.  Progress is coalesced
(``ProgressCoalescer``): a worker only overwrites the latest figure per job, at most one
wake-up is queued at a time, and the GUI delivers the latest figures at most every
``PROGRESS_INTERVAL`` — so a job reporting every row cannot flood the event loop, and
the last figure before a pause is never lost.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

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


class ProgressCoalescer(QObject):
    """Latest progress per key from any thread, delivered on the GUI thread, rate-limited.

    ``put`` (any thread) stores the figure and, if no delivery is scheduled yet, queues
    one wake-up; the GUI thread then waits out the rest of the interval and hands every
    key's latest figure to ``deliver``.  ``discard`` (any thread) drops what has not been
    delivered — called before a "finished" signal, so no stale figure arrives after it.
    """

    _wake = Signal()

    def __init__(
        self,
        deliver: Callable[[str, tuple[Any, ...]], None],
        interval: float = PROGRESS_INTERVAL,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._deliver = deliver
        self._interval_ms = int(interval * 1000)
        self._latest: dict[str, tuple[Any, ...]] = {}
        self._lock = threading.Lock()
        self._scheduled = False
        self._last = 0.0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.flush)
        self._wake.connect(self._schedule)

    def put(self, key: str, figures: tuple[Any, ...]) -> None:
        with self._lock:
            self._latest[key] = figures
            wake = not self._scheduled
            self._scheduled = True
        if wake:
            self._wake.emit()

    def discard(self, key: str | None = None) -> None:
        with self._lock:
            if key is None:
                self._latest.clear()
            else:
                self._latest.pop(key, None)

    def _schedule(self) -> None:
        if not self._timer.isActive():
            since = (time.monotonic() - self._last) * 1000
            self._timer.start(max(0, int(self._interval_ms - since)))

    def flush(self) -> None:
        """Deliver every key's latest figures now (GUI thread)."""
        with self._lock:
            latest, self._latest = self._latest, {}
            self._scheduled = False
        self._last = time.monotonic()
        for key, figures in latest.items():
            self._deliver(key, figures)


class EngineBridge(QObject):
    """The engine's listener calls, re-emitted as queued signals on the GUI thread."""

    runStarted = Signal(object)  # RunSummary
    runProgress = Signal(str, str, str, int, object)  # service, job, label, done, total
    runFinished = Signal(object)  # RunSummary

    def __init__(self, engine: Engine, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._engine = engine
        self.progress = ProgressCoalescer(
            lambda _job, figures: self.runProgress.emit(*figures), parent=self
        )
        self._relay = _Relay(self)
        engine.subscribe(self._relay)

    def detach(self) -> None:
        self._engine.unsubscribe(self._relay)


class _Relay(EngineListener):
    def __init__(self, bridge: EngineBridge) -> None:
        self._bridge = bridge

    def run_started(self, run: RunSummary) -> None:
        self._bridge.runStarted.emit(run)

    def progress(self, service: str, job: str, label: str, done: int, total: int | None) -> None:
        self._bridge.progress.put(f"{service}/{job}", (service, job, label, done, total))

    def run_finished(self, run: RunSummary) -> None:
        self._bridge.progress.discard(f"{run.service}/{run.job}")
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
        self._progress = ProgressCoalescer(
            lambda _key, figures: self.progressed.emit(*figures), parent=self
        )

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

    def _report(self, label: str, done: int, total: int | None) -> None:
        self._progress.put("task", (label, done, total))

    def _run(self) -> None:
        try:
            result = self._work(self._report, self._cancel)
        except CANCELLED as exc:
            self._progress.discard()
            self.cancelled.emit(str(exc))
        except UserError as exc:
            self._progress.discard()
            self.failed.emit(str(exc))
        except Exception as exc:
            from .strings import S

            self._progress.discard()
            self.failed.emit(S.UNEXPECTED.format(kind=type(exc).__name__))
            self.finished.emit()
            raise
        else:
            self._progress.discard()
            self.succeeded.emit(result)
        self.finished.emit()
