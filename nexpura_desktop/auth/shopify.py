"""Connect Shopify in one of three ways, chosen by the user.

* a pasted Admin API token from an existing custom app (``shpat_…``, never expires);
* client credentials for a Dev Dashboard app in the shop's own organisation: no browser;
  the ~24 h token is renewed by asking again before it expires;
* authorization code with a loopback redirect: the callback's HMAC (signed with the client
  secret), its ``shop`` host and ``state`` are all verified before the code is used; the
  token is an expiring offline one with a rotating refresh token.

The granted scopes are checked against what the sync directions need (write_X implies
read_X); directions that lack a scope are narrowed and the notes say what to add.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx

from ..ledger import connections
from .browser_flow import Redirect, redirect_from_uris, sign_in, with_query
from .context import (
    ConnectContext,
    ConnectError,
    ConnectResult,
    fail_for,
    iso_time,
    json_body,
    network_error,
    remember,
    token_answer,
)
from .pkce import Pkce
from .tokens import InvalidGrant, RefreshFunction, TokenSet, TokenStore

SERVICE = "shopify"
LABEL = "Shopify"
API_VERSION = "2026-01"
DEFAULT_PORTS = (53682, 53683, 53684)
CLIENT_SECRET_ITEM = f"{SERVICE}/client_secret"
# The refresh-token slot of a client-credentials connection: "ask again with the secret".
RENEW_WITH_CLIENT_CREDENTIALS = "<renew-with-client-credentials>"
DEFAULT_DIRECTIONS = {"products": "both", "customers": "both", "orders": "import",
                      "inventory": "export"}  # fmt: skip
_SHOP = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9\-]*\.myshopify\.com$")


@dataclass(frozen=True)
class ShopifyOptions:
    shop: str | None = None
    token: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    client_credentials: bool = False
    directions: Mapping[str, str] | None = None
    redirect_ports: Sequence[int] = field(default_factory=tuple)


def normalise_shop(text: str) -> str:
    """``name``, ``name.myshopify.com`` or a pasted admin URL → ``name.myshopify.com``."""
    raw = text.strip().lower()
    host = urlsplit(raw if "://" in raw else f"https://{raw}").hostname or ""
    if host and "." not in host:
        host = f"{host}.myshopify.com"
    if not _SHOP.match(host):
        raise ConnectError(
            f"{text!r} is not a Shopify shop name; give the part before .myshopify.com"
        )
    return host


def verify_callback(params: Mapping[str, str], secret: str) -> bool:
    """Shopify's callback HMAC: hex SHA-256 over the sorted query without ``hmac``."""
    given = params.get("hmac", "")
    message = urlencode(sorted((k, v) for k, v in params.items() if k not in ("hmac", "signature")))
    expected = hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, given.lower())


def needed_scopes(directions: Mapping[str, str]) -> list[str]:
    scopes: set[str] = set()
    for entity, direction in directions.items():
        if direction in ("import", "both"):
            scopes.add(f"read_{entity}")
        if direction in ("export", "both"):
            scopes.add(f"write_{entity}")
        if entity == "inventory" and direction != "off":
            scopes.add("read_locations")
    return sorted(scopes)


def limit_directions(
    directions: Mapping[str, str], granted: set[str]
) -> tuple[dict[str, str], list[str]]:
    """Directions narrowed to what ``granted`` allows, and a note per narrowed entity."""
    can_write = {s[6:] for s in granted if s.startswith("write_")}
    can_read = {s[5:] for s in granted if s.startswith("read_")} | can_write
    result: dict[str, str] = {}
    notes: list[str] = []
    for entity, wanted in directions.items():
        ways = {"import": entity in can_read, "export": entity in can_write}
        if wanted == "both" and not all(ways.values()):
            got = next((w for w, ok in ways.items() if ok), "off")
        elif wanted in ways and not ways[wanted]:
            got = "off"
        else:
            got = wanted
        if got != wanted:
            missing = [s for s in needed_scopes({entity: wanted}) if s not in granted]
            missing = [
                s for s in missing if not (s.startswith("read_") and f"write_{s[5:]}" in granted)
            ]
            notes.append(
                f"Shopify did not grant {', '.join(missing)}, so {entity} sync is "
                f"{'off' if got == 'off' else got + ' only'}; add the scope to the app and "
                "connect again to turn it on"
            )
        result[entity] = got
    return result, notes


async def connect_shopify(ctx: ConnectContext, options: ShopifyOptions) -> ConnectResult:
    remember(options.token, options.client_secret)
    sandbox = ctx.endpoints.sandbox_credentials(SERVICE)
    app = dict(sandbox.get("app") or {})
    shop_text = options.shop or sandbox.get("shop")
    if not shop_text:
        raise ConnectError("give the shop's name (--shop NAME, the part before .myshopify.com)")
    shop = normalise_shop(shop_text)
    if sandbox and shop != sandbox.get("shop"):
        raise ConnectError(f"the sandbox serves the shop {sandbox.get('shop')}, not {shop}")
    directions = dict(options.directions or _previous_directions(ctx) or DEFAULT_DIRECTIONS)
    base = ctx.endpoints.shopify_base(shop)
    version = str(sandbox.get("api_version") or API_VERSION)
    token = options.token
    client_id = options.client_id
    client_secret = options.client_secret
    if token is None and client_id is None and sandbox:
        if options.client_credentials:
            client_id, client_secret = app.get("client_id"), app.get("client_secret")
        else:
            token = sandbox.get("admin_token")
    if token is not None and (client_id or client_secret):
        raise ConnectError("give either --token or --client-id/--client-secret, not both")
    async with ctx.client() as client:
        try:
            if token is not None:
                method = "admin_token"
                tokens = TokenSet(access_token=token.strip())
                granted = await _token_scopes(client, base, tokens.access_token, sandbox)
            else:
                if not client_id or not client_secret:
                    raise ConnectError(
                        "give --token, or --client-id and --client-secret of the Shopify app"
                    )
                if options.client_credentials:
                    method = "client_credentials"
                    tokens = await _client_credentials(ctx, client, base, client_id, client_secret)
                else:
                    method = "authorization_code"
                    redirect = redirect_from_uris(
                        list(app.get("redirect_uris") or []),
                        Redirect("localhost", DEFAULT_PORTS, "/shopify/callback"),
                    )
                    if options.redirect_ports:
                        redirect = Redirect(
                            redirect.host_name, list(options.redirect_ports), redirect.path
                        )
                    tokens = await _authorization_code(
                        ctx, client, base, shop, client_id, client_secret, redirect,
                        needed_scopes(directions),
                    )  # fmt: skip
                granted = set((tokens.scope or "").split(",")) - {""}
            shop_name = await _shop_name(client, base, version, tokens.access_token, shop)
        except httpx.HTTPError as exc:
            raise network_error(exc, LABEL) from None
    notes: list[str] = []
    if granted:
        directions, notes = limit_directions(directions, granted)
        if all(d == "off" for d in directions.values()):
            raise ConnectError(
                "Shopify granted none of the permissions the sync needs "
                f"({', '.join(needed_scopes(DEFAULT_DIRECTIONS))}); add them to the app"
            )
    else:
        notes.append("Shopify did not say which permissions this token has; a sync will tell")
    store = TokenStore(ctx.secrets, SERVICE)
    store.save(tokens)
    secrets = (
        {CLIENT_SECRET_ITEM: client_secret} if client_secret and method != "admin_token" else {}
    )
    config: dict[str, Any] = {
        "shop": shop,
        "api_version": version,
        "auth_method": method,
        "client_id": client_id if method != "admin_token" else None,
        "scopes": sorted(granted),
        "directions": directions,
        "token_expires_at": iso_time(tokens.expires_at),
    }
    ctx.save(SERVICE, account=shop_name, config=config, secrets=secrets, token_items=store.items)
    return ConnectResult(SERVICE, shop_name, config, notes)


def _previous_directions(ctx: ConnectContext) -> dict[str, str] | None:
    previous = connections.get(ctx.ledger.conn, SERVICE).config.get("directions")
    return dict(previous) if isinstance(previous, dict) else None


async def _client_credentials(
    ctx: ConnectContext, client: httpx.AsyncClient, base: str, client_id: str, secret: str
) -> TokenSet:
    response = await client.post(
        f"{base}/admin/oauth/access_token",
        json={"client_id": client_id, "client_secret": secret, "grant_type": "client_credentials"},
        headers={"Accept": "application/json"},
    )
    if response.status_code != 200:
        raise fail_for(response, LABEL, "getting a token with the app's client credentials")
    body = json_body(response, LABEL)
    fresh = TokenSet.from_response(body, now=ctx.clock())
    return TokenSet(
        fresh.access_token, RENEW_WITH_CLIENT_CREDENTIALS, fresh.expires_at, fresh.scope
    )


async def _authorization_code(
    ctx: ConnectContext,
    client: httpx.AsyncClient,
    base: str,
    shop: str,
    client_id: str,
    secret: str,
    redirect: Redirect,
    scopes: list[str],
) -> TokenSet:
    def authorize(redirect_uri: str, state: str, pkce: Pkce) -> str:
        params = {"client_id": client_id, "scope": ",".join(scopes),
                  "redirect_uri": redirect_uri, "state": state, "grant_options[]": ""}  # fmt: skip
        return with_query(f"{base}/admin/oauth/authorize", params)

    signed = await sign_in(ctx, label=LABEL, redirect=redirect, authorize_url=authorize)
    params = signed.callback.params
    if not verify_callback(params, secret):
        raise ConnectError(
            "the answer from Shopify failed its signature check, so it was not used; "
            "check the client secret and connect again"
        )
    if params.get("shop", "").lower() != shop:
        raise ConnectError(
            f"the answer came from the shop {params.get('shop')!r}, not {shop}; connect again"
        )
    response = await client.post(
        f"{base}/admin/oauth/access_token",
        json={
            "client_id": client_id,
            "client_secret": secret,
            "code": signed.callback.code,
            "expiring": "1",
        },
        headers={"Accept": "application/json"},
    )
    if response.status_code != 200:
        raise fail_for(response, LABEL, "exchanging the sign-in code")
    return TokenSet.from_response(json_body(response, LABEL), now=ctx.clock())


async def _token_scopes(
    client: httpx.AsyncClient, base: str, token: str, sandbox: Mapping[str, Any]
) -> set[str]:
    response = await client.get(
        f"{base}/admin/oauth/access_scopes.json", headers={"X-Shopify-Access-Token": token}
    )
    if response.status_code in (401, 403):
        raise ConnectError("Shopify refused that Admin API token; copy it again from the app")
    if response.status_code == 200:
        rows = json_body(response, LABEL).get("access_scopes") or []
        return {str(r.get("handle")) for r in rows if r.get("handle")}
    if sandbox and token == sandbox.get("admin_token"):  # the sandbox publishes them instead
        return {str(s) for s in sandbox.get("admin_token_scopes") or []}
    return set()


async def _shop_name(
    client: httpx.AsyncClient, base: str, version: str, token: str, shop: str
) -> str:
    response = await client.post(
        f"{base}/admin/api/{version}/graphql.json",
        json={"query": "{ shop { name myshopifyDomain } }"},
        headers={"X-Shopify-Access-Token": token},
    )
    if response.status_code in (401, 403):
        raise ConnectError("Shopify refused the token; check it and connect again")
    if response.status_code != 200:
        raise fail_for(response, LABEL, "reading the shop")
    data = (json_body(response, LABEL).get("data") or {}).get("shop") or {}
    if str(data.get("myshopifyDomain", shop)).lower() != shop:
        raise ConnectError(f"that token belongs to {data.get('myshopifyDomain')}, not {shop}")
    return str(data.get("name") or shop)


def refresh_function(ctx: ConnectContext) -> RefreshFunction:
    """Client credentials: ask again; authorization code: rotate the refresh token."""

    async def refresh(refresh_token: str) -> dict[str, Any]:
        config = connections.get(ctx.ledger.conn, SERVICE).config
        base = ctx.endpoints.shopify_base(str(config.get("shop", "")))
        secret = ctx.secrets.get(CLIENT_SECRET_ITEM) or ""
        body: dict[str, Any] = {"client_id": config.get("client_id", ""), "client_secret": secret}
        if refresh_token == RENEW_WITH_CLIENT_CREDENTIALS:
            body["grant_type"] = "client_credentials"
        else:
            body.update(grant_type="refresh_token", refresh_token=refresh_token)
        async with ctx.client() as client:
            response = await client.post(f"{base}/admin/oauth/access_token", json=body)
        if response.status_code == 401:  # the app's secret was rotated or the app removed
            raise InvalidGrant("invalid_client")
        answer = token_answer(response, LABEL)
        if refresh_token == RENEW_WITH_CLIENT_CREDENTIALS:
            answer["refresh_token"] = RENEW_WITH_CLIENT_CREDENTIALS
        return answer

    return refresh
