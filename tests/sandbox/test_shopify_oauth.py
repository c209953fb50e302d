"""OAuth (service-apis §1.1, §1.2): grant page, allow-listed redirect, HMAC-signed callback,
single-use codes, expiring offline tokens with rotating refresh tokens, client credentials."""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import pytest

from tests.sandbox.shopify_helpers import gql, shop

pytestmark = pytest.mark.anyio
SCOPES = "read_products,write_inventory"


async def _approve(client: httpx.AsyncClient, app: dict[str, Any], **extra: str) -> dict[str, str]:
    params = {
        "client_id": app["client_id"],
        "scope": SCOPES,
        "redirect_uri": app["redirect_uris"][0],
        "state": "n0nce",
        **extra,
    }
    page = await client.get("/admin/oauth/authorize", params=params)
    assert page.status_code == 200 and 'id="approve"' in page.text and 'id="deny"' in page.text
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text))
    response = await client.post("/admin/oauth/authorize", data={**hidden, "decision": "approve"})
    assert response.status_code == 302
    location = response.headers["location"]
    assert location.startswith(app["redirect_uris"][0] + "?")
    return dict(parse_qsl(urlsplit(location).query))


def _valid_hmac(params: dict[str, str], secret: str) -> bool:
    message = urlencode(sorted((k, v) for k, v in params.items() if k != "hmac"))
    digest = hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(digest, params["hmac"])


async def test_callback_is_signed_and_code_is_single_use() -> None:
    async with shop() as (client, emu):
        app = emu.credentials()["app"]
        params = await _approve(client, app)
        assert set(params) == {"code", "hmac", "host", "shop", "state", "timestamp"}
        assert params["state"] == "n0nce" and params["shop"] == "nexpura-demo.myshopify.com"
        assert _valid_hmac(params, app["client_secret"])
        body = {
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
            "code": params["code"],
        }
        token = await client.post("/admin/oauth/access_token", json=body)
        assert token.status_code == 200
        assert set(token.json()) == {"access_token", "scope"}  # offline, non-expiring
        assert (await gql(client, "{ shop { name } }", token=token.json()["access_token"]))["data"]
        reused = await client.post("/admin/oauth/access_token", json=body)
        assert reused.status_code == 400 and reused.json()["error"] == "invalid_request"
        wrong = await client.post(
            "/admin/oauth/access_token", json={**body, "client_secret": "nope"}
        )
        assert wrong.status_code == 401


async def test_redirect_uri_must_be_allow_listed_and_cancel_does_not_redirect() -> None:
    async with shop({"app": {"redirect_uris": ["https://app.example/cb"]}}) as (client, emu):
        app = emu.credentials()["app"]
        bad = await client.get(
            "/admin/oauth/authorize",
            params={
                "client_id": app["client_id"],
                "scope": SCOPES,
                "redirect_uri": "https://app.example/cb/",
                "state": "s",
            },
        )
        assert bad.status_code == 400 and "The redirect_uri is not whitelisted" in bad.text
        form = {
            "client_id": app["client_id"],
            "scope": SCOPES,
            "redirect_uri": "https://app.example/cb",
            "state": "s",
            "decision": "deny",
        }
        denied = await client.post("/admin/oauth/authorize", data=form)
        assert denied.status_code == 200 and "cancelled" in denied.text


async def test_expiring_offline_token_and_rotating_refresh() -> None:
    async with shop() as (client, emu):
        app = emu.credentials()["app"]
        params = await _approve(client, app)
        secret = {"client_id": app["client_id"], "client_secret": app["client_secret"]}
        first = (
            await client.post(
                "/admin/oauth/access_token",
                data={**secret, "code": params["code"], "expiring": "1"},
            )
        ).json()
        assert (
            first["expires_in"] == 3600
            and first["refresh_token"]
            and first["refresh_token_expires_in"] > 0
        )
        emu.clock.advance(3601)
        await gql(client, "{ shop { name } }", token=first["access_token"], status=401)
        second = (
            await client.post(
                "/admin/oauth/access_token",
                json={
                    **secret,
                    "grant_type": "refresh_token",
                    "refresh_token": first["refresh_token"],
                },
            )
        ).json()
        assert second["refresh_token"] != first["refresh_token"]
        assert (await gql(client, "{ shop { name } }", token=second["access_token"]))["data"]
        replay = await client.post(
            "/admin/oauth/access_token",
            json={**secret, "grant_type": "refresh_token", "refresh_token": first["refresh_token"]},
        )
        assert replay.status_code == 400


async def test_online_token_and_client_credentials_expire_after_a_day() -> None:
    async with shop() as (client, emu):
        app = emu.credentials()["app"]
        secret = {"client_id": app["client_id"], "client_secret": app["client_secret"]}
        params = await _approve(client, app, **{"grant_options[]": "per-user"})
        online = (
            await client.post("/admin/oauth/access_token", json={**secret, "code": params["code"]})
        ).json()
        assert online["expires_in"] == 86399 and online["associated_user"]["account_owner"] is True
        cc = (
            await client.post(
                "/admin/oauth/access_token", json={**secret, "grant_type": "client_credentials"}
            )
        ).json()
        assert cc["expires_in"] == 86399
        assert (await gql(client, "{ shop { name } }", token=cc["access_token"]))["data"]
        emu.clock.advance(86400)
        await gql(client, "{ shop { name } }", token=cc["access_token"], status=401)
