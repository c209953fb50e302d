"""Shared plumbing for the Shopify emulator tests: an in-process shop and a GraphQL call."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from nexpura_desktop.sandbox import Sandbox
from nexpura_desktop.sandbox.shopify import ShopifyEmulator

VERSION = "2026-01"


@asynccontextmanager
async def shop(
    seed: dict[str, Any] | None = None,
) -> AsyncIterator[tuple[httpx.AsyncClient, ShopifyEmulator]]:
    sandbox = Sandbox(services=["shopify"])
    emu = sandbox["shopify"]
    assert isinstance(emu, ShopifyEmulator)
    async with httpx.AsyncClient(transport=sandbox.transport(), base_url=emu.base_url) as client:
        if seed is not None:
            response = await client.post("/_sandbox/seed", json=seed)
            assert response.status_code == 200, response.text
        yield client, emu


async def gql(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    token: str | None = None,
    version: str = VERSION,
    status: int = 200,
) -> dict[str, Any]:
    if token is None:
        token = (await client.get("/_sandbox/credentials")).json()["admin_token"]
    response = await client.post(
        f"/admin/api/{version}/graphql.json",
        headers={"X-Shopify-Access-Token": token},
        json={"query": query, "variables": variables or {}},
    )
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def sku_catalogue(n: int, *, stock: int = 5) -> dict[str, Any]:
    return {
        "products": [
            {
                "title": f"Ring {i}",
                "created_at": f"2026-01-{i + 1:02d}T00:00:00Z",
                "updated_at": f"2026-02-{i + 1:02d}T00:00:00Z",
                "status": "DRAFT" if i % 4 == 3 else "ACTIVE",
                "variants": [
                    {"sku": f"R-{i:03d}", "price": 100 + i, "inventory": {"Shop location": stock}}
                ],
            }
            for i in range(n)
        ]
    }


def gid_numbers(ids: list[str]) -> list[int]:
    return [int(i.rsplit("/", 1)[-1].split("?")[0]) for i in ids]
