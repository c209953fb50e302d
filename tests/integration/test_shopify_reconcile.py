"""``shopify.orders.reconcile``: missed orders imported, incomplete sales retried, stock
drift reported and fixed compare-and-set, daily by default, the owner's directions obeyed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from nexpura_desktop.engine.engine import Engine
from nexpura_desktop.engine.run_due import run_due
from nexpura_desktop.engine.runs import RunSummary
from nexpura_desktop.ledger.db import Ledger

from .test_shopify_sync_support import World, shop_data

JOB = "shopify.orders.reconcile"


def _reconcile(world: World) -> RunSummary:
    engine = Engine(world.path, world.registry)
    try:
        (summary,) = engine.run_jobs("shopify", [JOB], trigger="manual").wait()
    finally:
        engine.shutdown()
    return summary


def _sales(world: World) -> list[tuple[str, str]]:
    with world.db() as db:
        return db.execute(
            "SELECT external_reference, import_status FROM sales ORDER BY external_reference"
        ).fetchall()


def test_an_order_the_incremental_sync_missed_is_imported(tmp_path: Path) -> None:
    world = World(tmp_path / "ledger.db")
    world.seed(shop_data(3, orders=2))
    assert world.sync().outcome == "success"
    assert _reconcile(world).outcome == "success"
    world.emu.clock.advance(60)
    with world.emu.lock:  # created now, but its updated_at is older than the watermark
        now = world.emu.clock.time()
        world.emu.store.add_order(now, [{"sku": "R-001", "quantity": 1}], updated_at=now - 10**6,
                                  financial_status="PAID", fulfillment_status="UNFULFILLED",
                                  currency="AUD", tags=[])  # fmt: skip
    world.emu.clock.advance(5)
    assert world.sync().outcome == "success"
    assert len(_sales(world)) == 2  # the watermark hid it
    result = _reconcile(world)
    assert result.outcome == "success", result.message
    assert len(_sales(world)) == 3
    with world.db() as db:
        (quantity,) = db.execute("SELECT quantity FROM inventory WHERE sku = 'R-001'").fetchone()
    assert quantity == 4  # its stock movement came with it
    again = _reconcile(world)
    assert again.counts.created == 0 and len(_sales(world)) == 3


def test_an_incomplete_sale_is_completed_once_its_item_exists(tmp_path: Path) -> None:
    world = World(tmp_path / "ledger.db")
    world.seed(shop_data(1, orders=0))
    world.sync()
    world.emu.clock.advance(10)
    world.seed({"orders": [{"line_items": [{"sku": "GONE", "title": "Old piece"}]}]})
    world.sync()
    assert [s[1] for s in _sales(world)] == ["incomplete"]
    with Ledger(world.path) as ledger, ledger.transaction() as db:
        db.execute("INSERT INTO inventory(id, sku, name, quantity) VALUES ('old', 'GONE', "
                   "'Old piece', 2)")  # fmt: skip
    result = _reconcile(world)
    assert result.outcome == "success", result.message
    assert [s[1] for s in _sales(world)] == ["complete"]
    with world.db() as db:
        open_issues = db.execute(
            "SELECT count(*) FROM sync_issues WHERE state IN ('open', 'retry')"
        ).fetchone()
        (quantity,) = db.execute("SELECT quantity FROM inventory WHERE id = 'old'").fetchone()
    assert open_issues == (0,)
    assert quantity == 1


def test_stock_drift_is_reported_and_the_ledger_figure_is_pushed(tmp_path: Path) -> None:
    world = World(tmp_path / "ledger.db")
    world.seed(shop_data(3, orders=0))
    world.sync()
    with world.emu.lock:  # someone edits stock in Shopify's admin
        store = world.emu.store
        variant = store.variant_by_sku("R-002")
        assert variant is not None
        store.levels_of_item(variant.inventory_item_id)[0].quantities["available"] = 9
    result = _reconcile(world)
    assert result.outcome == "success", result.message
    assert world.remote_stock("R-002") == 5
    assert world.remote_stock("R-001") == 5
    with world.db() as db:
        drift = db.execute("SELECT reason, detail, state FROM sync_issues WHERE kind = 'drift'")
        (reason, detail, state), *rest = drift.fetchall()
    assert rest == []
    assert "Shopify showed 9" in reason and detail == "shopify=9 ledger=5"
    assert state == "resolved"
    assert world.sync(entity="inventory").counts.updated == 0  # nothing left to push


def test_reconcile_is_a_daily_maintenance_job_that_obeys_directions(tmp_path: Path) -> None:
    spec = World(tmp_path / "a.db").registry.get(JOB)
    assert spec.maintenance and spec.schedule is not None
    assert spec.schedule.kind == "cron" and spec.schedule.cron == "30 3 * * *"

    world = World(tmp_path / "ledger.db", directions={"orders": "off", "inventory": "off",
                                                       "products": "import"})  # fmt: skip
    world.seed(shop_data(2, orders=2))
    assert world.sync().outcome == "success"
    assert _sales(world) == []
    ran = run_due(world.path, world.registry, now=datetime.now(UTC))
    assert [r.job for r in ran if r.job == JOB] == [JOB]  # due: it never ran before
    assert all(r.outcome == "success" for r in ran), [r.message for r in ran]
    assert _sales(world) == []  # orders are off: the reconcile imports none
