"""Mailchimp's only rate limit: 10 simultaneous connections per user (§3.6).

The count has to include time spent *anywhere* in serving a request (including injected
``slow`` faults, which model a slow Mailchimp), so :class:`ConnectionCounter` wraps the
whole emulator app and only marks the scope; :class:`ConnectionGate`, inside the
request-logging middleware, answers the marked request with the real 429 — a
problem+json body and no ``Retry-After`` or rate-limit headers — so the refusal is logged
like any other response.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from .errors import MailchimpError

OVER_LIMIT = "mailchimp.over_connection_limit"
CONTROL_PREFIX = "/_sandbox/"


class ConnectionCounter:
    """Counts in-flight API requests and marks those beyond the limit."""

    def __init__(self, app: ASGIApp, limit: Callable[[], int]) -> None:
        self.app = app
        self.limit = limit
        self.in_flight = 0
        self.peak = 0
        self._lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        with self._lock:
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
            over = self.in_flight > self.limit()
        try:
            await self.app({**scope, OVER_LIMIT: over}, receive, send)
        finally:
            with self._lock:
                self.in_flight -= 1


class ConnectionGate:
    """Refuses a request the counter marked, with Mailchimp's 429."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get(OVER_LIMIT):
            await MailchimpError(429).response()(scope, receive, send)
            return
        await self.app(scope, receive, send)
