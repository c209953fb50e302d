"""An in-process Shopify shop and a ``ShopifyClient`` whose waits move the sandbox clock.

The client's limiter reads the emulator's clock and its sleeps *advance* that clock, so
pacing, backoff and bulk polling run at full speed and deterministically, while the
emulator's bucket still restores exactly as much as the client waited.
"""

from __future__ import annotations

import asyncio
import random
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from nexpura_desktop.connectors.shopify.client import ShopifyClient
from nexpura_desktop.connectors.shopify.limiter import CostLimiter
from nexpura_desktop.sandbox import Sandbox
from nexpura_desktop.sandbox.shopify import ShopifyEmulator


@dataclass
class Shop:
    sandbox: Sandbox
    emu: ShopifyEmulator
    http: httpx.AsyncClient
    client: ShopifyClient
    cancel: threading.Event
    slept: list[float]

    async def control(self, path: str, payload: Any) -> Any:
        response = await self.http.post(f"{self.emu.base_url}/_sandbox/{path}", json=payload)
        assert response.status_code == 200, response.text
        return response.json()

    async def fault(self, **rule: Any) -> None:
        await self.control("faults", rule)

    def make_client(self, **kwargs: Any) -> ShopifyClient:
        creds = self.emu.credentials()
        options: dict[str, Any] = {
            "base_url": creds["base_url"],
            "token": creds["admin_token"],
            "api_version": creds["api_version"],
            "limiter": self.client.limiter,
            "cancel": self.cancel,
            "rng": random.Random(7),
        }
        options.update(kwargs)
        return ShopifyClient(self.http, **options)


def virtual_limiter(emu: ShopifyEmulator, slept: list[float], **kwargs: Any) -> CostLimiter:
    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        emu.clock.advance(max(0.0, seconds))
        await asyncio.sleep(0)

    return CostLimiter(emu.shop.domain, clock=emu.clock.time, sleep=sleep, **kwargs)


@asynccontextmanager
async def shopify_shop(
    seed: dict[str, Any] | None = None, *, timeout: float = 5.0, **limiter_options: Any
) -> AsyncIterator[Shop]:
    sandbox = Sandbox(services=["shopify"])
    emu = sandbox["shopify"]
    assert isinstance(emu, ShopifyEmulator)
    slept: list[float] = []
    cancel = threading.Event()
    async with httpx.AsyncClient(transport=sandbox.transport()) as http:
        if seed is not None:
            response = await http.post(f"{emu.base_url}/_sandbox/seed", json=seed)
            assert response.status_code == 200, response.text
        creds = emu.credentials()
        client = ShopifyClient(
            http,
            base_url=creds["base_url"],
            token=creds["admin_token"],
            api_version=creds["api_version"],
            limiter=virtual_limiter(emu, slept, **limiter_options),
            cancel=cancel,
            timeout=timeout,
            rng=random.Random(7),
        )
        yield Shop(sandbox, emu, http, client, cancel, slept)


def catalogue(n: int, *, variants: int = 1, stock: int = 5, start_day: int = 1) -> dict[str, Any]:
    """``n`` products, ``variants`` sizes each, updated on consecutive days of 2026."""
    sizes = ["S", "M", "L", "XL"]
    return {
        "products": [
            {
                "title": f"Ring {i}",
                "created_at": "2026-01-01T00:00:00Z",
                "updated_at": f"2026-03-{start_day + i:02d}T00:00:00Z",
                "status": "ACTIVE",
                "tags": ["gold", "ring"],
                "variants": [
                    {
                        "sku": f"R-{i:03d}-{v}",
                        "price": 100 + i,
                        "title": sizes[v] if variants > 1 else "Default Title",
                        "inventory": {"Shop location": stock},
                    }
                    for v in range(variants)
                ],
            }
            for i in range(n)
        ]
    }
