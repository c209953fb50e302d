"""Reading a shop through ``ShopifyClient``: cursor paging, incremental filters, cost pacing
and the schema contract of every document the connector sends."""

from __future__ import annotations

from typing import Any

import pytest

from nexpura_desktop.connectors.shopify import queries as q
from nexpura_desktop.connectors.shopify.client import ShopifyClient
from nexpura_desktop.connectors.shopify.mapping import product_to_inventory
from nexpura_desktop.engine.errors import SyncCancelled
from tests.integration.shopify_client_support import catalogue, shopify_shop
from tests.sandbox.shopify_schema import validate_against_admin_schema

pytestmark = pytest.mark.anyio

PRODUCT_VARS = {
    "first": q.products_page_size(10, 1),
    "variantsFirst": 10,
    "levelsFirst": 1,
}


@pytest.mark.parametrize("name", sorted(q.ALL_DOCUMENTS))
def test_every_document_validates_against_the_full_admin_schema(name: str) -> None:
    assert validate_against_admin_schema(q.ALL_DOCUMENTS[name]) == []


@pytest.mark.parametrize("template", [q.BULK_PRODUCTS, q.BULK_CUSTOMERS, q.BULK_ORDERS])
def test_bulk_documents_validate_with_and_without_a_filter(template: str) -> None:
    assert validate_against_admin_schema(q.bulk_query(template)) == []
    search = q.updated_since("2026-03-01T00:00:00+00:00", overlap_s=1)
    assert validate_against_admin_schema(q.bulk_query(template, search)) == []


async def _all_products(client: ShopifyClient, search: str | None = None) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    async for page in client.iterate(q.PRODUCTS, {**PRODUCT_VARS, "query": search}, ["products"]):
        out.extend(page.nodes)
    return out


async def test_pages_through_more_than_a_thousand_products_without_throttling() -> None:
    seed = {"generate": {"products": 1100, "variants_per_product": 3, "seed": 3}}
    async with shopify_shop(seed) as shop:
        client = shop.client
        pages = []
        async for page in client.iterate(q.PRODUCTS, PRODUCT_VARS, ["products"]):
            pages.append(page)
        products = [p for page in pages for p in page.nodes]
        ids = [p["id"] for p in products]
        assert len(ids) == 1100 and len(set(ids)) == 1100
        assert all(len(p["variants"]["nodes"]) == 3 for p in products)
        assert [p.number for p in pages] == list(range(1, len(pages) + 1))
        assert not pages[-1].has_next and all(p.has_next for p in pages[:-1])
        assert len(pages) == -(-1100 // PRODUCT_VARS["first"])
        # one request per page, none throttled: the limiter waited instead
        assert client.requests == len(pages) and client.throttled == 0
        assert sum(shop.slept) > 0
        rows = [r for p in products for r in product_to_inventory(p)]
        assert len({r.row["sku"] for r in rows}) == 3300


async def test_page_sizes_ask_for_nearly_the_whole_single_query_budget() -> None:
    async with shopify_shop(catalogue(2, variants=2)) as shop:
        sizes = {
            "products": (q.PRODUCTS, PRODUCT_VARS),
            "customers": (q.CUSTOMERS, {"first": q.customers_page_size()}),
            "orders": (q.ORDERS, {"first": q.orders_page_size(10), "linesFirst": 10}),
            "locations": (q.LOCATIONS, {"first": 50}),
        }
        for name, (doc, variables) in sizes.items():
            response = await shop.http.post(
                shop.client.graphql_url,
                headers={"X-Shopify-Access-Token": shop.emu.credentials()["admin_token"]},
                json={"query": doc, "variables": variables},
            )
            body = response.json()
            assert "errors" not in body, (name, body)
            requested = body["extensions"]["cost"]["requestedQueryCost"]
            assert requested <= q.MAX_QUERY_COST, name
            if name != "locations" and variables["first"] < q.MAX_PAGE:
                assert requested >= 0.85 * q.MAX_QUERY_COST, (name, requested)


async def test_incremental_filter_returns_only_changes_after_the_watermark_in_order() -> None:
    async with shopify_shop(catalogue(12)) as shop:
        search = q.updated_since("2026-03-08T00:00:00Z", overlap_s=1)
        assert search == "updated_at:>'2026-03-07T23:59:59Z'"
        products = await _all_products(shop.client, search)
        assert [p["title"] for p in products] == [f"Ring {i}" for i in range(7, 12)]
        stamps = [p["updatedAt"] for p in products]
        assert stamps == sorted(stamps)
        assert await _all_products(shop.client, q.updated_since("2026-04-01T00:00:00Z")) == []
        assert q.updated_since(None) is None


async def test_resumes_from_a_saved_cursor() -> None:
    async with shopify_shop(catalogue(9)) as shop:
        variables = {**PRODUCT_VARS, "first": 4}
        first_page = None
        async for page in shop.client.iterate(q.PRODUCTS, variables, ["products"]):
            first_page = page
            break
        assert first_page is not None and first_page.has_next
        rest = [
            p["title"]
            async for page in shop.client.iterate(
                q.PRODUCTS, variables, ["products"], after=first_page.end_cursor
            )
            for p in page.nodes
        ]
        assert [p["title"] for p in first_page.nodes] + rest == [f"Ring {i}" for i in range(9)]


async def test_small_bucket_is_paced_without_a_single_throttled_answer() -> None:
    seed = {
        **catalogue(30),
        "settings": {"maximum_available": 120, "restore_rate": 10},
    }
    async with shopify_shop(seed) as shop:
        variables = {"first": 3, "variantsFirst": 3, "levelsFirst": 1}
        titles = [
            p["title"]
            async for page in shop.client.iterate(q.PRODUCTS, variables, ["products"])
            for p in page.nodes
        ]
        assert len(titles) == 30
        assert shop.client.throttled == 0
        assert shop.client.limiter.maximum == 120 and shop.client.limiter.restore_rate == 10
        # ten pages of ~30 actual points each at 10 points/s: the shop made us wait
        assert sum(shop.slept) >= 15


@pytest.mark.parametrize("throttled_status", [200, 429])
async def test_recovers_when_the_bucket_was_drained_behind_its_back(throttled_status: int) -> None:
    seed = {
        **catalogue(10),
        "settings": {
            "maximum_available": 200,
            "restore_rate": 20,
            "throttled_http_status": throttled_status,
        },
    }
    async with shopify_shop(seed) as shop:
        variables = {"first": 2, "variantsFirst": 2, "levelsFirst": 1}
        seen: list[str] = []
        async for page in shop.client.iterate(q.PRODUCTS, variables, ["products"]):
            seen.extend(p["title"] for p in page.nodes)
            if page.number == 1:
                # another program using the same token empties the bucket
                for bucket in shop.emu.buckets.values():
                    bucket.available = 0.0
        assert seen == [f"Ring {i}" for i in range(10)]
        assert shop.client.throttled >= 1


async def test_page_shrinks_when_shopify_says_the_query_is_too_expensive() -> None:
    seed = {**catalogue(10), "settings": {"max_query_cost": 200}}
    async with shopify_shop(seed) as shop:
        titles = [
            p["title"]
            async for page in shop.client.iterate(q.PRODUCTS, PRODUCT_VARS, ["products"])
            for p in page.nodes
        ]
        assert titles == [f"Ring {i}" for i in range(10)]


async def test_cancel_stops_paging_between_pages() -> None:
    async with shopify_shop(catalogue(6)) as shop:
        variables = {"first": 2, "variantsFirst": 1, "levelsFirst": 1}
        seen = 0
        with pytest.raises(SyncCancelled):
            async for page in shop.client.iterate(q.PRODUCTS, variables, ["products"]):
                seen += len(page.nodes)
                shop.cancel.set()
        assert seen == 2 and shop.client.requests == 1


async def test_cancel_interrupts_a_long_wait_for_budget() -> None:
    seed = {**catalogue(6), "settings": {"maximum_available": 25, "restore_rate": 1}}
    async with shopify_shop(seed) as shop:
        variables = {"first": 2, "variantsFirst": 1, "levelsFirst": 1}
        sleep = shop.client.limiter.sleep

        async def cancelling_sleep(seconds: float) -> None:
            await sleep(seconds)
            shop.cancel.set()  # the owner clicks Cancel while we wait for the bucket

        seen = 0
        with pytest.raises(SyncCancelled):
            async for page in shop.client.iterate(q.PRODUCTS, variables, ["products"]):
                seen += len(page.nodes)
                shop.client.limiter.sleep = cancelling_sleep
        assert seen == 2 and shop.client.requests == 1
        assert sum(shop.slept) < 1.0  # stopped after one short step, not the whole wait
