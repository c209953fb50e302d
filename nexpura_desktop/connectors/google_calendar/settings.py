"""Where the calendar sync finds its calendar, tokens, time zone and the user's choices.

The connect flow (:mod:`nexpura_desktop.auth.google`) stores the calendar id in
``connections.config["calendar_id"]`` and the tokens in the keyring.  The owner's choices
live in the same config:

* ``google_changes`` — what to do with our events moved in Google: ``"report"`` (default:
  an issue says what moved, the ledger is left alone) or ``"apply"`` (the appointment's
  date/time/duration, or the job's due date, follows Google);
* ``auto_sync`` — on: the job runs every :data:`AUTO_SYNC_MINUTES` (it makes one cheap
  listing call when nothing changed), so ledger edits reach the calendar shortly after.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from ...engine.errors import ConfigurationError
from ...ledger import connections
from ...ledger.db import Ledger
from ...secrets import store_for_jobs
from ...sync.pacing import AsyncSleeper
from .client import CALLS_PER_MINUTE, TokenSource

SERVICE = "google_calendar"
CALENDAR_KEY = "calendar_id"
CHANGES_KEY = "google_changes"
CHANGE_MODES = ("report", "apply")
AUTO_SYNC_KEY = "auto_sync"
AUTO_SYNC_MINUTES = 5
REAL_API_ORIGIN = "https://www.googleapis.com"


@dataclass(frozen=True)
class CalendarSettings:
    calendar_id: str
    api_origin: str  # https://www.googleapis.com (or the sandbox origin)
    token: TokenSource
    changes: str = "report"
    transport: httpx.AsyncBaseTransport | None = None
    calls_per_minute: int = CALLS_PER_MINUTE
    clock: Callable[[], float] | None = None  # the pacer's clock (tests: the sandbox's)
    sleep: AsyncSleeper | None = None


SettingsProvider = Callable[[Ledger], Awaitable[CalendarSettings]]


def changes_mode(config: dict[str, Any]) -> str:
    mode = str(config.get(CHANGES_KEY) or "report")
    if mode not in CHANGE_MODES:
        raise ConfigurationError(
            f"the Google Calendar setting {CHANGES_KEY} must be report or apply, not {mode!r}"
        )
    return mode


async def load_settings(ledger: Ledger) -> CalendarSettings:
    """The connected calendar and a token source refreshing through the keyring."""
    from ...auth.context import ConnectContext
    from ...auth.endpoints import load_endpoints
    from ...auth.service_tokens import token_manager

    conn = connections.get(ledger.conn, SERVICE)
    if conn.status == "disconnected":
        raise ConfigurationError("Google Calendar is not connected")
    calendar = str(conn.config.get(CALENDAR_KEY) or "").strip()
    if not calendar:
        raise ConfigurationError("no Google calendar is chosen; connect Google Calendar again")
    sandbox = conn.config.get("sandbox")
    endpoints = await load_endpoints(str(sandbox) if sandbox else None)
    context = ConnectContext(ledger=ledger, secrets=store_for_jobs(), endpoints=endpoints)
    manager = token_manager(context, SERVICE)
    api = endpoints.google().calendar_api
    origin = api.removesuffix("/calendar/v3") if sandbox else REAL_API_ORIGIN

    async def token(force: bool) -> str:
        return await manager.access_token(force_refresh=force)

    return CalendarSettings(calendar, origin, token, changes_mode(conn.config))


def schedule_for(auto_sync: bool, minutes: int = AUTO_SYNC_MINUTES) -> dict[str, Any]:
    return {"kind": "interval", "minutes": minutes} if auto_sync else {"kind": "off"}


def apply_auto_sync(
    conn: sqlite3.Connection, auto_sync: bool, *, minutes: int = AUTO_SYNC_MINUTES
) -> None:
    """Store the toggle and the schedule the scheduler reads, together."""
    connections.update_config(
        conn, SERVICE, **{AUTO_SYNC_KEY: auto_sync, "schedule": schedule_for(auto_sync, minutes)}
    )


def set_changes_mode(conn: sqlite3.Connection, mode: str) -> None:
    """``report`` or ``apply`` for events moved in Google."""
    changes_mode({CHANGES_KEY: mode})
    connections.update_config(conn, SERVICE, **{CHANGES_KEY: mode})
