"""API-key connections against the in-process sandbox: Shopify token / client credentials,
WooCommerce, Mailchimp and Twilio, plus the no-secret-on-disk check of a full cycle."""

from __future__ import annotations

from pathlib import Path

import pytest

from nexpura_desktop.auth import connect as conn_api
from nexpura_desktop.auth.context import ChoiceNeeded, ConnectError
from nexpura_desktop.auth.google import GoogleOptions
from nexpura_desktop.auth.mailchimp import MailchimpOptions
from nexpura_desktop.auth.service_tokens import token_manager
from nexpura_desktop.auth.shopify import RENEW_WITH_CLIENT_CREDENTIALS, ShopifyOptions
from nexpura_desktop.auth.tokens import TokenStore
from nexpura_desktop.auth.twilio import TwilioOptions
from nexpura_desktop.auth.woocommerce import WooOptions
from nexpura_desktop.auth.xero import XeroOptions
from nexpura_desktop.ledger import connections
from nexpura_desktop.logs import LOG_FILE, setup_logging

from .connect_support import free_port, ledger_at, make_world
from .test_connect_oauth import xero_sandbox

pytestmark = pytest.mark.anyio


async def test_shopify_admin_token_and_client_credentials(tmp_path: Path) -> None:
    with ledger_at(tmp_path / "l.sqlite3") as ledger:
        world = await make_world(ledger)
        result = await conn_api.connect(world.ctx, ShopifyOptions(shop="nexpura-demo"))
        row = connections.get(ledger.conn, "shopify")
        assert row.config["auth_method"] == "admin_token" and result.account
        assert "write_orders" not in row.config["scopes"]
        assert row.config["token_expires_at"] is None

        creds = world.ctx.endpoints.sandbox_credentials("shopify")["app"]
        options = ShopifyOptions(
            shop="https://nexpura-demo.myshopify.com/admin",
            client_id=creds["client_id"],
            client_secret=creds["client_secret"],
            client_credentials=True,
        )
        await conn_api.connect(world.ctx, options)
        row = connections.get(ledger.conn, "shopify")
        assert row.config["auth_method"] == "client_credentials"
        tokens = TokenStore(world.ctx.secrets, "shopify").load()
        assert tokens is not None and tokens.expires_at is not None
        assert 86000 < tokens.expires_at - world.ctx.clock() <= 86400
        assert tokens.refresh_token == RENEW_WITH_CLIENT_CREDENTIALS
        # renewed before the ~24 h expiry: the manager asks again with the client secret
        world.ctx.clock = lambda: tokens.expires_at - 60  # type: ignore[operator]
        fresh = await token_manager(world.ctx, "shopify").access_token()
        assert fresh != tokens.access_token


async def test_shopify_missing_scopes_limit_directions_and_say_what_is_missing(
    tmp_path: Path,
) -> None:
    with ledger_at(tmp_path / "l.sqlite3") as ledger:
        world = await make_world(ledger)
        world.sandbox["shopify"].seed(
            {"app": {"scopes": "read_products,read_customers,write_inventory,read_locations"}}
        )
        creds = world.ctx.endpoints.sandbox_credentials("shopify")["app"]
        result = await conn_api.connect(
            world.ctx,
            ShopifyOptions(
                client_id=creds["client_id"],
                client_secret=creds["client_secret"],
                client_credentials=True,
            ),
        )
        directions = connections.get(ledger.conn, "shopify").config["directions"]
        assert directions == {
            "products": "import", "customers": "import", "orders": "off", "inventory": "export"
        }  # fmt: skip
        text = " ".join(result.notes)
        assert "write_products" in text and "write_customers" in text and "read_orders" in text


async def test_shopify_wrong_token_and_wrong_shop(tmp_path: Path) -> None:
    with ledger_at(tmp_path / "l.sqlite3") as ledger:
        world = await make_world(ledger)
        with pytest.raises(ConnectError, match="refused"):
            await conn_api.connect(world.ctx, ShopifyOptions(token="shpat_" + "0" * 32))
        with pytest.raises(ConnectError, match="sandbox serves the shop"):
            await conn_api.connect(world.ctx, ShopifyOptions(shop="another-shop"))
        with pytest.raises(ConnectError, match="not a Shopify shop name"):
            await conn_api.connect(world.ctx, ShopifyOptions(shop="bad shop!"))
        assert connections.get(ledger.conn, "shopify").status == "disconnected"


async def test_woocommerce_read_write_over_http_signs_with_oauth1(tmp_path: Path) -> None:
    with ledger_at(tmp_path / "l.sqlite3") as ledger:
        world = await make_world(ledger)
        result = await conn_api.connect(world.ctx, WooOptions())
        row = connections.get(ledger.conn, "woocommerce")
        assert row.config["auth"] == "oauth1" and row.config["permissions"] == "read_write"
        assert row.config["directions"]["products"] == "both" and result.notes == []
        log = world.sandbox["woocommerce"].log.entries()
        assert any("oauth_signature=" in str(e.get("query", e)) for e in log)
        assert sorted(row.secrets) == ["woocommerce/consumer_key", "woocommerce/consumer_secret"]


async def test_woocommerce_read_only_key_limits_directions(tmp_path: Path) -> None:
    with ledger_at(tmp_path / "l.sqlite3") as ledger:
        world = await make_world(ledger)
        ro = world.ctx.endpoints.sandbox_credentials("woocommerce")["read_only"]
        result = await conn_api.connect(
            world.ctx, WooOptions(key=ro["consumer_key"], secret=ro["consumer_secret"])
        )
        row = connections.get(ledger.conn, "woocommerce")
        assert row.config["permissions"] == "read"
        assert row.config["directions"] == {
            "products": "import", "customers": "import", "orders": "import", "inventory": "off"
        }  # fmt: skip
        assert "read-only" in result.notes[0]


async def test_woocommerce_bad_keys(tmp_path: Path) -> None:
    with ledger_at(tmp_path / "l.sqlite3") as ledger:
        world = await make_world(ledger)
        with pytest.raises(ConnectError, match="looks like ck_"):
            await conn_api.connect(world.ctx, WooOptions(key="nope", secret="nope"))
        assert world.sandbox["woocommerce"].log.entries() == []
        with pytest.raises(ConnectError, match="refused the key"):
            await conn_api.connect(
                world.ctx, WooOptions(key="ck_" + "1" * 40, secret="cs_" + "2" * 40)
            )


async def test_mailchimp_malformed_key_refused_before_any_request(tmp_path: Path) -> None:
    with ledger_at(tmp_path / "l.sqlite3") as ledger:
        world = await make_world(ledger)
        for bad in ("3f9c2b7a5e1d4c8b9a6f0e2d1c3b5a79", "3f9c2b7a5e1d4c8b9a6f0e2d1c3b5a79-",
                    "xyz-us21", "3f9c2b7a5e1d4c8b9a6f0e2d1c3b5a79-us21-us6"):  # fmt: skip
            with pytest.raises(ConnectError, match="not a Mailchimp API key"):
                await conn_api.connect(world.ctx, MailchimpOptions(api_key=bad))
        assert world.sandbox["mailchimp"].log.entries() == []


async def test_mailchimp_audience_choice(tmp_path: Path) -> None:
    with ledger_at(tmp_path / "l.sqlite3") as ledger:
        world = await make_world(ledger)
        with pytest.raises(ChoiceNeeded, match="--audience") as caught:
            await conn_api.connect(world.ctx, MailchimpOptions())
        assert "b7a1c3d5e9" in str(caught.value) and "4f2e6a8c0d" in str(caught.value)
        result = await conn_api.connect(world.ctx, MailchimpOptions(audience="4f2e6a8c0d"))
        row = connections.get(ledger.conn, "mailchimp")
        assert row.config["audience_id"] == "4f2e6a8c0d" and row.config["dc"] == "us21"
        assert result.account == "Nexpura Sandbox Jewellers"
        other_dc = "3f9c2b7a5e1d4c8b9a6f0e2d1c3b5a79-us6"
        with pytest.raises(ConnectError, match="refused the API key"):
            await conn_api.connect(world.ctx, MailchimpOptions(api_key=other_dc))


async def test_twilio_token_and_api_key(tmp_path: Path) -> None:
    with ledger_at(tmp_path / "l.sqlite3") as ledger:
        world = await make_world(ledger)
        creds = world.ctx.endpoints.sandbox_credentials("twilio")
        await conn_api.connect(world.ctx, TwilioOptions(whatsapp_from="+61491570156"))
        row = connections.get(ledger.conn, "twilio")
        assert row.config["auth"] == "auth_token"
        assert row.config["whatsapp_from"] == "whatsapp:+61491570156"
        assert row.secrets == ["twilio/auth_token"]
        await conn_api.connect(
            world.ctx,
            TwilioOptions(
                api_key=creds["api_key_sid"],
                api_secret=creds["api_key_secret"],
                sms_from=creds["messaging_service_sid"],
            ),
        )
        row = connections.get(ledger.conn, "twilio")
        assert row.config["auth"] == "api_key" and row.config["sms_from"].startswith("MG")
        assert row.secrets == ["twilio/api_key_secret"]
        assert world.keyring.get_password(world.ctx.secrets.service, "twilio/auth_token") is None
        with pytest.raises(ConnectError, match="refused the credentials"):
            await conn_api.connect(world.ctx, TwilioOptions(auth_token="0" * 32))
        with pytest.raises(ConnectError, match="international form"):
            await conn_api.connect(world.ctx, TwilioOptions(sms_from="0412 345 678"))


async def test_no_secret_on_disk_after_full_cycle(tmp_path: Path) -> None:
    """Connect all six, refresh, disconnect, export: no secret in ledger, WAL, logs, export."""
    from nexpura_desktop.exports import table_export

    logs = tmp_path / "logs"
    handler = setup_logging(logs, level=10)
    port = free_port()
    try:
        with ledger_at(tmp_path / "l.sqlite3") as ledger:
            world = await make_world(ledger, xero_sandbox(port))
            import logging

            logging.getLogger("nexpura_desktop").setLevel(logging.DEBUG)
            secrets: set[str] = set()
            original_set = world.keyring.set_password

            def spy(service: str, username: str, password: str) -> None:
                secrets.add(password)
                original_set(service, username, password)

            world.keyring.set_password = spy  # type: ignore[method-assign]
            creds = world.ctx.endpoints.credentials
            world.click("submit_approve_access")
            await conn_api.connect(world.ctx, GoogleOptions())
            world.click("allow")
            await conn_api.connect(world.ctx, XeroOptions(organisation="Nexpura Demo Jewellers"))
            await conn_api.connect(world.ctx, ShopifyOptions())
            await conn_api.connect(world.ctx, WooOptions())
            await conn_api.connect(world.ctx, MailchimpOptions(audience="b7a1c3d5e9"))
            await conn_api.connect(world.ctx, TwilioOptions())
            for service in ("google_calendar", "xero"):
                await token_manager(world.ctx, service).access_token(force_refresh=True)
            export = table_export.export_ledger(ledger.path, tmp_path / "exports")
            for service in connections.SERVICES:
                await conn_api.disconnect(world.ctx, service)
            assert world.keyring._items == {}
            secrets |= {
                creds["google"]["client_secret"],
                creds["shopify"]["admin_token"],
                creds["woocommerce"]["read_write"]["consumer_secret"],
                creds["mailchimp"]["api_key"],
                creds["twilio"]["auth_token"],
            }
            secrets = {s for s in secrets if len(s) >= 8 and not s.startswith("<renew")}
            assert len(secrets) >= 12
            ledger.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
            files = [p for p in tmp_path.rglob("*") if p.is_file()]
            assert any(p.name == LOG_FILE for p in files) and (logs / LOG_FILE).stat().st_size > 0
            assert any(str(p).startswith(str(export.path)) for p in files)
            for path in files:
                data = path.read_bytes()
                for secret in secrets:
                    assert secret.encode() not in data, f"a secret is in {path.name}"
    finally:
        import logging

        logging.getLogger().removeHandler(handler)
        handler.close()
