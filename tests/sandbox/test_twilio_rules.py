"""Twilio emulator: the sending rules — E.164, STOP/START, the WhatsApp window, limits.

Each test names the fact in ``shared/reference/service-apis.md`` §6 it pins.
"""

from __future__ import annotations

import asyncio
import json

import pytest

from tests.sandbox.twilio_support import CUSTOMER, OTHER, Twilio, twilio

pytestmark = pytest.mark.anyio

WA_CUSTOMER = f"whatsapp:{CUSTOMER}"


async def _settle(tw: Twilio, sid: str, seconds: float = 120) -> dict[str, object]:
    await tw.advance(seconds)
    return await tw.fetch(sid)


@pytest.mark.parametrize(
    "to", ["0412345678", "+0412345678", "61412345678", "+1234567890123456", "whatsapp:0412"]
)
async def test_invalid_to_is_21211(to: str) -> None:
    """§6.4 / §6.6: a ``To`` that is not E.164 → synchronous 400, code 21211."""
    async with twilio() as tw:
        response = await tw.send(To=to, Body="hi")
        assert response.status_code == 400
        body = response.json()
        assert body["code"] == 21211 and body["status"] == 400
        assert body["more_info"] == "https://www.twilio.com/docs/errors/21211"
        assert to in body["message"]


async def test_stop_leads_to_21610_until_start() -> None:
    """§6.4: after the customer replies STOP, sends are refused with 400 / 21610."""
    async with twilio() as tw:
        stop = await tw.inbound(CUSTOMER, "Stop")
        assert stop["direction"] == "inbound" and stop["status"] == "received"
        refused = await tw.send(Body="Sale on now!")
        assert refused.status_code == 400 and refused.json()["code"] == 21610
        # The app finds the STOP by polling the list; Twilio's own reply is there too.
        listed = (await tw.http.get(tw.messages_path, params={"From": CUSTOMER})).json()
        assert [(m["direction"], m["body"]) for m in listed["messages"]] == [("inbound", "Stop")]
        replies = (await tw.http.get(tw.messages_path, params={"To": CUSTOMER})).json()
        assert replies["messages"][0]["direction"] == "outbound-reply"
        # Other recipients are unaffected; START clears the opt-out.
        assert (await tw.send(To=OTHER, Body="hi")).status_code == 201
        await tw.inbound(CUSTOMER, "START")
        assert (await tw.send(Body="Welcome back")).status_code == 201


async def test_whatsapp_free_form_outside_window_fails_63016_asynchronously() -> None:
    """§6.2/§6.3: 201 ``queued`` first, then ``failed`` with error_code 63016."""
    async with twilio() as tw:
        created = await tw.sent(To=WA_CUSTOMER, Body="Your ring is ready")
        assert created["status"] == "queued" and created["error_code"] is None
        final = await _settle(tw, created["sid"])
        assert final["status"] == "failed" and final["error_code"] == 63016
        assert "outside the allowed window" in str(final["error_message"])


async def test_whatsapp_template_outside_window_is_delivered() -> None:
    """§6.3: outside the window an approved ``ContentSid`` template may be sent."""
    async with twilio() as tw:
        template = tw.creds["templates"]["repair_ready"]
        assert template["whatsapp_status"] == "approved"
        variables = {"1": "Alice", "2": "ring", "3": "RPR-0A1B2C3D4E5F"}
        created = await tw.sent(
            To=WA_CUSTOMER, ContentSid=template["sid"], ContentVariables=json.dumps(variables)
        )
        assert "Hi Alice, your ring is ready" in created["body"]
        assert "RPR-0A1B2C3D4E5F" in created["body"]
        final = await _settle(tw, created["sid"])
        assert final["status"] == "read" and final["error_code"] is None


async def test_template_with_body_or_unapproved_outside_window_fails_63016() -> None:
    """§6.3: since 2025-04 a ``Body`` beside ``ContentSid`` fails; unapproved = free-form."""
    async with twilio() as tw:
        approved = tw.creds["templates"]["repair_ready"]["sid"]
        pending = tw.creds["templates"]["new_collection"]
        assert pending["whatsapp_status"] == "pending"
        with_body = await tw.sent(To=WA_CUSTOMER, ContentSid=approved, Body="Hi")
        unapproved = await tw.sent(To=WA_CUSTOMER, ContentSid=pending["sid"])
        for sid in (with_body["sid"], unapproved["sid"]):
            final = await _settle(tw, sid)
            assert (final["status"], final["error_code"]) == ("failed", 63016)


async def test_inbound_whatsapp_opens_a_24_hour_window() -> None:
    """§6.3: free-form is allowed for 24 h after the customer's last message."""
    async with twilio() as tw:
        await tw.inbound(WA_CUSTOMER, "Is my watch fixed?")
        inside = await tw.sent(To=WA_CUSTOMER, Body="Yes, come by any time")
        assert (await _settle(tw, inside["sid"], 10))["status"] == "delivered"
        await tw.advance(24 * 3600)
        outside = await tw.sent(To=WA_CUSTOMER, Body="Still there?")
        final = await _settle(tw, outside["sid"])
        assert (final["status"], final["error_code"]) == ("failed", 63016)


async def test_number_without_whatsapp_is_undelivered_63024() -> None:
    """§6.3 map: 63024 (Meta 1026, receiver incapable) arrives as an async failure."""
    async with twilio() as tw:
        await tw.seed({"recipients": {CUSTOMER: {"whatsapp": False}}})
        template = tw.creds["templates"]["repair_ready"]["sid"]
        created = await tw.sent(To=WA_CUSTOMER, ContentSid=template)
        final = await _settle(tw, created["sid"])
        assert (final["status"], final["error_code"]) == ("undelivered", 63024)


async def test_sms_carrier_failure_is_undelivered_30003() -> None:
    """§6.2/§6.4: carrier rejections are ``undelivered`` with a 300xx code, after ``sent``."""
    async with twilio() as tw:
        await tw.seed({"recipients": {CUSTOMER: {"outcome": "undelivered:30003"}}})
        created = await tw.sent(Body="hi")
        await tw.advance(2)
        assert (await tw.fetch(created["sid"]))["status"] == "sent"
        final = await _settle(tw, created["sid"])
        assert (final["status"], final["error_code"]) == ("undelivered", 30003)


@pytest.mark.parametrize(
    ("form", "code"),
    [
        ({"To": ""}, 21604),
        ({"From": ""}, 21603),
        ({"Body": ""}, 21602),
        ({"From": "+61491570999"}, 21606),
        ({"From": "not-a-number"}, 21212),
        ({"To": WA_CUSTOMER, "From": "+61491570006"}, 21910),
        ({"To": WA_CUSTOMER, "From": "whatsapp:+61491570999"}, 63007),
        ({"ContentSid": "HX" + "0" * 32, "Body": ""}, 21655),
        ({"MessagingServiceSid": "MG" + "0" * 32, "From": ""}, 21701),
        ({"StatusCallback": "ftp://example.com/x"}, 21609),
        ({"ValidityPeriod": "0"}, 21624),
    ],
)
async def test_validation_errors_are_synchronous_400s(form: dict[str, str], code: int) -> None:
    """§6.2/§6.4: validation errors come back synchronously as HTTP 400 with the code."""
    async with twilio() as tw:
        fields = {"Body": "hello", **form}
        response = await tw.http.post(
            tw.messages_path,
            data={"To": CUSTOMER, "From": tw.creds["sms_from"], **fields},
        )
        assert response.status_code == 400, response.text
        assert response.json()["code"] == code


async def test_bad_content_variables_are_21656() -> None:
    async with twilio() as tw:
        template = tw.creds["templates"]["repair_ready"]["sid"]
        response = await tw.send(To=WA_CUSTOMER, ContentSid=template, ContentVariables="{1:")
        assert response.status_code == 400 and response.json()["code"] == 21656


async def test_region_permission_is_21408() -> None:
    """§6.4: 21408 when sending to a region the account's geo permissions don't allow."""
    async with twilio() as tw:
        await tw.seed({"allowed_country_codes": ["61"]})
        refused = await tw.send(To="+14155552671", Body="hi")
        assert refused.status_code == 400 and refused.json()["code"] == 21408
        assert (await tw.send(Body="hi")).status_code == 201


async def test_rest_concurrency_beyond_the_limit_is_429_20429() -> None:
    """§6.4: too many concurrent REST requests → 429 / 20429 (not processed, retryable)."""
    async with twilio() as tw:
        await tw.seed({"limits": {"concurrency": 2, "latency": 0.2}})
        results = await asyncio.gather(*(tw.send(Body=f"m{i}") for i in range(5)))
        statuses = sorted(r.status_code for r in results)
        assert statuses == [201, 201, 429, 429, 429]
        refused = next(r for r in results if r.status_code == 429)
        assert refused.json()["code"] == 20429 and refused.json()["status"] == 429
        listed = (await tw.http.get(tw.messages_path)).json()
        assert len(listed["messages"]) == 2  # the refused ones were not processed


async def test_sender_throughput_queues_messages() -> None:
    """§6.4: per-sender MPS queues inside Twilio (1 MPS long code by default [MEM])."""
    async with twilio() as tw:
        sids = [(await tw.sent(Body=f"m{i}"))["sid"] for i in range(3)]
        await tw.advance(1.2)
        statuses = [(await tw.fetch(s))["status"] for s in sids]
        assert statuses[0] in ("sending", "sent") and statuses[2] == "queued"
        await tw.advance(30)
        assert [(await tw.fetch(s))["status"] for s in sids] == ["delivered"] * 3


async def test_queue_past_validity_period_fails_30001() -> None:
    """§6.4: queued longer than ``ValidityPeriod`` → ``failed`` 30001 (queue overflow)."""
    async with twilio() as tw:
        sids = [(await tw.sent(Body=f"m{i}", ValidityPeriod="1"))["sid"] for i in range(3)]
        finals = [await _settle(tw, s, 30 if i == 0 else 0) for i, s in enumerate(sids)]
        assert finals[0]["status"] == "delivered"
        assert (finals[2]["status"], finals[2]["error_code"]) == ("failed", 30001)


async def test_optional_reject_over_rate_mode_answers_20429() -> None:
    """The opt-in strict mode refuses (429 / 20429) a send that would have to queue."""
    async with twilio() as tw:
        await tw.seed({"limits": {"reject_over_rate": True}})
        assert (await tw.send(Body="first")).status_code == 201
        second = await tw.send(Body="second")
        assert second.status_code == 429 and second.json()["code"] == 20429
        await tw.advance(2)
        assert (await tw.send(Body="later")).status_code == 201
