"""Xero's engine jobs: the draft-invoice push and the token keep-alive.

``xero.invoices.export`` (a sync job; manual by default, optional schedule) sends the
sent/issued ledger invoices changed since its last run (the change feed, :mod:`.feed`;
every one of them on the first or a ``--full`` run) to the bound organisation as
**DRAFT** ``ACCREC`` invoices (see :mod:`.push` for the steps and the crash-safety rules).

``xero.token.keepalive`` refreshes the tokens of an idle connection well inside Xero's
60-day window for unused refresh tokens (reference/prior-art.md C2): without it a shop
that pauses invoicing for two months would have to sign in again.
"""

from __future__ import annotations

import asyncio

from ...auth.context import ConnectContext
from ...auth.endpoints import load_endpoints
from ...auth.service_tokens import xero_keep_alive
from ...engine.errors import ConfigurationError
from ...engine.job import JobContext
from ...engine.registry import Registry
from ...ledger import connections
from ...secrets import default_store
from .push import export_invoices
from .settings import SettingsProvider, load_settings

KEEP_ALIVE_JOB = "xero.token.keepalive"
EXPORT_JOB = "xero.invoices.export"
KEEP_ALIVE_SCHEDULE = {"kind": "interval", "minutes": 24 * 60}


class TokenKeepAlive:
    """Daily check; refreshes when the last refresh is older than the keep-alive age."""

    def run(self, ctx: JobContext) -> None:
        conn = connections.get(ctx.ledger.conn, "xero")
        if conn.status != "connected":
            return
        store = default_store()
        if store is None:
            raise ConfigurationError("no keyring is available to renew the Xero sign-in")
        sandbox = conn.config.get("sandbox")

        async def refresh() -> bool:
            endpoints = await load_endpoints(str(sandbox) if sandbox else None)
            context = ConnectContext(ledger=ctx.ledger, secrets=store, endpoints=endpoints)
            return await xero_keep_alive(context)

        ctx.request()
        if asyncio.run(refresh()):
            ctx.count("updated")
        else:
            ctx.count("unchanged")


class InvoicesExport:
    """``xero.invoices.export``."""

    def __init__(self, settings: SettingsProvider) -> None:
        self._settings = settings

    def run(self, ctx: JobContext) -> None:
        async def go() -> None:
            await export_invoices(ctx, await self._settings(ctx.ledger))

        asyncio.run(go())


def register(registry: Registry, *, settings: SettingsProvider | None = None) -> None:
    """Declare the Xero jobs (``settings`` replaces the keyring/connection lookup)."""
    provider: SettingsProvider = settings or load_settings
    registry.register(
        EXPORT_JOB,
        lambda: InvoicesExport(provider),
        description="sent invoices to Xero as drafts; edits and voids follow while still drafts",
    )
    registry.register_maintenance(
        KEEP_ALIVE_JOB,
        TokenKeepAlive,
        schedule=KEEP_ALIVE_SCHEDULE,
        description="renew Xero's sign-in so an idle connection never reaches 60 days",
    )
