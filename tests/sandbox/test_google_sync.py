"""Incremental sync with syncToken / nextSyncToken (service-apis.md §5.3)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.sandbox.discovery_contract import check_request, check_response
from tests.sandbox.google_support import EVENTS_URL, bearer, google_client, google_error, timed

pytestmark = pytest.mark.anyio


async def _full_sync(
    client: httpx.AsyncClient, headers: dict[str, str], **query: str
) -> tuple[list[dict[str, Any]], str]:
    items: list[dict[str, Any]] = []
    params = dict(query)
    while True:
        check_request("events.list", params)
        body = (await client.get(EVENTS_URL, headers=headers, params=params)).json()
        check_response("Events", body)
        items += body["items"]
        if "nextPageToken" not in body:
            return items, body["nextSyncToken"]
        params = {**query, "pageToken": body["nextPageToken"]}


async def test_incremental_sync_returns_changes_including_cancelled() -> None:
    """§5.3: a sync token returns only what changed, deleted events as ``status: cancelled``."""
    async with google_client() as (client, box):
        headers = await bearer(client, box)
        ids = []
        for hour in range(3):
            r = await client.post(
                EVENTS_URL,
                headers=headers,
                json=timed(f"2026-04-01T1{hour}:00:00Z", f"2026-04-01T1{hour}:30:00Z"),
            )
            ids.append(r.json()["id"])
        items, token = await _full_sync(client, headers, maxResults="2")
        assert {e["id"] for e in items} == set(ids)
        unchanged, token2 = await _full_sync(client, headers, syncToken=token)
        assert unchanged == [] and token2
        await client.patch(f"{EVENTS_URL}/{ids[0]}", headers=headers, json={"summary": "moved"})
        await client.delete(f"{EVENTS_URL}/{ids[1]}", headers=headers)
        changed, token3 = await _full_sync(client, headers, syncToken=token)
        by_id = {e["id"]: e for e in changed}
        assert set(by_id) == {ids[0], ids[1]}
        assert by_id[ids[0]]["summary"] == "moved"
        assert by_id[ids[1]]["status"] == "cancelled"
        assert set(by_id[ids[1]]) <= {"kind", "etag", "id", "status"}
        # a full listing hides cancelled events unless showDeleted=true
        visible, _ = await _full_sync(client, headers)
        assert ids[1] not in {e["id"] for e in visible}
        with_deleted, _ = await _full_sync(client, headers, showDeleted="true")
        assert ids[1] in {e["id"] for e in with_deleted}
        nothing, _ = await _full_sync(client, headers, syncToken=token3)
        assert nothing == []


async def test_changes_made_by_the_user_in_google_show_up() -> None:
    """§5.3: edits made in Google (control surface) appear in the next incremental sync."""
    async with google_client() as (client, box):
        headers = await bearer(client, box)
        created = (
            await client.post(
                EVENTS_URL,
                headers=headers,
                json=timed("2026-04-02T09:00:00Z", "2026-04-02T10:00:00Z"),
            )
        ).json()
        _, token = await _full_sync(client, headers)
        primary = box["google"].credentials()["user_email"]
        moved = await client.patch(
            f"/_sandbox/google/calendars/{primary}/events/{created['id']}",
            json={
                "start": {"dateTime": "2026-04-03T09:00:00Z"},
                "end": {"dateTime": "2026-04-03T10:00:00Z"},
            },
        )
        assert moved.status_code == 200
        added = await client.post(
            f"/_sandbox/google/calendars/{primary}/events",
            json={"summary": "lunch", **timed("2026-04-02T12:00:00Z", "2026-04-02T13:00:00Z")},
        )
        assert added.status_code == 201
        changed, _ = await _full_sync(client, headers, syncToken=token)
        by_id = {e["id"]: e for e in changed}
        assert by_id[created["id"]]["start"]["dateTime"] == "2026-04-03T10:00:00+01:00"
        assert by_id[created["id"]]["sequence"] == 1
        assert added.json()["id"] in by_id


async def test_expired_sync_token_is_410_full_sync_required() -> None:
    """§5.3: an expired/invalid token is 410 ``fullSyncRequired`` with Google's body."""
    async with google_client() as (client, box):
        headers = await bearer(client, box)
        _, token = await _full_sync(client, headers)
        assert (await client.post("/_sandbox/google/expire-sync-tokens")).status_code == 200
        gone = await client.get(EVENTS_URL, headers=headers, params={"syncToken": token})
        assert gone.status_code == 410
        error = gone.json()["error"]
        assert error["errors"] == [
            {
                "domain": "calendar",
                "reason": "fullSyncRequired",
                "message": "Sync token is no longer valid, a full sync is required.",
            }
        ]
        assert error["message"] == "Sync token is no longer valid, a full sync is required."
        garbage = await client.get(EVENTS_URL, headers=headers, params={"syncToken": "not-a-token"})
        assert garbage.status_code == 410


async def test_sync_token_cannot_be_combined_with_filters() -> None:
    """§5.3: syncToken with timeMin/privateExtendedProperty/... is refused (400)."""
    async with google_client() as (client, box):
        headers = await bearer(client, box)
        _, token = await _full_sync(client, headers)
        for extra in (
            {"timeMin": "2026-01-01T00:00:00Z"},
            {"privateExtendedProperty": "a=b"},
            {"orderBy": "updated"},
        ):
            response = await client.get(
                EVENTS_URL, headers=headers, params={"syncToken": token, **extra}
            )
            assert google_error(response)[0] == 400, extra


async def test_updated_min_includes_deleted_events() -> None:
    """§5.2: with ``updatedMin`` deleted events are included whatever ``showDeleted`` says."""
    async with google_client() as (client, box):
        headers = await bearer(client, box)
        created = (
            await client.post(
                EVENTS_URL,
                headers=headers,
                json=timed("2026-04-02T09:00:00Z", "2026-04-02T10:00:00Z"),
            )
        ).json()
        await client.delete(f"{EVENTS_URL}/{created['id']}", headers=headers)
        listed = await client.get(
            EVENTS_URL, headers=headers, params={"updatedMin": "2000-01-01T00:00:00Z"}
        )
        assert [e["status"] for e in listed.json()["items"]] == ["cancelled"]
