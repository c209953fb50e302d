"""``prettyPrint``: Google indents JSON answers unless a request says ``prettyPrint=false``
(a standard query parameter of every Google API, default true — calendar__v3.json)."""

from __future__ import annotations

import json

import pytest

from nexpura_desktop.connectors.google_calendar.client import Call, compact, encode_batch
from tests.sandbox.google_support import EVENTS_URL, bearer, google_client, timed

pytestmark = pytest.mark.anyio
LIST = "/calendar/v3/users/me/calendarList"


async def test_pretty_by_default_compact_when_asked() -> None:
    async with google_client() as (client, box):
        headers = await bearer(client, box)
        pretty = await client.get(LIST, headers=headers)
        plain = await client.get(LIST, headers=headers, params={"prettyPrint": "false"})
        assert pretty.status_code == plain.status_code == 200
        assert "\n  " in pretty.text and "\n" not in plain.text.strip()
        assert json.loads(pretty.text) == json.loads(plain.text)
        # errors follow the same rule
        missing = await client.get(f"{EVENTS_URL}/nope", headers=headers)
        quiet = await client.get(
            f"{EVENTS_URL}/nope", headers=headers, params={"prettyPrint": "false"}
        )
        assert missing.status_code == quiet.status_code == 404
        assert "\n  " in missing.text and "\n" not in quiet.text.strip()


async def test_batch_parts_honour_their_own_prettyprint() -> None:
    async with google_client() as (client, box):
        headers = await bearer(client, box)
        body = {"summary": "Fitting", **timed("2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z")}
        calls = [Call("POST", "/calendars/primary/events", body)]
        raw = encode_batch(calls, "b1")
        assert b"/calendars/primary/events?prettyPrint=false HTTP/1.1" in raw
        answer = await client.post(
            "/batch/calendar/v3",
            headers={**headers, "Content-Type": "multipart/mixed; boundary=b1"},
            content=raw,
        )
        assert answer.status_code == 200
        part = answer.text.split("\r\n\r\n", 2)[2]
        assert part.lstrip().startswith('{"') and '"summary": "Fitting"' in part
    assert compact("/x?a=1") == "/x?a=1&prettyPrint=false"
