"""Token managers per connection, wired to the ledger, and Xero's keep-alive.

:func:`token_manager` gives the sync code a :class:`TokenManager` whose refresh function
talks to the right service and whose callbacks record the new expiry, or mark the
connection "reconnect needed" on ``invalid_grant`` (credentials are kept).
:func:`xero_keep_alive` is what the scheduler calls so an idle Xero connection never
reaches the 60-day limit of an unused refresh token.
"""

from __future__ import annotations

from datetime import datetime

from ..errors import UserError
from ..ledger import connections
from . import google, shopify, xero
from .context import LABELS, ConnectContext, iso_time
from .tokens import RefreshFunction, TokenManager, TokenSet, TokenStore

KEEP_ALIVE_DAYS = 14  # well inside Xero's 60 days; survives a few weeks with the PC off
_REFRESHERS = {
    "xero": xero.refresh_function,
    "google_calendar": google.refresh_function,
    "shopify": shopify.refresh_function,
}


def refresh_function(ctx: ConnectContext, service: str) -> RefreshFunction:
    try:
        return _REFRESHERS[service](ctx)
    except KeyError:
        raise UserError(f"{LABELS.get(service, service)} has no tokens to renew") from None


def token_manager(ctx: ConnectContext, service: str) -> TokenManager:
    """The single-flight token source of one OAuth connection."""

    def refreshed(tokens: TokenSet) -> None:
        extra: dict[str, object] = {
            "token_expires_at": iso_time(tokens.expires_at),
            "refreshed_at": iso_time(ctx.clock()),
        }
        if tokens.scope:
            extra["scopes"] = tokens.scope.replace(",", " ").split()
        connections.update_config(ctx.ledger.conn, service, **extra)

    def reconnect(reason: str) -> None:
        connections.mark_reconnect_needed(ctx.ledger.conn, service, reason)

    return TokenManager(
        TokenStore(ctx.secrets, service),
        refresh_function(ctx, service),
        on_reconnect_needed=reconnect,
        on_refreshed=refreshed,
        clock=ctx.clock,
        service_label=LABELS[service],
    )


def xero_keep_alive_due(ctx: ConnectContext, *, days: float = KEEP_ALIVE_DAYS) -> bool:
    conn = connections.get(ctx.ledger.conn, "xero")
    if conn.status != "connected":
        return False
    stamp = conn.config.get("refreshed_at") or conn.connected_at
    if not stamp:
        return True
    last = datetime.fromisoformat(str(stamp)).timestamp()
    return ctx.clock() - last >= days * 86400


async def xero_keep_alive(ctx: ConnectContext, *, days: float = KEEP_ALIVE_DAYS) -> bool:
    """Refresh Xero's tokens if the last refresh is ``days`` old; True when it refreshed."""
    if not xero_keep_alive_due(ctx, days=days):
        return False
    await token_manager(ctx, "xero").refresh_now()
    return True
