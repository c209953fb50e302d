"""Network and service failures: what is retried, what is classified, what is refused."""

from __future__ import annotations

from typing import Any

import pytest

from nexpura_desktop.connectors.shopify import queries as q
from nexpura_desktop.engine.errors import AuthExpired, ConfigurationError, Transient
from tests.integration.shopify_client_support import Shop, catalogue, shopify_shop

pytestmark = pytest.mark.anyio

VARS = {"first": 3, "variantsFirst": 1, "levelsFirst": 1}
GRAPHQL = "/admin/api/.*/graphql.json"


async def _titles(shop: Shop) -> list[str]:
    client = shop.client
    return [
        p["title"]
        async for page in client.iterate(q.PRODUCTS, VARS, ["products"])
        for p in page.nodes
    ]


@pytest.mark.parametrize(
    "rule",
    [
        {"kind": "status", "status": 500, "count": 2},
        {"kind": "status", "status": 503, "count": 1},
        {"kind": "status", "status": 429, "count": 2, "retry_after": 1},
        {"kind": "malformed", "count": 2},
        {"kind": "truncate", "count": 2},
        {"kind": "drop", "count": 2},
        {"kind": "timeout", "count": 2, "delay": 2.0},
    ],
    ids=lambda r: f"{r['kind']}-{r.get('status', '')}",
)
async def test_injected_faults_are_retried_and_nothing_is_lost(rule: dict[str, Any]) -> None:
    # Only the timeout case needs a short client timeout; elsewhere a slow first request on a
    # busy machine must not count as a fault of its own.
    timeout = 1.0 if rule["kind"] == "timeout" else 10.0
    async with shopify_shop(catalogue(7), timeout=timeout) as shop:
        await shop.fault(path=GRAPHQL, **rule)
        assert await _titles(shop) == [f"Ring {i}" for i in range(7)]
        assert shop.client.requests == 3 + rule["count"]  # three pages plus the retries
        assert sum(shop.slept) > 0  # backed off before retrying


async def test_ten_percent_random_faults_still_read_everything() -> None:
    async with shopify_shop(catalogue(30)) as shop:
        for kind, extra in (("status", {"status": 502}), ("malformed", {}), ("drop", {})):
            await shop.fault(kind=kind, rate=0.04, path=GRAPHQL, **extra)
        assert await _titles(shop) == [f"Ring {i}" for i in range(30)]


async def test_a_service_that_keeps_failing_gives_up_with_a_transient_error() -> None:
    async with shopify_shop(catalogue(2), max_retries=3) as shop:
        await shop.fault(kind="status", status=500, path=GRAPHQL)
        with pytest.raises(Transient) as caught:
            await _titles(shop)
        assert shop.client.requests == 4  # first try + three retries, then a clear stop
        assert "nothing was lost" in caught.value.sentence("shopify")


async def test_401_means_reconnect() -> None:
    async with shopify_shop(catalogue(1)) as shop:
        client = shop.make_client(token="shpat_not_the_right_one")
        with pytest.raises(AuthExpired) as caught:
            await client.execute(q.LOCATIONS, {"first": 5})
        assert client.requests == 1  # never retried
        sentence = caught.value.sentence("shopify")
        assert sentence.startswith("Shopify needs you to reconnect") and "Reconnect" in sentence


async def test_token_can_come_from_an_async_provider() -> None:
    async with shopify_shop(catalogue(1)) as shop:
        calls = []

        async def token() -> str:
            calls.append(1)
            return str(shop.emu.credentials()["admin_token"])

        client = shop.make_client(token=token)
        data = await client.execute(q.LOCATIONS, {"first": 5})
        assert data["locations"]["nodes"] and calls == [1]


@pytest.mark.parametrize(
    ("status", "words"),
    [(403, "permission"), (402, "frozen or unpaid"), (423, "locked"), (404, "not found")],
)
async def test_account_problems_are_configuration_errors(status: int, words: str) -> None:
    async with shopify_shop(catalogue(1)) as shop:
        await shop.fault(kind="status", status=status, path=GRAPHQL, count=1)
        with pytest.raises(ConfigurationError) as caught:
            await shop.client.execute(q.LOCATIONS, {"first": 5})
        assert shop.client.requests == 1
        sentence = caught.value.sentence("shopify")
        assert words in sentence and sentence.startswith("Shopify needs attention")


async def test_wrong_api_version_is_a_configuration_error() -> None:
    async with shopify_shop(catalogue(1)) as shop:
        client = shop.make_client(api_version="2031-01")
        with pytest.raises(ConfigurationError, match="2031-01"):
            await client.execute(q.LOCATIONS, {"first": 5})


async def test_missing_scope_is_a_configuration_error() -> None:
    seed = {**catalogue(1), "app": {"scopes": "read_products", "client_credentials": True}}
    async with shopify_shop(seed) as shop:
        creds = shop.emu.credentials()["app"]
        response = await shop.http.post(
            f"{shop.emu.base_url}/admin/oauth/access_token",
            json={
                "client_id": creds["client_id"],
                "client_secret": creds["client_secret"],
                "grant_type": "client_credentials",
            },
        )
        assert response.status_code == 200, response.text
        client = shop.make_client(token=response.json()["access_token"])
        with pytest.raises(ConfigurationError, match="missing a permission"):
            await client.execute(q.CUSTOMERS, {"first": 5})


@pytest.mark.parametrize("kind", ["timeout", "drop", "malformed", "status"])
async def test_a_create_is_not_retried_after_an_ambiguous_failure(kind: str) -> None:
    async with shopify_shop(timeout=0.1) as shop:
        await shop.fault(kind=kind, status=500, delay=0.3, path=GRAPHQL, count=1)
        with pytest.raises(Transient):
            await shop.client.mutate(
                q.CUSTOMER_CREATE, {"input": {"email": "a@example.com"}}, idempotent=False
            )
        assert shop.client.requests == 1
        # a garbled answer may follow a create that happened: that is why it is not retried
        # blindly (the outbox looks the customer up by email before replaying)
        assert shop.emu.state()["counts"]["customers"] == (1 if kind == "malformed" else 0)
