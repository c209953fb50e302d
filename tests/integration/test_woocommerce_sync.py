"""WooCommerce import jobs against the in-process sandbox."""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nexpura_desktop.connectors.woocommerce.client import WooClient
from nexpura_desktop.connectors.woocommerce.settings import WooSettings
from nexpura_desktop.connectors.woocommerce.streams import register
from nexpura_desktop.engine.registry import Registry
from nexpura_desktop.engine.run_due import run_sync
from nexpura_desktop.engine.summary import SyncResult
from nexpura_desktop.ledger import connections
from nexpura_desktop.ledger.changes import latest_seq
from nexpura_desktop.ledger.db import Ledger
from nexpura_desktop.sandbox import Sandbox
from nexpura_desktop.sandbox.faults import FaultInjector, FaultRule
from nexpura_desktop.sandbox.woocommerce import WooCommerceEmulator

DIRECTIONS = {"products": "import", "customers": "import", "orders": "import"}


async def _no_sleep(_seconds: float) -> None:
    await asyncio.sleep(0)


def shop(n: int = 4) -> dict[str, Any]:
    products: list[dict[str, Any]] = [
        {"name": f"Ring {i}", "type": "simple", "sku": f"W-{i}", "regular_price": "120.00",
         "manage_stock": True, "stock_quantity": 5, "status": "publish",
         "date_created_gmt": "2026-01-01T00:00:00",
         "date_modified_gmt": f"2026-02-{1 + i % 28:02d}T{i % 24:02d}:00:00"}
        for i in range(n)
    ]  # fmt: skip
    products.append(
        {"name": "Band", "type": "variable", "status": "publish",
         "attributes": [{"name": "Size", "options": ["M", "N"], "variation": True}],
         "variations": [
             {"sku": "B-M", "regular_price": "90", "manage_stock": True, "stock_quantity": 2,
              "attributes": [{"name": "Size", "option": "M"}]},
             {"sku": "B-N", "regular_price": "90", "manage_stock": True, "stock_quantity": 3,
              "attributes": [{"name": "Size", "option": "N"}]}]}
    )  # fmt: skip
    customers = [
        {"email": f"wbuyer{i}@larkspur.com.au", "first_name": f"W{i}", "last_name": "Ng",
         "billing": {"phone": f"041300000{i}", "country": "AU"}}
        for i in range(3)
    ]  # fmt: skip
    orders = [
        {"status": "completed", "customer_email": "wbuyer0@larkspur.com.au",
         "billing": {"email": "wbuyer0@larkspur.com.au"},
         "date_created_gmt": "2026-03-01T00:00:00", "line_items": [{"sku": "W-0", "quantity": 1}]}
    ]  # fmt: skip
    return {"products": products, "customers": customers, "orders": orders}


@dataclass
class World:
    path: Path
    sandbox: Sandbox = field(default_factory=lambda: Sandbox(services=["woocommerce"]))

    def __post_init__(self) -> None:
        with Ledger(self.path) as ledger:
            connections.save_connected(
                ledger.conn,
                "woocommerce",
                account="shop",
                config={
                    "store_url": self.emu.credentials()["store_url"],
                    "directions": DIRECTIONS,
                },
                secrets=[],
            )
        self.registry = Registry()
        register(self.registry, settings=self.settings)

    @property
    def emu(self) -> WooCommerceEmulator:
        emu = self.sandbox["woocommerce"]
        assert isinstance(emu, WooCommerceEmulator)
        return emu

    async def settings(self, _ledger: Ledger) -> WooSettings:
        creds = self.emu.credentials()
        return WooSettings(
            str(creds["store_url"]),
            str(creds["read_write"]["consumer_key"]),
            str(creds["read_write"]["consumer_secret"]),
            transport=self.sandbox.transport(),
            sleep=_no_sleep,
            clock=self.emu.clock.time,
        )

    def sync(self, *, full: bool = False) -> SyncResult:
        (result,) = run_sync(self.path, self.registry, "woocommerce", full=full)
        return result

    def client(self) -> WooClient:
        creds = self.emu.credentials()
        keys = creds["read_write"]
        return WooClient(str(creds["store_url"]), str(keys["consumer_key"]),
                         str(keys["consumer_secret"]), transport=self.sandbox.transport(),
                         sleep=_no_sleep)  # fmt: skip

    def online_order(self, sku: str, quantity: int = 1) -> None:
        async def go() -> None:
            async with self.client() as client:
                await client.request("POST", "orders", json={
                    "status": "processing", "set_paid": True,
                    "line_items": [{"sku": sku, "quantity": quantity}]})  # fmt: skip

        self.emu.clock.advance(2)
        asyncio.run(go())
        self.emu.clock.advance(2)

    def quantity(self, sku: str) -> int:
        with sqlite3.connect(self.path) as db:
            row = db.execute("SELECT quantity FROM inventory WHERE sku = ?", (sku,)).fetchone()
        assert row is not None, sku
        return int(row[0])

    def counts(self) -> tuple[int, ...]:
        with sqlite3.connect(self.path) as db:
            return tuple(
                db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("inventory", "customers", "sales", "sale_items", "stock_movements")
            )


def test_import_incremental_and_noop(tmp_path: Path) -> None:
    world = World(tmp_path / "ledger.db")
    with world.emu.lock:
        world.emu.seed(shop())
    first = world.sync()
    assert first.outcome == "success", first.message
    assert world.counts() == (6, 3, 1, 1, 0)  # the seeded order is history: no movement
    assert world.quantity("B-N") == 3 and world.quantity("W-0") == 5
    with sqlite3.connect(world.path) as db:
        sale = db.execute(
            "SELECT external_reference, customer_id IS NOT NULL FROM sales"
        ).fetchone()
        phones = db.execute("SELECT phone FROM customers ORDER BY phone").fetchall()
        seq = latest_seq(db)
    assert sale == ("woocommerce_" + sale[0].split("_")[1], 1)
    assert phones == [("+61413000000",), ("+61413000001",), ("+61413000002",)]

    second = world.sync()
    assert second.counts.created == second.counts.updated == 0
    assert second.requests <= 3  # one request per stream
    with sqlite3.connect(world.path) as db:
        assert latest_seq(db) == seq  # nothing written

    world.online_order("W-2", 2)
    third = world.sync()
    assert third.outcome == "success", third.message
    assert world.quantity("W-2") == 3
    assert world.counts() == (6, 3, 2, 2, 1)
    again = world.sync(full=True)
    assert again.counts.created == 0
    assert world.counts() == (6, 3, 2, 2, 1) and world.quantity("W-2") == 3


def test_faults_end_like_a_clean_run(tmp_path: Path) -> None:
    fired: list[int] = []

    def scenario(world: World, faulty: bool) -> tuple[Any, ...]:
        with world.emu.lock:
            world.emu.seed(shop(250))
            if faulty:
                world.emu.faults = FaultInjector(seed=5)  # the same faults every run
                for kind, extra in (("status", {"status": 503}), ("malformed", {}),
                                    ("status", {"status": 429})):  # fmt: skip
                    rule = {"kind": kind, "rate": 0.034, "path": "wc/v3", "method": "GET"}
                    world.emu.faults.add(FaultRule.from_json({**rule, **extra}))
        for _ in range(3):  # three full reads under faults (~40 requests), then settle
            world.sync(full=True)
        for _ in range(3):
            if world.sync().outcome == "success":
                break
        with world.emu.lock:
            fired.append(sum(r.fired for r in world.emu.faults.rules()))
            world.emu.faults.clear()
        world.online_order("W-3")
        world.sync()
        with sqlite3.connect(world.path) as db:
            return (
                world.counts(),
                db.execute("SELECT sku, quantity FROM inventory ORDER BY sku").fetchall(),
                db.execute("SELECT email FROM customers ORDER BY email").fetchall(),
            )

    clean = scenario(World(tmp_path / "a.db"), False)
    assert scenario(World(tmp_path / "b.db"), True) == clean
    assert fired[0] == 0 and fired[1] > 0  # the faults were really in play
