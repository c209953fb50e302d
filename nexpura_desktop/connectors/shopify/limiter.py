"""Shopify's cost budget on our side: wait just long enough before each query.

Shopify charges a query's *requested* cost up front and refunds down to the actual cost
(service-apis §1.5).  Every answer reports ``throttleStatus`` (``currentlyAvailable``,
``maximumAvailable``, ``restoreRate``); we mirror that bucket in a shared
:class:`~nexpura_desktop.sync.pacing.Pacer` so a query is sent only once the points it asks
for have been restored.  A bulk import therefore runs at the restore rate without a
single ``THROTTLED`` answer, and without the fixed sleeps that made other connectors take
hours (prior-art C6, D1).

One limiter per shop (``limiter_for``), shared by every client of that shop in the
process, because the bucket is per (app, shop) on Shopify's side.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from ...sync.pacing import Pacer

# Shopify's documented Standard-plan figures; the first answer replaces them.
DEFAULT_RESTORE_RATE = 100.0
DEFAULT_MAXIMUM = 1000.0
# Before we know a document's requested cost we assume this much (a mutation is 10).
DEFAULT_QUERY_COST = 50.0

AsyncSleep = Callable[[float], Awaitable[None]]


class CostLimiter:
    """The client-side mirror of one shop's cost bucket."""

    def __init__(
        self,
        shop: str = "shop",
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: AsyncSleep = asyncio.sleep,
        max_wait: float = 120.0,
        max_retries: int = 8,
        base_backoff: float = 1.0,
        max_backoff: float = 60.0,
        pacer: Pacer | None = None,
    ) -> None:
        self.shop = shop
        self.sleep = sleep
        self.pacer = pacer or Pacer(
            "shopify",
            rate=DEFAULT_RESTORE_RATE,
            burst=DEFAULT_MAXIMUM,
            base_backoff=base_backoff,
            max_backoff=max_backoff,
            max_wait=max_wait,
            max_retries=max_retries,
            clock=clock,
        )
        self.maximum: float | None = None
        self.restore_rate: float | None = None
        self._costs: dict[str, float] = {}
        self._lock = threading.Lock()
        self.waited = 0.0  # seconds spent waiting for budget (for measurements)

    # -- what a document costs ------------------------------------------------------------
    def estimate(self, key: str) -> float:
        with self._lock:
            return self._costs.get(key, DEFAULT_QUERY_COST)

    def learn(self, key: str, requested: float) -> None:
        with self._lock:
            self._costs[key] = float(requested)

    # -- the bucket -----------------------------------------------------------------------
    def observe(self, throttle_status: Mapping[str, Any] | None) -> None:
        """Mirror the bucket Shopify just reported (call after every answer)."""
        if not isinstance(throttle_status, Mapping):
            return
        try:
            maximum = float(throttle_status["maximumAvailable"])
            rate = float(throttle_status["restoreRate"])
            available = float(throttle_status["currentlyAvailable"])
        except (KeyError, TypeError, ValueError):
            return
        if maximum <= 0 or rate <= 0:
            return
        if (maximum, rate) != (self.maximum, self.restore_rate):
            self.pacer.set_rate(rate, maximum)
            self.maximum, self.restore_rate = maximum, rate
        self.pacer.set_available(available)

    async def acquire(self, cost: float, cancel: threading.Event | None = None) -> float:
        """Wait until ``cost`` points are available (cancellable); returns seconds waited."""
        waited = await self.pacer.wait_async(cost, cancel=cancel, sleep=self.sleep)
        self.waited += waited
        return waited

    def succeeded(self) -> None:
        self.pacer.succeeded()

    def backoff(self, status: int | None, retry_after: str | float | None = None) -> float:
        """A 429/5xx/transport failure: the delay imposed (raises when retries run out)."""
        return self.pacer.backoff(status, retry_after)

    def fits(self, cost: float) -> bool:
        """Whether a query of ``cost`` can ever run (it must fit in the full bucket)."""
        return self.maximum is None or cost <= self.maximum

    def status(self) -> str | None:
        return self.pacer.status()


_LIMITERS: dict[str, CostLimiter] = {}
_REGISTRY_LOCK = threading.Lock()


def limiter_for(shop: str) -> CostLimiter:
    """The process-wide limiter of one shop (created on first use)."""
    key = shop.strip().lower().rstrip("/")
    with _REGISTRY_LOCK:
        if key not in _LIMITERS:
            _LIMITERS[key] = CostLimiter(key)
        return _LIMITERS[key]
