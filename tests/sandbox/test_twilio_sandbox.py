"""Twilio emulator: control surface, seeding, demo shop, faults, callbacks, real loopback."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

import httpx
import pytest

from nexpura_desktop.sandbox import Sandbox
from nexpura_desktop.sandbox.runner import SandboxServer
from tests.sandbox.twilio_support import CUSTOMER, twilio

pytestmark = pytest.mark.anyio


async def test_injected_429_has_twilios_body() -> None:
    """§6.4: a 429 carries code 20429 in Twilio's error shape (no Retry-After by default)."""
    async with twilio() as tw:
        rule = {"kind": "status", "status": 429, "path": "Messages", "count": 1}
        assert (await tw.http.post("/_sandbox/faults", json=rule)).status_code == 200
        refused = await tw.send(Body="hi")
        assert refused.status_code == 429
        assert refused.json() == {
            "code": 20429,
            "message": "Too Many Requests",
            "more_info": "https://www.twilio.com/docs/errors/20429",
            "status": 429,
        }
        assert "retry-after" not in refused.headers
        assert (await tw.send(Body="hi")).status_code == 201
        await tw.http.post("/_sandbox/faults", json={"kind": "status", "status": 503})
        unavailable = await tw.send(Body="hi")
        assert unavailable.status_code == 503 and unavailable.json()["code"] == 20503


async def test_seed_state_and_reset() -> None:
    async with twilio() as tw:
        seeded = await tw.seed(
            {
                "inbound": [{"from": CUSTOMER, "body": "STOP", "minutes_ago": 60}],
                "templates": [{"key": "sale", "body": "Sale {{1}}", "variables": {"1": "x"}}],
                "recipients": {"+61491570199": {"whatsapp": False}},
            }
        )
        assert seeded["seeded"] == {"templates": 1, "inbound": 1, "opt_outs": 0, "recipients": 1}
        state = (await tw.http.get("/_sandbox/state")).json()
        assert {"sender": tw.creds["sms_from"], "recipient": CUSTOMER} in state["opt_outs"]
        assert any(t["friendly_name"] == "sale" for t in state["templates"])
        assert (await tw.send(Body="x")).json()["code"] == 21610
        bad = await tw.http.post("/_sandbox/seed", json={"nonsense": 1})
        assert bad.status_code == 400
        assert (await tw.http.post("/_sandbox/reset")).status_code == 200
        assert (await tw.http.get("/_sandbox/state")).json()["opt_outs"] == []
        assert (await tw.send(Body="x")).status_code == 201


async def test_seed_demo_gives_a_realistic_starting_state() -> None:
    """Demo shop: a recent WhatsApp chat (window open), an old one, a STOP, no-WhatsApp."""
    tables: dict[str, list[dict[str, Any]]] = {
        "tenants": [{"id": "t1", "name": "Marlowe Fine Jewellery"}],
        "customers": [
            {"id": "c1", "full_name": "Ava Chen", "first_name": "Ava", "mobile": "0491 570 120"},
            {"id": "c2", "full_name": "Ben Ross", "mobile": None, "phone": "+61491570121"},
            {"id": "c3", "full_name": "Cleo Park", "mobile": "0491570122"},
            {"id": "c4", "full_name": "Dan Wu", "phone": "(04) 9157 0123"},
            {"id": "c5", "full_name": "No Phone"},
        ],
    }
    sandbox = Sandbox(services=["twilio"])
    emulator = sandbox["twilio"]
    with emulator.lock:
        counts = emulator.seed_demo(tables)
    assert counts == {
        "templates": 4,
        "inbound": 3,
        "opt_outs": 1,
        "whatsapp_windows_open": 1,
        "no_whatsapp": 1,
    }
    creds = emulator.credentials()
    async with httpx.AsyncClient(
        transport=sandbox.transport(),
        base_url=creds["base_url"],
        auth=(creds["account_sid"], creds["auth_token"]),
    ) as client:
        path = f"/2010-04-01/Accounts/{creds['account_sid']}"
        account = (await client.get(f"{path}.json")).json()
        assert account["friendly_name"] == "Marlowe Fine Jewellery"
        inbound = (await client.get(f"{path}/Messages.json")).json()["messages"]
        assert "Hi, is my ring ready yet? Thanks, Ava" in [m["body"] for m in inbound]
        stop = await client.post(
            f"{path}/Messages.json",
            data={"To": "+61491570122", "From": creds["sms_from"], "Body": "hi"},
        )
        assert stop.json()["code"] == 21610
        chat = await client.post(
            f"{path}/Messages.json",
            data={"To": "whatsapp:+61491570120", "From": creds["whatsapp_from"], "Body": "Yes!"},
        )
        assert chat.status_code == 201
    state = emulator.state()
    assert state["recipients"]["+61491570123"]["whatsapp"] is False


async def test_status_callbacks_are_signed_like_twilio() -> None:
    """§6.2/§6.5: callbacks for each later status, X-Twilio-Signature = HMAC-SHA1(URL+params)."""
    async with twilio() as tw:
        url = "https://shop.example.com/twilio/status?src=sandbox"
        created = await tw.sent(Body="hi", StatusCallback=url)
        await tw.advance(30)
        callbacks = (await tw.http.get("/_sandbox/callbacks")).json()["callbacks"]
        assert [c["params"]["MessageStatus"] for c in callbacks] == ["sending", "sent", "delivered"]
        for callback in callbacks:
            params = callback["params"]
            assert params["MessageSid"] == created["sid"] == params["SmsSid"]
            signed = url + "".join(k + params[k] for k in sorted(params))
            digest = hmac.new(tw.creds["auth_token"].encode(), signed.encode(), hashlib.sha1)
            expected = base64.b64encode(digest.digest()).decode()
            assert callback["headers"]["X-Twilio-Signature"] == expected


def test_credentials_shape() -> None:
    creds = Sandbox(services=["twilio"]).credentials()["twilio"]
    assert creds["account_sid"].startswith("AC") and len(creds["account_sid"]) == 34
    assert creds["api_key_sid"].startswith("SK") and creds["messaging_service_sid"].startswith("MG")
    assert creds["whatsapp_from"].startswith("whatsapp:+61") and creds["sms_from"].startswith("+61")
    assert set(creds["templates"]["repair_ready"]["variables"]) == {"1", "2", "3"}
    assert creds["content_base_url"] == creds["base_url"] == "http://twilio.sandbox.test"


def test_over_real_loopback() -> None:
    """The same API served by uvicorn on 127.0.0.1 (the ``nexpura-desktop sandbox`` path)."""
    with SandboxServer(port_base=0, services=["twilio"]) as server:
        base = server.sandbox.origins["twilio"]
        assert base.startswith("http://127.0.0.1:")
        creds = httpx.get(f"{server.hub_url}/_sandbox/credentials").json()["credentials"]["twilio"]
        assert creds["base_url"] == base
        auth = (creds["account_sid"], creds["auth_token"])
        path = f"{base}/2010-04-01/Accounts/{creds['account_sid']}/Messages.json"
        with httpx.Client(auth=auth) as client:
            created = client.post(
                path, data={"To": CUSTOMER, "From": creds["sms_from"], "Body": "hi"}
            )
            assert created.status_code == 201 and created.json()["status"] == "queued"
            fetched = client.get(f"{base}{created.json()['uri']}")
            assert fetched.json()["sid"] == created.json()["sid"]
            wrong = client.get(path, auth=(creds["account_sid"], "nope"))
            assert wrong.status_code == 401 and wrong.json()["code"] == 20003
