"""The sandbox's notion of time.

Every emulator reads time from one :class:`SandboxClock` so that rate limits, token
lifetimes and message status progressions keep the real services' proportions while
running faster: with ``time_scale=60`` one real second is one sandbox minute.  Tests can
also jump forward (``advance``) to expire a token or age a message without waiting.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime


class SandboxClock:
    """Scaled wall clock shared by the emulators of one sandbox."""

    def __init__(self, time_scale: float = 1.0) -> None:
        if time_scale <= 0:
            raise ValueError("time_scale must be positive")
        self.time_scale = time_scale
        self._lock = threading.Lock()
        self._real_start = time.monotonic()
        self._epoch_start = time.time()
        self._offset = 0.0

    def time(self) -> float:
        """Sandbox epoch seconds (like :func:`time.time`, but scaled and advanceable)."""
        with self._lock:
            elapsed = (time.monotonic() - self._real_start) * self.time_scale
            return self._epoch_start + elapsed + self._offset

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.time(), tz=UTC)

    def advance(self, seconds: float) -> None:
        """Jump forward (never backward: the services' clocks do not run backwards)."""
        if seconds < 0:
            raise ValueError("the sandbox clock only moves forward")
        with self._lock:
            self._offset += seconds

    def real_seconds(self, sandbox_seconds: float) -> float:
        """How long a sandbox duration takes in real time."""
        return sandbox_seconds / self.time_scale
