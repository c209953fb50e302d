"""The public face of connecting: connect, disconnect and status for the six services.

The CLI and the window call these; each service's details live in its own module.
Disconnect revokes remotely where the service supports it (Google revoke; Xero connection
delete + revocation), always clears the keyring items, and keeps the row for the record
as ``disconnected``.  A failed remote revocation does not stop the local clean-up: the
notes tell the user where to finish it by hand.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

from ..ledger import connections
from ..secrets import LOCKED_MESSAGE, UNAVAILABLE_MESSAGE, KeyringLocked, KeyringUnavailable
from . import google, mailchimp, shopify, twilio, woocommerce, xero
from .context import LABELS, ConnectContext, ConnectError, ConnectResult
from .tokens import TokenStore

CLI_NAMES = {"google": "google_calendar"}
Options = (
    shopify.ShopifyOptions
    | woocommerce.WooOptions
    | mailchimp.MailchimpOptions
    | xero.XeroOptions
    | google.GoogleOptions
    | twilio.TwilioOptions
)


def service_name(name: str) -> str:
    """``google`` (the CLI word) → ``google_calendar``; checks the name."""
    service = CLI_NAMES.get(name, name)
    if service not in connections.SERVICES:
        names = ", ".join(sorted({*connections.SERVICES, "google"} - {"google_calendar"}))
        raise ConnectError(f"unknown service {name!r}; one of {names}")
    return service


async def connect(ctx: ConnectContext, options: Options) -> ConnectResult:
    """Connect the service ``options`` belongs to; raises a one-line error on failure."""
    # A locked or missing keyring fails before the user signs in anywhere.
    state = ctx.secrets.status()
    if state == "locked":
        raise KeyringLocked(LOCKED_MESSAGE)
    if state == "unavailable":
        raise KeyringUnavailable(UNAVAILABLE_MESSAGE)
    if isinstance(options, shopify.ShopifyOptions):
        return await shopify.connect_shopify(ctx, options)
    if isinstance(options, woocommerce.WooOptions):
        return await woocommerce.connect_woocommerce(ctx, options)
    if isinstance(options, mailchimp.MailchimpOptions):
        return await mailchimp.connect_mailchimp(ctx, options)
    if isinstance(options, xero.XeroOptions):
        return await xero.connect_xero(ctx, options)
    if isinstance(options, google.GoogleOptions):
        return await google.connect_google(ctx, options)
    return await twilio.connect_twilio(ctx, options)


@dataclass
class DisconnectResult:
    service: str
    was_connected: bool
    revoked: bool
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        label = LABELS[self.service]
        if not self.was_connected:
            return f"{label} was not connected"
        return f"{label} disconnected" + (" and access revoked" if self.revoked else "")


_MANUAL = {
    "shopify": "the app or token still exists in Shopify; remove it under Settings > Apps "
    "if you no longer need it",
    "woocommerce": "the REST API key still exists in WooCommerce; revoke it under "
    "WooCommerce > Settings > Advanced > REST API if you no longer need it",
    "mailchimp": "the API key still works in Mailchimp; disable it under Account > Extras > "
    "API keys if you no longer need it",
    "twilio": "the credentials still work in Twilio; delete the API key in the Twilio "
    "console if you no longer need it",
}


async def disconnect(ctx: ConnectContext, service: str, *, remote: bool = True) -> DisconnectResult:
    """Revoke remotely (unless ``remote`` is False), clear the keyring, keep the row."""
    conn = connections.get(ctx.ledger.conn, service)
    store = TokenStore(ctx.secrets, service)
    items = set(conn.secrets) | set(store.items)
    if conn.status == "disconnected" and not conn.secrets:
        for item in store.items:  # leftovers of an interrupted disconnect
            ctx.secrets.delete(item)
        return DisconnectResult(service, False, False)
    notes: list[str] = []
    revoked = False
    if not remote:
        notes = [f"{LABELS[service]} was not told; its access was only forgotten on this PC"]
    elif service == "google_calendar":
        notes = await google.disconnect_google(ctx, conn)
        revoked = not notes
    elif service == "xero":
        notes = await xero.disconnect_xero(ctx, conn)
        revoked = not notes
    else:
        notes = [_MANUAL[service]]
    for item in sorted(items):
        ctx.secrets.delete(item)
    connections.mark_disconnected(ctx.ledger.conn, service)
    return DisconnectResult(service, True, revoked, notes)


def status_entries(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """One ``status --json`` entry per service, in the fixed order of the six."""
    return [c.status_json() for c in connections.all_connections(conn)]


def status_lines(entries: list[dict[str, Any]]) -> list[str]:
    lines = []
    for entry in entries:
        label = LABELS[entry["service"]]
        text = f"{label:<16} {entry['status']}"
        if entry["account"]:
            text += f"  {entry['account']}"
        if entry["last_error"]:
            text += f"  ({entry['last_error']})"
        lines.append(text)
    return lines
