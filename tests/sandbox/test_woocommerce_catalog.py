"""Products, variations and batch endpoints (service-apis.md §2.2, §2.3, §2.5)."""

from __future__ import annotations

import pytest

from tests.sandbox.woocommerce_client import (
    API,
    ORIGIN,
    assert_matches,
    make_sandbox,
    signed_client,
)

pytestmark = pytest.mark.anyio


async def test_create_and_read_a_product_in_the_wc_v3_shape() -> None:
    """§2.3: POST /products → 201 + Location; the body follows the wc/v3 product schema."""
    sandbox, emu = make_sandbox()
    async with signed_client(sandbox, emu) as client:
        created = await client.post(
            "/products",
            json={
                "name": "Opal Ring",
                "sku": "OPR-1",
                "regular_price": "890",
                "manage_stock": True,
                "stock_quantity": 2,
            },
        )
        fetched = await client.get(f"/products/{created.json()['id']}")
        unmanaged = await client.post("/products", json={"name": "Gift card"})
    assert created.status_code == 201
    assert created.headers["location"] == f"{ORIGIN}{API}/products/{created.json()['id']}"
    body = fetched.json()
    assert_matches("product", body)
    assert_matches("product", unmanaged.json())
    assert body["sku"] == "OPR-1" and body["price"] == "890" and body["stock_status"] == "instock"
    assert unmanaged.json()["stock_quantity"] is None
    assert body["date_created_gmt"] != body["date_created"]  # site timezone ≠ GMT


async def test_duplicate_sku_and_invalid_ids_are_wp_errors() -> None:
    """§2.2: duplicate SKU → 400 product_invalid_sku with data.resource_id; bad id → 404."""
    sandbox, emu = make_sandbox()
    async with signed_client(sandbox, emu) as client:
        first = (await client.post("/products", json={"name": "A", "sku": "DUP"})).json()
        dup = await client.post("/products", json={"name": "B", "sku": "DUP"})
        missing = await client.get("/products/99999")
        bad_type = await client.post("/products", json={"name": "C", "regular_price": 12})
    assert dup.status_code == 400
    assert dup.json() == {
        "code": "product_invalid_sku",
        "message": "Invalid or duplicated SKU.",
        "data": {"status": 400, "resource_id": first["id"]},
    }
    assert missing.status_code == 404
    assert missing.json() == {
        "code": "woocommerce_rest_product_invalid_id",
        "message": "Invalid ID.",
        "data": {"status": 404},
    }
    assert bad_type.status_code == 400
    assert bad_type.json()["code"] == "rest_invalid_param"
    assert bad_type.json()["data"]["params"] == {
        "regular_price": "regular_price is not of type string."
    }


async def test_variations_and_sku_lookup_that_finds_a_variation() -> None:
    """§2.3: variations under /products/{id}/variations; ``sku=`` also matches variations."""
    sandbox, emu = make_sandbox()
    async with signed_client(sandbox, emu) as client:
        parent = (await client.post("/products", json={"name": "Band", "type": "variable"})).json()
        base = f"/products/{parent['id']}/variations"
        made = await client.post(
            base,
            json={
                "sku": "BAND-N",
                "regular_price": "300",
                "manage_stock": True,
                "stock_quantity": 1,
                "attributes": [{"name": "Size", "option": "N"}],
            },
        )
        listed = await client.get(base)
        clash = await client.post("/products", json={"name": "X", "sku": "BAND-N"})
        by_sku = await client.get("/products", params={"sku": "band-n"})
        no_trash = await client.delete(f"{base}/{made.json()['id']}")
        parent_now = (await client.get(f"/products/{parent['id']}")).json()
    assert made.status_code == 201
    assert_matches("product_variation", made.json())
    assert [v["sku"] for v in listed.json()] == ["BAND-N"]
    assert listed.headers["x-wp-total"] == "1"
    assert clash.json()["data"]["resource_id"] == made.json()["id"]
    assert [(p["id"], p["type"], p["parent_id"]) for p in by_sku.json()] == [
        (made.json()["id"], "variation", parent["id"])
    ]
    assert no_trash.status_code == 501
    assert no_trash.json()["code"] == "woocommerce_rest_trash_not_supported"
    assert parent_now["variations"] == [made.json()["id"]] and parent_now["price"] == "300"


async def test_delete_trashes_then_410_then_force_removes() -> None:
    """§2.3: DELETE without force trashes (hidden from status=any); again → 410; force=true."""
    sandbox, emu = make_sandbox()
    async with signed_client(sandbox, emu) as client:
        product = (await client.post("/products", json={"name": "P", "sku": "P1"})).json()
        trashed = await client.delete(f"/products/{product['id']}")
        listed = await client.get("/products")
        in_trash = await client.get("/products", params={"status": "trash"})
        again = await client.delete(f"/products/{product['id']}")
        forced = await client.delete(f"/products/{product['id']}", params={"force": "true"})
        gone = await client.get(f"/products/{product['id']}")
    assert trashed.json()["status"] == "trash"
    assert listed.json() == [] and len(in_trash.json()) == 1
    assert again.status_code == 410
    assert again.json()["code"] == "woocommerce_rest_already_trashed"
    assert forced.status_code == 200 and gone.status_code == 404


async def test_batch_has_per_item_errors_inline_and_a_100_item_limit() -> None:
    """§2.5: per-item WP_Errors inline with HTTP 200; more than 100 items → 413."""
    sandbox, emu = make_sandbox()
    async with signed_client(sandbox, emu) as client:
        kept = (await client.post("/products", json={"name": "Keep", "sku": "K"})).json()
        doomed = (await client.post("/products", json={"name": "Doomed"})).json()
        result = await client.post(
            "/products/batch",
            json={
                "create": [{"name": "New", "sku": "N1"}, {"name": "Clash", "sku": "K"}],
                "update": [{"id": kept["id"], "regular_price": "10"}, {"id": 424242}],
                "delete": [doomed["id"]],
            },
        )
        too_many = await client.post(
            "/products/batch",
            json={"create": [{"name": f"p{n}"} for n in range(60)], "delete": list(range(1, 42))},
        )
        hundred = await client.post(
            "/products/batch", json={"create": [{"name": f"q{n}"} for n in range(100)]}
        )
        empty = await client.post("/products/batch", json={})
    assert result.status_code == 200
    body = result.json()
    assert body["create"][0]["sku"] == "N1"
    assert body["create"][1] == {
        "id": 0,
        "error": {
            "code": "product_invalid_sku",
            "message": "Invalid or duplicated SKU.",
            "data": {"status": 400, "resource_id": kept["id"]},
        },
    }
    assert body["update"][0]["regular_price"] == "10"
    assert body["update"][1] == {
        "id": 424242,
        "error": {
            "code": "woocommerce_rest_product_invalid_id",
            "message": "Invalid ID.",
            "data": {"status": 400},
        },
    }
    assert body["delete"][0]["id"] == doomed["id"]
    assert too_many.status_code == 413
    assert too_many.json() == {
        "code": "woocommerce_rest_request_entity_too_large",
        "message": "Unable to accept more than 100 items for this request.",
        "data": {"status": 413},
    }
    assert hundred.status_code == 200 and len(hundred.json()["create"]) == 100
    assert empty.json() == []
