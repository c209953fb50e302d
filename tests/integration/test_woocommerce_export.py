"""WooCommerce export jobs (stock, listings) against the in-process sandbox."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import pytest

from nexpura_desktop.connectors.woocommerce.client import WooClient
from tests.integration.test_woocommerce_sync import shop
from tests.integration.woocommerce_support import (
    edit_in_shop,
    ledger_exec,
    run_jobs,
    sync_world,
    woo_by_sku,
    woo_stock,
)

BOTH = {"products": "both", "customers": "import", "orders": "import", "inventory": "export"}


def _world(tmp_path: Path, directions: dict[str, str] | None = None, n: int = 4) -> Any:
    world = sync_world(tmp_path / "ledger.db", directions or BOTH)
    with world.emu.lock:
        world.emu.seed(shop(n))
    first = world.sync()
    assert first.outcome == "success", first.message
    return world


def _sell_in_store(world: Any, sku: str, n: int = 1) -> None:
    ledger_exec(world, "UPDATE inventory SET quantity = quantity - ? WHERE sku = ?", n, sku)


def _new_item(world: Any, sku: str, *, quantity: int = 2, published: bool = True) -> str:
    item = str(uuid.uuid4())
    ledger_exec(
        world,
        "INSERT INTO inventory (id, sku, name, retail_price, quantity, is_published, "
        "listed_on_website) VALUES (?, ?, ?, ?, ?, ?, ?)",
        item, sku, f"Piece {sku}", 450.0, quantity, int(published), int(published),
    )  # fmt: skip
    return item


def _sync_state(world: Any) -> list[Any]:
    return [
        ledger_exec(world, f"SELECT * FROM {table} ORDER BY 1")
        for table in ("sync_cursors", "sync_links", "sync_issues", "changes")
    ]


def test_an_online_and_an_in_store_sale_leave_both_sides_right(tmp_path: Path) -> None:
    world = _world(tmp_path)
    _sell_in_store(world, "W-1")
    _sell_in_store(world, "B-M")  # a variation: written through its parent
    world.online_order("W-1")
    result = world.sync()
    assert result.outcome == "success", result.message
    assert world.quantity("W-1") == 3 and woo_stock(world.emu, "W-1") == 3
    assert world.quantity("B-M") == 1 and woo_stock(world.emu, "B-M") == 1
    again = world.sync()
    assert again.counts.updated == 0 and again.requests <= len(again.runs)


def test_a_sale_not_imported_yet_is_kept_by_the_delta(tmp_path: Path) -> None:
    world = _world(tmp_path)
    _sell_in_store(world, "W-2")  # ledger 4, agreed 5
    world.online_order("W-2")  # shop 4, lands after the order import
    stock = run_jobs(world, entity="inventory")
    assert stock.outcome == "success", stock.message
    assert woo_stock(world.emu, "W-2") == 3  # 4 online + (4 − 5) from the shop floor
    world.sync()  # the order comes in: ledger 3, and nothing more is written
    assert world.quantity("W-2") == 3 and woo_stock(world.emu, "W-2") == 3
    world.sync()
    assert woo_stock(world.emu, "W-2") == 3


def test_an_edit_in_wp_admin_is_corrected_on_the_next_run(tmp_path: Path) -> None:
    world = _world(tmp_path)
    edit_in_shop(world, "W-0", stock_quantity=9)
    world.sync()
    assert woo_stock(world.emu, "W-0") == 9  # maybe an order not seen yet: wait a run
    world.sync()
    assert woo_stock(world.emu, "W-0") == world.quantity("W-0") == 5  # the ledger owns stock


def test_new_items_are_listed_once_even_after_a_crash(tmp_path: Path) -> None:
    world = _world(tmp_path)
    _new_item(world, "NX-1", quantity=2)
    _new_item(world, "NX-2", published=False)
    _new_item(world, "NX-3", quantity=1)

    async def crashed_create() -> None:  # created in the shop, link never written
        async with world.client() as client:
            await client.create_product({"name": "Piece NX-3", "type": "simple", "sku": "NX-3",
                                         "regular_price": "450.00", "manage_stock": True,
                                         "stock_quantity": 1})  # fmt: skip

    asyncio.run(crashed_create())
    result = world.sync()
    assert result.outcome == "success", result.message
    (made,) = woo_by_sku(world.emu, "NX-1")
    assert (made["stock_quantity"], made["regular_price"], made["status"]) == (
        2,
        "450.00",
        "publish",
    )
    assert len(woo_by_sku(world.emu, "NX-3")) == 1 and woo_by_sku(world.emu, "NX-2") == []
    linked = ledger_exec(
        world,
        "SELECT l.remote_id FROM sync_links l JOIN inventory i ON i.id = l.local_id "
        "WHERE l.entity = 'variant' AND i.sku = 'NX-1'",
    )
    assert linked == [(str(made["id"]),)]
    _new_item(world, "", quantity=1)  # no SKU: listed as an issue, not in the shop
    world.sync()
    before = _sync_state(world)
    quiet = world.sync()
    assert quiet.counts.created == quiet.counts.updated == 0
    assert quiet.requests <= len(quiet.runs)
    assert _sync_state(world) == before  # a quiet sync writes nothing, not even bookkeeping


def test_ledger_changes_update_the_listing_without_echo(tmp_path: Path) -> None:
    world = _world(tmp_path)
    ledger_exec(
        world, "UPDATE inventory SET retail_price = 155, name = 'Ring One' WHERE sku = 'W-1'"
    )
    ledger_exec(world, "UPDATE inventory SET retail_price = 99 WHERE sku = 'B-N'")
    result = world.sync()
    assert result.outcome == "success", result.message
    (simple,) = woo_by_sku(world.emu, "W-1")
    (variation,) = woo_by_sku(world.emu, "B-N")
    assert (simple["name"], simple["regular_price"]) == ("Ring One", "155.00")
    assert variation["regular_price"] == "99.00"
    echo = world.sync()  # the import reads our own change back and leaves it
    assert echo.counts.updated == echo.counts.created == 0
    assert world.quantity("W-1") == 5


def test_a_refused_item_is_an_issue_and_the_rest_go_through(tmp_path: Path) -> None:
    world = _world(tmp_path)
    (gone,) = woo_by_sku(world.emu, "W-2")
    with world.emu.lock:
        world.emu.store.products.pop(gone["id"])  # deleted in the shop behind our back
    ledger_exec(world, "UPDATE inventory SET retail_price = 1 WHERE sku IN ('W-2', 'W-3')")
    _sell_in_store(world, "W-3")
    result = world.sync()
    assert result.outcome == "partial"
    assert woo_by_sku(world.emu, "W-3")[0]["regular_price"] == "1.00"
    assert woo_stock(world.emu, "W-3") == 4
    reasons = ledger_exec(
        world, "SELECT job, reason FROM sync_issues WHERE state = 'open' ORDER BY job"
    )
    assert [r[0] for r in reasons] == ["woocommerce.products.export"]
    assert "refused" in reasons[0][1]


def test_directions_turn_the_exports_off(tmp_path: Path) -> None:
    off = {"products": "import", "customers": "import", "orders": "import", "inventory": "off"}
    world = _world(tmp_path, off)
    _sell_in_store(world, "W-1")
    _new_item(world, "NX-9")
    result = world.sync()
    names = {r.job for r in result.runs}
    assert not any(n.endswith(".export") for n in names)
    assert woo_stock(world.emu, "W-1") == 5 and woo_by_sku(world.emu, "NX-9") == []


def test_a_crash_after_the_stock_write_is_recognised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = _world(tmp_path)
    _sell_in_store(world, "W-1")  # ledger 4, agreed 5
    real_batch = WooClient.batch

    async def write_then_die(self: WooClient, resource: str, **kwargs: Any) -> Any:
        await real_batch(self, resource, **kwargs)
        raise RuntimeError("killed before the answer was stored")

    monkeypatch.setattr(WooClient, "batch", write_then_die)
    assert run_jobs(world, entity="inventory").outcome == "failed"
    assert woo_stock(world.emu, "W-1") == 4  # the shop took it
    monkeypatch.setattr(WooClient, "batch", real_batch)
    result = world.sync()
    assert result.outcome == "success", result.message
    assert woo_stock(world.emu, "W-1") == world.quantity("W-1") == 4  # not 4 + (4 − 5)
    assert world.sync().counts.updated == 0
