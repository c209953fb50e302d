"""Xero's API limits on the sandbox clock (reference/service-apis.md §4.6).

Per app and tenant: 5 concurrent calls, 60 calls per minute, 5,000 per day; per app: 10,000
calls per minute across tenants.  Windows are rolling and measured in sandbox seconds, so a
sped-up clock keeps the proportions.  Every answered call reports what is left in
``X-MinLimit-Remaining``, ``X-DayLimit-Remaining`` and ``X-AppMinLimit-Remaining``; a refused
one is a 429 with ``Retry-After`` and ``X-Rate-Limit-Problem``.
"""

from __future__ import annotations

import math
import threading
from collections import defaultdict, deque
from dataclasses import dataclass, field

from ..clock import SandboxClock

MINUTE = 60.0
DAY = 86_400.0


@dataclass
class Limits:
    concurrent: int = 5
    per_minute: int = 60
    per_day: int = 5000
    app_per_minute: int = 10_000


@dataclass
class Decision:
    allowed: bool
    headers: dict[str, str] = field(default_factory=dict)
    problem: str = ""
    retry_after: int = 0


class RateLimiter:
    def __init__(self, clock: SandboxClock, limits: Limits | None = None) -> None:
        self.clock = clock
        self.limits = limits or Limits()
        self._lock = threading.Lock()
        self._minute: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._day: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._app: dict[str, deque[float]] = defaultdict(deque)
        self._in_flight: dict[tuple[str, str], int] = defaultdict(int)

    def acquire(self, app: str, tenant: str) -> Decision:
        """Count one call (and hold a concurrency slot) or refuse it."""
        key, now, lim = (app, tenant), self.clock.time(), self.limits
        with self._lock:
            minute, day, app_min = self._minute[key], self._day[key], self._app[app]
            _expire(minute, now - MINUTE)
            _expire(day, now - DAY)
            _expire(app_min, now - MINUTE)
            refusal: tuple[str, float] | None = None
            if len(day) >= lim.per_day:
                refusal = ("day", day[0] + DAY - now)
            elif len(app_min) >= lim.app_per_minute:
                refusal = ("appminute", app_min[0] + MINUTE - now)
            elif len(minute) >= lim.per_minute:
                refusal = ("minute", minute[0] + MINUTE - now)
            elif self._in_flight[key] >= lim.concurrent:
                refusal = ("concurrent", 1.0)
            if refusal is None:
                minute.append(now)
                day.append(now)
                app_min.append(now)
                self._in_flight[key] += 1
            headers = {
                "X-DayLimit-Remaining": str(max(0, lim.per_day - len(day))),
                "X-MinLimit-Remaining": str(max(0, lim.per_minute - len(minute))),
                "X-AppMinLimit-Remaining": str(max(0, lim.app_per_minute - len(app_min))),
            }
        if refusal is None:
            return Decision(True, headers)
        problem, wait = refusal
        retry = max(1, math.ceil(wait))
        headers.update({"Retry-After": str(retry), "X-Rate-Limit-Problem": problem})
        return Decision(False, headers, problem, retry)

    def release(self, app: str, tenant: str) -> None:
        with self._lock:
            key = (app, tenant)
            self._in_flight[key] = max(0, self._in_flight[key] - 1)


def _expire(window: deque[float], horizon: float) -> None:
    while window and window[0] <= horizon:
        window.popleft()
