"""Serial job lanes: one worker thread per integration, plus one for exports.

Two tasks of one lane never overlap; different lanes run side by side (ARCHITECTURE.md
§5, Vorta's per-site workers).  A lane holds at most one task: submitting to a busy
lane is refused (the caller says "already syncing") rather than queuing a duplicate.
Cancel is cooperative — the running task sees its cancel event — and shutdown cancels,
then joins every worker, so nothing is left running behind a closed window or a test.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

Task = Callable[[threading.Event, dict[str, Any]], None]  # (cancel event, lane state)


class LaneClosed(RuntimeError):
    """The engine is shutting down; no new work is accepted."""


class Lane:
    """One worker thread running one task at a time."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.state: dict[str, Any] = {}  # per-lane, e.g. the service's pacer
        self._cond = threading.Condition()
        self._task: Task | None = None
        self._running = False
        self._cancel = threading.Event()
        self._closing = False
        self._thread = threading.Thread(target=self._work, name=f"lane-{name}", daemon=True)
        self._thread.start()

    @property
    def busy(self) -> bool:
        with self._cond:
            return self._task is not None or self._running

    def submit(self, task: Task) -> bool:
        """Start ``task`` on this lane; ``False`` if the lane is busy."""
        with self._cond:
            if self._closing:
                raise LaneClosed(f"lane {self.name} is shut down")
            if self._task is not None or self._running:
                return False
            self._cancel = threading.Event()
            self._task = task
            self._cond.notify_all()
            return True

    def cancel(self) -> bool:
        """Ask the current task to stop at its next check; ``False`` if idle."""
        with self._cond:
            if self._task is None and not self._running:
                return False
            self._cancel.set()
            return True

    def wait_idle(self, timeout: float | None = None) -> bool:
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while self._task is not None or self._running:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._cond.wait(left)
            return True

    def shutdown(self, timeout: float | None = None) -> bool:
        """Cancel, stop the worker and join it; ``False`` if it did not stop in time."""
        with self._cond:
            self._closing = True
            self._cancel.set()
            self._cond.notify_all()
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _work(self) -> None:
        while True:
            with self._cond:
                while self._task is None and not self._closing:
                    self._cond.wait()
                if self._task is None:
                    return
                task, self._task, self._running = self._task, None, True
                cancel = self._cancel
            try:
                task(cancel, self.state)
            except Exception:
                log.exception("lane %s: a task failed outside the engine's handling", self.name)
            finally:
                with self._cond:
                    self._running = False
                    self._cond.notify_all()


class Lanes:
    """The set of lanes, created on first use."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._lanes: dict[str, Lane] = {}
        self._closed = False

    def lane(self, name: str) -> Lane:
        with self._lock:
            if self._closed:
                raise LaneClosed("the engine is shut down")
            if name not in self._lanes:
                self._lanes[name] = Lane(name)
            return self._lanes[name]

    def submit(self, name: str, task: Task) -> bool:
        return self.lane(name).submit(task)

    def busy(self, name: str) -> bool:
        with self._lock:
            lane = self._lanes.get(name)
        return lane is not None and lane.busy

    def cancel(self, name: str | None = None) -> list[str]:
        """Cancel one lane (or all); returns the lanes that had something to cancel."""
        with self._lock:
            lanes = list(self._lanes.values())
        return [ln.name for ln in lanes if (name is None or ln.name == name) and ln.cancel()]

    def wait_idle(self, timeout: float | None = None) -> bool:
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._lock:
            lanes = list(self._lanes.values())
        for ln in lanes:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not ln.wait_idle(left):
                return False
        return True

    def shutdown(self, timeout: float = 30.0) -> bool:
        """Cancel everything, then join every worker (``False`` if one did not stop)."""
        with self._lock:
            self._closed = True
            lanes = list(self._lanes.values())
        for ln in lanes:
            ln.cancel()
        deadline = time.monotonic() + timeout
        return all(ln.shutdown(max(0.0, deadline - time.monotonic())) for ln in lanes)
