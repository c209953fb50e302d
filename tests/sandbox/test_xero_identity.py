"""Xero identity contract: authorize page, PKCE, rotating refresh tokens, connections.

Each test cites the fact it pins in /work/shared/reference/service-apis.md.
"""

from __future__ import annotations

import pytest

from tests.sandbox.openapi_contract import validate_httpx_response
from tests.sandbox.xero_support import (
    API,
    IDENTITY_SPEC,
    api_headers,
    authorize,
    login,
    pkce_pair,
    xero_client,
)

pytestmark = pytest.mark.anyio


async def test_authorize_page_is_html_with_allow_and_cancel_buttons() -> None:
    """§4.1 authorize URL shape; the issue: a real page a person can approve or deny."""
    async with xero_client() as (_, client):
        creds = (await client.get("/_sandbox/credentials")).json()
        _, challenge = pkce_pair()
        page = await client.get(
            "/identity/connect/authorize",
            params={
                "response_type": "code",
                "client_id": creds["pkce_client_id"],
                "redirect_uri": creds["redirect_uris"][0],
                "scope": "openid offline_access accounting.invoices",
                "state": "s",
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            },
        )
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert "Allow access" in page.text and "Cancel" in page.text
        for org in creds["organisations"]:
            assert org["tenantId"] in page.text


async def test_unknown_redirect_uri_is_an_error_page_not_a_redirect() -> None:
    """§4.1: exact redirect match; unknown → "unauthorized_client : Invalid redirect_uri"."""
    async with xero_client() as (_, client):
        creds = (await client.get("/_sandbox/credentials")).json()
        _, challenge = pkce_pair()
        page = await client.get(
            "/identity/connect/authorize",
            params={
                "response_type": "code",
                "client_id": creds["pkce_client_id"],
                "redirect_uri": "http://localhost:9999/callback",
                "scope": "openid",
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            },
        )
        assert page.status_code == 400
        assert "unauthorized_client : Invalid redirect_uri" in page.text
        assert "location" not in page.headers


async def test_cancel_redirects_with_access_denied_and_state() -> None:
    """§4.1 / §7.1: denial comes back to the redirect URI as error=access_denied with state."""
    async with xero_client() as (_, client):
        creds = (await client.get("/_sandbox/credentials")).json()
        query, _, _ = await authorize(client, creds, action="deny")
        assert query["error"] == ["access_denied"]
        assert query["state"] == ["st-123"]
        assert "code" not in query


async def test_pkce_flow_without_secret_gives_30_minute_tokens_and_two_connections() -> None:
    """§4.1 token response shape (expires_in 1800, no secret for PKCE); §4.2 connections."""
    async with xero_client() as (_, client):
        tokens = await login(client)
        assert tokens["expires_in"] == 1800
        assert tokens["token_type"] == "Bearer"
        assert {"access_token", "refresh_token", "id_token", "scope"} <= set(tokens)
        assert len(tokens["tenants"]) == 2
        conns = await client.get(
            "/connections", headers={"Authorization": f"Bearer {tokens['access_token']}"}
        )
        validate_httpx_response(IDENTITY_SPEC, conns)
        assert {c["tenantType"] for c in conns.json()} == {"ORGANISATION"}


async def test_wrong_code_verifier_and_reused_code_are_invalid_grant() -> None:
    """§7.2: verifier mismatch → 400 {"error":"invalid_grant"}; a code works once."""
    async with xero_client() as (_, client):
        creds = (await client.get("/_sandbox/credentials")).json()
        query, verifier, uri = await authorize(client, creds)
        form = {
            "grant_type": "authorization_code",
            "client_id": creds["pkce_client_id"],
            "code": query["code"][0],
            "redirect_uri": uri,
        }
        bad = await client.post("/connect/token", data={**form, "code_verifier": "x" * 50})
        assert bad.status_code == 400 and bad.json() == {"error": "invalid_grant"}
        good = await client.post("/connect/token", data={**form, "code_verifier": verifier})
        assert good.status_code == 200
        again = await client.post("/connect/token", data={**form, "code_verifier": verifier})
        assert again.json() == {"error": "invalid_grant"}


async def test_web_app_client_must_send_its_secret() -> None:
    """§4.1: a "Web app" registration has a secret and must send it."""
    async with xero_client() as (_, client):
        creds = (await client.get("/_sandbox/credentials")).json()
        web = creds["web_app"]
        answer = await client.post(
            "/connect/token",
            data={
                "grant_type": "refresh_token",
                "client_id": web["client_id"],
                "refresh_token": "x",
            },
        )
        assert answer.status_code == 400 and answer.json() == {"error": "invalid_client"}


async def test_refresh_rotates_and_old_token_has_a_30_minute_grace() -> None:
    """§4.1: rotating refresh tokens; the previous one retried within 30 min gives the same pair."""
    async with xero_client() as (sandbox, client):
        tokens = await login(client)
        form = {"grant_type": "refresh_token", "client_id": tokens["client_id"]}
        first = await client.post(
            "/connect/token", data={**form, "refresh_token": tokens["refresh_token"]}
        )
        assert first.status_code == 200
        new = first.json()
        assert new["refresh_token"] != tokens["refresh_token"]
        sandbox.clock.advance(29 * 60)
        retry = await client.post(
            "/connect/token", data={**form, "refresh_token": tokens["refresh_token"]}
        )
        assert retry.json()["refresh_token"] == new["refresh_token"]
        assert retry.json()["access_token"] == new["access_token"]
        sandbox.clock.advance(2 * 60)
        late = await client.post(
            "/connect/token", data={**form, "refresh_token": tokens["refresh_token"]}
        )
        assert late.status_code == 400 and late.json() == {"error": "invalid_grant"}
        fresh = await client.post(
            "/connect/token", data={**form, "refresh_token": new["refresh_token"]}
        )
        assert fresh.status_code == 200


async def test_unused_refresh_token_expires_after_60_days() -> None:
    """§4.1: an unused refresh token expires after 60 days."""
    async with xero_client() as (sandbox, client):
        tokens = await login(client)
        sandbox.clock.advance(60 * 24 * 3600 + 1)
        answer = await client.post(
            "/connect/token",
            data={
                "grant_type": "refresh_token",
                "client_id": tokens["client_id"],
                "refresh_token": tokens["refresh_token"],
            },
        )
        assert answer.status_code == 400 and answer.json() == {"error": "invalid_grant"}


async def test_access_token_expires_after_30_minutes() -> None:
    """§4.1 30-minute access tokens; §4.7 401 body with TokenExpired and WWW-Authenticate."""
    async with xero_client() as (sandbox, client):
        tokens = await login(client)
        ok = await client.get(f"{API}/Organisation", headers=api_headers(tokens))
        assert ok.status_code == 200
        sandbox.clock.advance(30 * 60)
        expired = await client.get(f"{API}/Organisation", headers=api_headers(tokens))
        assert expired.status_code == 401
        body = expired.json()
        assert body["Title"] == "Unauthorized" and body["Status"] == 401
        assert body["Detail"].startswith("TokenExpired")
        assert expired.headers["www-authenticate"] == 'Bearer error="invalid_token"'


async def test_revocation_removes_tokens_and_connections() -> None:
    """§4.1: revoking the refresh token removes all connections made with it."""
    async with xero_client() as (_, client):
        tokens = await login(client)
        revoked = await client.post(
            "/connect/revocation",
            data={"token": tokens["refresh_token"], "client_id": tokens["client_id"]},
        )
        assert revoked.status_code == 200
        state = (await client.get("/_sandbox/state")).json()
        assert state["connections"] == []
        again = await client.get(f"{API}/Organisation", headers=api_headers(tokens))
        assert again.status_code == 401


async def test_delete_connection_disconnects_that_tenant() -> None:
    """§4.2: DELETE /connections/{id} → 204; that tenant is then refused (403)."""
    async with xero_client() as (_, client):
        tokens = await login(client)
        bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
        conns = (await client.get("/connections", headers=bearer)).json()
        gone = await client.delete(f"/connections/{conns[0]['id']}", headers=bearer)
        assert gone.status_code == 204
        validate_httpx_response(IDENTITY_SPEC, gone)
        left = (await client.get("/connections", headers=bearer)).json()
        assert [c["id"] for c in left] == [conns[1]["id"]]
        refused = await client.get(f"{API}/Organisation", headers=api_headers(tokens, 0))
        assert refused.status_code == 403
