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


# -- engine-level worlds (import + export jobs against the in-process sandbox) ------------------
def sync_world(path: Any, directions: dict[str, str] | None = None) -> Any:
    """A ``World`` of test_woocommerce_sync with the owner's ``directions`` set."""
    from nexpura_desktop.ledger import connections
    from nexpura_desktop.ledger.db import Ledger
    from tests.integration.test_woocommerce_sync import World

    world = World(path)
    if directions is not None:
        with Ledger(path) as ledger, ledger.transaction() as conn:
            connections.update_config(conn, "woocommerce", directions=directions)
    return world


def run_jobs(world: Any, entity: str | None = None, direction: str | None = None) -> Any:
    from nexpura_desktop.engine.run_due import run_sync

    (result,) = run_sync(world.path, world.registry, "woocommerce", entity=entity,
                         direction=direction)  # fmt: skip
    return result


def ledger_exec(world: Any, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    import sqlite3

    with sqlite3.connect(world.path) as db:
        rows = db.execute(sql, params).fetchall()
    return rows


def woo_by_sku(emu: WooCommerceEmulator, sku: str) -> list[dict[str, Any]]:
    """Products and variations in the shop with ``sku`` (any case)."""
    with emu.lock:
        records = [*emu.store.products.values(), *emu.store.variations.values()]
        return [dict(r) for r in records if str(r.get("sku") or "").lower() == sku.lower()
                and r.get("status") != "trash"]  # fmt: skip


def woo_stock(emu: WooCommerceEmulator, sku: str) -> int:
    (found,) = woo_by_sku(emu, sku)
    return int(found["stock_quantity"])


def control(world: Any, method: str, path: str, body: Any = None) -> Any:
    """A call to the sandbox's control routes (what happens on the website)."""
    import asyncio

    import httpx

    async def go() -> Any:
        origin = world.emu.credentials()["store_url"]
        async with httpx.AsyncClient(transport=world.sandbox.transport(), base_url=origin) as c:
            response = await c.request(method, path, json=body)
        assert response.status_code < 300, response.text
        return response.json()

    return asyncio.run(go())


def edit_in_shop(world: Any, sku: str, **fields: Any) -> None:
    """The owner edits a product or variation in wp-admin."""
    (found,) = woo_by_sku(world.emu, sku)
    world.emu.clock.advance(2)
    control(world, "POST", f"/_sandbox/products/{found['id']}", fields)
    world.emu.clock.advance(2)
