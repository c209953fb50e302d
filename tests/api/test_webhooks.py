"""WooCommerce and Twilio webhook receivers: signatures checked, refusals logged."""

from __future__ import annotations

import json
import logging
import threading
from datetime import UTC, datetime
from urllib.parse import urlencode

import httpx
import pytest

from nexpura_desktop.api import twilio_signature
from nexpura_desktop.auth.twilio import TOKEN_ITEM
from nexpura_desktop.connectors.woocommerce.webhooks import save_webhook_secret, sign
from nexpura_desktop.ledger.db import Ledger

from .conftest import Api

WOO = "/api/integrations/woocommerce/webhook"
TWILIO = "/api/integrations/twilio/status"
WOO_SECRET = "whsec-for-tests-0123456789"
AUTH_TOKEN = "twilio-auth-token-abcdef"
# PHP's JSON, with its \/ escapes: the signature is over these exact bytes.
ORDER = b'{"id":42,"status":"processing","_links":{"self":[{"href":"https:\\/\\/shop\\/42"}]}}'


def _woo(
    api: Api, body: bytes, signature: str | None, topic: str = "order.updated"
) -> httpx.Response:
    headers = {"Content-Type": "application/json", "X-WC-Webhook-Topic": topic}
    if signature is not None:
        headers["X-WC-Webhook-Signature"] = signature
    with api.anonymous() as client:  # webhooks carry a signature, not our token
        return client.post(WOO, content=body, headers=headers)


# -- WooCommerce ---------------------------------------------------------------------------
def test_a_signed_delivery_starts_the_matching_import(api: Api) -> None:
    api.connect("woocommerce")
    save_webhook_secret(api.store, WOO_SECRET)
    response = _woo(api, ORDER, sign(ORDER, WOO_SECRET))
    assert response.status_code == 200
    assert response.json() == {"ok": True, "sync": "started", "entity": "orders"}
    assert api.engine.wait_idle(10)
    assert api.jobs.ran == ["woocommerce.orders.import"]
    product = _woo(api, b'{"id":7}', sign(b'{"id":7}', WOO_SECRET), topic="product.created")
    assert product.json()["entity"] == "products"


@pytest.mark.parametrize(
    ("signature", "code"),
    [(None, "missing_signature"), ("", "missing_signature"), ("bm90IGl0", "bad_signature"),
     ("%%%", "bad_signature")],
)  # fmt: skip
def test_unsigned_or_badly_signed_deliveries_are_refused_and_logged(
    api: Api, caplog: pytest.LogCaptureFixture, signature: str | None, code: str
) -> None:
    api.connect("woocommerce")
    save_webhook_secret(api.store, WOO_SECRET)
    caplog.set_level(logging.WARNING, logger="nexpura_desktop.api")
    response = _woo(api, ORDER, signature)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == code
    assert "refused a WooCommerce webhook" in caplog.text
    assert WOO_SECRET not in caplog.text
    assert api.jobs.ran == []


def test_a_signature_over_reserialised_json_does_not_pass(api: Api) -> None:
    save_webhook_secret(api.store, WOO_SECRET)
    resigned = json.dumps(json.loads(ORDER), separators=(",", ":")).encode()
    assert _woo(api, ORDER, sign(resigned, WOO_SECRET)).status_code == 403


def test_without_a_registered_secret_every_delivery_is_refused(api: Api) -> None:
    response = _woo(api, ORDER, sign(ORDER, ""))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "no_secret"


def test_woocommerces_creation_ping_gets_200_and_does_nothing(api: Api) -> None:
    api.connect("woocommerce")
    with api.anonymous() as client:
        response = client.post(
            WOO, content=b"webhook_id=15",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )  # fmt: skip
    assert response.status_code == 200
    assert response.json()["ping"] is True
    assert api.jobs.ran == []


def test_a_delivery_while_the_lane_is_busy_is_queued_and_runs_after(api: Api) -> None:
    api.connect("woocommerce")
    save_webhook_secret(api.store, WOO_SECRET)
    api.jobs.hold = threading.Event()
    assert api.client.post("/api/integrations/woocommerce/sync", params={"entity": "products"})
    assert api.jobs.started.wait(10)
    first = _woo(api, ORDER, sign(ORDER, WOO_SECRET))
    again = _woo(api, ORDER, sign(ORDER, WOO_SECRET))
    assert first.json()["sync"] == "queued"
    assert again.json()["sync"] == "queued"
    api.jobs.hold.set()
    deferred = api.client.get("/api/integrations")  # keep the API exercised meanwhile
    assert deferred.status_code == 200
    for _ in range(200):
        if "woocommerce.orders.import" in api.jobs.ran:
            break
        threading.Event().wait(0.05)
    assert api.engine.wait_idle(10)
    assert api.jobs.ran == ["woocommerce.products.import", "woocommerce.orders.import"]


# -- Twilio signature ------------------------------------------------------------------------
DOC_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"


@pytest.mark.parametrize(
    ("caller", "expected"),
    [
        ("+12349013030", "0/KCTR6DLpKmkAf8muzZqo1nDgQ="),  # Twilio docs, older edition
        ("+14158675310", "GvWf1cFY/Q7PnoempGyD5oXAezc="),  # Twilio docs, current edition
    ],
)
def test_twilio_signature_matches_twilios_documented_example(caller: str, expected: str) -> None:
    params = [("CallSid", "CA1234567890ABCDE"), ("Caller", caller), ("Digits", "1234"),
              ("From", caller), ("To", "+18005551212")]  # fmt: skip
    assert twilio_signature.signature("12345", DOC_URL, params) == expected
    assert twilio_signature.verify("12345", DOC_URL, list(reversed(params)), expected)
    assert not twilio_signature.verify("12346", DOC_URL, params, expected)
    assert not twilio_signature.verify("12345", DOC_URL + "&x=1", params, expected)
    assert not twilio_signature.verify("12345", DOC_URL, params[1:], expected)
    assert not twilio_signature.verify("12345", DOC_URL, params, None)


def test_twilio_signature_accepts_the_url_with_or_without_its_default_port() -> None:
    params = [("MessageSid", "SM1")]
    signed = twilio_signature.signature("tok", "https://shop.example/hook", params)
    assert twilio_signature.verify("tok", "https://shop.example:443/hook", params, signed)
    with_port = twilio_signature.signature("tok", "https://shop.example:443/hook", params)
    assert twilio_signature.verify("tok", "https://shop.example/hook", params, with_port)
    assert not twilio_signature.verify("tok", "https://shop.example:8443/hook", params, signed)


# -- Twilio status callback ------------------------------------------------------------------
def _message(api: Api, status: str = "sent", sid: str = "SM0001") -> None:
    now = datetime.now(UTC).isoformat()
    with Ledger(api.paths.ledger) as ledger, ledger.transaction() as c:
        c.execute(
            "INSERT INTO messaging_events(id, category, subject_table, subject_id, "
            "recipient_kind, state, created_at, updated_at) VALUES "
            "('ev1', 'job_ready', 'repairs', 'r1', 'customer', 'sent', ?, ?)",
            (now, now),
        )
        c.execute(
            "INSERT INTO messaging_messages(id, event_id, attempt, category, channel, "
            "to_number, twilio_sid, status, created_at, updated_at) VALUES "
            "('m1', 'ev1', 1, 'job_ready', 'whatsapp', '+61400000000', ?, ?, ?, ?)",
            (sid, status, now, now),
        )


def _status(api: Api, fields: dict[str, str], *, token: str | None = AUTH_TOKEN) -> httpx.Response:
    url = api.url + TWILIO
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if token is not None:
        headers["X-Twilio-Signature"] = twilio_signature.signature(token, url, fields.items())
    with api.anonymous() as client:
        return client.post(TWILIO, content=urlencode(fields).encode(), headers=headers)


def _stored(api: Api) -> tuple[str, str | None]:
    with Ledger(api.paths.ledger) as ledger:
        status = ledger.conn.execute("SELECT status FROM messaging_messages").fetchone()[0]
        log = ledger.conn.execute("SELECT status FROM whatsapp_sends WHERE id = 'm1'").fetchone()
    return status, log[0] if log else None


def test_a_signed_status_callback_updates_the_send_log(api: Api) -> None:
    api.store.set(TOKEN_ITEM, AUTH_TOKEN)
    _message(api)
    fields = {"MessageSid": "SM0001", "MessageStatus": "delivered", "AccountSid": "AC1",
              "ChannelPrefix": "whatsapp"}  # fmt: skip
    response = _status(api, fields)
    assert response.status_code == 200
    assert response.json()["applied"] is True
    assert _stored(api) == ("delivered", "delivered")


def test_a_late_older_status_never_moves_the_message_backwards(api: Api) -> None:
    api.store.set(TOKEN_ITEM, AUTH_TOKEN)
    _message(api, status="read")
    response = _status(api, {"MessageSid": "SM0001", "MessageStatus": "sent"})
    assert response.status_code == 200
    assert response.json()["applied"] is False
    assert _stored(api)[0] == "read"


def test_a_failure_records_twilios_reason(api: Api) -> None:
    api.store.set(TOKEN_ITEM, AUTH_TOKEN)
    _message(api)
    _status(api, {"MessageSid": "SM0001", "MessageStatus": "undelivered", "ErrorCode": "30003"})
    with Ledger(api.paths.ledger) as ledger:
        row = ledger.conn.execute("SELECT status, error_code, reason FROM messaging_messages")
        assert row.fetchone() == ("undelivered", 30003, "the phone was unreachable")
        state = ledger.conn.execute("SELECT state FROM messaging_events").fetchone()[0]
    assert state == "failed"


def test_unknown_messages_are_acknowledged_and_ignored(api: Api) -> None:
    api.store.set(TOKEN_ITEM, AUTH_TOKEN)
    response = _status(api, {"MessageSid": "SM9999", "MessageStatus": "delivered"})
    assert response.status_code == 200
    assert response.json()["known"] is False


@pytest.mark.parametrize(("token", "code"), [(None, "missing_signature"),
                                            ("another-token", "bad_signature")])  # fmt: skip
def test_unsigned_or_badly_signed_callbacks_are_refused_and_logged(
    api: Api, caplog: pytest.LogCaptureFixture, token: str | None, code: str
) -> None:
    api.store.set(TOKEN_ITEM, AUTH_TOKEN)
    _message(api)
    caplog.set_level(logging.WARNING, logger="nexpura_desktop.api")
    response = _status(api, {"MessageSid": "SM0001", "MessageStatus": "delivered"}, token=token)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == code
    assert "refused a Twilio status callback" in caplog.text
    assert AUTH_TOKEN not in caplog.text
    assert _stored(api)[0] == "sent"


def test_without_an_auth_token_callbacks_are_refused(api: Api) -> None:
    _message(api)
    response = _status(api, {"MessageSid": "SM0001", "MessageStatus": "delivered"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "no_secret"


# -- end to end with the WooCommerce emulator ------------------------------------------------
@pytest.mark.anyio
async def test_the_woocommerce_emulators_own_deliveries_are_accepted(api: Api) -> None:
    """The sandbox store signs and POSTs its queued deliveries (ping included) to our URL,
    exactly as WooCommerce's Action Scheduler would; each is accepted and starts a sync."""
    from tests.sandbox.woocommerce_client import make_sandbox, plain_client

    api.connect("woocommerce")
    save_webhook_secret(api.store, WOO_SECRET)
    sandbox, emu = make_sandbox()
    hook = {"delivery_url": api.url + WOO, "secret": WOO_SECRET}
    emu.seed({"webhooks": [{"topic": "customer.created", **hook}]})
    async with plain_client(sandbox) as control:
        await control.post("/_sandbox/customers", json={"email": "ann@example.com"})
        sent = (await control.post("/_sandbox/deliveries/flush")).json()["sent"]
    assert [d["response_code"] for d in sent] == [200] * len(sent)
    assert any(d["kind"] == "delivery" for d in sent)
    assert api.engine.wait_idle(10)
    assert api.jobs.ran == ["woocommerce.customers.import"]


@pytest.mark.anyio
async def test_the_twilio_emulators_callbacks_verify_and_arrive_out_of_order(api: Api) -> None:
    """The Twilio emulator signs its status callbacks on its own; replayed newest first
    (as Twilio may deliver them), the message still ends at ``delivered``."""
    from tests.sandbox.twilio_support import twilio

    async with twilio() as tw:
        created = await tw.sent(Body="Your ring is ready", StatusCallback=api.url + TWILIO)
        await tw.advance(30)
        callbacks = (await tw.http.get("/_sandbox/callbacks")).json()["callbacks"]
        api.store.set(TOKEN_ITEM, tw.creds["auth_token"])
    _message(api, status="queued", sid=created["sid"])
    answers = []
    async with httpx.AsyncClient(timeout=20) as client:
        for callback in reversed(callbacks):
            response = await client.post(
                callback["url"], data=callback["params"], headers=callback["headers"]
            )
            answers.append((response.status_code, response.json()["applied"]))
    assert [c["params"]["MessageStatus"] for c in callbacks] == ["sending", "sent", "delivered"]
    assert answers == [(200, True), (200, False), (200, False)]
    assert _stored(api)[0] == "delivered"
