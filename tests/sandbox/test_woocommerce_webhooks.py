"""Webhooks: CRUD, ping, queued deliveries, signatures, failures (service-apis.md §2.6)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import httpx
import pytest

from tests.sandbox.woocommerce_client import (
    assert_matches,
    make_sandbox,
    plain_client,
    signed_client,
)

pytestmark = pytest.mark.anyio
SECRET = "s3cret-for-tests"


async def test_webhook_crud_ping_and_signed_order_delivery() -> None:
    """§2.6: creation pings (form body, unsigned); an order.created delivery carries the
    X-WC-Webhook-* headers and a base64 HMAC-SHA256 of the exact body bytes."""
    sandbox, emu = make_sandbox()
    emu.seed({"products": [{"name": "Cuff / Bangle", "sku": "CB", "regular_price": "75"}]})
    async with signed_client(sandbox, emu) as client:
        hook = await client.post(
            "/webhooks",
            json={
                "name": "Nexpura orders",
                "topic": "order.created",
                "delivery_url": "https://app.example/hooks/woo",
                "secret": SECRET,
            },
        )
        bad_topic = await client.post(
            "/webhooks", json={"topic": "order.exploded", "delivery_url": "https://a.b/"}
        )
        no_trash = await client.delete(f"/webhooks/{hook.json()['id']}")
        order = await client.post("/orders", json={"line_items": [{"sku": "CB"}]})
    async with plain_client(sandbox) as control:
        deliveries = (await control.get("/_sandbox/deliveries")).json()["deliveries"]
    assert hook.status_code == 201
    assert_matches("webhook", hook.json())
    assert hook.json()["status"] == "active" and hook.json()["resource"] == "order"
    assert bad_topic.status_code == 400
    assert bad_topic.json()["code"] == "woocommerce_rest_shop_webhook_invalid_topic"
    assert no_trash.status_code == 501
    ping, delivery = deliveries
    assert ping["kind"] == "ping" and ping["body"] == f"webhook_id={hook.json()['id']}"
    assert not any(h.startswith("X-WC-Webhook") for h in ping["headers"])
    headers = delivery["headers"]
    assert headers["X-WC-Webhook-Topic"] == "order.created"
    assert headers["X-WC-Webhook-Resource"] == "order"
    assert headers["X-WC-Webhook-Event"] == "created"
    assert headers["X-WC-Webhook-ID"] == str(hook.json()["id"])
    assert headers["X-WC-Webhook-Source"] == "http://woocommerce.sandbox.test/"
    assert headers["X-WC-Webhook-Delivery-ID"]
    expected = base64.b64encode(
        hmac.new(SECRET.encode(), delivery["body"].encode(), hashlib.sha256).digest()
    ).decode()
    assert headers["X-WC-Webhook-Signature"] == expected
    assert "\\/" in delivery["body"]  # PHP json_encode escapes slashes: verify raw bytes
    assert json.loads(delivery["body"])["id"] == order.json()["id"]


async def test_shop_side_product_edit_queues_product_updated() -> None:
    """§2.6: a product edited on the website delivers product.updated with the product."""
    sandbox, emu = make_sandbox()
    emu.seed(
        {
            "products": [{"id": 500, "name": "Chain", "sku": "CH", "regular_price": "90"}],
            "webhooks": [
                {
                    "topic": "product.updated",
                    "delivery_url": "https://app.example/h",
                    "secret": SECRET,
                }
            ],
        }
    )
    async with plain_client(sandbox) as control:
        await control.post("/_sandbox/products/500", json={"regular_price": "95"})
        deliveries = (await control.get("/_sandbox/deliveries")).json()["deliveries"]
    [delivery] = deliveries
    assert delivery["topic"] == "product.updated"
    assert json.loads(delivery["body"])["regular_price"] == "95"


async def test_flush_posts_deliveries_and_disables_after_repeated_failures() -> None:
    """§2.6: 2xx resets failure_count; failures count up and, once the count exceeds 5,
    the next failure disables the webhook (WC_Webhook::failed_delivery). No retries."""
    sandbox, emu = make_sandbox()
    emu.seed(
        {
            "webhooks": [
                {
                    "topic": "customer.created",
                    "delivery_url": "https://ok.example/h",
                    "secret": SECRET,
                },
                {
                    "topic": "customer.created",
                    "delivery_url": "https://down.example/h",
                    "secret": SECRET,
                },
            ]
        }
    )
    received: list[httpx.Request] = []

    def reply(request: httpx.Request) -> httpx.Response:
        received.append(request)
        return httpx.Response(200 if request.url.host == "ok.example" else 500)

    emu.deliveries.transport = httpx.MockTransport(reply)
    async with plain_client(sandbox) as control:
        for n in range(7):
            await control.post("/_sandbox/customers", json={"email": f"c{n}@example.com"})
            flushed = (await control.post("/_sandbox/deliveries/flush")).json()["sent"]
            assert {d["response_code"] for d in flushed} == {200, 500}
        state = (await control.get("/_sandbox/state")).json()
    by_url = {w["delivery_url"]: w for w in state["webhooks"]}
    assert by_url["https://ok.example/h"]["status"] == "active"
    assert by_url["https://ok.example/h"]["failure_count"] == 0
    assert by_url["https://down.example/h"]["status"] == "disabled"
    assert received[0].headers["x-wc-webhook-signature"]
    assert received[0].headers["content-type"] == "application/json"
