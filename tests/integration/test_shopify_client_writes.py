"""Mutations (userErrors, compare-and-set stock, push-hash echo) and bulk operations."""

from __future__ import annotations

from typing import Any

import pytest

from nexpura_desktop.connectors.shopify import bulk
from nexpura_desktop.connectors.shopify import queries as q
from nexpura_desktop.connectors.shopify.client import ShopifyClient
from nexpura_desktop.connectors.shopify.errors import StockChanged, UserErrors
from nexpura_desktop.connectors.shopify.mapping import (
    ItemIndex,
    customer_push_hash,
    customer_to_input,
    customer_to_row,
    inventory_to_product_input,
    inventory_to_variant_input,
    item_push_hash,
    order_to_sale,
    product_to_inventory,
    set_quantities_variables,
    set_quantity_input,
)
from nexpura_desktop.engine.errors import RecordError
from tests.integration.shopify_client_support import catalogue, shopify_shop

pytestmark = pytest.mark.anyio

PRODUCT_VARS = {"first": 20, "variantsFirst": 10, "levelsFirst": 3}


async def _products(client: ShopifyClient) -> list[dict[str, Any]]:
    return [
        p
        async for page in client.iterate(q.PRODUCTS, PRODUCT_VARS, ["products"])
        for p in page.nodes
    ]


async def test_user_errors_become_record_errors() -> None:
    async with shopify_shop() as shop:
        first = await shop.client.mutate(
            q.CUSTOMER_CREATE, {"input": {"email": "ann@example.com"}}, idempotent=False
        )
        assert first["customer"]["id"].startswith("gid://shopify/Customer/")
        with pytest.raises(UserErrors) as caught:
            await shop.client.mutate(
                q.CUSTOMER_CREATE, {"input": {"email": "ann@example.com"}}, idempotent=False
            )
        error = caught.value
        assert isinstance(error, RecordError) and error.operation == "customerCreate"
        assert error.errors[0].field == ("email",)
        sentence = error.sentence("shopify")
        assert "refused the new customer" in sentence and "skipped" in sentence


async def _level(client: ShopifyClient, item_id: str) -> tuple[str, int]:
    data = await client.execute(q.INVENTORY_LEVELS, {"ids": [item_id], "levelsFirst": 5})
    level = data["nodes"][0]["inventoryLevels"]["nodes"][0]
    return level["location"]["id"], level["quantities"][0]["quantity"]


@pytest.mark.parametrize("version", ["2026-01", "2025-10"])
async def test_stock_is_compare_and_set_and_a_stale_read_is_a_distinct_error(version: str) -> None:
    async with shopify_shop(catalogue(1, stock=5)) as shop:
        client = shop.make_client(api_version=version)
        (item,) = product_to_inventory((await _products(client))[0])
        assert item.inventory_item_id is not None
        location, quantity = await _level(client, item.inventory_item_id)
        assert quantity == 5

        def set_to(target: int, expected: int) -> dict[str, Any]:
            assert item.inventory_item_id is not None
            one = set_quantity_input(
                item.inventory_item_id, location, target, expected, api_version=version
            )
            return set_quantities_variables([one], reference="nexpura://inventory/1")

        await client.mutate(q.INVENTORY_SET_QUANTITIES, set_to(4, 5), idempotent=True)
        assert await _level(client, item.inventory_item_id) == (location, 4)
        # an online sale lands between our read (4) and our write
        sale = {
            "input": {
                "name": "available",
                "reason": "correction",
                "changes": [
                    {"delta": -1, "inventoryItemId": item.inventory_item_id, "locationId": location}
                ],
            }
        }
        await client.mutate(q.INVENTORY_ADJUST_QUANTITIES, sale, idempotent=False)
        with pytest.raises(StockChanged) as caught:
            await client.mutate(q.INVENTORY_SET_QUANTITIES, set_to(2, 4), idempotent=True)
        assert caught.value.stale_indexes == (0,)
        assert "stock level changed on Shopify" in caught.value.sentence("shopify")
        assert await _level(client, item.inventory_item_id) == (location, 3)  # sale kept


async def test_a_pushed_item_reads_back_with_the_same_push_hash() -> None:
    row: dict[str, Any] = {
        "id": "local-1",
        "sku": "NX-RING-7",
        "name": "Sapphire halo ring – Size N",
        "description": "18ct white gold.\nCeylon sapphire & diamonds.",
        "category": "Rings",
        "retail_price": 2450,
        "cost_price": 990.5,
        "quantity": 2,
        "tags": ["sapphire", "bridal"],
        "is_published": True,
        "barcode": "9300000000017",
    }
    async with shopify_shop() as shop:
        client = shop.client
        locations = await client.execute(q.LOCATIONS, {"first": 5})
        location = locations["locations"]["nodes"][0]["id"]
        created = await client.mutate(
            q.PRODUCT_CREATE, {"product": inventory_to_product_input(row)}, idempotent=False
        )
        product = created["product"]
        variant_id = product["variants"]["nodes"][0]["id"]
        await client.mutate(
            q.VARIANTS_BULK_UPDATE,
            {
                "productId": product["id"],
                "variants": [inventory_to_variant_input(row, variant_id=variant_id)],
            },
            idempotent=True,
        )
        (item,) = product_to_inventory((await _products(client))[0], location_id=location)
        assert item.push_hash == item_push_hash(row)
        for key in ("sku", "name", "retail_price", "cost_price", "category", "barcode"):
            assert item.row[key] == row[key], key
        assert item.row["description"] == row["description"]
        assert item.row["tags"] == sorted(row["tags"])
        changed = {**row, "retail_price": 2500}
        assert item_push_hash(changed) != item.push_hash  # a real edit is not an echo


async def test_a_pushed_customer_reads_back_with_the_same_push_hash() -> None:
    row = {
        "full_name": "Mary Jane Citizen",
        "email": "Mary.Citizen@Example.com",
        "phone": "0412 345 678",
        "tags": ["vip"],
        "notes": "Prefers rose gold",
        "marketing_consent": True,
    }
    async with shopify_shop() as shop:
        payload = await shop.client.mutate(
            q.CUSTOMER_CREATE, {"input": customer_to_input(row)}, idempotent=False
        )
        query = q.email_filter("mary.citizen@example.com")
        data = await shop.client.execute(q.CUSTOMERS, {"first": 5, "query": query})
        (customer,) = data["customers"]["nodes"]
        assert customer["id"] == payload["customer"]["id"]
        mapped = customer_to_row(customer)
        assert mapped.push_hash == customer_push_hash(row)
        assert mapped.phone == "+61412345678"
        assert mapped.row["first_name"] == "Mary Jane" and mapped.row["last_name"] == "Citizen"
        assert mapped.row["marketing_consent"] is True


async def test_bulk_products_reassemble_exactly_like_the_paged_read() -> None:
    seed = {
        "locations": [{"name": "Shop location"}, {"name": "Workshop"}],
        **catalogue(6, variants=3),
    }
    for i, product in enumerate(seed["products"]):
        for variant in product["variants"]:
            variant["inventory"] = {"Shop location": 2 + i, "Workshop": 1}
    async with shopify_shop(seed) as shop:
        paged = [r for p in await _products(shop.client) for r in product_to_inventory(p)]
        before = shop.client.requests
        records = [r async for r in bulk.run_query(shop.client, q.bulk_query(q.BULK_PRODUCTS))]
        bulked = [r for p in records for r in product_to_inventory(p)]
        assert len(records) == 6 and len(bulked) == 18
        assert [b.row for b in bulked] == [p.row for p in paged]
        assert [b.levels for b in bulked] == [p.levels for p in paged]
        assert all(len(b.levels) == 2 for b in bulked)
        assert shop.client.requests - before >= 3  # start, ≥ 1 poll, download
        assert shop.client.throttled == 0


async def test_bulk_orders_with_line_items_and_an_incremental_filter() -> None:
    seed = {
        **catalogue(3),
        "orders": [
            {
                "email": f"buyer{i}@example.com",
                "created_at": f"2026-03-{10 + i:02d}T09:00:00Z",
                "updated_at": f"2026-03-{10 + i:02d}T09:00:00Z",
                "financial_status": "PAID",
                "line_items": [
                    {"sku": "R-000-0", "quantity": 1, "price": 100},
                    {"sku": "UNKNOWN" if i == 2 else "R-001-0", "quantity": 2, "price": 101},
                ],
            }
            for i in range(3)
        ],
    }
    async with shopify_shop(seed) as shop:
        index = ItemIndex.build(
            [{"id": "inv-0", "sku": "R-000-0"}, {"id": "inv-1", "sku": "R-001-0"}]
        )
        search = q.updated_since("2026-03-11T00:00:00Z")
        records = [
            r async for r in bulk.run_query(shop.client, q.bulk_query(q.BULK_ORDERS, search))
        ]
        assert [r["email"] for r in records] == ["buyer1@example.com", "buyer2@example.com"]
        mapped = [order_to_sale(r, index) for r in records]
        assert [len(m.items) for m in mapped] == [2, 2]
        assert [m.sale["import_status"] for m in mapped] == ["complete", "incomplete"]
        assert [len(m.movements) for m in mapped] == [2, 1]


async def test_bulk_start_waits_while_another_operation_holds_the_slot() -> None:
    seed = {**catalogue(2), "settings": {"bulk_query_concurrency": 1}}
    async with shopify_shop(seed) as shop:
        first = await bulk.start(shop.client, q.bulk_query(q.BULK_PRODUCTS))
        second = await bulk.start(shop.client, q.bulk_query(q.BULK_CUSTOMERS))
        assert first != second  # waited until the first finished, then started
        current = await bulk.current(shop.client)
        assert current is not None and current.id == second
