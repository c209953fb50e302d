"""Batch requests, quotas, faults, seeding and a loopback run (service-apis.md §5.4, §5.5)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from nexpura_desktop.sandbox.runner import SandboxServer
from tests.sandbox.discovery_contract import check_response
from tests.sandbox.google_support import (
    EVENTS_URL,
    bearer,
    get_tokens,
    google_client,
    google_error,
    timed,
)

pytestmark = pytest.mark.anyio


def _batch_body(
    calls: list[tuple[str, str, dict[str, Any] | None]], boundary: str = "batch_foo"
) -> bytes:
    parts = []
    for index, (method, path, body) in enumerate(calls, start=1):
        payload = "" if body is None else json.dumps(body)
        inner = f"{method} {path} HTTP/1.1\r\n"
        if body is not None:
            inner += "Content-Type: application/json\r\n"
        inner += f"\r\n{payload}"
        mime = f"Content-Type: application/http\r\nContent-ID: <item{index}>"
        parts.append(f"--{boundary}\r\n{mime}\r\n\r\n{inner}\r\n")
    return ("".join(parts) + f"--{boundary}--\r\n").encode()


def _parse_batch_response(response: httpx.Response) -> list[tuple[str, int, Any]]:
    """(Content-ID, status, JSON body) of each part of a multipart/mixed response."""
    content_type = response.headers["content-type"]
    assert content_type.startswith("multipart/mixed; boundary=")
    boundary = content_type.split("boundary=")[1]
    out = []
    for chunk in response.content.split(f"--{boundary}".encode())[1:-1]:
        mime, _, http = chunk.strip(b"\r\n").partition(b"\r\n\r\n")
        headers = dict(line.split(": ", 1) for line in mime.decode().split("\r\n"))
        assert headers["Content-Type"] == "application/http"
        status_line, _, rest = http.partition(b"\r\n")
        _, _, body = rest.partition(b"\r\n\r\n")
        out.append(
            (
                headers.get("Content-ID", ""),
                int(status_line.split()[1]),
                json.loads(body) if body.strip() else None,
            )
        )
    return out


async def test_batch_runs_each_call_and_fails_them_independently() -> None:
    """§5.4: multipart/mixed in, multipart/mixed out, ``Content-ID: <response-…>``, same order."""
    async with google_client() as (client, box):
        headers = await bearer(client, box)
        calls: list[tuple[str, str, dict[str, Any] | None]] = [
            (
                "POST",
                EVENTS_URL,
                {"summary": "one", **timed("2026-05-01T09:00:00Z", "2026-05-01T10:00:00Z")},
            ),
            ("POST", EVENTS_URL, {"summary": "bad", "start": {"date": "2026-05-01"}}),
            ("GET", f"{EVENTS_URL}/doesnotexist1", None),
            ("GET", f"{EVENTS_URL}?maxResults=10", None),
        ]
        response = await client.post(
            "/batch/calendar/v3",
            headers={**headers, "Content-Type": "multipart/mixed; boundary=batch_foo"},
            content=_batch_body(calls),
        )
        assert response.status_code == 200
        parts = _parse_batch_response(response)
        assert [p[0] for p in parts] == [f"<response-item{i}>" for i in range(1, 5)]
        assert [p[1] for p in parts] == [200, 400, 404, 200]
        check_response("Event", parts[0][2])
        assert parts[1][2]["error"]["message"] == "Missing end time."
        check_response("Events", parts[3][2])
        assert [e["summary"] for e in parts[3][2]["items"]] == ["one"]


async def test_batch_of_more_than_1000_calls_is_refused() -> None:
    """§5.4: at most 1000 calls per batch."""
    async with google_client() as (client, box):
        headers = await bearer(client, box)
        calls: list[tuple[str, str, dict[str, Any] | None]] = [("GET", EVENTS_URL, None)] * 1001
        response = await client.post(
            "/batch/calendar/v3",
            headers={**headers, "Content-Type": "multipart/mixed; boundary=batch_foo"},
            content=_batch_body(calls),
        )
        assert google_error(response)[0] == 400
        assert box["google"].state()["quota"]["used_last_minute"] == 0


async def test_per_user_quota_is_600_per_minute_and_counts_batch_calls() -> None:
    """§5.5: 600 requests/minute/user; over it 403 ``userRateLimitExceeded`` (usageLimits)."""
    async with google_client() as (client, box):
        headers = await bearer(client, box)
        calls: list[tuple[str, str, dict[str, Any] | None]] = [
            ("GET", f"{EVENTS_URL}/none0", None)
        ] * 600
        batch = await client.post(
            "/batch/calendar/v3",
            headers={**headers, "Content-Type": "multipart/mixed; boundary=batch_foo"},
            content=_batch_body(calls),
        )
        assert {p[1] for p in _parse_batch_response(batch)} == {404}
        over = await client.get(EVENTS_URL, headers=headers)
        assert google_error(over) == (403, "userRateLimitExceeded", "User Rate Limit Exceeded")
        assert over.json()["error"]["errors"][0]["domain"] == "usageLimits"
        box.clock.advance(61)
        assert (await client.get(EVENTS_URL, headers=headers)).status_code == 200
        await client.post(
            "/_sandbox/google/quota", json={"user_per_minute": 1, "exceeded_status": 429}
        )
        await client.get(EVENTS_URL, headers=headers)
        limited = await client.get(EVENTS_URL, headers=headers)
        assert google_error(limited) == (429, "rateLimitExceeded", "Rate Limit Exceeded")


async def test_injected_429_fault_has_googles_body() -> None:
    """§5.5: an injected 429 carries the usageLimits ``rateLimitExceeded`` body."""
    async with google_client() as (client, box):
        headers = await bearer(client, box)
        rule = {
            "kind": "status",
            "status": 429,
            "path": "/calendar/v3/",
            "count": 1,
            "retry_after": 2,
        }
        assert (await client.post("/_sandbox/faults", json=rule)).status_code == 200
        faulted = await client.get(EVENTS_URL, headers=headers)
        assert google_error(faulted) == (429, "rateLimitExceeded", "Rate Limit Exceeded")
        assert faulted.headers["retry-after"] == "2"
        assert (await client.get(EVENTS_URL, headers=headers)).status_code == 200


async def test_seed_json_and_demo_shop() -> None:
    """Seeding: the documented JSON shape, and the demo shop's Google account."""
    async with google_client() as (client, box):
        seeded = await client.post(
            "/_sandbox/seed",
            json={
                "user": {"email": "jo@example.com", "time_zone": "Australia/Sydney"},
                "events": [
                    {
                        "calendarId": "Shop appointments",
                        "summary": "Valuation",
                        **timed("2026-06-01T10:00:00", "2026-06-01T11:00:00", "Australia/Sydney"),
                    }
                ],
            },
        )
        assert seeded.json() == {"seeded": {"clients": 0, "calendars": 0, "events": 1}}
        state = box["google"].state()
        assert state["calendars"][0]["id"] == "jo@example.com"
        bad = await client.post("/_sandbox/seed", json={"events": [{"summary": "no times"}]})
        assert bad.status_code == 400
        tables: dict[str, list[dict[str, Any]]] = {
            "tenants": [{"id": "t1", "name": "Gold & Co", "timezone": "Australia/Sydney"}],
            "team_members": [
                {"role": "owner", "email": "owner@goldco.example", "name": "Mia Gold"}
            ],
            "appointments": [
                {
                    "id": "a1",
                    "customer_name": "Ada Lovelace",
                    "scheduled_date": "2026-06-03",
                    "scheduled_time": "10:30:00",
                    "duration_minutes": 45,
                    "appointment_type": "ring_sizing",
                },
                {"id": "a2", "customer_name": None, "scheduled_date": "2026-06-04"},
            ],
        }
        counts = box["google"].seed_demo(tables)
        assert counts == {"calendars": 2, "events": 6, "shop_events": 3}
        headers = await bearer(client, box)
        creds = box["google"].credentials()
        assert creds["user_email"] == "owner@goldco.example"
        shop = next(c for c in creds["calendars"] if c["summary"] == "Shop appointments")
        listed = (
            await client.get(f"/calendar/v3/calendars/{shop['id']}/events", headers=headers)
        ).json()
        check_response("Events", listed)
        assert "Ring Sizing - Ada Lovelace" in [e["summary"] for e in listed["items"]]
        assert all("extendedProperties" not in e for e in listed["items"])


def test_over_real_loopback() -> None:
    """The same flow over 127.0.0.1 with a real HTTP server (uvicorn)."""
    import anyio

    async def flow(base: str) -> None:
        async with httpx.AsyncClient(base_url=base) as client:
            creds = (await client.get("/_sandbox/credentials")).json()
            assert creds["client_id"].endswith(".apps.googleusercontent.com")
            tokens = await get_tokens(client, creds)
            headers = {"Authorization": f"Bearer {tokens['access_token']}"}
            created = await client.post(
                EVENTS_URL,
                headers=headers,
                json=timed("2026-05-01T09:00:00Z", "2026-05-01T10:00:00Z"),
            )
            assert created.status_code == 200
            check_response("Event", created.json())

    with SandboxServer(port_base=0, services=["google"]) as server:
        anyio.run(flow, server.sandbox.origins["google"])
