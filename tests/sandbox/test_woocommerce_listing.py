"""Pagination, ordering and filters (service-apis.md §2.3, §2.4)."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.sandbox.woocommerce_client import API, ORIGIN, make_sandbox, plain_client, signed_client

pytestmark = pytest.mark.anyio


def _products(n: int) -> list[dict[str, object]]:
    return [
        {
            "name": f"Piece {i:02d}",
            "sku": f"S{i:02d}",
            "regular_price": str(100 + i),
            "date_created_gmt": f"2024-01-{i + 1:02d}T10:00:00",
            "date_modified_gmt": f"2024-02-{i + 1:02d}T10:00:00",
        }
        for i in range(n)
    ]


async def test_page_two_headers_and_links() -> None:
    """§2.4: X-WP-Total / X-WP-TotalPages and Link rel prev/next with every query arg."""
    sandbox, emu = make_sandbox()
    emu.seed({"products": _products(25)})
    async with signed_client(sandbox, emu) as client:
        page2 = await client.get(
            "/products", params={"per_page": "10", "page": "2", "orderby": "id", "order": "asc"}
        )
        past_end = await client.get("/products", params={"per_page": "10", "page": "9"})
        default = await client.get("/products")
    assert page2.status_code == 200
    assert page2.headers["x-wp-total"] == "25" and page2.headers["x-wp-totalpages"] == "3"
    assert [p["sku"] for p in page2.json()] == [f"S{i:02d}" for i in range(10, 20)]
    links = {link["rel"]: link["url"] for link in page2.links.values()}
    for rel, page in (("prev", "1"), ("next", "3")):
        url = urlsplit(links[rel])
        assert f"{url.scheme}://{url.netloc}{url.path}" == f"{ORIGIN}{API}/products"
        query = parse_qs(url.query)
        assert query["page"] == [page] and query["orderby"] == ["id"]
        assert "oauth_signature" in query  # WC copies every request argument, OAuth too
    assert past_end.json() == []
    assert len(default.json()) == 10  # per_page defaults to 10
    assert [p["sku"] for p in default.json()][:2] == ["S24", "S23"]  # date desc


async def test_per_page_bounds_and_bad_enums_are_rest_invalid_param() -> None:
    """§2.4: per_page must be 1..100 (400 rest_invalid_param); enums are validated too."""
    sandbox, emu = make_sandbox()
    async with signed_client(sandbox, emu) as client:
        too_big = await client.get("/orders", params={"per_page": "101"})
        zero = await client.get("/customers", params={"per_page": "0"})
        bad_order = await client.get("/products", params={"order": "up"})
    message = "per_page must be between 1 (inclusive) and 100 (inclusive)"
    assert too_big.status_code == 400
    assert too_big.json() == {
        "code": "rest_invalid_param",
        "message": "Invalid parameter(s): per_page",
        "data": {
            "status": 400,
            "params": {"per_page": message},
            "details": {
                "per_page": {"code": "rest_out_of_bounds", "message": message, "data": None}
            },
        },
    }
    assert zero.status_code == 400
    assert bad_order.json()["data"]["params"] == {"order": "order is not one of asc and desc."}


async def test_modified_after_respects_dates_are_gmt() -> None:
    """§2.3: modified_after on products/orders; dates_are_gmt picks the GMT column.

    The shop's timezone is Australia/Sydney (UTC+11 in February), so without
    dates_are_gmt the same wall time selects 11 hours' worth of extra changes.
    """
    sandbox, emu = make_sandbox()
    emu.seed({"products": _products(25)})
    async with signed_client(sandbox, emu) as client:
        gmt = await client.get(
            "/products",
            params={
                "modified_after": "2024-02-20T15:00:00",
                "dates_are_gmt": "true",
                "per_page": "100",
            },
        )
        local = await client.get(
            "/products", params={"modified_after": "2024-02-20T15:00:00", "per_page": "100"}
        )
        bad = await client.get("/products", params={"modified_after": "last tuesday"})
    assert gmt.headers["x-wp-total"] == "5"  # Feb 21..25, 10:00 GMT
    assert local.headers["x-wp-total"] == "6"  # 15:00 Sydney = 04:00 GMT → Feb 20..25
    assert sorted(p["sku"] for p in gmt.json()) == [f"S{i}" for i in range(20, 25)]
    assert bad.status_code == 400 and bad.json()["code"] == "rest_invalid_param"


async def test_customers_have_no_modified_filter_but_email_and_search() -> None:
    """§2.3: customers ignore modified_after (undeclared arg); email= and search= work."""
    sandbox, emu = make_sandbox()
    emu.seed(
        {
            "customers": [
                {
                    "email": "ava@example.com",
                    "first_name": "Ava",
                    "date_created_gmt": "2020-01-01T00:00:00",
                },
                {
                    "email": "leo@example.com",
                    "first_name": "Leo",
                    "date_created_gmt": "2020-01-02T00:00:00",
                },
            ]
        }
    )
    async with signed_client(sandbox, emu) as client:
        ignored = await client.get("/customers", params={"modified_after": "2030-01-01T00:00:00"})
        by_email = await client.get("/customers", params={"email": "leo@example.com"})
        searched = await client.get("/customers", params={"search": "ava"})
    assert ignored.status_code == 200 and ignored.headers["x-wp-total"] == "2"
    assert [c["first_name"] for c in by_email.json()] == ["Leo"]
    assert [c["email"] for c in searched.json()] == ["ava@example.com"]


async def test_order_status_filter_and_generated_bulk_seed() -> None:
    """§2.3 order ``status`` list filter; the compact ``generate`` seed pages in O(page)."""
    sandbox, emu = make_sandbox()
    async with plain_client(sandbox) as control:
        seeded = await control.post(
            "/_sandbox/seed",
            json={
                "generate": {
                    "products": 300,
                    "variations_per_product": 3,
                    "customers": 500,
                    "orders": 3000,
                }
            },
        )
    assert seeded.json()["seeded"] == {
        "products": 300,
        "variations": 900,
        "customers": 500,
        "orders": 3000,
        "webhooks": 0,
    }
    async with signed_client(sandbox, emu) as client:
        everything = await client.get("/orders", params={"per_page": "100"})
        started = time.perf_counter()
        for page in (1, 15, 30):
            late = await client.get("/orders", params={"per_page": "100", "page": str(page)})
            assert len(late.json()) == 100
        elapsed = time.perf_counter() - started
        done = await client.get("/orders", params={"status": "processing,cancelled"})
        bad = await client.get("/orders", params={"status": "shipped"})
        variations = await client.get("/products/11/variations")
    assert everything.headers["x-wp-total"] == "3000"
    assert everything.headers["x-wp-totalpages"] == "30"
    assert elapsed < 2.0
    assert {o["status"] for o in done.json()} <= {"processing", "cancelled"}
    assert bad.status_code == 400
    assert bad.json()["data"]["params"]["status"].startswith("status[0] is not one of any,")
    assert variations.headers["x-wp-total"] == "3"
