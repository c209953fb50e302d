"""Calendar v3 events and calendarList (service-apis.md §5.2, §5.5), checked against the
Discovery document's schemas."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.sandbox.discovery_contract import check_request, check_response
from tests.sandbox.google_support import CAL, EVENTS_URL, bearer, google_client, google_error, timed

pytestmark = pytest.mark.anyio


async def _insert(
    client: httpx.AsyncClient, headers: dict[str, str], body: dict[str, Any]
) -> httpx.Response:
    check_request("events.insert", body=body)
    return await client.post(EVENTS_URL, headers=headers, json=body)


async def test_calendar_list_has_primary_and_shop_calendar_with_paging() -> None:
    """§5.2: calendarList with ``primary`` flag, paged by ``maxResults``/``pageToken``."""
    async with google_client() as (client, box):
        headers = await bearer(client, box)
        query = {"maxResults": "1"}
        check_request("calendarList.list", query)
        first = await client.get(
            "/calendar/v3/users/me/calendarList", headers=headers, params=query
        )
        body = first.json()
        check_response("CalendarList", body)
        assert body["items"][0]["primary"] is True and "nextSyncToken" not in body
        second = await client.get(
            "/calendar/v3/users/me/calendarList",
            headers=headers,
            params={**query, "pageToken": body["nextPageToken"]},
        )
        page2 = second.json()
        check_response("CalendarList", page2)
        assert page2["items"][0]["summary"] == "Shop appointments"
        assert "nextPageToken" not in page2 and page2["nextSyncToken"]
        shop_id = page2["items"][0]["id"]
        cal = await client.get(f"/calendar/v3/calendars/{shop_id}", headers=headers)
        check_response("Calendar", cal.json())


async def test_insert_get_patch_update_delete_roundtrip() -> None:
    """§5.2: insert (200), get, patch (merge), update (replace), delete 204 then 410 deleted."""
    async with google_client() as (client, box):
        headers = await bearer(client, box)
        body = {
            "summary": "Ring sizing - Ada",
            **timed("2026-03-02T10:00:00", "2026-03-02T10:30:00", "Europe/London"),
            "extendedProperties": {"private": {"nexpura_appointment_id": "a1"}},
        }
        created = await _insert(client, headers, body)
        assert created.status_code == 200
        event = created.json()
        check_response("Event", event)
        assert event["start"] == {"dateTime": "2026-03-02T10:00:00Z", "timeZone": "Europe/London"}
        assert event["iCalUID"] == f"{event['id']}@google.com" and event["sequence"] == 0
        url = f"{EVENTS_URL}/{event['id']}"
        got = await client.get(url, headers=headers)
        assert got.json() == event
        patch = {
            "start": {"dateTime": "2026-03-02T11:00:00+00:00"},
            "end": {"dateTime": "2026-03-02T11:30:00+00:00"},
        }
        check_request("events.patch", body=patch)
        patched = (await client.patch(url, headers=headers, json=patch)).json()
        check_response("Event", patched)
        assert patched["summary"] == "Ring sizing - Ada" and patched["sequence"] == 1
        assert patched["etag"] != event["etag"] and patched["updated"] >= event["updated"]
        stale = await client.patch(
            url, headers={**headers, "If-Match": event["etag"]}, json={"summary": "x"}
        )
        assert google_error(stale)[:2] == (412, "conditionNotMet")
        replaced = await client.put(
            url,
            headers=headers,
            json={"summary": "Only", **timed("2026-03-02T11:00:00Z", "2026-03-02T11:30:00Z")},
        )
        assert "extendedProperties" not in replaced.json()
        assert (await client.delete(url, headers=headers)).status_code == 204
        deleted = await client.get(url, headers=headers)
        assert deleted.status_code == 200 and deleted.json()["status"] == "cancelled"
        again = await client.delete(url, headers=headers)
        assert google_error(again)[:2] == (410, "deleted")
        missing = await client.get(f"{EVENTS_URL}/nosuchevent0", headers=headers)
        assert google_error(missing) == (404, "notFound", "Not Found")


async def test_all_day_and_timed_validation() -> None:
    """§5.2/§5.5: exclusive all-day ends; missing end; empty range; no offset without zone."""
    async with google_client() as (client, box):
        headers = await bearer(client, box)
        all_day = await _insert(
            client,
            headers,
            {
                "summary": "Stocktake",
                "start": {"date": "2026-03-01"},
                "end": {"date": "2026-03-02"},
            },
        )
        assert all_day.status_code == 200 and all_day.json()["end"] == {"date": "2026-03-02"}
        cases: list[tuple[dict[str, Any], tuple[int, str, str]]] = [
            ({"start": {"date": "2026-03-01"}}, (400, "required", "Missing end time.")),
            (
                {"start": {"date": "2026-03-01"}, "end": {"date": "2026-03-01"}},
                (400, "timeRangeEmpty", "The specified time range is empty."),
            ),
            (
                timed("2026-03-01T10:00:00Z", "2026-03-01T09:00:00Z"),
                (400, "timeRangeEmpty", "The specified time range is empty."),
            ),
            (
                timed("2026-03-01T10:00:00", "2026-03-01T11:00:00"),
                (400, "required", "Missing time zone definition for end time."),
            ),
            (
                {"start": {"date": "2026-03-01"}, "end": {"dateTime": "2026-03-01T11:00:00Z"}},
                (
                    400,
                    "invalid",
                    "Start and end times must either both be date or both be dateTime.",
                ),
            ),
            (
                timed("2026-03-01T10:00:00", "2026-03-01T11:00:00", "Mars/Olympus"),
                (400, "timeZoneNotValid", "Invalid time zone definition for end time."),
            ),
        ]
        for body, expected in cases:
            assert google_error(await _insert(client, headers, body)) == expected, body
        empty = await _insert(
            client, headers, timed("2026-03-01T10:00:00Z", "2026-03-01T09:00:00Z")
        )
        assert empty.json()["error"]["errors"][0]["domain"] == "calendar"


async def test_client_supplied_ids_and_duplicates() -> None:
    """§5.2: ids are base32hex 5–1024 chars; reuse is 409 ``duplicate``."""
    async with google_client() as (client, box):
        headers = await bearer(client, box)
        body = {"id": "nkpura0appt0001", **timed("2026-03-01T10:00:00Z", "2026-03-01T11:00:00Z")}
        assert (await _insert(client, headers, body)).status_code == 200
        dup = await _insert(client, headers, body)
        assert google_error(dup) == (409, "duplicate", "The requested identifier already exists.")
        bad = await _insert(client, headers, {**body, "id": "Has-Upper_wx"})
        assert google_error(bad)[:2] == (400, "invalid")


async def test_list_filters_time_window_and_private_properties() -> None:
    """§5.2: timeMin/timeMax (offset required), privateExtendedProperty (all must match)."""
    async with google_client() as (client, box):
        headers = await bearer(client, box)
        for day, tag, kind in (
            ("02", "a", "fitting"),
            ("03", "b", "fitting"),
            ("10", "c", "repair"),
        ):
            body = {
                "summary": f"appt {tag}",
                **timed(f"2026-03-{day}T09:00:00+01:00", f"2026-03-{day}T10:00:00+01:00"),
                "extendedProperties": {"private": {"nexpura": "1", "kind": kind}},
            }
            await _insert(client, headers, body)
        await _insert(
            client,
            headers,
            {"summary": "personal", **timed("2026-03-02T12:00:00Z", "2026-03-02T13:00:00Z")},
        )
        query: dict[str, Any] = {
            "privateExtendedProperty": ["nexpura=1", "kind=fitting"],
            "timeMin": "2026-03-01T00:00:00Z",
            "timeMax": "2026-03-05T00:00:00Z",
            "singleEvents": "true",
            "orderBy": "startTime",
        }
        check_request("events.list", query)
        listed = await client.get(EVENTS_URL, headers=headers, params=query)
        body = listed.json()
        check_response("Events", body)
        assert [e["summary"] for e in body["items"]] == ["appt a", "appt b"]
        no_offset = await client.get(
            EVENTS_URL, headers=headers, params={"timeMin": "2026-03-01T00:00:00"}
        )
        assert google_error(no_offset) == (400, "badRequest", "Bad Request")
        backwards = await client.get(
            EVENTS_URL,
            headers=headers,
            params={"timeMin": "2026-03-05T00:00:00Z", "timeMax": "2026-03-01T00:00:00Z"},
        )
        assert google_error(backwards)[:2] == (400, "timeRangeEmpty")
        assert backwards.json()["error"]["errors"][0]["location"] == "timeMax"
        unordered = await client.get(EVENTS_URL, headers=headers, params={"orderBy": "startTime"})
        assert google_error(unordered)[:2] == (400, "badRequest")


async def test_list_pages_with_max_results() -> None:
    """§5.2/§5.3: ``nextPageToken`` until the last page, which alone has ``nextSyncToken``."""
    async with google_client() as (client, box):
        headers = await bearer(client, box)
        for hour in range(5):
            await _insert(
                client, headers, timed(f"2026-03-01T0{hour}:00:00Z", f"2026-03-01T0{hour}:30:00Z")
            )
        seen: list[str] = []
        params: dict[str, str] = {"maxResults": "2"}
        pages = 0
        while True:
            body = (await client.get(EVENTS_URL, headers=headers, params=params)).json()
            check_response("Events", body)
            pages += 1
            seen += [e["id"] for e in body["items"]]
            if "nextPageToken" not in body:
                assert "nextSyncToken" in body
                break
            assert "nextSyncToken" not in body
            params = {"maxResults": "2", "pageToken": body["nextPageToken"]}
        assert pages == 3 and len(set(seen)) == 5


async def test_scopes_are_enforced() -> None:
    """§5.1/§5.5: a read-only grant cannot write (403 insufficientPermissions)."""
    async with google_client() as (client, box):
        headers = await bearer(client, box, scope=f"{CAL}.readonly")
        assert (await client.get(EVENTS_URL, headers=headers)).status_code == 200
        refused = await _insert(
            client, headers, timed("2026-03-01T10:00:00Z", "2026-03-01T11:00:00Z")
        )
        assert google_error(refused)[:2] == (403, "insufficientPermissions")
        events_only = await bearer(client, box, scope=f"{CAL}.events")
        listing = await client.get("/calendar/v3/users/me/calendarList", headers=events_only)
        assert listing.status_code == 403


async def test_unknown_paths_get_googles_html_404() -> None:
    """googleapis.com answers unknown URLs with its terse HTML error page."""
    async with google_client() as (client, _box):
        response = await client.get("/calendar/v3/nothing/here")
        assert response.status_code == 404 and "That\u2019s an error." in response.text
        wrong = await client.put("/token")
        assert wrong.status_code == 405
