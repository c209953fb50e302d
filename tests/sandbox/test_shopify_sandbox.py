"""Control surface, seeding, faults and real loopback (issue 3 "Control surface";
service-apis §1.4 REST error shapes / 429 + Retry-After)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from nexpura_desktop.sandbox import Sandbox
from nexpura_desktop.sandbox.runner import SandboxServer
from tests.sandbox.shopify_helpers import VERSION, gql, shop

pytestmark = pytest.mark.anyio

TABLES: dict[str, list[dict[str, Any]]] = {
    "locations": [{"id": "loc-1", "name": "Paddington showroom", "is_active": True}],
    "inventory": [
        {
            "id": f"i{n}",
            "sku": f"NX-{n:03d}",
            "name": f"Sapphire ring {n}",
            "retail_price": 900 + n,
            "cost_price": 400,
            "quantity": n % 3,
            "status": "in_stock",
            "is_published": n < 4,
            "location_id": "loc-1",
            "category": "Rings",
        }
        for n in range(6)
    ],
    "customers": [
        {
            "id": f"c{n}",
            "full_name": f"Client {n}",
            "first_name": "Client",
            "last_name": str(n),
            "email": f"client{n}@example.com",
            "marketing_consent": n % 2 == 0,
            "tags": [],
        }
        for n in range(6)
    ]
    + [{"id": "c-x"}],
}


async def test_seed_demo_builds_a_plausible_online_store() -> None:
    sandbox = Sandbox(services=["shopify"])
    emu = sandbox["shopify"]
    with emu.lock:
        counts = emu.seed_demo(TABLES)
    assert counts["products"] == 4 and counts["locations"] == 1
    assert counts["customers"] == 2 + 5 and counts["orders"] == 12
    async with httpx.AsyncClient(transport=sandbox.transport(), base_url=emu.base_url) as client:
        q = """{ locations(first: 5) { nodes { name } }
                 products(first: 10) { nodes { title
                   variants(first: 1) { nodes { sku price inventoryQuantity } } } }
                 orders(first: 20) { nodes {
                   lineItems(first: 5) { nodes { sku variant { id } } } } } }"""
        data = (await gql(client, q))["data"]
        assert [n["name"] for n in data["locations"]["nodes"]] == ["Paddington showroom"]
        skus = {p["variants"]["nodes"][0]["sku"] for p in data["products"]["nodes"]}
        assert skus == {"NX-000", "NX-001", "NX-002", "NX-003"}
        lines = [li for o in data["orders"]["nodes"] for li in o["lineItems"]["nodes"]]
        assert any(li["variant"] for li in lines) and any(li["variant"] is None for li in lines)


async def test_generated_seed_reset_and_state() -> None:
    spec = {
        "generate": {
            "products": 20,
            "variants_per_product": 3,
            "customers": 30,
            "orders": 40,
            "seed": 1,
        }
    }
    async with shop(spec) as (client, _):
        state = (await client.get("/_sandbox/state")).json()
        assert state["counts"]["variants"] == 60 and state["counts"]["orders"] == 40
        count = await gql(client, "{ productsCount(limit: 10) { count precision } }")
        assert count["data"]["productsCount"] == {"count": 10, "precision": "AT_LEAST"}
        await client.post("/_sandbox/reset")
        assert (await client.get("/_sandbox/state")).json()["counts"]["products"] == 0
        bad = await client.post("/_sandbox/seed", json={"settings": {"nope": 1}})
        assert bad.status_code == 400


async def test_injected_429_has_shopifys_body_and_retry_after() -> None:
    async with shop() as (client, emu):
        await client.post(
            "/_sandbox/faults",
            json={"kind": "status", "status": 429, "count": 1, "path": "/admin/api/"},
        )
        token = emu.credentials()["admin_token"]
        r = await client.post(
            f"/admin/api/{VERSION}/graphql.json",
            headers={"X-Shopify-Access-Token": token},
            json={"query": "{ shop { name } }"},
        )
        assert r.status_code == 429 and r.headers["Retry-After"] == "2.0"
        assert r.json() == {
            "errors": "Exceeded 2 calls per second for api client. "
            "Reduce request rates to resume uninterrupted service."
        }
        missing = await client.get("/admin/api/2026-01/products.json")
        assert missing.status_code == 404 and missing.json() == {"errors": "Not Found"}


def test_over_real_loopback() -> None:
    with SandboxServer(port_base=0, services=["shopify"]) as server:
        creds = server.sandbox.credentials()["shopify"]
        assert creds["base_url"].startswith("http://127.0.0.1:")
        with httpx.Client(base_url=creds["base_url"]) as client:
            r = client.post(
                f"/admin/api/{VERSION}/graphql.json",
                headers={"X-Shopify-Access-Token": creds["admin_token"]},
                json={
                    "query": "{ shop { myshopifyDomain } locations(first: 1) { nodes { name } } }"
                },
            )
            assert r.status_code == 200
            assert r.json()["data"]["shop"]["myshopifyDomain"] == creds["shop"]
