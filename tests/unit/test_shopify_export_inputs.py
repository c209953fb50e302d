"""Pure helpers of the Shopify product and customer exports."""

from __future__ import annotations

from nexpura_desktop.connectors.shopify.jobs_export_customers import update_input
from nexpura_desktop.connectors.shopify.jobs_export_products import planned_handle


def test_planned_handle_is_readable_unique_per_item_and_stable() -> None:
    row = {"id": "3F9A2C1B-77aa-4c1e", "name": "18ct Gold Ring — Size N!"}
    assert planned_handle(row) == "18ct-gold-ring-size-n-3f9a2c1b"
    assert planned_handle({**row, "id": "0000aaaa-1"}) != planned_handle(row)
    assert planned_handle({"id": "x1", "name": None}) == "item-x1"
    assert len(planned_handle({"id": "abc", "name": "word " * 40})) <= 60 + 1 + 8


def test_update_input_carries_only_the_fields_the_ledger_won() -> None:
    gid = "gid://shopify/Customer/7"
    assert update_input(gid, {"notes": "VIP", "tags": None, "first_name": "Bea"}) == {
        "id": gid,
        "note": "VIP",
        "tags": [],
        "firstName": "Bea",
    }
    assert update_input(gid, {"marketing_consent": True}) == {"id": gid}  # never consent
