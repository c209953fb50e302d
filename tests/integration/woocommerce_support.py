"""Shared set-up for the WooCommerce client tests: an in-process sandbox and a client on it,
plus a fake clock so retries and backoff never really sleep."""

from __future__ import annotations

import random
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from nexpura_desktop.connectors.woocommerce.client import WooClient
from nexpura_desktop.sandbox import Sandbox
from nexpura_desktop.sandbox.faults import FaultRule
from nexpura_desktop.sandbox.woocommerce import WooCommerceEmulator
from nexpura_desktop.sync.pacing import Pacer


class FakeTime:
    """Monotonic + wall clock that only moves when the client sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.start = datetime(2026, 1, 1, tzinfo=UTC)
        self.sleeps: list[float] = []
        self.on_sleep: list[Any] = []

    def monotonic(self) -> float:
        return self.now

    def wall(self) -> datetime:
        return self.start + timedelta(seconds=self.now)

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        for hook in self.on_sleep:
            hook()

    @property
    def slept(self) -> float:
        return sum(self.sleeps)


def make_sandbox() -> tuple[Sandbox, WooCommerceEmulator]:
    sandbox = Sandbox(services=["woocommerce"])
    emu = sandbox["woocommerce"]
    assert isinstance(emu, WooCommerceEmulator)
    return sandbox, emu


def make_client(
    sandbox: Sandbox,
    emu: WooCommerceEmulator,
    *,
    which: str = "read_write",
    fake: FakeTime | None = None,
    cancel: threading.Event | None = None,
    **kwargs: Any,
) -> WooClient:
    creds = emu.credentials()
    fake = fake or FakeTime()
    pacer = Pacer(
        "woocommerce",
        rate=1000.0,
        burst=1000.0,
        clock=fake.monotonic,
        wall=fake.wall,
        rng=random.Random(7),
    )
    return WooClient(
        kwargs.pop("store_url", creds["store_url"]),
        creds[which]["consumer_key"],
        kwargs.pop("consumer_secret", creds[which]["consumer_secret"]),
        transport=sandbox.transport(),
        pacer=pacer,
        sleep=fake.sleep,
        cancel=cancel,
        **kwargs,
    )


def fault(emu: WooCommerceEmulator, **rule: Any) -> FaultRule:
    made = FaultRule(**rule)
    emu.faults.add(made)
    return made


def api_requests(emu: WooCommerceEmulator, path_suffix: str, method: str = "") -> list[Any]:
    return [
        e
        for e in emu.log.entries()
        if e["path"].endswith(path_suffix) and (not method or e["method"] == method)
    ]
