"""Starting syncs for API callers and webhook deliveries, and pacing data exports.

* An API caller asking for a sync of a busy service gets "already syncing" (409): it can
  ask again.  A webhook delivery cannot: WooCommerce does not retry, so a delivery that
  finds the lane busy is *queued* and runs once the lane is free (coalesced per entity),
  because the running import may already have read past the changed order.
* Exports are heavy: one at a time, at most three a minute (Nexpura's own limit).
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from collections.abc import Callable

from ..engine.engine import Engine, Submission
from ..engine.errors import UnknownSync

log = logging.getLogger(__name__)
POLL_SECONDS = 0.5


class Busy(Exception):
    """The service's lane is running a sync already."""


def start_sync(
    engine: Engine,
    service: str,
    *,
    entity: str | None = None,
    direction: str | None = None,
    full: bool = False,
) -> Submission:
    """Start the sync on the service's lane now, or raise ``Busy`` / ``UnknownSync``."""
    if engine.busy(service):
        raise Busy(f"{service} is already syncing")
    subs = engine.sync_now(service, entity, direction, trigger="api", full=full)
    refused = [s for s in subs if not s.accepted]
    if refused:
        raise Busy(refused[0].message)
    return subs[0]


class DeferredSyncs:
    """Webhook-triggered imports: started at once, or queued until the lane is free."""

    def __init__(self, engine: Engine, *, poll_seconds: float = POLL_SECONDS) -> None:
        self._engine = engine
        self._poll = poll_seconds
        self._pending: dict[tuple[str, str], None] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def request(self, service: str, entity: str) -> str:
        """``started``, ``queued`` or ``not_connected`` (nothing to run for it)."""
        with self._lock:
            if (service, entity) in self._pending:
                return "queued"
            try:
                start_sync(self._engine, service, entity=entity, direction="import")
            except UnknownSync as exc:
                log.info("webhook sync of %s %s not started: %s", service, entity, exc)
                return "not_connected"
            except Busy:
                self._pending[(service, entity)] = None
                self._ensure_thread()
                return "queued"
            return "started"

    def pending(self) -> list[tuple[str, str]]:
        with self._lock:
            return list(self._pending)

    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(
                target=self._drain, name="api-deferred-syncs", daemon=True
            )
            self._thread.start()

    def _drain(self) -> None:
        while not self._stop.wait(self._poll):
            with self._lock:
                for key in list(self._pending):
                    service, entity = key
                    try:
                        start_sync(self._engine, service, entity=entity, direction="import")
                    except Busy:
                        continue
                    except UnknownSync as exc:
                        log.info("queued sync of %s %s dropped: %s", service, entity, exc)
                    del self._pending[key]
                if not self._pending:
                    return

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)


class ExportGate:
    """One export at a time, and at most ``per_minute`` started in any 60 seconds."""

    def __init__(self, per_minute: int = 3, *, clock: Callable[[], float] = time.monotonic):
        self._per_minute = per_minute
        self._clock = clock
        self._started: collections.deque[float] = collections.deque()
        self._running = threading.Lock()
        self._lock = threading.Lock()

    def begin(self) -> tuple[bool, int]:
        """Take the export slot: ``(True, 0)``, or ``(False, seconds to wait)`` when one is
        running (0) or the minute's allowance is used up; call :meth:`end` after a True."""
        with self._lock:
            now = self._clock()
            while self._started and now - self._started[0] >= 60:
                self._started.popleft()
            if len(self._started) >= self._per_minute:
                return False, max(1, int(60 - (now - self._started[0])) + 1)
            if not self._running.acquire(blocking=False):
                return False, 0
            self._started.append(now)
            return True, 0

    def end(self) -> None:
        self._running.release()
