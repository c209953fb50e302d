"""Google OAuth for installed apps (service-apis.md §5.1, §7.1–7.3)."""

from __future__ import annotations

import base64
import json

import pytest

from tests.sandbox.discovery_contract import check_response, oauth2_doc
from tests.sandbox.google_support import (
    CAL,
    EVENTS_URL,
    authorize,
    consent_id,
    get_tokens,
    google_client,
    google_error,
    pkce_pair,
    redirect_params,
)

pytestmark = pytest.mark.anyio


def _auth_params(client_id: str, **extra: str) -> dict[str, str]:
    return {
        "client_id": client_id,
        "redirect_uri": "http://127.0.0.1:8765/",
        "response_type": "code",
        "scope": CAL,
        "state": "s1",
        **extra,
    }


async def test_consent_page_has_stable_buttons_and_loopback_any_port() -> None:
    """§5.1/§7.1: Desktop clients may use any loopback port on 127.0.0.1, [::1] or localhost."""
    async with google_client() as (client, box):
        creds = box["google"].credentials()
        for uri in ("http://127.0.0.1:1/", "http://[::1]:60000/cb", "http://localhost:8080/"):
            page = await client.get(
                "/o/oauth2/v2/auth", params=_auth_params(creds["client_id"], redirect_uri=uri)
            )
            assert page.status_code == 200
            assert 'id="submit_approve_access"' in page.text
            assert 'id="submit_deny_access"' in page.text
            assert creds["user_email"] in page.text


async def test_authorize_errors_are_shown_not_redirected() -> None:
    """§5.1: bad client / redirect / scope / OOB are Google error pages, never redirects."""
    async with google_client() as (client, box):
        cid = box["google"].credentials()["client_id"]
        cases = [
            (_auth_params("nobody.apps.googleusercontent.com"), 401, "invalid_client"),
            (
                _auth_params(cid, redirect_uri="https://evil.example/cb"),
                400,
                "redirect_uri_mismatch",
            ),
            (
                _auth_params(cid, redirect_uri="http://192.168.1.5:80/"),
                400,
                "redirect_uri_mismatch",
            ),
            (_auth_params(cid, redirect_uri="urn:ietf:wg:oauth:2.0:oob"), 400, "invalid_request"),
            (_auth_params(cid, scope="https://www.googleapis.com/auth/nope"), 400, "invalid_scope"),
            (_auth_params(cid, response_type="token"), 400, "unsupported_response_type"),
            (
                _auth_params(cid, code_challenge="short", code_challenge_method="S256"),
                400,
                "invalid_request",
            ),
        ]
        for params, status, error in cases:
            page = await client.get("/o/oauth2/v2/auth", params=params)
            assert page.status_code == status, (params, page.text)
            assert f"Error {status}: {error}" in page.text
            assert "location" not in page.headers


async def test_web_client_needs_an_exact_registered_redirect() -> None:
    """§7.1: only Desktop clients get RFC 8252 any-port loopback; web clients match exactly."""
    async with google_client() as (client, box):
        web = next(c for c in box["google"].state()["clients"] if c["type"] == "web")
        ok = await client.get(
            "/o/oauth2/v2/auth",
            params=_auth_params(web["client_id"], redirect_uri=web["redirect_uris"][0]),
        )
        assert ok.status_code == 200
        bad = await client.get("/o/oauth2/v2/auth", params=_auth_params(web["client_id"]))
        assert "redirect_uri_mismatch" in bad.text


async def test_deny_redirects_with_access_denied_and_state() -> None:
    """§7.3: the callback carries ``error=access_denied`` and the same ``state``."""
    async with google_client() as (client, box):
        params = await authorize(client, box["google"].credentials(), action="deny")
        assert params == {"error": "access_denied", "state": "st-123"}


async def test_code_exchange_with_pkce_and_secret() -> None:
    """§5.1/§7.2: code + code_verifier + client_secret -> 1-hour Bearer token + refresh token."""
    async with google_client() as (client, box):
        creds = box["google"].credentials()
        verifier, challenge = pkce_pair()
        params = await authorize(client, creds, challenge=challenge, scope=f"{CAL} openid email")
        assert params["state"] == "st-123"
        assert set(params["scope"].split()) == {
            CAL,
            "openid",
            "https://www.googleapis.com/auth/userinfo.email",
        }
        form = {
            "grant_type": "authorization_code",
            "code": params["code"],
            "client_id": creds["client_id"],
            "client_secret": creds["client_secret"],
            "redirect_uri": "http://127.0.0.1:51234/",
        }
        missing = await client.post("/token", data=form)
        assert missing.json() == {
            "error": "invalid_grant",
            "error_description": "Missing code verifier.",
        }
        wrong = await client.post("/token", data={**form, "code_verifier": "x" * 60})
        assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
        ok = await client.post("/token", data={**form, "code_verifier": verifier})
        assert ok.status_code == 200
        body = ok.json()
        assert body["token_type"] == "Bearer" and body["expires_in"] == 3599
        assert body["refresh_token"].startswith("1//")
        assert body["id_token"].count(".") == 2
        claims = json.loads(base64.urlsafe_b64decode(body["id_token"].split(".")[1] + "=="))
        assert claims["aud"] == creds["client_id"] and claims["email"] == creds["user_email"]
        reused = await client.post("/token", data={**form, "code_verifier": verifier})
        assert reused.json() == {"error": "invalid_grant", "error_description": "Bad Request"}
        info = await client.get(
            "/oauth2/v2/userinfo", headers={"Authorization": f"Bearer {body['access_token']}"}
        )
        assert info.status_code == 200
        check_response("Userinfo", info.json(), oauth2_doc())


async def test_token_endpoint_client_errors() -> None:
    """§5.1: the desktop client's secret is required; wrong ones are ``invalid_client``."""
    async with google_client() as (client, box):
        creds = box["google"].credentials()
        params = await authorize(client, creds)
        form = {
            "grant_type": "authorization_code",
            "code": params["code"],
            "client_id": creds["client_id"],
            "redirect_uri": "http://127.0.0.1:51234/",
        }
        no_secret = await client.post("/token", data=form)
        assert no_secret.status_code == 400
        assert no_secret.json()["error_description"] == "client_secret is missing."
        bad_secret = await client.post("/token", data={**form, "client_secret": "nope"})
        assert bad_secret.status_code == 401 and bad_secret.json()["error"] == "invalid_client"
        unknown = await client.post(
            "/token",
            data={**form, "client_id": "x.apps.googleusercontent.com", "client_secret": "s"},
        )
        assert unknown.json() == {
            "error": "invalid_client",
            "error_description": "The OAuth client was not found.",
        }
        mismatch = await client.post(
            "/token",
            data={
                **form,
                "client_secret": creds["client_secret"],
                "redirect_uri": "http://127.0.0.1:1/",
            },
        )
        assert mismatch.json()["error"] == "redirect_uri_mismatch"
        grant = await client.post(
            "/token",
            data={**form, "client_secret": creds["client_secret"], "grant_type": "password"},
        )
        assert grant.json()["error"] == "unsupported_grant_type"


async def test_refresh_token_only_with_offline_access() -> None:
    """§5.1: ``access_type=offline`` gives a refresh token; online access does not."""
    async with google_client() as (client, box):
        creds = box["google"].credentials()
        online = await get_tokens(client, creds, offline=False)
        assert "refresh_token" not in online
        offline = await get_tokens(client, creds, offline=True)
        assert "refresh_token" in offline


async def test_second_consent_omits_refresh_token_unless_prompt_consent() -> None:
    """§5.1: without ``prompt=consent`` Google may omit the refresh token for a returning user."""
    async with google_client() as (client, box):
        creds = box["google"].credentials()
        first = await get_tokens(client, creds)
        assert "refresh_token" in first
        again = await get_tokens(client, creds)
        assert "refresh_token" not in again
        params = await authorize(client, creds, prompt="consent")
        forced = await client.post(
            "/token",
            data={
                "grant_type": "authorization_code",
                "code": params["code"],
                "client_id": creds["client_id"],
                "client_secret": creds["client_secret"],
                "redirect_uri": "http://127.0.0.1:51234/",
            },
        )
        assert "refresh_token" in forced.json()


async def test_access_token_expires_after_an_hour_and_refresh_works() -> None:
    """§5.1/§5.5: 1-hour access tokens; then 401 authError; refresh is not rotated."""
    async with google_client() as (client, box):
        creds = box["google"].credentials()
        tokens = await get_tokens(client, creds)
        headers = {"Authorization": f"Bearer {tokens['access_token']}"}
        assert (await client.get(EVENTS_URL, headers=headers)).status_code == 200
        box.clock.advance(3601)
        expired = await client.get(EVENTS_URL, headers=headers)
        assert google_error(expired) == (401, "authError", "Invalid Credentials")
        assert expired.json()["error"]["errors"][0]["location"] == "Authorization"
        refreshed = await client.post(
            "/token",
            data={
                "grant_type": "refresh_token",
                "refresh_token": tokens["refresh_token"],
                "client_id": creds["client_id"],
                "client_secret": creds["client_secret"],
            },
        )
        body = refreshed.json()
        assert refreshed.status_code == 200 and "refresh_token" not in body
        assert body["expires_in"] == 3599 and body["scope"] == CAL
        ok = await client.get(
            EVENTS_URL, headers={"Authorization": f"Bearer {body['access_token']}"}
        )
        assert ok.status_code == 200
        anonymous = await client.get(EVENTS_URL)
        assert google_error(anonymous)[:2] == (401, "required")


async def test_revoke_ends_the_grant() -> None:
    """§5.1: revoke -> 200; the refresh token is then ``invalid_grant``; a bad token 400."""
    async with google_client() as (client, box):
        creds = box["google"].credentials()
        tokens = await get_tokens(client, creds)
        revoked = await client.post(
            "/revoke",
            params={"token": tokens["access_token"]},
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert revoked.status_code == 200
        again = await client.post("/revoke", data={"token": tokens["refresh_token"]})
        assert again.status_code == 400 and again.json()["error"] == "invalid_token"
        refresh = await client.post(
            "/token",
            data={
                "grant_type": "refresh_token",
                "refresh_token": tokens["refresh_token"],
                "client_id": creds["client_id"],
                "client_secret": creds["client_secret"],
            },
        )
        assert refresh.json() == {
            "error": "invalid_grant",
            "error_description": "Token has been expired or revoked.",
        }
        denied = await client.get(
            EVENTS_URL, headers={"Authorization": f"Bearer {tokens['access_token']}"}
        )
        assert denied.status_code == 401


async def test_testing_apps_refresh_tokens_expire_after_seven_days() -> None:
    """§5.1: apps in "Testing" publishing status get refresh tokens that last 7 days."""
    async with google_client() as (client, box):
        emu = box["google"]
        emu.seed(
            {
                "clients": [
                    {
                        "client_id": "t.apps.googleusercontent.com",
                        "client_secret": "s",
                        "testing": True,
                    }
                ]
            }
        )
        creds = {"client_id": "t.apps.googleusercontent.com", "client_secret": "s"}
        tokens = await get_tokens(client, creds)
        assert tokens["refresh_token_expires_in"] == 604799
        box.clock.advance(7 * 86400 + 1)
        refresh = await client.post(
            "/token",
            data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"], **creds},
        )
        assert refresh.json()["error"] == "invalid_grant"


async def test_granular_consent_grants_only_checked_scopes() -> None:
    """§5.1: users may grant only some scopes; the token's ``scope`` says which."""
    async with google_client() as (client, box):
        creds = box["google"].credentials()
        page = await client.get(
            "/o/oauth2/v2/auth",
            params=_auth_params(creds["client_id"], scope=f"{CAL}.events {CAL}.readonly"),
        )
        answer = await client.post(
            "/o/oauth2/v2/auth/approval",
            data={
                "consent_id": consent_id(page.text),
                "action": "allow",
                "scope": [f"{CAL}.readonly"],
            },
        )
        assert redirect_params(answer)["scope"] == f"{CAL}.readonly"
