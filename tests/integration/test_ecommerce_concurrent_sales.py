"""Reliability bar: an online sale and an in-store sale of the same piece between two syncs
leave both sides with the right quantity (the online one arrives as a sale that moves the
ledger's stock once, the ledger's count goes back to the site), and the sync after that
settles with nothing to do.  Both services, the real app against the live sandbox."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from .ecommerce_reliability_support import Home, LiveShop, in_store_sale
from .test_ecommerce_faults import online_sale

PIECE = {"shopify": "ON-R02", "woocommerce": "WEB-P02"}


def local_stock(home: Home, sku: str) -> tuple[int, int]:
    """The ledger's quantity and the sum of the piece's stock movements."""
    with sqlite3.connect(home.ledger) as db:
        row = db.execute(
            "SELECT i.quantity, coalesce(sum(m.quantity_change), 0) FROM inventory i "
            "LEFT JOIN stock_movements m ON m.inventory_id = i.id WHERE i.sku = ? "
            "GROUP BY i.id",
            (sku,),
        ).fetchone()
    assert row is not None, sku
    return int(row[0]), int(row[1])


@pytest.mark.parametrize("service", ["shopify", "woocommerce"])
def test_online_and_in_store_sale_of_one_piece_between_syncs(
    shop: LiveShop, template: Home, tmp_path: Path, service: str
) -> None:
    shop.reseed()
    home = template.copy(tmp_path / "home")
    home.sync(service)
    home.sync(service)
    sku = PIECE[service]
    start, moved = local_stock(home, sku)
    assert start >= 3 and shop.remote_stock(service, sku) == start

    online_sale(shop, service, sku)
    in_store_sale(home, sku, tag="counter")
    result = home.sync(service)

    assert result["outcome"] in ("success", "partial"), result
    assert local_stock(home, sku) == (start - 2, moved - 2)  # each sale moved stock once
    assert shop.remote_stock(service, sku) == start - 2
    settled = home.sync(service)
    assert settled["counts"]["created"] == settled["counts"]["updated"] == 0, settled
    assert local_stock(home, sku) == (start - 2, moved - 2)
    assert shop.remote_stock(service, sku) == start - 2
