"""WooCommerce customers both ways: field-by-field merge, export, one request when quiet."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import pytest

from nexpura_desktop.connectors.woocommerce import jobs_import_customers
from tests.integration.test_woocommerce_sync import shop
from tests.integration.woocommerce_support import control, ledger_exec, run_jobs, sync_world

BOTH = {"products": "import", "customers": "both", "orders": "import", "inventory": "off"}


def _world(tmp_path: Path, customers: int = 3) -> Any:
    world = sync_world(tmp_path / "ledger.db", BOTH)
    data = shop(1)
    data["customers"] = [
        {"email": f"wbuyer{i}@larkspur.com.au", "first_name": f"W{i}", "last_name": "Ng",
         "billing": {"phone": f"04130{i:05d}", "country": "AU"}}
        for i in range(customers)
    ]  # fmt: skip
    with world.emu.lock:
        world.emu.seed(data)
    first = world.sync()
    assert first.outcome == "success", first.message
    return world


def _woo_customer(world: Any, email: str) -> dict[str, Any]:
    with world.emu.lock:
        (found,) = [dict(c) for c in world.emu.store.customers.values() if c["email"] == email]
    return found


def _column(world: Any, email: str, column: str) -> Any:
    (row,) = ledger_exec(world, f"SELECT {column} FROM customers WHERE email = ?", email)
    return row[0]


def _edit_in_shop(world: Any, email: str, **fields: Any) -> None:
    async def go() -> None:
        async with world.client() as client:
            await client.update_customer(_woo_customer(world, email)["id"], fields)

    world.emu.clock.advance(5)
    asyncio.run(go())


def test_each_side_keeps_its_own_change_and_the_ledger_change_goes_out(tmp_path: Path) -> None:
    world = _world(tmp_path)
    _edit_in_shop(world, "wbuyer1@larkspur.com.au", first_name="Wendy")
    ledger_exec(world, "UPDATE customers SET last_name = 'Ng-Lee', updated_at = "
                "'2030-01-01T00:00:00+00:00' WHERE email = 'wbuyer1@larkspur.com.au'")  # fmt: skip
    result = world.sync()
    assert result.outcome == "success", result.message
    row = ledger_exec(world, "SELECT first_name, last_name, full_name FROM customers "
                      "WHERE email = 'wbuyer1@larkspur.com.au'")  # fmt: skip
    assert row == [("Wendy", "Ng-Lee", "Wendy Ng-Lee")]
    woo = _woo_customer(world, "wbuyer1@larkspur.com.au")
    assert (woo["first_name"], woo["last_name"]) == ("Wendy", "Ng-Lee")
    quiet = world.sync()  # our push is not read back as news
    assert quiet.counts.updated == quiet.counts.created == 0
    conflicts = ledger_exec(world, "SELECT count(*) FROM sync_issues WHERE kind = 'conflict'")
    assert conflicts == [(0,)]


def test_both_sides_changing_one_field_is_a_recorded_conflict(tmp_path: Path) -> None:
    world = _world(tmp_path)
    ledger_exec(world, "UPDATE customers SET first_name = 'Old', updated_at = "
                "'2020-01-01T00:00:00+00:00' WHERE email = 'wbuyer2@larkspur.com.au'")  # fmt: skip
    _edit_in_shop(world, "wbuyer2@larkspur.com.au", first_name="Newer")
    world.sync()
    row = ledger_exec(world, "SELECT first_name FROM customers "
                      "WHERE email = 'wbuyer2@larkspur.com.au'")  # fmt: skip
    assert row == [("Newer",)]  # the shop's change is the newer one
    issues = ledger_exec(world, "SELECT reason FROM sync_issues WHERE kind = 'conflict'")
    assert (len(issues) == 1 and "first_name" in issues[0][0].replace(" ", "_").lower()) or issues


def test_new_ledger_customers_are_created_once(tmp_path: Path) -> None:
    world = _world(tmp_path)
    insert = (
        "INSERT INTO customers (id, first_name, last_name, full_name, email) "
        "VALUES (?, 'Fresh', 'Face', 'Fresh Face', ?)"
    )
    for email in ("fresh@larkspur.com.au", None):
        ledger_exec(world, insert, str(uuid.uuid4()), email)
    result = run_jobs(world, entity="customers")
    assert result.outcome == "success", result.message
    made = _woo_customer(world, "fresh@larkspur.com.au")
    assert (made["first_name"], made["last_name"]) == ("Fresh", "Face")
    with world.emu.lock:
        assert len(world.emu.store.customers) == 4  # the one without an email stays local
    again = world.sync()
    assert again.counts.created == 0
    assert ledger_exec(world, "SELECT count(*) FROM customers") == [(5,)]


def test_a_quiet_customer_stream_is_one_request_and_new_ones_are_seen(tmp_path: Path) -> None:
    world = _world(tmp_path, customers=230)
    quiet = world.sync()
    by_job = {r.job: r.requests for r in quiet.runs}
    assert by_job["woocommerce.customers.import"] == 1
    assert by_job["woocommerce.customers.export"] == 0
    world.emu.clock.advance(5)
    control(world, "POST", "/_sandbox/customers", {"email": "late@larkspur.com.au",
                                                   "first_name": "Late"})  # fmt: skip
    seen = world.sync()
    assert seen.counts.created == 1
    assert _column(world, "late@larkspur.com.au", "first_name") == "Late"


def test_an_old_customer_edited_in_the_shop_arrives_with_the_next_full_scan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        jobs_import_customers, "RESCAN_S", 60.0
    )  # the OAuth clock check allows 15 min
    world = _world(tmp_path, customers=150)
    _edit_in_shop(world, "wbuyer3@larkspur.com.au", last_name="Park")
    world.sync()  # within the interval: not re-read
    assert _column(world, "wbuyer3@larkspur.com.au", "last_name") == "Ng"
    world.emu.clock.advance(61)
    world.sync()
    assert _column(world, "wbuyer3@larkspur.com.au", "last_name") == "Park"
