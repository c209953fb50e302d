"""``woocommerce.orders.reconcile``: missed orders imported, incomplete sales retried, stock
drift reported and fixed, daily by default, the owner's directions obeyed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nexpura_desktop.engine.engine import Engine
from nexpura_desktop.engine.runs import RunSummary
from tests.integration.test_woocommerce_sync import shop
from tests.integration.woocommerce_support import (
    ledger_exec,
    run_jobs,
    sync_world,
    woo_by_sku,
    woo_stock,
)

JOB = "woocommerce.orders.reconcile"
BOTH = {"products": "import", "customers": "import", "orders": "import", "inventory": "export"}


def _world(tmp_path: Path, directions: dict[str, str] | None = None) -> Any:
    world = sync_world(tmp_path / "ledger.db", directions or BOTH)
    with world.emu.lock:
        world.emu.seed(shop(4))
    assert world.sync().outcome == "success"
    return world


def _reconcile(world: Any) -> RunSummary:
    engine = Engine(world.path, world.registry)
    try:
        (summary,) = engine.run_jobs("woocommerce", [JOB], trigger="manual").wait()
    finally:
        engine.shutdown()
    return summary


def _sales(world: Any) -> list[tuple[Any, ...]]:
    return ledger_exec(world, "SELECT sale_number, import_status FROM sales ORDER BY sale_number")


def test_it_is_a_daily_maintenance_job(tmp_path: Path) -> None:
    world = sync_world(tmp_path / "ledger.db")
    (spec,) = [s for s in world.registry.maintenance_jobs() if str(s.name) == JOB]
    assert spec.schedule is not None and spec.schedule.kind == "cron"
    assert spec.schedule.cron is not None and spec.schedule.cron.endswith("* * *")


def test_an_order_the_incremental_sync_missed_is_imported(tmp_path: Path) -> None:
    world = _world(tmp_path)
    assert _reconcile(world).outcome == "success"
    world.online_order("W-1")
    with world.emu.lock:  # created now, but its modified date fell behind the watermark
        order = max(world.emu.store.orders.values(), key=lambda o: o["id"])
        order["modified"] = order["created"] - 10**6
    assert world.sync().outcome == "success"
    assert len(_sales(world)) == 1  # the watermark hid it
    result = _reconcile(world)
    assert result.outcome == "success", result.message
    assert len(_sales(world)) == 2 and world.quantity("W-1") == 4  # with its stock movement
    again = _reconcile(world)
    assert again.counts.created == 0 and len(_sales(world)) == 2


def test_an_incomplete_sale_is_completed_once_its_item_exists(tmp_path: Path) -> None:
    world = _world(tmp_path)
    ledger_exec(world, "UPDATE inventory SET sku = 'W-2-OLD' WHERE sku = 'W-2'")
    world.online_order("W-2")
    assert run_jobs(world, entity="orders").outcome == "success"
    ((number, _status),) = [s for s in _sales(world) if s[1] == "incomplete"]
    open_issues = "SELECT count(*) FROM sync_issues WHERE state = 'open' AND kind = 'record'"
    assert ledger_exec(world, open_issues) == [(1,)]
    ledger_exec(world, "UPDATE inventory SET sku = 'W-2' WHERE sku = 'W-2-OLD'")
    result = _reconcile(world)
    assert result.outcome == "success", result.message
    assert (number, "complete") in _sales(world)
    assert ledger_exec(world, open_issues) == [(0,)]
    assert world.quantity("W-2") == 4


def test_stock_drift_is_reported_and_the_ledger_wins(tmp_path: Path) -> None:
    world = _world(tmp_path)
    (item,) = woo_by_sku(world.emu, "W-3")
    with world.emu.lock:  # changed without touching date_modified: only a reconcile sees it
        world.emu.store.products[item["id"]]["stock_quantity"] = 9
    result = _reconcile(world)
    assert result.outcome == "success", result.message
    assert woo_stock(world.emu, "W-3") == 5
    drift = ledger_exec(world, "SELECT state, detail FROM sync_issues WHERE kind = 'drift'")
    assert drift == [("resolved", "woocommerce=9 ledger=5")]
    assert world.sync().counts.updated == 0  # agreed again: the next export has nothing to do


def test_directions_limit_what_it_does(tmp_path: Path) -> None:
    quiet = {"products": "import", "customers": "import", "orders": "off", "inventory": "import"}
    world = _world(tmp_path, quiet)
    (item,) = woo_by_sku(world.emu, "W-0")
    with world.emu.lock:
        world.emu.store.products[item["id"]]["stock_quantity"] = 7
    result = _reconcile(world)
    assert result.outcome == "success", result.message
    assert woo_stock(world.emu, "W-0") == 7  # reported only: stock is not exported
    (state,) = ledger_exec(world, "SELECT state FROM sync_issues WHERE kind = 'drift'")
    assert state == ("open",)
    assert result.requests == 2  # one stock read per group (products, one parent); no orders
