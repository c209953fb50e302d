"""Connect Google Calendar: a Desktop-app client on an ephemeral loopback port.

Google's "Desktop app" clients accept ``http://127.0.0.1:<any port>``, so the listener
takes whatever port is free.  ``access_type=offline`` with ``prompt=consent`` makes Google
issue a refresh token even when the user approved the app before.  People may untick a
permission on Google's page (granular consent), so the granted scopes are checked: without
``calendar.events`` nothing can be synced and the sign-in is given back at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from ..ledger import connections
from .browser_flow import Redirect, sign_in
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

SERVICE = "google_calendar"
LABEL = "Google"
EVENTS = "https://www.googleapis.com/auth/calendar.events"
READONLY = "https://www.googleapis.com/auth/calendar.readonly"
SCOPES = (EVENTS, READONLY)
CLIENT_SECRET_ITEM = f"{SERVICE}/client_secret"


@dataclass(frozen=True)
class GoogleOptions:
    client_id: str | None = None
    client_secret: str | None = None
    calendar: str | None = None


async def connect_google(ctx: ConnectContext, options: GoogleOptions) -> ConnectResult:
    sandbox = ctx.endpoints.sandbox_credentials(SERVICE)
    client_id = options.client_id or sandbox.get("client_id")
    client_secret = options.client_secret or sandbox.get("client_secret")
    if not client_id or not client_secret:
        raise ConnectError(
            "give the Google Desktop-app client id and secret (--client-id, --client-secret) "
            "from the downloaded client_secret.json"
        )
    if not client_id.endswith(".apps.googleusercontent.com"):
        raise ConnectError(
            "that is not a Google OAuth client id (it ends in .apps.googleusercontent.com)"
        )
    urls = ctx.endpoints.google()

    authorize = authorize_link(
        urls.auth, client_id, " ".join(SCOPES), {"access_type": "offline", "prompt": "consent"}
    )
    signed = await sign_in(
        ctx, label=LABEL, redirect=Redirect("127.0.0.1", (0,), "/"), authorize_url=authorize
    )
    ctx.step("checking the Google sign-in", 2, 4)
    async with ctx.client() as client:
        try:
            tokens = await exchange_code(
                ctx,
                client,
                urls.token,
                LABEL,
                signed,
                {"client_id": client_id, "client_secret": client_secret},
            )
            try:
                calendar_id, calendar_name = await _choose_calendar(
                    client, ctx, urls.calendar_api, tokens, options
                )
            except BaseException:
                await _revoke(client, urls.revoke, tokens.refresh_token or tokens.access_token)
                raise
        except httpx.HTTPError as exc:
            raise network_error(exc, LABEL) from None
    if not tokens.refresh_token:
        raise ConnectError(
            "Google did not issue a lasting sign-in (no refresh token); remove Nexpura Desktop "
            "at myaccount.google.com/permissions and connect again"
        )
    store = TokenStore(ctx.secrets, SERVICE)
    store.save(tokens)
    config: dict[str, Any] = {
        "client_id": client_id,
        "calendar_id": calendar_id,
        "calendar_name": calendar_name,
        "scopes": (tokens.scope or "").split(),
        "token_expires_at": iso_time(tokens.expires_at),
    }
    ctx.save(
        SERVICE,
        account=calendar_name,
        config=config,
        secrets={CLIENT_SECRET_ITEM: client_secret},
        token_items=store.items,
    )
    ctx.step("Google Calendar connected", 4, 4)
    return ConnectResult(SERVICE, calendar_name, config)


async def _choose_calendar(
    client: httpx.AsyncClient,
    ctx: ConnectContext,
    calendar_api: str,
    tokens: TokenSet,
    options: GoogleOptions,
) -> tuple[str, str]:
    granted = set((tokens.scope or "").split())
    if EVENTS not in granted and "https://www.googleapis.com/auth/calendar" not in granted:
        raise ConnectError(
            "you did not allow Nexpura Desktop to view and edit calendar events, so nothing "
            "was connected; connect again and leave that box ticked"
        )
    if READONLY not in granted and "https://www.googleapis.com/auth/calendar" not in granted:
        # Cannot list calendars: only an explicit id or the primary calendar is possible.
        chosen = options.calendar or "primary"
        return chosen, chosen
    response = await client.get(
        f"{calendar_api}/users/me/calendarList",
        params={"minAccessRole": "writer", "maxResults": "250"},
        headers={"Authorization": f"Bearer {tokens.access_token}"},
    )
    if response.status_code != 200:
        raise fail_for(response, LABEL, "listing your calendars")
    items = list(json_body(response, LABEL).get("items") or [])
    primary = next((c for c in items if c.get("primary")), None)
    options_list = [
        (str(c["id"]), str(c.get("summaryOverride") or c.get("summary") or c["id"])) for c in items
    ]
    given = options.calendar
    if given == "primary" and primary is not None:
        given = str(primary["id"])
    chosen = ctx.pick(
        "Which Google calendar should appointments go to?",
        options_list,
        given=given,
        default=str(primary["id"]) if primary is not None else None,
        option_name="--calendar ID",
    )
    name = dict(options_list)[chosen]
    return chosen, name


async def _revoke(client: httpx.AsyncClient, url: str, token: str | None) -> bool:
    if not token:
        return True
    try:
        response = await client.post(url, data={"token": token})
    except httpx.HTTPError:
        return False
    # 400 invalid_token: already revoked or expired — nothing left to give back.
    return response.status_code in (200, 400)


def refresh_function(ctx: ConnectContext) -> RefreshFunction:
    """For :class:`TokenManager`: Google does not rotate; the old refresh token is kept."""
    return refresh_grant(ctx, SERVICE, LABEL, ctx.endpoints.google().token, CLIENT_SECRET_ITEM)


async def disconnect_google(ctx: ConnectContext, conn: connections.Connection) -> list[str]:
    """Revoke at Google (revoking the refresh token ends its access tokens too)."""
    tokens = TokenStore(ctx.secrets, SERVICE).load()
    if tokens is None:
        return []
    async with ctx.client() as client:
        done = await _revoke(
            client, ctx.endpoints.google().revoke, tokens.refresh_token or tokens.access_token
        )
    if done:
        return []
    return [
        "could not reach Google to revoke access; remove Nexpura Desktop at "
        "myaccount.google.com/permissions"
    ]
