"""Twilio emulator: Messages create / fetch / list, auth, paging, error bodies.

Each test names the fact in ``shared/reference/service-apis.md`` it pins; success bodies are
validated against Twilio's own OpenAPI document (``specs/twilio/twilio_api_v2010.json``).
"""

from __future__ import annotations

from email.utils import parsedate_to_datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.sandbox.openapi_contract import validate_response
from tests.sandbox.twilio_support import API_SPEC, CUSTOMER, OTHER, twilio

pytestmark = pytest.mark.anyio


async def test_create_sms_is_201_queued_with_the_real_resource() -> None:
    """§6.1: form-encoded create → 201, ``status: queued``, RFC 2822 dates, SM sid."""
    async with twilio() as tw:
        response = await tw.send(Body="Your ring is ready")
        assert response.status_code == 201
        body = response.json()
        validate_response(API_SPEC, "POST", tw.messages_path, 201, body)
        assert body["status"] == "queued"
        assert body["sid"].startswith("SM") and len(body["sid"]) == 34
        assert body["direction"] == "outbound-api"
        assert body["from"] == tw.creds["sms_from"] and body["to"] == CUSTOMER
        assert body["num_segments"] == "1" and body["num_media"] == "0"
        assert body["price"] is None and body["date_sent"] is None
        assert body["error_code"] is None and body["api_version"] == "2010-04-01"
        assert parsedate_to_datetime(body["date_created"]).utcoffset() is not None
        assert body["date_created"].endswith("+0000")
        assert body["uri"] == f"/2010-04-01/Accounts/{tw.account}/Messages/{body['sid']}.json"
        assert body["subresource_uris"]["media"].endswith(f"/Messages/{body['sid']}/Media.json")


async def test_sms_status_moves_forward_to_delivered_as_time_passes() -> None:
    """§6.2: queued → sending → sent → delivered, never backwards; price once sent."""
    async with twilio() as tw:
        created = await tw.sent(Body="hello")
        seen = [created["status"]]
        for _ in range(12):
            await tw.advance(0.5)
            current = await tw.fetch(created["sid"])
            if current["status"] != seen[-1]:
                seen.append(current["status"])
        assert seen == ["queued", "sending", "sent", "delivered"]
        validate_response(API_SPEC, "GET", tw.messages_path[:-5] + "/x.json", 200, current)
        assert current["date_sent"] is not None and current["price"].startswith("-")
        assert current["price_unit"] == "USD"


async def test_whatsapp_in_window_reaches_read() -> None:
    """§6.2: ``read`` exists only for channels with read receipts (WhatsApp)."""
    async with twilio() as tw:
        await tw.inbound(f"whatsapp:{CUSTOMER}", "Hello!")
        created = await tw.sent(To=f"whatsapp:{CUSTOMER}", Body="Hi, how can we help?")
        assert created["status"] == "queued" and created["from"].startswith("whatsapp:+")
        await tw.advance(5)
        assert (await tw.fetch(created["sid"]))["status"] == "delivered"
        await tw.advance(60)
        assert (await tw.fetch(created["sid"]))["status"] == "read"


async def test_messaging_service_send_starts_accepted_then_gets_a_sender() -> None:
    """§6.1: initial status ``accepted`` with a Messaging Service; sender picked later."""
    async with twilio() as tw:
        service = tw.creds["messaging_service_sid"]
        created = await tw.sent(MessagingServiceSid=service, Body="hi")
        validate_response(API_SPEC, "POST", tw.messages_path, 201, created)
        assert created["status"] == "accepted"
        assert created["from"] is None and created["num_segments"] == "0"
        assert created["messaging_service_sid"] == service
        await tw.advance(10)
        later = await tw.fetch(created["sid"])
        assert later["status"] == "delivered" and later["from"] == tw.creds["sms_from"]


async def test_list_pages_with_page_uris_and_tokens() -> None:
    """§6.1 list: ``messages[]`` + ``next_page_uri``/``page``/``page_size``/…, newest first."""
    async with twilio() as tw:
        sids = [(await tw.sent(Body=f"m{i}"))["sid"] for i in range(5)]
        first = await tw.http.get(tw.messages_path, params={"PageSize": 2})
        assert first.status_code == 200
        page0 = first.json()
        validate_response(API_SPEC, "GET", tw.messages_path, 200, page0)
        assert [m["sid"] for m in page0["messages"]] == sids[::-1][:2]
        assert page0["page"] == 0 and page0["page_size"] == 2 and page0["start"] == 0
        assert page0["end"] == 1 and page0["previous_page_uri"] is None
        assert page0["first_page_uri"].endswith("Messages.json?PageSize=2&Page=0")
        query = parse_qs(urlsplit(page0["next_page_uri"]).query)
        assert query["Page"] == ["1"] and query["PageToken"] == ["PA" + sids[3]]

        page1 = (await tw.http.get(page0["next_page_uri"])).json()
        assert [m["sid"] for m in page1["messages"]] == [sids[2], sids[1]]
        assert page1["page"] == 1 and page1["start"] == 2 and page1["end"] == 3
        assert page1["previous_page_uri"] is not None
        back = (await tw.http.get(page1["previous_page_uri"])).json()
        assert [m["sid"] for m in back["messages"]] == sids[::-1][:2]

        page2 = (await tw.http.get(page1["next_page_uri"])).json()
        assert [m["sid"] for m in page2["messages"]] == [sids[0]]
        assert page2["next_page_uri"] is None


async def test_list_filters_by_to_from_and_date_sent() -> None:
    """§6.1: ``To``, ``From``, ``DateSent>=``/``DateSent<=`` (inclusive, GMT dates)."""
    async with twilio() as tw:
        await tw.sent(Body="a", To=CUSTOMER)
        await tw.sent(Body="b", To=OTHER)
        await tw.advance(10)
        to_one = (await tw.http.get(tw.messages_path, params={"To": CUSTOMER})).json()
        assert [m["body"] for m in to_one["messages"]] == ["a"]
        assert "To=%2B61491570110" in to_one["uri"]
        sender = tw.creds["sms_from"]
        from_us = (await tw.http.get(tw.messages_path, params={"From": sender})).json()
        assert len(from_us["messages"]) == 2
        today = (await tw.http.get("/_sandbox/clock")).json()["now"][:10]
        since = await tw.http.get(f"{tw.messages_path}?DateSent>={today}")
        assert len(since.json()["messages"]) == 2
        assert "DateSent%3E=" in since.json()["uri"]
        before = await tw.http.get(f"{tw.messages_path}?DateSent<=2001-01-01")
        assert before.json()["messages"] == []
        bad = await tw.http.get(tw.messages_path, params={"PageSize": 1001})
        assert bad.status_code == 400 and bad.json()["code"] == 20001


async def test_wrong_credentials_are_401_20003() -> None:
    """§6.4: authentication failed → 401 with Twilio's JSON error body (code 20003)."""
    async with twilio() as tw:
        account_path = f"/2010-04-01/Accounts/{tw.account}.json"
        wrong = await tw.http.get(account_path, auth=(tw.account, "0" * 32))
        assert wrong.status_code == 401
        body = wrong.json()
        assert body["code"] == 20003 and body["status"] == 401
        assert body["more_info"] == "https://www.twilio.com/docs/errors/20003"
        assert body["message"] == "Authenticate"
        assert wrong.headers["www-authenticate"].startswith("Basic")
    async with twilio(auth=False) as anonymous:
        missing = await anonymous.send(Body="x")
        assert missing.status_code == 401 and missing.json()["code"] == 20003


async def test_api_key_auth_works_and_url_must_name_its_account() -> None:
    """§6.1: ``SK…`` key + secret authenticates; the URL still uses the Account SID."""
    async with twilio() as tw:
        key = (tw.creds["api_key_sid"], tw.creds["api_key_secret"])
        assert tw.creds["api_key_sid"].startswith("SK")
        ok = await tw.http.post(
            tw.messages_path,
            data={"To": CUSTOMER, "From": tw.creds["sms_from"], "Body": "k"},
            auth=key,
        )
        assert ok.status_code == 201
        other = "AC" + "0" * 32
        wrong_account = await tw.http.get(f"/2010-04-01/Accounts/{other}/Messages.json", auth=key)
        assert wrong_account.status_code == 401


async def test_account_fetch_verifies_credentials() -> None:
    """The Account resource (used to check credentials) matches Twilio's contract."""
    async with twilio() as tw:
        path = f"/2010-04-01/Accounts/{tw.account}.json"
        response = await tw.http.get(path)
        assert response.status_code == 200
        body = response.json()
        validate_response(API_SPEC, "GET", path, 200, body)
        assert body["sid"] == tw.account and body["status"] == "active"
        assert body["subresource_uris"]["messages"] == tw.messages_path


async def test_not_found_and_method_not_allowed_use_twilio_bodies() -> None:
    """§6.4: 20404 for a missing resource; other statuses keep Twilio's error shape."""
    async with twilio() as tw:
        path = f"/2010-04-01/Accounts/{tw.account}/Messages/SM{'0' * 32}.json"
        missing = await tw.http.get(path)
        assert missing.status_code == 404
        assert missing.json() == {
            "code": 20404,
            "message": f"The requested resource {path} was not found",
            "more_info": "https://www.twilio.com/docs/errors/20404",
            "status": 404,
        }
        put = await tw.http.put(tw.messages_path)
        assert put.status_code == 405 and put.json()["status"] == 405


async def test_segments_and_body_limit() -> None:
    """§6.1: ``Body`` ≤ 1600 chars; segments 160/153 GSM-7, 70/67 UCS-2."""
    async with twilio() as tw:
        assert (await tw.sent(Body="a" * 160))["num_segments"] == "1"
        assert (await tw.sent(Body="a" * 161))["num_segments"] == "2"
        assert (await tw.sent(Body="💍" * 35))["num_segments"] == "1"
        assert (await tw.sent(Body="💍" * 36))["num_segments"] == "2"
        too_long = await tw.send(Body="a" * 1601)
        assert too_long.status_code == 400 and too_long.json()["code"] == 21617
