"""Twilio emulator: the Content API (WhatsApp templates) under the same base URL.

Bodies are validated against Twilio's ``specs/twilio/twilio_content_v1.json``; the
template rules follow ``shared/reference/service-apis.md`` §6.3.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest

from tests.sandbox.openapi_contract import validate_response
from tests.sandbox.twilio_support import CONTENT_SPEC, CUSTOMER, twilio

pytestmark = pytest.mark.anyio


async def test_content_list_has_the_templates_with_meta_paging() -> None:
    """§6.3: templates (``HX…``) with ``variables``/``types``; the list's ``meta`` paging."""
    async with twilio() as tw:
        response = await tw.http.get("/v1/Content", params={"PageSize": 2})
        assert response.status_code == 200
        body = response.json()
        validate_response(CONTENT_SPEC, "GET", "/v1/Content", 200, body)
        assert len(body["contents"]) == 2 and body["meta"]["key"] == "contents"
        assert body["meta"]["page_size"] == 2 and body["meta"]["next_page_url"]
        second = (await tw.http.get(body["meta"]["next_page_url"])).json()
        everything = [*body["contents"], *second["contents"]]
        by_name = {c["friendly_name"]: c for c in everything}
        ready = by_name["repair_ready"]
        assert ready["sid"] == tw.creds["templates"]["repair_ready"]["sid"]
        assert ready["variables"] == {"1": "Customer", "2": "item", "3": "RPR-000000000000"}
        assert "{{1}}" in ready["types"]["twilio/text"]["body"]
        assert urlsplit(ready["url"]).path == f"/v1/Content/{ready['sid']}"


async def test_approvals_show_whatsapp_status() -> None:
    """§6.3: only approved templates open a conversation; approval status is readable."""
    async with twilio() as tw:
        listed = (await tw.http.get("/v1/ContentAndApprovals")).json()
        validate_response(CONTENT_SPEC, "GET", "/v1/ContentAndApprovals", 200, listed)
        statuses = {
            c["friendly_name"]: c["approval_requests"]["status"] for c in listed["contents"]
        }
        assert statuses["repair_ready"] == "approved"
        assert statuses["new_collection"] == "pending"
        sid = tw.creds["templates"]["repair_ready"]["sid"]
        path = f"/v1/Content/{sid}/ApprovalRequests"
        approval = (await tw.http.get(path)).json()
        validate_response(CONTENT_SPEC, "GET", path, 200, approval)
        assert approval["whatsapp"]["status"] == "approved"
        assert approval["whatsapp"]["category"] == "UTILITY"


async def test_fetch_one_and_unknown_is_20404() -> None:
    async with twilio() as tw:
        sid = tw.creds["templates"]["appointment_reminder"]["sid"]
        one = await tw.http.get(f"/v1/Content/{sid}")
        validate_response(CONTENT_SPEC, "GET", f"/v1/Content/{sid}", 200, one.json())
        missing = await tw.http.get(f"/v1/Content/HX{'0' * 32}")
        assert missing.status_code == 404 and missing.json()["code"] == 20404
    async with twilio(auth=False) as anonymous:
        assert (await anonymous.http.get("/v1/Content")).status_code == 401


async def test_created_template_is_usable_outside_the_window_once_approved() -> None:
    """§6.3: create via Content API, submit for WhatsApp approval, then send by ContentSid."""
    async with twilio() as tw:
        created = await tw.http.post(
            "/v1/Content",
            json={
                "friendly_name": "pickup_reminder",
                "language": "en",
                "variables": {"1": "name"},
                "types": {"twilio/text": {"body": "Hi {{1}}, your order awaits."}},
            },
        )
        assert created.status_code == 201
        validate_response(CONTENT_SPEC, "POST", "/v1/Content", 201, created.json())
        sid = created.json()["sid"]
        submit_path = f"/v1/Content/{sid}/ApprovalRequests/whatsapp"
        submitted = await tw.http.post(submit_path, json={"name": "pickup", "category": "UTILITY"})
        assert submitted.status_code == 201
        validate_response(CONTENT_SPEC, "POST", submit_path, 201, submitted.json())
        assert submitted.json()["status"] == "received"

        early = await tw.sent(To=f"whatsapp:{CUSTOMER}", ContentSid=sid)
        await tw.advance(600)
        assert (await tw.fetch(early["sid"]))["error_code"] == 63016
        late = await tw.sent(
            To=f"whatsapp:{CUSTOMER}", ContentSid=sid, ContentVariables=json.dumps({"1": "Bo"})
        )
        assert late["body"] == "Hi Bo, your order awaits."
        await tw.advance(60)
        assert (await tw.fetch(late["sid"]))["status"] == "read"
