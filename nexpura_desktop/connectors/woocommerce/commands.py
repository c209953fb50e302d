"""``nexpura-desktop woocommerce-webhooks register --delivery-url URL | list | remove``.

Registration points order.created, order.updated and product.updated at a URL the owner
supplies (the local API's receiver behind their tunnel or proxy).  The signing secret is
ours, kept in the keyring only; it is written there *before* the shop is told about it,
so a crash in between never leaves the shop signing with a secret we do not have.  A
re-register keeps the secret (``--new-secret`` rotates it) and updates the existing
webhooks instead of adding more.  The delivery URL and webhook ids (not secret) are kept
in the connection's config for ``status`` and ``remove``.

Wired by the lead into ``cli.py`` through :func:`add_cli_commands`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from ...errors import UsageError, UserError
from ...ledger import connections
from ...ledger.db import Ledger
from ...secrets import SecretStore, store_for_jobs
from .client import WooClient
from .settings import SERVICE, SettingsProvider, WooSettings, load_settings
from .webhooks import (
    NAME_PREFIX,
    SECRET_ITEM,
    Registration,
    forget_webhook_secret,
    load_webhook_secret,
    new_secret,
    register,
    save_webhook_secret,
    unregister,
)

Handler = Callable[[argparse.Namespace], int]
Command = Callable[[str, Handler, str], argparse.ArgumentParser]
SETTINGS: SettingsProvider = load_settings  # tests replace this with the in-process sandbox


def check_delivery_url(url: str) -> str:
    """The URL WooCommerce will POST to: absolute http(s) with a host (https advised)."""
    text = url.strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"{url!r} is not a web address; give --delivery-url https://…")
    return text


def _client(settings: WooSettings) -> WooClient:
    return WooClient(
        settings.store_url,
        settings.consumer_key,
        settings.consumer_secret,
        transport=settings.transport,
        sleep=settings.sleep or asyncio.sleep,
    )


def _remember_secret_item(ledger: Ledger, present: bool) -> None:
    """List the keyring item on the connection so ``disconnect`` deletes it too."""
    current = connections.get(ledger.conn, SERVICE)
    items = [i for i in current.secrets if i != SECRET_ITEM] + ([SECRET_ITEM] if present else [])
    with ledger.transaction() as conn:
        conn.execute(
            "UPDATE connections SET secrets = ? WHERE service = ?", (json.dumps(items), SERVICE)
        )


async def register_webhooks(
    ledger: Ledger, store: SecretStore, delivery_url: str, *, rotate: bool = False
) -> list[Registration]:
    """Make sure the shop posts our topics to ``delivery_url``, signed with our secret."""
    url = check_delivery_url(delivery_url)
    settings = await SETTINGS(ledger)
    secret = None if rotate else load_webhook_secret(store)
    if secret is None:
        secret = new_secret()
        save_webhook_secret(store, secret)  # first: the shop must never hold one we lack
        _remember_secret_item(ledger, True)
    async with _client(settings) as client:
        done = await register(client, url, secret)
    with ledger.transaction() as conn:
        connections.update_config(
            conn,
            SERVICE,
            webhooks={"delivery_url": url, "ids": {r.topic: r.webhook_id for r in done}},
        )
    return done


async def list_webhooks(ledger: Ledger) -> list[dict[str, Any]]:
    """Every webhook of the shop, with ``ours`` set on those this app registered."""
    settings = await SETTINGS(ledger)
    config = connections.get(ledger.conn, SERVICE).config.get("webhooks") or {}
    url = str(config.get("delivery_url") or "")
    async with _client(settings) as client:
        hooks = await client.list_webhooks()

    def ours(hook: dict[str, Any]) -> bool:
        same = bool(url) and str(hook.get("delivery_url") or "").rstrip("/") == url.rstrip("/")
        return same or str(hook.get("name") or "").startswith(NAME_PREFIX)

    return [
        {
            "id": h.get("id"),
            "topic": h.get("topic"),
            "status": h.get("status"),
            "delivery_url": h.get("delivery_url"),
            "ours": ours(h),
        }
        for h in hooks
    ]


async def remove_webhooks(
    ledger: Ledger, store: SecretStore, delivery_url: str | None = None
) -> list[int]:
    """Delete our webhooks (those posting to the registered or given URL) and the secret."""
    config = connections.get(ledger.conn, SERVICE).config.get("webhooks") or {}
    url = check_delivery_url(delivery_url) if delivery_url else config.get("delivery_url")
    if not url:
        raise UserError("no WooCommerce webhooks are registered; nothing to remove")
    settings = await SETTINGS(ledger)
    async with _client(settings) as client:
        removed = await unregister(client, str(url))
    if not delivery_url or str(url) == config.get("delivery_url"):
        forget_webhook_secret(store)
        _remember_secret_item(ledger, False)
        with ledger.transaction() as conn:
            connections.update_config(conn, SERVICE, webhooks=None)
    return removed


# -- the command ------------------------------------------------------------------------
def _cmd_webhooks(args: argparse.Namespace) -> int:
    from ... import cli

    paths = cli._paths(args)
    cli._configure_secrets(args, paths)
    store = store_for_jobs()
    with Ledger(paths.ledger) as ledger:
        if connections.get(ledger.conn, SERVICE).status == "disconnected":
            raise UserError("WooCommerce is not connected; run `connect woocommerce` first")
        try:
            return asyncio.run(_run(args, ledger, store))
        except UserError:
            raise
        except Exception as exc:  # engine errors carry one sentence for the owner
            from ...engine.errors import SyncError, describe

            if isinstance(exc, SyncError):
                raise UserError(describe(exc, SERVICE)) from None
            raise


async def _run(args: argparse.Namespace, ledger: Ledger, store: SecretStore) -> int:
    if args.action == "register":
        if not args.delivery_url:
            raise UsageError("register needs --delivery-url URL")
        done = await register_webhooks(ledger, store, args.delivery_url, rotate=args.new_secret)
        if args.json:
            print(json.dumps([r.__dict__ for r in done]))
        for r in done if not args.json else ():
            print(f"{r.topic}: webhook {r.webhook_id} {'created' if r.created else 'updated'}")
        return 0
    if args.action == "list":
        hooks = await list_webhooks(ledger)
        if args.json:
            print(json.dumps(hooks))
        for h in hooks if not args.json else ():
            mark = "*" if h["ours"] else " "
            print(f"{mark} {h['id']:>6}  {h['topic']:<16} {h['status']:<9} {h['delivery_url']}")
        if not hooks and not args.json:
            print("the shop has no webhooks")
        return 0
    removed = await remove_webhooks(ledger, store, args.delivery_url)
    if args.json:
        print(json.dumps({"removed": removed}))
    else:
        print(f"removed {len(removed)} webhook(s)")
    return 0


def add_cli_commands(command: Command) -> None:
    p = command(
        "woocommerce-webhooks",
        _cmd_webhooks,
        "register, list or remove the WooCommerce webhooks (orders, products) of this app",
    )
    p.add_argument("action", choices=["register", "list", "remove"])
    p.add_argument("--delivery-url", metavar="URL", help="where WooCommerce posts deliveries")
    p.add_argument("--new-secret", action="store_true", help="register: rotate the secret")
    p.add_argument("--json", action="store_true", help="print JSON")
