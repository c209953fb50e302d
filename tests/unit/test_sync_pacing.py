"""Pacing with injected time: token bucket, Retry-After, backoff caps, cancellable waits."""

from __future__ import annotations

import asyncio
import random
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from nexpura_desktop.engine.errors import SyncCancelled, Throttled, Transient
from nexpura_desktop.sync.pacing import Pacer, parse_retry_after

WALL = datetime(2025, 6, 1, 12, 0, 0, tzinfo=UTC)


class FakeTime:
    def __init__(self) -> None:
        self.t = 100.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.t

    def wall(self) -> datetime:
        return WALL + timedelta(seconds=self.t - 100.0)

    def sleep(self, seconds: float, cancel: threading.Event | None) -> bool:
        self.slept.append(round(seconds, 6))
        self.t += seconds
        return cancel is not None and cancel.is_set()


def pacer(ft: FakeTime, **kw: Any) -> Pacer:
    return Pacer(
        "shopify", clock=ft.clock, wall=ft.wall, sleep=ft.sleep, rng=random.Random(7), **kw
    )


def test_token_bucket_allows_a_burst_then_paces_at_the_rate() -> None:
    ft = FakeTime()
    p = pacer(ft, rate=2.0, burst=3.0)
    waits = [p.wait() for _ in range(5)]
    assert waits == [0.0, 0.0, 0.0, 0.5, 0.5]
    ft.t += 10  # idle time refills to the burst, never beyond
    assert [p.wait() for _ in range(4)] == [0.0, 0.0, 0.0, 0.5]
    p.set_available(0)  # the service says the budget is spent
    assert p.wait() == 0.5
    p.set_rate(10.0, burst=5.0)
    assert p.reserve() == pytest.approx(0.1)  # one token at the new rate


def test_retry_after_is_honoured_in_seconds_and_as_an_http_date() -> None:
    assert parse_retry_after("7", WALL) == 7.0
    assert parse_retry_after(2.5, WALL) == 2.5
    assert parse_retry_after("Sun, 01 Jun 2025 12:00:30 GMT", WALL) == 30.0
    assert parse_retry_after("Sun, 01 Jun 2025 11:00:00 GMT", WALL) == 0.0
    assert parse_retry_after("soon", WALL) is None and parse_retry_after(None, WALL) is None
    ft = FakeTime()
    p = pacer(ft, rate=100.0, burst=100.0)
    assert p.backoff(429, "7") == 7.0
    assert (
        p.status()
        == f"throttled, resuming at {(WALL + timedelta(seconds=7)).astimezone():%H:%M:%S}"
    )
    assert p.wait() == pytest.approx(7.0) and ft.slept == [pytest.approx(7.0)]
    assert p.status() is None


def test_backoff_grows_exponentially_with_jitter_and_resets_on_success() -> None:
    ft = FakeTime()
    p = pacer(ft, base_backoff=1.0, max_backoff=16.0, max_wait=60.0, max_retries=10)
    delays = [p.backoff(503) for _ in range(7)]
    ceilings = [1, 2, 4, 8, 16, 16, 16]
    assert all(c / 2 <= d <= c for d, c in zip(delays, ceilings, strict=True))
    assert len(set(delays)) == len(delays)  # jittered, not lock-step
    p.succeeded()
    assert p.failures == 0 and p.backoff(503) <= 1.0


def test_a_wait_longer_than_the_cap_becomes_a_throttled_error_with_the_resume_time() -> None:
    ft = FakeTime()
    p = pacer(ft, max_wait=120.0)
    with pytest.raises(Throttled) as caught:
        p.backoff(429, "3600")
    assert caught.value.resume_at == WALL + timedelta(hours=1)
    assert ft.slept == []  # never sleeps for an hour
    q = pacer(ft, max_retries=2, max_wait=600.0)
    q.backoff(502)
    q.backoff(502)
    with pytest.raises(Transient, match="kept answering 502"):
        q.backoff(502)


def test_waits_are_cancellable() -> None:
    ft = FakeTime()
    p = pacer(ft, rate=1.0, burst=1.0)
    cancel = threading.Event()
    p.wait(cancel=cancel)
    cancel.set()
    with pytest.raises(SyncCancelled):
        p.wait(cancel=cancel)
    real = Pacer("xero", rate=0.001, burst=1.0, max_wait=1e6)
    real.reserve()
    stop = threading.Event()
    stop.set()
    with pytest.raises(SyncCancelled):  # the real sleeper returns at once when cancelled
        real.wait(cancel=stop)


def test_async_wait_sleeps_in_steps_and_sees_a_cancel() -> None:
    ft = FakeTime()
    p = pacer(ft, rate=1.0, burst=1.0)
    naps: list[float] = []
    cancel = threading.Event()

    async def nap(seconds: float) -> None:
        naps.append(seconds)
        if len(naps) == 3:
            cancel.set()

    async def go() -> None:
        await p.wait_async(cancel=cancel, sleep=nap)
        assert naps == []
        with pytest.raises(SyncCancelled):
            await p.wait_async(cancel=cancel, sleep=nap, step=0.25)

    asyncio.run(go())
    assert naps == [0.25, 0.25, 0.25]


def test_on_wait_reports_the_throttle_to_the_owner() -> None:
    ft = FakeTime()
    p = pacer(ft)
    p.backoff(429, "5")
    said: list[str] = []
    p.wait(on_wait=said.append)
    assert said == [f"throttled, resuming at {(WALL + timedelta(seconds=5)).astimezone():%H:%M:%S}"]
