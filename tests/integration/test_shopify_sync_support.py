"""Shared pieces of the Shopify sync tests: an in-process shop, a connected ledger, runs.

(No tests here; the name keeps it inside this area's ``test_shopify_sync*`` files.)
"""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nexpura_desktop.connectors.shopify.limiter import CostLimiter
from nexpura_desktop.connectors.shopify.settings import ShopifySettings
from nexpura_desktop.connectors.shopify.streams import register
from nexpura_desktop.engine.registry import Registry
from nexpura_desktop.engine.run_due import run_sync
from nexpura_desktop.engine.summary import SyncResult
from nexpura_desktop.ledger import connections
from nexpura_desktop.ledger.db import Ledger
from nexpura_desktop.sandbox import Sandbox
from nexpura_desktop.sandbox.shopify import ShopifyEmulator

DIRECTIONS = {"products": "import", "customers": "import", "orders": "import",
              "inventory": "export"}  # fmt: skip


def shop_data(n: int = 6, *, stock: int = 5, orders: int = 3) -> dict[str, Any]:
    """``n`` one-variant products, a few customers, and ``orders`` online orders."""
    products = [
        {
            "title": f"Ring {i}",
            "created_at": "2026-01-01T00:00:00Z",
            "updated_at": f"2026-03-{1 + i % 28:02d}T{i % 24:02d}:00:00Z",
            "status": "ACTIVE",
            "tags": ["gold"],
            "variants": [{"sku": f"R-{i:03d}", "price": 100 + i,
                          "inventory": {"Shop location": stock}}],
        }
        for i in range(n)
    ]  # fmt: skip
    customers = [
        {
            "email": f"buyer{i}@larkspur.com.au",
            "phone": f"+6141200000{i}",
            "first_name": f"Buyer{i}",
            "last_name": "Lee",
            "created_at": "2026-02-01T00:00:00Z",
            "updated_at": f"2026-02-{1 + i:02d}T00:00:00Z",
        }
        for i in range(4)
    ]
    order_rows = [
        {
            "customer_email": f"buyer{i % 4}@larkspur.com.au",
            "created_at": f"2026-04-{1 + i % 28:02d}T{i % 24:02d}:00:00Z",
            "line_items": [{"sku": f"R-{i % n:03d}", "quantity": 1}],
        }
        for i in range(orders)
    ]
    return {"products": products, "customers": customers, "orders": order_rows}


@dataclass
class World:
    path: Path
    sandbox: Sandbox = field(default_factory=lambda: Sandbox(services=["shopify"]))
    directions: dict[str, str] = field(default_factory=lambda: dict(DIRECTIONS))
    slept: list[float] = field(default_factory=list)
    _limiter: CostLimiter | None = None

    def __post_init__(self) -> None:
        creds = self.emu.credentials()
        with Ledger(self.path) as ledger:
            connections.save_connected(
                ledger.conn,
                "shopify",
                account="Sandbox shop",
                config={"shop": creds["shop"], "directions": self.directions},
                secrets=[],
            )
        self.registry = Registry()
        register(self.registry, settings=self.settings)

    @property
    def emu(self) -> ShopifyEmulator:
        emu = self.sandbox["shopify"]
        assert isinstance(emu, ShopifyEmulator)
        return emu

    def limiter(self) -> CostLimiter:
        """One limiter for the shop across runs, as the app keeps one per process."""
        if self._limiter is None:
            emu, slept = self.emu, self.slept

            async def sleep(seconds: float) -> None:  # waits move the sandbox clock instead
                slept.append(seconds)
                emu.clock.advance(max(0.0, seconds))
                await asyncio.sleep(0)

            self._limiter = CostLimiter(emu.shop.domain, clock=emu.clock.time, sleep=sleep)
        return self._limiter

    async def settings(self, _ledger: Ledger) -> ShopifySettings:
        creds = self.emu.credentials()
        emu, limiter = self.emu, self.limiter()
        return ShopifySettings(
            base_url=str(creds["base_url"]),
            token=str(creds["admin_token"]),
            api_version=str(creds["api_version"]),
            transport=self.sandbox.transport(),
            limiter=limiter,
            timeout=5.0,
            clock=emu.clock.time,
        )

    def seed(self, data: dict[str, Any]) -> None:
        with self.emu.lock:
            self.emu.seed(data)

    def sync(self, *, full: bool = False, entity: str | None = None) -> SyncResult:
        (result,) = run_sync(self.path, self.registry, "shopify", entity=entity, full=full)
        return result

    def db(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path)

    def remote_stock(self, sku: str) -> int:
        with self.emu.lock:
            store = self.emu.store
            variant = store.variant_by_sku(sku)
            assert variant is not None
            return store.available(variant.inventory_item_id)

    def online_sale(self, sku: str, quantity: int = 1) -> None:
        """What Shopify does for a web order: the order, and the stock it takes."""
        with self.emu.lock:
            store = self.emu.store
            variant = store.variant_by_sku(sku)
            assert variant is not None
            now = self.emu.clock.time()
            store.add_order(now, [{"sku": sku, "quantity": quantity}], financial_status="PAID",
                            fulfillment_status="UNFULFILLED", currency="AUD", tags=[])  # fmt: skip
            level = store.levels_of_item(variant.inventory_item_id)[0]
            level.quantities["available"] -= quantity
            self.emu.clock.advance(2.0)

    def fault(self, **rule: Any) -> None:
        from nexpura_desktop.sandbox.faults import FaultInjector, FaultRule

        with self.emu.lock:
            if not self.emu.faults.rules():
                self.emu.faults = FaultInjector(seed=5)  # the same faults every run
            self.emu.faults.add(FaultRule.from_json(rule))

    def clear_faults(self) -> int:
        """Remove the faults; how many fired."""
        with self.emu.lock:
            fired = sum(r.fired for r in self.emu.faults.rules())
            self.emu.faults.clear()
        return fired

    def snapshot(self) -> dict[str, Any]:
        """What a sync leaves in the ledger, independent of timing."""
        with self.db() as db:
            return {
                "inventory": db.execute(
                    "SELECT sku, name, quantity, shopify_variant_id FROM inventory ORDER BY sku"
                ).fetchall(),
                "customers": db.execute(
                    "SELECT email, phone, full_name FROM customers ORDER BY email"
                ).fetchall(),
                "sales": db.execute(
                    "SELECT external_reference, status, total, import_status FROM sales "
                    "ORDER BY external_reference"
                ).fetchall(),
                "sale_items": db.execute("SELECT count(*) FROM sale_items").fetchone(),
                "movements": db.execute(
                    "SELECT inventory_id, quantity_change FROM stock_movements "
                    "ORDER BY inventory_id, id"
                ).fetchall(),
            }
