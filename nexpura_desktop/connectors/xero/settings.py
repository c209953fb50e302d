"""Where the invoice push finds its organisation, sign-in, account mapping and schedule.

The connect flow stores ``tenant_id`` (and ``sandbox`` for the sandbox) in
``connections.config`` and the tokens in the keyring.  The owner's choices live next to
them: ``invoice_mapping`` = ``{"account_code": …, "tax_type": …}`` (absent → the
organisation's defaults, read at each run) and ``schedule`` (absent → manual only, as in
Nexpura).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from ...auth.context import ConnectContext
from ...auth.endpoints import load_endpoints
from ...auth.service_tokens import token_manager
from ...engine.errors import ConfigurationError
from ...ledger import connections
from ...ledger.db import Ledger
from ...secrets import SecretStore, default_store
from ...sync.pacing import AsyncSleeper, Pacer
from .client import TokenProvider
from .mapping import AccountMapping

SERVICE = "xero"
MAPPING_KEY = "invoice_mapping"


@dataclass(frozen=True)
class XeroSettings:
    api_base: str
    tenant_id: str
    tokens: TokenProvider
    mapping: AccountMapping | None = None
    transport: httpx.AsyncBaseTransport | None = None  # tests / the in-process sandbox
    pacer: Pacer | None = None  # tests / benchmarks on a scaled clock
    sleep: AsyncSleeper | None = None


SettingsProvider = Callable[[Ledger], Awaitable[XeroSettings]]


def chosen_mapping(config: dict[str, Any]) -> AccountMapping | None:
    raw = config.get(MAPPING_KEY)
    if not isinstance(raw, dict):
        return None
    code, tax = str(raw.get("account_code") or "").strip(), str(raw.get("tax_type") or "").strip()
    return AccountMapping(code, tax) if code and tax else None


def connected_config(ledger: Ledger) -> dict[str, Any]:
    conn = connections.get(ledger.conn, SERVICE)
    if conn.status == "disconnected":
        raise ConfigurationError("Xero is not connected")
    tenant = str(conn.config.get("tenant_id") or "")
    if not tenant:
        raise ConfigurationError("no Xero organisation is chosen; connect Xero again")
    return dict(conn.config)


async def load_settings(
    ledger: Ledger,
    *,
    store: SecretStore | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> XeroSettings:
    """The connected organisation with the keyring's tokens (refreshed when due).

    ``store``/``transport``: the window passes its own keyring store and (in tests) the
    in-process sandbox; jobs use the default store and the network.
    """
    config = connected_config(ledger)
    store = store or default_store()
    if store is None:
        raise ConfigurationError("no keyring is available to read the Xero sign-in")
    sandbox = config.get("sandbox")
    endpoints = await load_endpoints(str(sandbox) if sandbox else None, transport=transport)
    manager = token_manager(
        ConnectContext(ledger=ledger, secrets=store, endpoints=endpoints, transport=transport),
        SERVICE,
    )
    return XeroSettings(
        api_base=endpoints.xero().api,
        tenant_id=str(config["tenant_id"]),
        tokens=manager.access_token,
        mapping=chosen_mapping(config),
        transport=transport,
    )


def set_mapping(conn: sqlite3.Connection, mapping: AccountMapping | None) -> None:
    """Store (or clear, back to the organisation's defaults) the owner's account mapping."""
    value = (
        None
        if mapping is None
        else {
            "account_code": mapping.account_code,
            "tax_type": mapping.tax_type,
        }
    )
    connections.update_config(conn, SERVICE, **{MAPPING_KEY: value})


def set_schedule(conn: sqlite3.Connection, minutes: int | None) -> None:
    """The optional schedule (``None`` → manual only, the default)."""
    schedule = {"kind": "interval", "minutes": minutes} if minutes else {"kind": "off"}
    connections.update_config(conn, SERVICE, schedule=schedule)


def schedule_minutes(config: dict[str, Any]) -> int | None:
    """Minutes between scheduled pushes, or ``None`` for manual only (the default)."""
    schedule = config.get("schedule") or {}
    if schedule.get("kind") != "interval" or not schedule.get("minutes"):
        return None
    return int(schedule["minutes"])
