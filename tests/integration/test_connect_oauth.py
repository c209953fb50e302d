"""Browser sign-ins against the sandbox: Google, Xero and Shopify's authorization code.

Emulators run in-process; the app's loopback listener is real, and the "browser" clicks
the consent page's buttons and follows the redirect to it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from nexpura_desktop.auth import connect as conn_api
from nexpura_desktop.auth.context import ChoiceNeeded, ConnectError
from nexpura_desktop.auth.google import GoogleOptions
from nexpura_desktop.auth.loopback import AccessDenied, FlowTimeout, PortsBusy
from nexpura_desktop.auth.service_tokens import token_manager, xero_keep_alive
from nexpura_desktop.auth.shopify import ShopifyOptions
from nexpura_desktop.auth.tokens import ReconnectNeeded, TokenStore
from nexpura_desktop.auth.xero import XeroOptions
from nexpura_desktop.ledger import connections
from nexpura_desktop.sandbox.world import Sandbox

from .connect_support import free_port, ledger_at, make_world

pytestmark = pytest.mark.anyio


def xero_sandbox(port: int) -> Sandbox:
    sandbox = Sandbox()
    for client in sandbox["xero"].identity.clients.values():  # type: ignore[attr-defined]
        client.redirect_uris = [f"http://localhost:{port}/callback"]
    return sandbox


# -- Google ----------------------------------------------------------------------------------
async def test_google_allow_connects_primary_calendar(tmp_path: Path) -> None:
    with ledger_at(tmp_path / "l.sqlite3") as ledger:
        world = await make_world(ledger)
        world.click("submit_approve_access")
        result = await conn_api.connect(world.ctx, GoogleOptions())
        final = await world.settle()
        assert final is not None and final.status_code == 200 and "Signed in" in final.text
        row = connections.get(ledger.conn, "google_calendar")
        assert row.status == "connected"
        assert row.config["calendar_id"] == "owner.sandbox@gmail.com"
        assert "https://www.googleapis.com/auth/calendar.events" in row.config["scopes"]
        assert row.config["token_expires_at"]
        tokens = TokenStore(world.ctx.secrets, "google_calendar").load()
        assert tokens is not None and tokens.refresh_token
        assert "google_calendar/client_secret" in row.secrets
        assert result.account == "owner.sandbox@gmail.com"
        # the calendar can be chosen explicitly (by id or by its name)
        world.click("submit_approve_access")
        await conn_api.connect(world.ctx, GoogleOptions(calendar="Shop appointments"))
        row = connections.get(ledger.conn, "google_calendar")
        assert row.config["calendar_id"].endswith("@group.calendar.google.com")


async def test_google_denied_consent_ends_cleanly(tmp_path: Path) -> None:
    with ledger_at(tmp_path / "l.sqlite3") as ledger:
        world = await make_world(ledger)
        world.click("submit_deny_access")
        with pytest.raises(AccessDenied, match="declined"):
            await conn_api.connect(world.ctx, GoogleOptions())
        final = await world.settle()
        assert final is not None and final.status_code == 400 and "declined" in final.text
        assert connections.get(ledger.conn, "google_calendar").status == "disconnected"
        assert world.keyring._items == {}


async def test_google_timeout_ends_cleanly(tmp_path: Path) -> None:
    with ledger_at(tmp_path / "l.sqlite3") as ledger:
        world = await make_world(ledger)
        seen: list[str] = []
        world.ctx.open_url = seen.append  # nobody signs in
        world.ctx.flow_timeout = 0.3
        with pytest.raises(FlowTimeout, match="no answer from Google"):
            await conn_api.connect(world.ctx, GoogleOptions())
        assert len(seen) == 1 and "access_type=offline" in seen[0]
        assert connections.get(ledger.conn, "google_calendar").status == "disconnected"


async def test_google_unticked_events_scope_is_refused_and_given_back(tmp_path: Path) -> None:
    with ledger_at(tmp_path / "l.sqlite3") as ledger:
        world = await make_world(ledger)
        world.click(
            "submit_approve_access", untick=("https://www.googleapis.com/auth/calendar.events",)
        )
        with pytest.raises(ConnectError, match="view and edit calendar events"):
            await conn_api.connect(world.ctx, GoogleOptions())
        grants = list(world.sandbox["google"].data.grants.values())  # type: ignore[attr-defined]
        assert grants and all(g.revoked for g in grants)


async def test_google_refresh_and_disconnect_revokes(tmp_path: Path) -> None:
    with ledger_at(tmp_path / "l.sqlite3") as ledger:
        world = await make_world(ledger)
        world.click("submit_approve_access")
        await conn_api.connect(world.ctx, GoogleOptions())
        before = TokenStore(world.ctx.secrets, "google_calendar").load()
        assert before is not None
        manager = token_manager(world.ctx, "google_calendar")
        fresh = await manager.access_token(force_refresh=True)
        after = TokenStore(world.ctx.secrets, "google_calendar").load()
        assert after is not None and fresh != before.access_token
        assert after.refresh_token == before.refresh_token  # Google does not rotate
        result = await conn_api.disconnect(world.ctx, "google_calendar")
        assert result.revoked and result.was_connected
        grants = list(world.sandbox["google"].data.grants.values())  # type: ignore[attr-defined]
        assert all(g.revoked for g in grants)
        assert world.keyring._items == {}
        row = connections.get(ledger.conn, "google_calendar")
        assert row.status == "disconnected" and row.secrets == []


async def test_google_revoked_elsewhere_marks_reconnect_needed(tmp_path: Path) -> None:
    with ledger_at(tmp_path / "l.sqlite3") as ledger:
        world = await make_world(ledger)
        world.click("submit_approve_access")
        await conn_api.connect(world.ctx, GoogleOptions())
        world.sandbox["google"].oauth.revoke_all()  # type: ignore[attr-defined]
        with pytest.raises(ReconnectNeeded):
            await token_manager(world.ctx, "google_calendar").access_token(force_refresh=True)
        row = connections.get(ledger.conn, "google_calendar")
        assert row.reconnect_needed and row.status_json()["status"] == "error"
        assert TokenStore(world.ctx.secrets, "google_calendar").load() is not None  # kept


# -- Xero ------------------------------------------------------------------------------------
async def test_xero_two_organisations_require_a_choice(tmp_path: Path) -> None:
    port = free_port()
    with ledger_at(tmp_path / "l.sqlite3") as ledger:
        world = await make_world(ledger, xero_sandbox(port))
        world.click("allow")
        with pytest.raises(ChoiceNeeded) as caught:
            await conn_api.connect(world.ctx, XeroOptions())
        message = str(caught.value)
        assert "--organisation" in message and "Nexpura Demo Jewellers (Workshop)" in message
        assert connections.get(ledger.conn, "xero").status == "disconnected"
        identity = world.sandbox["xero"].identity  # type: ignore[attr-defined]
        assert all(g.revoked for g in identity.grants.values())  # the unused sign-in given back

        # interactive: the chooser is asked, with both organisations listed
        asked: list[Any] = []

        def choose(question: str, options: Any, default: str | None) -> str:
            asked.append(list(options))
            return str(options[1][0])

        world.ctx.choose = choose
        world.click("allow")
        result = await conn_api.connect(world.ctx, XeroOptions())
        assert len(asked[0]) == 2 and result.account == "Nexpura Demo Jewellers (Workshop)"
        live = list(identity.connections.values())
        assert [c.tenant_name for c in live] == ["Nexpura Demo Jewellers (Workshop)"]


async def test_xero_organisation_option_refresh_keepalive_and_disconnect(tmp_path: Path) -> None:
    port = free_port()
    with ledger_at(tmp_path / "l.sqlite3") as ledger:
        world = await make_world(ledger, xero_sandbox(port))
        tenant = "2f3c4b5a-6d7e-4f80-9a1b-2c3d4e5f6a70"
        world.click("allow")
        await conn_api.connect(world.ctx, XeroOptions(organisation=tenant, ports=(port,)))
        row = connections.get(ledger.conn, "xero")
        assert row.status == "connected" and row.config["tenant_id"] == tenant
        assert row.config["redirect_uri"] == f"http://localhost:{port}/callback"
        store = TokenStore(world.ctx.secrets, "xero")
        first = store.load()
        assert first is not None
        # keep-alive: not due now; due once the last refresh is old enough
        assert not await xero_keep_alive(world.ctx)
        now = world.ctx.clock()
        world.ctx.clock = lambda: now + 15 * 86400
        world.sandbox.clock.advance(15 * 86400)
        assert await xero_keep_alive(world.ctx)
        rotated = store.load()
        assert rotated is not None and rotated.refresh_token != first.refresh_token
        result = await conn_api.disconnect(world.ctx, "xero")
        assert result.revoked, result.notes
        identity = world.sandbox["xero"].identity  # type: ignore[attr-defined]
        assert identity.connections == {}
        assert all(g.revoked for g in identity.grants.values())
        assert world.keyring._items == {}


async def test_xero_ports_busy_falls_back_then_fails_clearly(tmp_path: Path) -> None:
    import socket

    busy, spare = free_port(), free_port()
    sandbox = Sandbox()
    for client in sandbox["xero"].identity.clients.values():  # type: ignore[attr-defined]
        client.redirect_uris = [f"http://localhost:{p}/callback" for p in (busy, spare)]
    with socket.socket() as blocker, ledger_at(tmp_path / "l.sqlite3") as ledger:
        blocker.bind(("127.0.0.1", busy))
        blocker.listen()
        world = await make_world(ledger, sandbox)
        world.click("allow")
        await conn_api.connect(world.ctx, XeroOptions(organisation="Nexpura Demo Jewellers"))
        assert (
            connections.get(ledger.conn, "xero")
            .config["redirect_uri"]
            .endswith(f":{spare}/callback")
        )
        with pytest.raises(PortsBusy, match="all in use"):
            await conn_api.connect(world.ctx, XeroOptions(ports=(busy,)))


# -- Shopify authorization code --------------------------------------------------------------
def shopify_world_sandbox(port: int) -> Sandbox:
    sandbox = Sandbox()
    sandbox["shopify"].seed(
        {"app": {"redirect_uris": [f"http://localhost:{port}/shopify/callback"]}}
    )
    return sandbox


async def test_shopify_authorization_code_verifies_and_connects(tmp_path: Path) -> None:
    port = free_port()
    with ledger_at(tmp_path / "l.sqlite3") as ledger:
        world = await make_world(ledger, shopify_world_sandbox(port))
        creds = world.ctx.endpoints.sandbox_credentials("shopify")["app"]
        world.click("approve")
        result = await conn_api.connect(
            world.ctx,
            ShopifyOptions(client_id=creds["client_id"], client_secret=creds["client_secret"]),
        )
        row = connections.get(ledger.conn, "shopify")
        assert row.config["auth_method"] == "authorization_code"
        assert row.config["directions"] == {
            "products": "both", "customers": "both", "orders": "import", "inventory": "export"
        }  # fmt: skip
        tokens = TokenStore(world.ctx.secrets, "shopify").load()
        assert tokens is not None and tokens.refresh_token and tokens.expires_at
        assert result.notes == []
        # the rotating refresh token works through the token manager
        await token_manager(world.ctx, "shopify").access_token(force_refresh=True)
        again = TokenStore(world.ctx.secrets, "shopify").load()
        assert again is not None and again.refresh_token != tokens.refresh_token


async def test_shopify_tampered_callback_is_rejected(tmp_path: Path) -> None:
    port = free_port()
    with ledger_at(tmp_path / "l.sqlite3") as ledger:
        world = await make_world(ledger, shopify_world_sandbox(port))
        creds = world.ctx.endpoints.sandbox_credentials("shopify")["app"]

        def tamper(url: str) -> str:
            return url.replace("shop=nexpura-demo.myshopify.com", "shop=evil.myshopify.com")

        world.click("approve", tamper=tamper)
        with pytest.raises(ConnectError, match="signature check"):
            await conn_api.connect(
                world.ctx,
                ShopifyOptions(client_id=creds["client_id"], client_secret=creds["client_secret"]),
            )
        assert connections.get(ledger.conn, "shopify").status == "disconnected"
        assert world.keyring._items == {}


async def test_shopify_cancel_on_grant_page_times_out_cleanly(tmp_path: Path) -> None:
    port = free_port()
    with ledger_at(tmp_path / "l.sqlite3") as ledger:
        world = await make_world(ledger, shopify_world_sandbox(port))
        creds = world.ctx.endpoints.sandbox_credentials("shopify")["app"]
        world.ctx.flow_timeout = 1.0
        world.click("deny")  # Shopify does not redirect on Cancel
        with pytest.raises(FlowTimeout):
            await conn_api.connect(
                world.ctx,
                ShopifyOptions(client_id=creds["client_id"], client_secret=creds["client_secret"]),
            )
        final = await world.settle()
        assert final is not None and "cancelled" in final.text
