"""Per-service pacing: a token bucket, ``Retry-After``, and capped exponential backoff.

One ``Pacer`` per service (shared by that service's jobs on its lane), fed by the
service's own signals: the connector calls ``wait()`` before each request,
``succeeded()`` after a good response and ``backoff(status, retry_after)`` after a 429 or
5xx.  Waits are cancellable (a cancel event ends them at once) and never longer than
``max_wait``: a service that asks for more gets a ``Throttled`` error naming the time the
sync will resume, instead of a sync that silently stalls for hours (prior-art E5).

Time is injected (``clock`` monotonic seconds, ``wall`` for the "resuming at" time,
``sleep``) so tests never sleep.
"""

from __future__ import annotations

import asyncio
import random
import threading
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from ..engine.errors import SyncCancelled, Throttled, Transient

Sleeper = Callable[[float, "threading.Event | None"], bool]  # returns True if cancelled
AsyncSleeper = Callable[[float], Awaitable[None]]


def _default_sleep(seconds: float, cancel: threading.Event | None) -> bool:
    if cancel is not None:
        return cancel.wait(seconds)
    time.sleep(seconds)
    return False


def parse_retry_after(value: str | float | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or an HTTP date)."""
    if value is None:
        return None
    if isinstance(value, int | float):
        return max(0.0, float(value))
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


class Pacer:
    """Token bucket plus backoff for one service.  Thread-safe."""

    def __init__(
        self,
        service: str,
        *,
        rate: float = 2.0,
        burst: float = 4.0,
        base_backoff: float = 1.0,
        max_backoff: float = 60.0,
        max_wait: float = 120.0,
        max_retries: int = 8,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], datetime] = lambda: datetime.now(UTC),
        sleep: Sleeper = _default_sleep,
        rng: random.Random | None = None,
    ) -> None:
        if rate <= 0 or burst <= 0:
            raise ValueError("rate and burst must be positive")
        self.service = service
        self.base_backoff, self.max_backoff = base_backoff, max_backoff
        self.max_wait, self.max_retries = max_wait, max_retries
        self._clock, self._wall, self._sleep = clock, wall, sleep
        self._rng = rng or random.Random()
        self._lock = threading.Lock()
        self._rate, self._burst = rate, burst
        self._tokens = burst
        self._stamp = clock()
        self._blocked_until = 0.0
        self.failures = 0  # consecutive throttles/errors since the last success

    # -- state ---------------------------------------------------------------------------
    def _refill(self, now: float) -> None:
        self._tokens = min(self._burst, self._tokens + (now - self._stamp) * self._rate)
        self._stamp = now

    def set_rate(self, rate: float, burst: float | None = None) -> None:
        """Adapt to what the service reports (e.g. Shopify's restore rate and bucket size)."""
        with self._lock:
            self._refill(self._clock())
            self._rate = rate
            if burst is not None:
                self._burst = burst
                self._tokens = min(self._tokens, burst)

    def set_available(self, tokens: float) -> None:
        """The service told us how much budget is left (Shopify ``currentlyAvailable``)."""
        with self._lock:
            self._refill(self._clock())
            self._tokens = min(self._burst, tokens)

    def reserve(self, cost: float = 1.0) -> float:
        """Take ``cost`` tokens now; returns the seconds to wait before sending."""
        with self._lock:
            now = self._clock()
            self._refill(now)
            cost = min(cost, self._burst)  # a request larger than the bucket waits for a full one
            self._tokens -= cost
            deficit = max(0.0, -self._tokens) / self._rate
            return max(deficit, self._blocked_until - now, 0.0)

    def succeeded(self) -> None:
        with self._lock:
            self.failures = 0

    def backoff(self, status: int | None = None, retry_after: str | float | None = None) -> float:
        """A throttle (429) or server error happened: returns the delay now imposed.

        ``Retry-After`` is honoured when given, else exponential backoff with jitter.
        Raises ``Throttled``/``Transient`` when the wait would exceed ``max_wait`` or the
        retries are used up, so the run ends with a clear "resuming at" message.
        """
        with self._lock:
            now = self._clock()
            self.failures += 1
            delay = parse_retry_after(retry_after, self._wall())
            if delay is None:
                ceiling = min(self.max_backoff, self.base_backoff * 2 ** (self.failures - 1))
                delay = self._rng.uniform(ceiling / 2, ceiling)
            self._blocked_until = max(self._blocked_until, now + delay)
            self._tokens = min(self._tokens, 0.0)
            resume = self._wall() + timedelta(seconds=delay)
            if delay > self.max_wait or self.failures > self.max_retries:
                if status == 429 or status is None:
                    raise Throttled(f"asked to wait {delay:.0f} s", resume_at=resume)
                raise Transient(f"the service kept answering {status}")
            return delay

    def status(self) -> str | None:
        """``throttled, resuming at HH:MM:SS`` while a backoff is in force, else ``None``."""
        with self._lock:
            left = self._blocked_until - self._clock()
        if left <= 0:
            return None
        resume = (self._wall() + timedelta(seconds=left)).astimezone()
        return f"throttled, resuming at {resume:%H:%M:%S}"

    # -- waiting -------------------------------------------------------------------------
    def _planned(self, cost: float) -> float:
        delay = self.reserve(cost)
        if delay > self.max_wait:
            resume = self._wall() + timedelta(seconds=delay)
            raise Throttled(f"asked to wait {delay:.0f} s", resume_at=resume)
        return delay

    def wait(
        self,
        cost: float = 1.0,
        *,
        cancel: threading.Event | None = None,
        on_wait: Callable[[str], None] | None = None,
    ) -> float:
        """Block until a request of ``cost`` may be sent; returns the seconds waited."""
        delay = self._planned(cost)
        if delay > 0:
            if on_wait is not None:
                on_wait(self.status() or f"pacing requests ({delay:.1f} s)")
            if self._sleep(delay, cancel):
                raise SyncCancelled
        if cancel is not None and cancel.is_set():
            raise SyncCancelled
        return delay

    async def wait_async(
        self,
        cost: float = 1.0,
        *,
        cancel: threading.Event | None = None,
        sleep: AsyncSleeper = asyncio.sleep,
        step: float = 0.25,
    ) -> float:
        """``wait`` for asyncio clients: sleeps in short steps so a cancel is seen quickly."""
        delay = self._planned(cost)
        left = delay
        while left > 0:
            if cancel is not None and cancel.is_set():
                raise SyncCancelled
            chunk = min(step, left)
            await sleep(chunk)
            left -= chunk
        if cancel is not None and cancel.is_set():
            raise SyncCancelled
        return delay
