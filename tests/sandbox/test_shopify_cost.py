"""Cost-based throttling (service-apis §1.5): extensions.cost on every answer, connection
cost 2 + first × node, mutations 10, bucket restoring on the sandbox clock, THROTTLED (HTTP
200 as documented; 429 configurable — §9 q3) and MAX_COST_EXCEEDED over 1000."""

from __future__ import annotations

import pytest

from tests.sandbox.shopify_helpers import gql, shop, sku_catalogue

pytestmark = pytest.mark.anyio


async def test_cost_extension_requested_and_actual() -> None:
    async with shop(sku_catalogue(3)) as (client, _):
        body = await gql(client, "{ products(first: 10) { edges { node { id title } } } }")
        cost = body["extensions"]["cost"]
        assert cost["requestedQueryCost"] == 2 + 10 * 1
        assert cost["actualQueryCost"] == 2 + 3 * 1  # refunded down to what came back
        assert cost["throttleStatus"] == {
            "maximumAvailable": 2000.0,
            "currentlyAvailable": 1995.0,
            "restoreRate": 100.0,
        }
        body = await gql(
            client,
            'mutation { productCreate(product: {title: "X"}) { product { id } '
            "userErrors { message } } }",
        )
        assert body["extensions"]["cost"]["requestedQueryCost"] == 10


async def test_single_query_over_1000_is_max_cost_exceeded() -> None:
    async with shop() as (client, _):
        q = "{ products(first: 250) { nodes { variants(first: 5) { nodes { id } } } } }"
        body = await gql(client, q)
        assert "data" not in body
        error = body["errors"][0]
        assert error["extensions"]["code"] == "MAX_COST_EXCEEDED"
        assert error["extensions"]["maxCost"] == 1000 and error["extensions"]["cost"] > 1000
        assert body["extensions"]["cost"]["actualQueryCost"] is None


async def test_bucket_drains_throttles_and_restores_on_the_clock() -> None:
    seed = {
        "settings": {"maximum_available": 1000, "restore_rate": 50},
        "generate": {"products": 250},
    }
    async with shop(seed) as (client, emu):
        q = "{ products(first: 250) { nodes { id } } }"  # 252 points, all 250 come back
        levels = []
        for _ in range(3):
            levels.append(
                (await gql(client, q))["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"]
            )
        assert levels[0] < 1000 and levels[2] < levels[1] < levels[0]
        throttled = await gql(
            client, "{ products(first: 250) { nodes { id variantsCount { count } } } }"
        )
        assert throttled["errors"] == [
            {
                "message": "Throttled",
                "extensions": {
                    "code": "THROTTLED",
                    "documentation": "https://shopify.dev/api/usage/rate-limits",
                },
            }
        ]
        assert (
            "data" not in throttled and throttled["extensions"]["cost"]["actualQueryCost"] is None
        )
        emu.clock.advance(20)  # 20 s × 50 points/s: full again
        assert "errors" not in await gql(client, q)


async def test_throttle_status_code_is_configurable() -> None:
    async with shop({"settings": {"maximum_available": 50, "throttled_http_status": 429}}) as (
        client,
        _,
    ):
        body = await gql(client, "{ products(first: 100) { nodes { id } } }", status=429)
        assert body["errors"][0]["extensions"]["code"] == "THROTTLED"
