"""The emulator as a service: loopback serving, faults, credentials, demo seeding."""

from __future__ import annotations

import httpx
import pytest

from nexpura_desktop.sandbox.runner import SandboxServer
from tests.sandbox.woocommerce_client import (
    API,
    WooOAuth1,
    keys,
    make_sandbox,
    plain_client,
    signed_client,
)

pytestmark = pytest.mark.anyio


def test_signed_requests_over_real_loopback() -> None:
    """§2.1: the sandbox serves plain HTTP on 127.0.0.1, so clients sign with OAuth1."""
    with SandboxServer(port_base=0, services=["woocommerce"]) as server:
        emu = server.sandbox["woocommerce"]
        store_url = emu.credentials()["store_url"]
        assert store_url.startswith("http://127.0.0.1:")
        ck, cs = keys(emu)  # type: ignore[arg-type]
        with httpx.Client(base_url=store_url + API, auth=WooOAuth1(ck, cs, emu.clock.time)) as c:
            made = c.post("/products", json={"name": "Loopback Ring", "sku": "LB-1"})
            listed = c.get("/products", params={"sku": "LB-1"})
        anonymous = httpx.get(store_url + API + "/products", auth=(ck, cs))
    assert made.status_code == 201
    assert [p["name"] for p in listed.json()] == ["Loopback Ring"]
    assert anonymous.status_code == 401


async def test_injected_faults_use_woocommerce_bodies() -> None:
    """Fault injection: 429/500/503 and malformed bodies look like a WordPress site's."""
    sandbox, emu = make_sandbox()
    async with plain_client(sandbox) as control:
        await control.post(
            "/_sandbox/faults",
            json=[
                {"kind": "status", "status": 429, "retry_after": 30, "count": 1},
                {"kind": "status", "status": 500, "count": 1},
                {"kind": "malformed", "count": 1},
            ],
        )
    async with signed_client(sandbox, emu) as client:
        limited = await client.get("/products")
        crashed = await client.get("/products")
        malformed = await client.get("/products")
        normal = await client.get("/products")
    assert limited.status_code == 429 and limited.headers["retry-after"] == "30"
    assert limited.json() == {
        "code": "rate_limit_exceeded",
        "message": "Too many requests. Please wait 30 seconds before trying again.",
        "data": {"status": 429},
    }
    assert crashed.status_code == 500
    assert crashed.json()["code"] == "internal_server_error"
    assert crashed.json()["additional_errors"] == []
    assert malformed.text.startswith("<br />\n<b>Deprecated</b>")
    assert normal.status_code == 200


async def test_credentials_indexes_and_system_status() -> None:
    """Credentials name the store URL and both key pairs; /wp-json/ is public (§2.1)."""
    sandbox, emu = make_sandbox()
    creds = emu.credentials()
    assert creds["store_url"] == "http://woocommerce.sandbox.test"
    assert creds["read_write"]["consumer_key"].startswith("ck_")
    assert creds["read_only"]["consumer_secret"].startswith("cs_")
    assert creds["read_only"]["permissions"] == "read"
    async with plain_client(sandbox) as control:
        index = await control.get("/wp-json/")
        page = await control.get("/no-such-page")
    assert "wc/v3" in index.json()["namespaces"]
    assert page.status_code == 404 and "text/html" in page.headers["content-type"]
    async with signed_client(sandbox, emu, "read_only") as client:
        status = await client.get("/system_status")
    assert status.json()["environment"]["home_url"] == "http://woocommerce.sandbox.test"
    assert status.json()["settings"]["currency"] == "AUD"


async def test_seed_demo_builds_a_realistic_website() -> None:
    """seed_demo: published inventory → simple products, a few variable products,
    some customers (shop and online-only) and recent web orders; missing keys tolerated."""
    sandbox, emu = make_sandbox()
    tables = {
        "tenants": [{"id": "t1", "name": "Demo", "currency": "AUD"}],
        "inventory": [
            {
                "id": f"i{n}",
                "sku": f"INV-{n}",
                "name": f"Piece {n}",
                "retail_price": 100 + n,
                "quantity": 2,
                "is_published": n % 3 != 0,
                "status": "in_stock",
                "category": "Rings" if n % 2 else "Pendants",
            }
            for n in range(12)
        ]
        + [{"id": "bare", "name": "No keys at all", "is_published": True}],
        "customers": [
            {
                "id": f"c{n}",
                "full_name": f"Cust Omer{n}",
                "email": f"cust{n}@example.com",
                "mobile": "0400000000",
                "tags": [],
            }
            for n in range(6)
        ]
        + [{"id": "no-email", "full_name": "Walk In"}],
    }
    counts = emu.seed_demo(tables)
    assert counts["products"] > 3 and counts["variations"] == 9
    assert counts["customers"] == 2 + 3 and counts["orders"] > 0
    async with signed_client(sandbox, emu) as client:
        variable = await client.get("/products", params={"type": "variable"})
        by_sku = await client.get("/products", params={"sku": "INV-1"})
        orders = await client.get("/orders")
        categories = await client.get("/products/categories")
    assert len(variable.json()) == 3
    assert by_sku.json()[0]["manage_stock"] is True
    assert {o["created_via"] for o in orders.json()} == {"checkout"}
    assert {"Rings", "Pendants"} <= {c["name"] for c in categories.json()}


async def test_a_reset_empties_what_the_api_serves() -> None:
    """The control surface's reset must reach the REST routes, not only the emulator object."""
    sandbox, emu = make_sandbox()
    async with signed_client(sandbox, emu) as client:
        made = await client.post("/products", json={"name": "Opal ring", "sku": "OP-1"})
        assert made.status_code == 201
        assert [p["sku"] for p in (await client.get("/products")).json()] == ["OP-1"]
    with emu.lock:
        emu.reset()
    async with signed_client(sandbox, emu) as client:
        assert (await client.get("/products")).json() == []
        assert (await client.get("/customers")).json() == []
