"""Webhook registration (idempotent) and the signature verifier on the shop's own deliveries."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest

from nexpura_desktop.connectors.woocommerce import webhooks
from nexpura_desktop.sandbox import Sandbox
from tests.integration.woocommerce_support import make_client, make_sandbox

pytestmark = pytest.mark.anyio
ORIGIN = "http://woocommerce.sandbox.test"
HOOK_URL = "https://desk.example/hooks/woocommerce"


async def _control(sandbox: Sandbox, method: str, path: str, body: Any = None) -> Any:
    async with httpx.AsyncClient(transport=sandbox.transport(), base_url=ORIGIN) as control:
        response = await control.request(method, path, json=body)
    assert response.status_code < 300, response.text
    return response.json()


async def test_register_is_idempotent_and_unregister_removes_only_ours() -> None:
    sandbox, emu = make_sandbox()
    emu.seed({"webhooks": [{"topic": "order.created", "delivery_url": "https://other.example/x"}]})
    async with make_client(sandbox, emu) as client:
        first = await webhooks.register(client, HOOK_URL, "s1")
        second = await webhooks.register(client, HOOK_URL, "s2")
        hooks = await client.list_webhooks()
        ours = [h for h in hooks if h["delivery_url"] == HOOK_URL]
        assert [r.created for r in first] == [True, True, True]
        assert [r.created for r in second] == [False, False, False]
        assert sorted(h["topic"] for h in ours) == sorted(webhooks.TOPICS)
        assert {h["secret"] for h in ours} == {"s2"} and {h["status"] for h in ours} == {"active"}
        removed = await webhooks.unregister(client, HOOK_URL)
        left = await client.list_webhooks()
    assert sorted(removed) == sorted(r.webhook_id for r in first)
    assert [h["delivery_url"] for h in left] == ["https://other.example/x"]


async def test_the_verifier_accepts_the_shops_deliveries_and_rejects_tampering() -> None:
    sandbox, emu = make_sandbox()
    emu.seed({"products": [{"name": "Opal Ring", "sku": "OPAL-1", "regular_price": "300"}]})
    product_id = next(iter(emu.store.products))
    secret = webhooks.new_secret()
    async with make_client(sandbox, emu) as client:
        await webhooks.register(client, HOOK_URL, secret)
    await _control(sandbox, "POST", "/_sandbox/orders", {"line_items": [{"sku": "OPAL-1"}]})
    await _control(sandbox, "POST", f"/_sandbox/products/{product_id}", {"name": "Opal / Ring"})
    items = (await _control(sandbox, "GET", "/_sandbox/deliveries"))["deliveries"]
    deliveries = [d for d in items if d["kind"] == "delivery"]
    assert {d["topic"] for d in deliveries} >= {"order.created", "product.updated"}
    for delivery in deliveries:
        body = delivery["body"].encode()
        header = delivery["headers"]["X-WC-Webhook-Signature"]
        assert webhooks.verify(body, header, secret)
        assert not webhooks.verify(body.replace(b"Opal", b"Opa1"), header, secret)
        assert not webhooks.verify(body + b" ", header, secret)
        assert not webhooks.verify(body, header, secret + "x")
    assert b"\\/" in next(
        d["body"].encode() for d in deliveries if d["topic"] == "product.updated"
    )  # PHP-escaped slashes: the raw bytes are what is signed


def test_verify_refuses_empty_and_non_base64_headers() -> None:
    body = b'{"id":1}'
    good = webhooks.sign(body, "k")
    assert webhooks.verify(body, good, "k")
    assert not webhooks.verify(body, "", "k")
    assert not webhooks.verify(body, good, "")
    assert not webhooks.verify(body, "not base64!!", "k")
    assert not webhooks.verify(body, base64.b64encode(b"x" * 32).decode(), "k")
