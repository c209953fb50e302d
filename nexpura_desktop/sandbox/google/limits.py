"""Calendar API quotas on the sandbox clock (§5.5).

Per minute per user per project: 600 requests; per minute per project: 10,000 (sliding
60-second windows).  Over the user quota Google answers 403 ``userRateLimitExceeded`` (the
newer quota model answers 429 ``rateLimitExceeded``: set ``exceeded_status`` to 429); over
the project quota 403 ``rateLimitExceeded``.  Every call inside a batch counts (§5.4).
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field

from ..clock import SandboxClock
from .errors import ApiError

WINDOW = 60.0


@dataclass
class QuotaSettings:
    user_per_minute: int = 600
    project_per_minute: int = 10_000
    exceeded_status: int = 403


@dataclass
class Quota:
    clock: SandboxClock
    settings: QuotaSettings = field(default_factory=QuotaSettings)
    _user: dict[str, deque[float]] = field(default_factory=dict)
    _project: deque[float] = field(default_factory=deque)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self._lock:
            self._user.clear()
            self._project.clear()

    def hit(self, user: str) -> None:
        """Count one call for ``user``; raise the quota error if it is over a limit."""
        now = self.clock.time()
        with self._lock:
            calls = self._user.setdefault(user, deque())
            for window in (calls, self._project):
                while window and window[0] <= now - WINDOW:
                    window.popleft()
            if len(self._project) >= self.settings.project_per_minute:
                raise ApiError(
                    403, "rateLimitExceeded", "Rate Limit Exceeded", domain="usageLimits"
                )
            if len(calls) >= self.settings.user_per_minute:
                if self.settings.exceeded_status == 429:
                    raise ApiError(
                        429, "rateLimitExceeded", "Rate Limit Exceeded", domain="usageLimits"
                    )
                raise ApiError(
                    403, "userRateLimitExceeded", "User Rate Limit Exceeded", domain="usageLimits"
                )
            calls.append(now)
            self._project.append(now)

    def used(self, user: str) -> int:
        now = self.clock.time()
        with self._lock:
            return sum(1 for t in self._user.get(user, ()) if t > now - WINDOW)
