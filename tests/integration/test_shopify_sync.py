"""Shopify sync jobs against the in-process sandbox: import, incremental, stock both ways."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from nexpura_desktop.ledger.changes import latest_seq
from nexpura_desktop.ledger.db import Ledger

from .test_shopify_sync_support import World, shop_data

GRAPHQL = r"/graphql\.json$"


def _seq(world: World) -> int:
    with world.db() as db:
        return latest_seq(db)


def _quantity(world: World, sku: str) -> int:
    with world.db() as db:
        row = db.execute("SELECT quantity FROM inventory WHERE sku = ?", (sku,)).fetchone()
    assert row is not None, sku
    return int(row[0])


def _in_store_sale(world: World, sku: str, quantity: int = 1) -> None:
    with Ledger(world.path) as ledger, ledger.transaction() as db:
        (item,) = db.execute("SELECT id FROM inventory WHERE sku = ?", (sku,)).fetchone()
        db.execute("UPDATE inventory SET quantity = quantity - ? WHERE id = ?", (quantity, item))
        db.execute(
            "INSERT INTO stock_movements(id, inventory_id, movement_type, quantity_change) "
            "VALUES (?, ?, 'sale', ?)",
            (f"counter-{sku}-{_seq(world)}", item, -quantity),
        )


def test_full_import_then_a_second_sync_writes_nothing(tmp_path: Path) -> None:
    world = World(tmp_path / "ledger.db")
    world.seed(shop_data(6, orders=3))
    first = world.sync()
    assert first.outcome == "success", first.message
    assert first.counts.created == 6 + 4 + 3
    snap = world.snapshot()
    assert [r[0] for r in snap["inventory"]] == [f"R-{i:03d}" for i in range(6)]
    assert all(r[2] == 5 for r in snap["inventory"])  # historical orders are in Shopify's count
    assert [r[1] for r in snap["customers"]] == [f"+6141200000{i}" for i in range(4)]
    assert len(snap["sales"]) == 3 and all(r[3] == "complete" for r in snap["sales"])
    with world.db() as db:
        linked = db.execute("SELECT count(*) FROM sales WHERE customer_id IS NOT NULL").fetchone()
    assert linked == (3,)

    seq = _seq(world)
    second = world.sync()
    assert second.outcome == "success"
    assert second.counts.created == second.counts.updated == 0
    assert second.requests <= 4  # at most one request per stream
    assert _seq(world) == seq  # nothing written to the ledger's tables
    assert world.snapshot() == snap


def test_incremental_sync_picks_up_only_new_objects_without_duplicates(tmp_path: Path) -> None:
    world = World(tmp_path / "ledger.db")
    world.seed(shop_data(4, orders=2))
    world.sync()
    world.emu.clock.advance(60)
    world.seed(
        {
            "products": [
                {"title": "Pendant", "status": "ACTIVE", "variants": [
                    {"sku": "P-1", "price": 300, "inventory": {"Shop location": 2}}]}
            ],
            "customers": [{"email": "new@larkspur.com.au", "first_name": "New"}],
        }
    )  # fmt: skip
    world.online_sale("P-1")
    result = world.sync()
    assert result.outcome == "success", result.message
    assert result.counts.created == 3  # the product, the customer, the order
    snap = world.snapshot()
    assert len(snap["inventory"]) == 5 and len(snap["customers"]) == 5 and len(snap["sales"]) == 3
    assert _quantity(world, "P-1") == 1  # Shopify reported 2 before the sale moved it
    assert world.remote_stock("P-1") == 1
    again = world.sync(full=True)  # a full re-read creates nothing new
    assert again.counts.created == 0
    assert world.snapshot() == snap


def test_online_and_in_store_sale_of_one_item_leave_both_sides_right(tmp_path: Path) -> None:
    world = World(tmp_path / "ledger.db")
    world.seed(shop_data(3, orders=0))
    world.sync()
    world.online_sale("R-001")
    _in_store_sale(world, "R-001")
    result = world.sync()
    assert result.outcome == "success", result.message
    assert _quantity(world, "R-001") == 3
    assert world.remote_stock("R-001") == 3
    with world.db() as db:
        moves = db.execute(
            "SELECT quantity_change FROM stock_movements m JOIN inventory i "
            "ON i.id = m.inventory_id WHERE i.sku = 'R-001'"
        ).fetchall()
    assert sorted(moves) == [(-1,), (-1,)]
    assert world.sync().counts.updated == 0  # settled


def test_a_sale_after_the_order_import_is_not_overwritten(tmp_path: Path) -> None:
    world = World(tmp_path / "ledger.db")
    world.seed(shop_data(2, orders=0))
    world.sync()
    _in_store_sale(world, "R-000", 2)
    # An online sale Shopify has applied whose order the sync has not imported yet.
    with world.emu.lock:
        store = world.emu.store
        variant = store.variant_by_sku("R-000")
        assert variant is not None
        store.levels_of_item(variant.inventory_item_id)[0].quantities["available"] -= 1
    first = world.sync(entity="inventory")
    assert first.counts.skipped == 1
    assert world.remote_stock("R-000") == 4  # not overwritten with the ledger's 3 yet
    # Still different on the next run and no order explains it: the ledger wins.
    second = world.sync(entity="inventory")
    assert second.counts.updated == 1
    assert world.remote_stock("R-000") == _quantity(world, "R-000") == 3


def test_existing_items_and_customers_are_matched_not_duplicated(tmp_path: Path) -> None:
    world = World(tmp_path / "ledger.db")
    with Ledger(world.path) as ledger, ledger.transaction() as db:
        db.execute(
            "INSERT INTO inventory(id, sku, name, quantity, description) "
            "VALUES ('mine', 'r-002', 'My ring', 9, 'from the shop')"
        )
        db.execute(
            "INSERT INTO customers(id, full_name, email, phone) "
            "VALUES ('c1', 'Known', NULL, '0412 000 001')"
        )
    world.seed(shop_data(3, orders=0))
    result = world.sync()
    assert result.outcome == "success", result.message
    with world.db() as db:
        item = db.execute(
            "SELECT id, name, quantity, description, shopify_variant_id FROM inventory "
            "WHERE upper(sku) = 'R-002'"
        ).fetchall()
        person = db.execute("SELECT id, full_name, email FROM customers WHERE id = 'c1'").fetchone()
        count = db.execute("SELECT count(*) FROM customers").fetchone()
    assert item == [("mine", "My ring", 9, "from the shop", "44000000003")]
    assert world.remote_stock("R-002") == 9  # the ledger owns stock
    assert person == ("c1", "Known", "buyer1@larkspur.com.au")  # matched by phone, blanks filled
    assert count == (4,)


def test_unmatched_lines_make_an_incomplete_sale_and_cancel_gives_stock_back(
    tmp_path: Path,
) -> None:
    world = World(tmp_path / "ledger.db")
    world.seed(shop_data(2, orders=0))
    world.sync()
    world.emu.clock.advance(10)
    world.seed({"orders": [{"line_items": [{"sku": "GONE", "title": "Old piece"}]}]})
    world.online_sale("R-000", 2)
    result = world.sync()
    assert result.issues == 1
    with world.db() as db:
        states = db.execute(
            "SELECT import_status FROM sales ORDER BY external_reference"
        ).fetchall()
        issue = db.execute("SELECT reason FROM sync_issues").fetchone()
    assert sorted(states) == [("complete",), ("incomplete",)]
    assert "Old piece" in issue[0]
    assert _quantity(world, "R-000") == 3
    with world.emu.lock:
        order = max(world.emu.store.orders.rows.values(), key=lambda o: o.id)
        order.cancelled_at = world.emu.clock.time()
        order.updated_at = world.emu.clock.time()
    world.emu.clock.advance(5)
    world.sync()
    assert _quantity(world, "R-000") == 5
    assert world.sync().counts.updated == 0


def test_faults_end_with_the_same_result_as_a_clean_run(tmp_path: Path) -> None:
    fired: list[int] = []

    def scenario(world: World, faulty: bool) -> None:
        world.seed(shop_data(150, orders=60))
        if faulty:
            for kind, extra in (("status", {"status": 502}), ("malformed", {}),
                                ("status", {"status": 429}), ("drop", {})):  # fmt: skip
                world.fault(kind=kind, rate=0.025, path=GRAPHQL, **extra)
        for _ in range(5):
            if world.sync().outcome == "success":
                break
        world.online_sale("R-003")
        _in_store_sale(world, "R-003")
        for _ in range(5):
            if world.sync().outcome == "success":
                break
        fired.append(world.clear_faults())
        world.sync()

    clean, faulty = World(tmp_path / "clean.db"), World(tmp_path / "faulty.db")
    scenario(clean, False)
    scenario(faulty, True)
    assert fired[0] == 0 and fired[1] > 0  # the faults were really in play
    a, b = clean.snapshot(), faulty.snapshot()
    a.pop("movements"), b.pop("movements")  # row ids differ (seeded ids), counts must not
    assert a == b
    assert faulty.remote_stock("R-003") == clean.remote_stock("R-003") == 3
    with sqlite3.connect(faulty.path) as db:
        moved = db.execute("SELECT sum(quantity_change) FROM stock_movements").fetchone()
    assert moved == (-2,)
