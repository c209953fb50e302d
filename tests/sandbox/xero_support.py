"""Shared steps for the Xero emulator tests: a sandbox client and the PKCE login a person does."""

from __future__ import annotations

import base64
import hashlib
import html
import re
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from nexpura_desktop.sandbox import Sandbox

ORIGIN = "http://xero.sandbox.test"
API = "/api.xro/2.0"
SCOPES = (
    "openid profile email offline_access "
    "accounting.invoices accounting.contacts accounting.settings"
)
ACCOUNTING_SPEC = "xero/xero_accounting.yaml"
IDENTITY_SPEC = "xero/xero-identity.yaml"


@asynccontextmanager
async def xero_client() -> AsyncIterator[tuple[Sandbox, httpx.AsyncClient]]:
    sandbox = Sandbox(services=["xero"])
    async with httpx.AsyncClient(transport=sandbox.transport(), base_url=ORIGIN) as client:
        yield sandbox, client


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def hidden_fields(page: str) -> dict[str, str]:
    pairs = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page)
    return {html.unescape(k): html.unescape(v) for k, v in pairs}


async def authorize(
    client: httpx.AsyncClient,
    creds: dict[str, Any],
    *,
    action: str = "allow",
    scope: str = SCOPES,
    tenants: list[str] | None = None,
) -> tuple[dict[str, list[str]], str, str]:
    """Open the authorize page and click a button; returns (callback query, verifier, uri)."""
    verifier, challenge = pkce_pair()
    redirect_uri = creds["redirect_uris"][0]
    params = {
        "response_type": "code",
        "client_id": creds["pkce_client_id"],
        "redirect_uri": redirect_uri,
        "scope": scope,
        "state": "st-123",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    page = await client.get("/identity/connect/authorize", params=params)
    assert page.status_code == 200, page.text
    form: dict[str, Any] = {**hidden_fields(page.text), "action": action}
    if tenants is not None:
        form["tenant"] = tenants
    answer = await client.post("/identity/connect/authorize", data=form)
    assert answer.status_code == 302
    location = answer.headers["location"]
    assert location.startswith(redirect_uri + "?")
    return parse_qs(urlsplit(location).query), verifier, redirect_uri


async def login(client: httpx.AsyncClient, scope: str = SCOPES) -> dict[str, Any]:
    """The whole PKCE flow; returns the token response plus ``tenants`` from /connections."""
    creds = (await client.get("/_sandbox/credentials")).json()
    query, verifier, redirect_uri = await authorize(client, creds, scope=scope)
    token = await client.post(
        "/connect/token",
        data={
            "grant_type": "authorization_code",
            "client_id": creds["pkce_client_id"],
            "code": query["code"][0],
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
        },
    )
    assert token.status_code == 200, token.text
    tokens: dict[str, Any] = token.json()
    conns = await client.get(
        "/connections", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    tokens["tenants"] = [c["tenantId"] for c in conns.json()]
    tokens["client_id"] = creds["pkce_client_id"]
    return tokens


def api_headers(tokens: dict[str, Any], tenant: int = 0, **extra: str) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {tokens['access_token']}",
        "xero-tenant-id": tokens["tenants"][tenant],
        "Accept": "application/json",
        **extra,
    }
