"""The stock export's decision (no compare-and-set in WooCommerce) and the listing hash."""

from __future__ import annotations

from typing import Any

import pytest

from nexpura_desktop.connectors.woocommerce.jobs_common import (
    Target,
    grouped,
    listing_hash,
    remote_listing_hash,
)
from nexpura_desktop.connectors.woocommerce.jobs_stock import Push, decide
from nexpura_desktop.connectors.woocommerce.mapping import SkuIndex, order_rows
from nexpura_desktop.sync.links import Link


def _push(ledger: int, agreed: int | None, shop: Any, marker: str | None = None) -> Push:
    link = Link(1, "woocommerce", "inventory", "inventory", "i", "7",
                None if agreed is None else str(agreed), marker, None)  # fmt: skip
    push = Push(Target("i", 7, None), link, ledger)
    push.remote = {"manage_stock": shop is not None, "stock_quantity": shop}
    decide(push)
    return push


@pytest.mark.parametrize(
    ("ledger", "agreed", "shop", "marker", "write", "new_marker"),
    [
        (4, 5, 5, None, 4, "ok"),  # only the shop floor moved: the ledger's figure
        (4, 5, 4, None, 3, "drift:3"),  # an online sale not imported yet is kept (delta)
        (5, 5, 9, None, None, "drift:9"),  # the shop moved alone: wait a run
        (5, 5, 9, "drift:9", 5, "ok"),  # still there: the ledger wins
        (0, 1, 0, None, None, "ok"),  # both sold the one piece: nothing to write
        (2, None, 6, None, 2, "ok"),  # never agreed: the ledger's figure
        (3, 5, None, None, 3, "ok"),  # stock not managed in the shop: start managing it
        (1, 5, 2, None, 0, "drift:0"),  # the delta never goes below zero
    ],
)
def test_decide(
    ledger: int,
    agreed: int | None,
    shop: Any,
    marker: str | None,
    write: int | None,
    new_marker: str,
) -> None:
    push = _push(ledger, agreed, shop, marker)
    assert (push.write, push.marker, push.agreed) == (write, new_marker, ledger)


def test_groups_follow_the_collection_and_hold_at_most_100() -> None:
    targets = [Target(f"s{i}", i, None) for i in range(150)] + [Target("v", 900, 12)]
    groups = grouped(targets)
    assert [len(g) for g in groups] == [100, 50, 1]
    assert groups[2][0].resource == "products/12/variations"


def test_listing_hash_matches_the_shop_side_and_ignores_stock() -> None:
    row = {"sku": " R-1 ", "retail_price": 120, "name": "Ring", "listed_on_website": 1,
           "quantity": 3}  # fmt: skip
    shop = {"sku": "R-1", "regular_price": "120.00", "name": "Ring", "status": "publish",
            "stock_quantity": 9, "parent_id": 0}  # fmt: skip
    assert listing_hash(row, variation=False) == remote_listing_hash(shop)
    assert listing_hash({**row, "retail_price": 121}, variation=False) != remote_listing_hash(shop)
    variation = {**shop, "parent_id": 4, "name": "Other", "status": "private"}
    assert remote_listing_hash(variation) == listing_hash(row, variation=True)


def test_the_sku_index_is_case_insensitive_and_keeps_the_first() -> None:
    index = SkuIndex({"ab-1": "first", "AB-1": "second", "Cd": "x"})
    assert index == {"ab-1": "first", "cd": "x"}
    order = {"id": 5, "status": "completed", "line_items": [{"id": 1, "sku": "CD", "quantity": 1}]}
    assert order_rows(order, index).items[0]["inventory_id"] == "x"
