"""Connect Xero: PKCE sign-in on a registered loopback port, then one organisation.

Xero apps of type "Auth Code with PKCE" have a client id and no secret, and accept only
redirect URIs registered in advance, so the listener tries a fixed list of ports
(``http://localhost:<port>/callback``).  After the token exchange ``/connections`` lists
the organisations the user ticked; exactly one is bound (the others from this sign-in are
disconnected again so the app holds no access it does not use).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from ..ledger import connections
from .browser_flow import Redirect, redirect_from_uris, sign_in
from .code_grant import authorize_link, exchange_code, refresh_grant
from .context import (
    ConnectContext,
    ConnectError,
    ConnectResult,
    fail_for,
    iso_time,
    json_body,
    network_error,
)
from .tokens import RefreshFunction, TokenSet, TokenStore

SERVICE = "xero"
LABEL = "Xero"
DEFAULT_PORTS = (53682, 53683, 53684)
SCOPES = (
    "openid profile email offline_access accounting.invoices accounting.contacts "
    "accounting.settings.read"
)
_CLIENT_ID = re.compile(r"^[0-9A-Fa-f]{32}$")


@dataclass(frozen=True)
class XeroOptions:
    client_id: str | None = None
    ports: Sequence[int] = ()
    organisation: str | None = None


async def connect_xero(ctx: ConnectContext, options: XeroOptions) -> ConnectResult:
    sandbox = ctx.endpoints.sandbox_credentials(SERVICE)
    client_id = options.client_id or sandbox.get("pkce_client_id")
    if not client_id:
        raise ConnectError("give the Xero app's client id (--client-id)")
    if not _CLIENT_ID.match(client_id):
        raise ConnectError("a Xero client id is 32 letters and digits; copy it from the app page")
    urls = ctx.endpoints.xero()
    fallback = Redirect("localhost", DEFAULT_PORTS, "/callback")
    redirect = redirect_from_uris(list(sandbox.get("redirect_uris") or []), fallback)
    if options.ports:
        redirect = Redirect(redirect.host_name, list(options.ports), redirect.path)

    authorize = authorize_link(urls.authorize, client_id, SCOPES)
    signed = await sign_in(ctx, label=LABEL, redirect=redirect, authorize_url=authorize)
    ctx.step("checking the Xero sign-in", 2, 4)
    async with ctx.client() as client:
        try:
            tokens = await exchange_code(
                ctx, client, urls.token, LABEL, signed, {"client_id": client_id}
            )
            try:
                tenant = await _bind_one(client, ctx, urls.connections, tokens, options)
            except BaseException:
                await _revoke(client, urls.revocation, client_id, tokens.refresh_token)
                raise
        except httpx.HTTPError as exc:
            raise network_error(exc, LABEL) from None
    store = TokenStore(ctx.secrets, SERVICE)
    store.save(tokens)
    config: dict[str, Any] = {
        "client_id": client_id,
        "tenant_id": tenant["tenantId"],
        "tenant_name": tenant.get("tenantName"),
        "connection_id": tenant.get("id"),
        "redirect_uri": signed.redirect_uri,
        "scopes": (tokens.scope or SCOPES).split(),
        "token_expires_at": iso_time(tokens.expires_at),
        "refreshed_at": iso_time(ctx.clock()),
    }
    ctx.save(SERVICE, account=tenant.get("tenantName"), config=config, secrets={},
             token_items=store.items)  # fmt: skip
    ctx.step("Xero connected", 4, 4)
    return ConnectResult(SERVICE, tenant.get("tenantName"), config)


async def _bind_one(
    client: httpx.AsyncClient,
    ctx: ConnectContext,
    url: str,
    tokens: TokenSet,
    options: XeroOptions,
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {tokens.access_token}", "Accept": "application/json"}
    response = await client.get(url, headers=headers)
    if response.status_code != 200:
        raise fail_for(response, LABEL, "listing your organisations")
    rows = [
        r
        for r in json_body(response, LABEL)
        if r.get("tenantType", "ORGANISATION") == "ORGANISATION"
    ]
    if not rows:
        raise ConnectError(
            "no Xero organisation was connected; sign in again and tick your organisation"
        )
    chosen = ctx.pick(
        "Which Xero organisation should Nexpura Desktop use?",
        [(str(r["tenantId"]), str(r.get("tenantName") or r["tenantId"])) for r in rows],
        given=options.organisation,
        option_name="--organisation ID",
    )
    tenant = next(r for r in rows if r["tenantId"] == chosen)
    others = [
        r for r in rows if r is not tenant and r.get("authEventId") == tenant.get("authEventId")
    ]
    for other in others:
        await client.delete(f"{url}/{other['id']}", headers=headers)
    return dict(tenant)


async def _revoke(
    client: httpx.AsyncClient, url: str, client_id: str, refresh_token: str | None
) -> None:
    """Best effort: give back a sign-in we are not going to keep."""
    if not refresh_token:
        return
    with contextlib.suppress(httpx.HTTPError):
        await client.post(url, data={"token": refresh_token, "client_id": client_id})


def refresh_function(ctx: ConnectContext) -> RefreshFunction:
    """For :class:`TokenManager`: one refresh with Xero's rotating refresh token."""
    return refresh_grant(ctx, SERVICE, LABEL, ctx.endpoints.xero().token)


async def disconnect_xero(ctx: ConnectContext, conn: connections.Connection) -> list[str]:
    """Delete the organisation connection, then revoke the refresh token."""
    notes: list[str] = []
    urls = ctx.endpoints.xero()
    store = TokenStore(ctx.secrets, SERVICE)
    tokens = store.load()
    if tokens is None:
        return notes
    client_id = str(conn.config.get("client_id", ""))
    async with ctx.client() as client:
        try:
            connection_id = conn.config.get("connection_id")
            if connection_id and tokens.valid(ctx.clock()):
                await client.delete(
                    f"{urls.connections}/{connection_id}",
                    headers={"Authorization": f"Bearer {tokens.access_token}"},
                )
            if tokens.refresh_token:
                response = await client.post(
                    urls.revocation, data={"token": tokens.refresh_token, "client_id": client_id}
                )
                if response.status_code != 200:
                    notes.append(
                        "Xero did not confirm the revocation; remove the app under "
                        "Settings > Connected apps in Xero"
                    )
        except httpx.HTTPError as exc:
            notes.append(
                f"could not reach Xero to revoke access ({type(exc).__name__}); remove the app "
                "under Settings > Connected apps in Xero"
            )
    return notes
