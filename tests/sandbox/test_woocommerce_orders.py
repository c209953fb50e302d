"""Customers, orders, stock and shop-side changes (service-apis.md §2.2, §2.3)."""

from __future__ import annotations

import pytest

from tests.sandbox.woocommerce_client import (
    assert_matches,
    make_sandbox,
    plain_client,
    signed_client,
)

pytestmark = pytest.mark.anyio


async def test_customer_rules() -> None:
    """§2.2/§2.3: duplicate email → 400 registration-error-email-exists; no trashing (501);
    a missing id is woocommerce_rest_invalid_id."""
    sandbox, emu = make_sandbox()
    async with signed_client(sandbox, emu) as client:
        made = await client.post(
            "/customers", json={"email": "mia@example.com", "first_name": "Mia"}
        )
        dup = await client.post("/customers", json={"email": "MIA@example.com"})
        no_email = await client.post("/customers", json={"first_name": "Nobody"})
        trash = await client.delete(f"/customers/{made.json()['id']}")
        forced = await client.delete(f"/customers/{made.json()['id']}", params={"force": "true"})
        missing = await client.get(f"/customers/{made.json()['id']}")
    assert made.status_code == 201
    assert_matches("customer", made.json())
    assert made.json()["username"] == "mia" and made.json()["role"] == "customer"
    assert dup.status_code == 400 and dup.json()["code"] == "registration-error-email-exists"
    assert no_email.status_code == 400
    assert no_email.json()["code"] == "rest_missing_callback_param"
    assert trash.status_code == 501
    assert trash.json()["message"] == "Customers do not support trashing."
    assert forced.status_code == 200
    assert missing.json() == {
        "code": "woocommerce_rest_invalid_id",
        "message": "Invalid resource ID.",
        "data": {"status": 404},
    }


async def test_paid_order_reduces_stock_and_cancelling_restores_it() -> None:
    """§2.3: set_paid → processing + date_paid; stock moves once, back on cancel."""
    sandbox, emu = make_sandbox()
    emu.seed(
        {
            "products": [
                {
                    "name": "Pearl Studs",
                    "sku": "PS",
                    "regular_price": "120",
                    "manage_stock": True,
                    "stock_quantity": 3,
                }
            ]
        }
    )
    async with signed_client(sandbox, emu) as client:
        order = await client.post(
            "/orders",
            json={
                "set_paid": True,
                "billing": {"email": "buyer@example.com"},
                "line_items": [{"sku": "PS", "quantity": 2}],
            },
        )
        after_sale = (await client.get("/products", params={"sku": "PS"})).json()[0]
        await client.put(f"/orders/{order.json()['id']}", json={"status": "completed"})
        after_complete = (await client.get("/products", params={"sku": "PS"})).json()[0]
        cancelled = await client.put(f"/orders/{order.json()['id']}", json={"status": "cancelled"})
        restored = (await client.get("/products", params={"sku": "PS"})).json()[0]
        missing = await client.get("/orders/99999")
        bad_item = await client.post("/orders", json={"line_items": [{"product_id": 99999}]})
    body = order.json()
    assert order.status_code == 201
    assert_matches("shop_order", body)
    assert body["status"] == "processing" and body["date_paid"] is not None
    assert body["total"] == "240.00" and body["line_items"][0]["sku"] == "PS"
    assert after_sale["stock_quantity"] == 1 and after_complete["stock_quantity"] == 1
    assert cancelled.json()["status"] == "cancelled" and restored["stock_quantity"] == 3
    assert missing.status_code == 404
    assert missing.json()["code"] == "woocommerce_rest_shop_order_invalid_id"
    assert bad_item.status_code == 400
    assert bad_item.json()["code"] == "woocommerce_rest_invalid_product_id"


async def test_online_order_between_syncs_is_visible_to_modified_after() -> None:
    """Control surface: a website checkout decrements stock and shows up in
    ``modified_after`` queries on orders and products (§2.3)."""
    sandbox, emu = make_sandbox()
    emu.seed(
        {
            "products": [
                {
                    "name": "Locket",
                    "sku": "LK",
                    "regular_price": "300",
                    "manage_stock": True,
                    "stock_quantity": 1,
                    "date_created_gmt": "2024-01-01T00:00:00",
                    "date_modified_gmt": "2024-01-01T00:00:00",
                }
            ]
        }
    )
    since = emu.clock.now().strftime("%Y-%m-%dT%H:%M:%S")
    emu.clock.advance(5)
    async with plain_client(sandbox) as control:
        online = await control.post(
            "/_sandbox/orders",
            json={
                "line_items": [{"sku": "LK", "quantity": 1}],
                "billing": {"first_name": "Web", "email": "web@example.com"},
            },
        )
        edited = await control.post(
            f"/_sandbox/products/{online.json()['line_items'][0]['product_id']}",
            json={"regular_price": "320"},
        )
    async with signed_client(sandbox, emu) as client:
        orders = await client.get(
            "/orders", params={"modified_after": since, "dates_are_gmt": "true"}
        )
        products = await client.get(
            "/products", params={"modified_after": since, "dates_are_gmt": "true"}
        )
    assert online.status_code == 201 and online.json()["created_via"] == "checkout"
    assert edited.json()["regular_price"] == "320"
    assert [o["id"] for o in orders.json()] == [online.json()["id"]]
    [product] = products.json()
    assert product["stock_quantity"] == 0 and product["stock_status"] == "outofstock"
