"""Shared helpers of the Google emulator tests: a sandbox, a client and the OAuth dance."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from nexpura_desktop.sandbox import Sandbox

CAL = "https://www.googleapis.com/auth/calendar"
EVENTS_URL = "/calendar/v3/calendars/primary/events"


@asynccontextmanager
async def google_client(
    sandbox: Sandbox | None = None,
) -> AsyncIterator[tuple[httpx.AsyncClient, Sandbox]]:
    box = sandbox or Sandbox(services=["google"])
    async with httpx.AsyncClient(transport=box.transport(), base_url=box.origins["google"]) as c:
        yield c, box


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(64)[:96]
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def consent_id(page: str) -> str:
    match = re.search(r'name="consent_id" value="([^"]+)"', page)
    assert match, page
    return match.group(1)


def redirect_params(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 302, response.text
    return {k: v[0] for k, v in parse_qs(urlsplit(response.headers["location"]).query).items()}


async def authorize(
    client: httpx.AsyncClient,
    creds: Mapping[str, Any],
    *,
    scope: str = CAL,
    offline: bool = True,
    prompt: str | None = None,
    redirect_uri: str = "http://127.0.0.1:51234/",
    action: str = "allow",
    verifier: str | None = None,
    challenge: str | None = None,
) -> dict[str, str]:
    """Walk the consent page like a person would; returns the redirect's query."""
    params = {
        "client_id": creds["client_id"],
        "redirect_uri": redirect_uri,
        "response_type": "code",
        "scope": scope,
        "state": "st-123",
    }
    if challenge is not None:
        params |= {"code_challenge": challenge, "code_challenge_method": "S256"}
    if offline:
        params["access_type"] = "offline"
    if prompt:
        params["prompt"] = prompt
    page = await client.get("/o/oauth2/v2/auth", params=params)
    assert page.status_code == 200, page.text
    scopes = re.findall(r'name="scope" value="([^"]+)"', page.text)
    answer = await client.post(
        "/o/oauth2/v2/auth/approval",
        data={"consent_id": consent_id(page.text), "action": action, "scope": scopes},
    )
    return redirect_params(answer)


async def get_tokens(
    client: httpx.AsyncClient, creds: Mapping[str, Any], *, scope: str = CAL, offline: bool = True
) -> dict[str, Any]:
    verifier, challenge = pkce_pair()
    redirect = "http://127.0.0.1:51234/"
    params = await authorize(
        client, creds, scope=scope, offline=offline, redirect_uri=redirect, challenge=challenge
    )
    response = await client.post(
        "/token",
        data={
            "grant_type": "authorization_code",
            "code": params["code"],
            "client_id": creds["client_id"],
            "client_secret": creds["client_secret"],
            "redirect_uri": redirect,
            "code_verifier": verifier,
        },
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def bearer(client: httpx.AsyncClient, box: Sandbox, scope: str = CAL) -> dict[str, str]:
    tokens = await get_tokens(client, box["google"].credentials(), scope=scope)
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def timed(start: str, end: str, tz: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"start": {"dateTime": start}, "end": {"dateTime": end}}
    if tz:
        body["start"]["timeZone"] = tz
        body["end"]["timeZone"] = tz
    return body


def google_error(response: httpx.Response) -> tuple[int, str, str]:
    """(code, reason, message) of a Google JSON error body, checking its shape."""
    error = response.json()["error"]
    assert set(error) <= {"code", "message", "errors", "status"}, error
    assert error["code"] == response.status_code
    item = error["errors"][0]
    assert {"domain", "reason", "message"} <= set(item)
    return error["code"], item["reason"], error["message"]
