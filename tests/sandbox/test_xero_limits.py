"""Xero rate limits, fault injection and a real loopback session (service-apis.md §4.6)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from nexpura_desktop.sandbox.runner import SandboxServer
from tests.sandbox.xero_support import API, api_headers, login, xero_client

pytestmark = pytest.mark.anyio


async def test_minute_limit_headers_and_429_with_retry_after() -> None:
    """§4.6: 60 calls/min per tenant; X-*Limit-Remaining headers; 429 + Retry-After + problem."""
    async with xero_client() as (sandbox, client):
        tokens = await login(client)
        last = None
        for n in range(60):
            last = await client.get(f"{API}/Organisation", headers=api_headers(tokens))
            assert last.status_code == 200
            assert last.headers["X-MinLimit-Remaining"] == str(59 - n)
        assert last is not None and last.headers["X-DayLimit-Remaining"] == "4940"
        assert "X-AppMinLimit-Remaining" in last.headers
        refused = await client.get(f"{API}/Organisation", headers=api_headers(tokens))
        assert refused.status_code == 429
        assert refused.headers["X-Rate-Limit-Problem"] == "minute"
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        other_tenant = await client.get(f"{API}/Organisation", headers=api_headers(tokens, 1))
        assert other_tenant.status_code == 200  # limits are per tenant
        sandbox.clock.advance(int(refused.headers["Retry-After"]))
        again = await client.get(f"{API}/Organisation", headers=api_headers(tokens))
        assert again.status_code == 200


async def test_day_limit_is_reported_as_day() -> None:
    """§4.6: 5,000 calls/day → 429 with X-Rate-Limit-Problem: day (limit lowered through seed)."""
    async with xero_client() as (_, client):
        await client.post("/_sandbox/seed", json={"limits": {"per_day": 3}})
        tokens = await login(client)
        for _ in range(3):
            assert (
                await client.get(f"{API}/Organisation", headers=api_headers(tokens))
            ).status_code == 200
        refused = await client.get(f"{API}/Organisation", headers=api_headers(tokens))
        assert refused.status_code == 429 and refused.headers["X-Rate-Limit-Problem"] == "day"


async def test_sixth_concurrent_call_is_refused() -> None:
    """§4.6: 5 concurrent calls per tenant; the 6th → 429 concurrent."""
    async with xero_client() as (_, client):
        await client.post("/_sandbox/seed", json={"settings": {"latency": 0.2}})
        tokens = await login(client)
        answers = await asyncio.gather(
            *(client.get(f"{API}/Organisation", headers=api_headers(tokens)) for _ in range(6))
        )
        codes = sorted(a.status_code for a in answers)
        assert codes == [200, 200, 200, 200, 200, 429]
        refused = next(a for a in answers if a.status_code == 429)
        assert refused.headers["X-Rate-Limit-Problem"] == "concurrent"


async def test_injected_429_fault_has_xeros_body_and_headers() -> None:
    """Control surface faults: a 429 rule answers like Xero (§4.6/§4.7)."""
    async with xero_client() as (_, client):
        tokens = await login(client)
        await client.post(
            "/_sandbox/faults",
            json={
                "kind": "status",
                "status": 429,
                "count": 1,
                "retry_after": 7,
                "path": "/Invoices",
            },
        )
        answer = await client.get(f"{API}/Invoices", headers=api_headers(tokens))
        assert answer.status_code == 429
        assert answer.headers["Retry-After"] == "7"
        assert answer.headers["X-Rate-Limit-Problem"] == "minute"
        assert answer.json()["Title"] == "Too Many Requests"
        assert (await client.get(f"{API}/Invoices", headers=api_headers(tokens))).status_code == 200


def test_full_session_over_real_loopback() -> None:
    """The served sandbox: login, connections and an invoice over 127.0.0.1 (issue: Done when)."""

    async def session(base: str) -> None:
        async with httpx.AsyncClient(base_url=base) as client:
            tokens = await login(client)
            made = await client.put(
                f"{API}/Invoices",
                json={
                    "Type": "ACCREC",
                    "Contact": {"Name": "Loopback"},
                    "LineItems": [{"Description": "Ring", "UnitAmount": 10, "AccountCode": "200"}],
                },
                headers=api_headers(tokens),
            )
            assert made.status_code == 200, made.text
            assert made.json()["Invoices"][0]["Total"] == 11.0

    with SandboxServer(port_base=0, services=["xero"]) as server:
        asyncio.run(session(server.sandbox.origins["xero"]))
