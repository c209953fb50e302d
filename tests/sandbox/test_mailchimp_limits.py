"""Mailchimp emulator: the 10-simultaneous-connection limit (service-apis.md §3.6).

In-process with a ``slow`` fault holding requests open, and over real loopback sockets.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest

from nexpura_desktop.sandbox.runner import SandboxServer
from tests.sandbox.mailchimp_support import assert_problem, mailchimp

pytestmark = pytest.mark.anyio


async def test_eleventh_simultaneous_request_gets_429_without_retry_after() -> None:
    """§3.6: max 10 simultaneous connections; excess → 429 problem+json, no Retry-After."""
    async with mailchimp() as mc:
        await mc.control.post(
            "/_sandbox/faults", json={"kind": "slow", "delay": 0.3, "path": "/3.0/lists$"}
        )
        responses = await asyncio.gather(*(mc.client.get("/lists") for _ in range(11)))
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [200] * 10 + [429]
        refused = next(r for r in responses if r.status_code == 429)
        assert_problem(refused, 429, "Too Many Requests")
        assert "retry-after" not in refused.headers
        assert not any(h.startswith("x-ratelimit") for h in refused.headers)
        # The limit is about concurrency only: once they finish, requests are served again.
        assert (await mc.client.get("/ping")).status_code == 200
        state = (await mc.control.get("/_sandbox/state")).json()["connections"]
        assert state == {"limit": 10, "in_flight": 0, "peak": 11}


async def test_ten_simultaneous_requests_are_fine() -> None:
    async with mailchimp() as mc:
        await mc.control.post("/_sandbox/faults", json={"kind": "slow", "delay": 0.2})
        responses = await asyncio.gather(*(mc.client.get("/ping") for _ in range(10)))
        assert {r.status_code for r in responses} == {200}


async def test_limit_over_real_loopback_connections() -> None:
    """§3.1/§3.6 over real sockets: Basic auth, /3.0 base, the 429 for the 11th and 12th."""
    with SandboxServer(port_base=0, services=["mailchimp"]) as server:
        base = server.sandbox.origins["mailchimp"]
        creds = server.sandbox["mailchimp"].credentials()
        assert creds["api_base_url"] == f"{base}/3.0"
        limits = httpx.Limits(max_connections=50)
        async with (
            httpx.AsyncClient(base_url=base, timeout=10) as control,
            httpx.AsyncClient(
                base_url=creds["api_base_url"],
                auth=("x", creds["api_key"]),
                limits=limits,
                timeout=10,
            ) as client,
        ):
            r = await client.put(
                f"/lists/{creds['audience_id']}/members/loop@mail.com",
                json={"email_address": "loop@mail.com", "status_if_new": "subscribed"},
            )
            assert r.status_code == 200, r.text
            await control.post(
                "/_sandbox/faults", json={"kind": "slow", "delay": 0.4, "path": "/ping$"}
            )
            responses = await asyncio.gather(*(client.get("/ping") for _ in range(12)))
            assert sorted(r.status_code for r in responses) == [200] * 10 + [429] * 2
            for r in responses:
                if r.status_code == 429:
                    assert_problem(r, 429, "Too Many Requests")
                    assert "retry-after" not in r.headers
            log = (await control.get("/_sandbox/requests")).json()["requests"]
            assert sum(1 for e in log if e["status"] == 429) == 2
