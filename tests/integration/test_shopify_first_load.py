"""The first full load reads each stream through one bulk operation; later runs page
incrementally; a run killed during the bulk read resumes the same operation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from nexpura_desktop.connectors.shopify import bulk
from nexpura_desktop.sync.cursors import all_cursors

from .test_shopify_sync_support import World, shop_data


def _bulk_queries(world: World) -> list[str]:
    with world.emu.lock:
        return [op.query for op in world.emu.bulk_ops.ops.values()]


def test_first_load_uses_one_bulk_operation_per_stream_then_incremental(tmp_path: Path) -> None:
    world = World(tmp_path / "ledger.db")
    data = shop_data(8, orders=5)
    data["products"][0]["variants"] += [
        {"sku": f"R-000-{size}", "price": 100, "inventory": {"Shop location": 2}}
        for size in ("M", "N", "O", "P", "Q", "R")  # more variants than one paged query holds
    ]
    world.seed(data)
    first = world.sync()
    assert first.outcome == "success", first.message
    started = _bulk_queries(world)
    assert len(started) == 3
    assert [q.split("{")[1].strip().split("(")[0] for q in started] == [
        "products",
        "customers",
        "orders",
    ]
    snap = world.snapshot()
    assert len(snap["inventory"]) == 8 + 6  # every variant, including the 7th..
    assert len(snap["customers"]) == 4 and len(snap["sales"]) == 5
    with world.db() as db:
        cursors = all_cursors(db, "shopify")
    assert {"products", "customers", "orders"} <= set(cursors)
    assert not any(k.startswith("bulk.") for k in cursors)

    world.online_sale("R-003")
    second = world.sync()
    assert second.outcome == "success", second.message
    assert len(_bulk_queries(world)) == 3  # incremental now: no new bulk operation
    assert len(world.snapshot()["sales"]) == 6


def test_a_run_killed_during_the_bulk_read_resumes_the_same_operation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = World(tmp_path / "ledger.db")
    world.seed(shop_data(6, orders=0))
    real = bulk.records

    async def dies(*args: Any, **kwargs: Any) -> Any:
        async for record in real(*args, **kwargs):
            yield record
            raise RuntimeError("killed")

    with monkeypatch.context() as patch:
        patch.setattr(bulk, "records", dies)
        assert world.sync(entity="products").outcome != "success"
    assert len(_bulk_queries(world)) == 1
    with world.db() as db:
        assert "bulk.products" in all_cursors(db, "shopify")
    again = world.sync(entity="products")
    assert again.outcome == "success", again.message
    assert len(_bulk_queries(world)) == 1  # the same operation's file was read again
    assert len(world.snapshot()["inventory"]) == 6


def test_a_full_resync_reads_everything_again_and_changes_nothing(tmp_path: Path) -> None:
    world = World(tmp_path / "ledger.db")
    world.seed(shop_data(4, orders=2))
    assert world.sync().outcome == "success"
    snap = world.snapshot()
    full = world.sync(full=True)
    assert full.outcome == "success", full.message
    assert full.counts.created == 0
    assert world.snapshot() == snap
