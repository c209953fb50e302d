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
from ...secrets import SecretStore, store_for_jobs
from ...sync.cursors import reset_cursors
from ...sync.pacing import AsyncSleeper
from .. import auto_sync as _auto
from ..auto_sync import auto_sync_minutes as auto_sync_minutes
from ..auto_sync import schedule_text as schedule_text
from .client import CALLS_PER_MINUTE, TokenSource

SERVICE = "google_calendar"
CALENDAR_KEY = "calendar_id"
CALENDAR_NAME_KEY = "calendar_name"
CHANGES_KEY = "google_changes"
CHANGE_MODES = ("report", "apply")
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


async def load_settings(
    ledger: Ledger,
    *,
    store: SecretStore | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> CalendarSettings:
    """The connected calendar and a token source refreshing through the keyring.

    ``store``/``transport``: the window passes its own keyring store and (in tests) the
    in-process sandbox; jobs use the jobs' store and the network.
    """
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
    endpoints = await load_endpoints(str(sandbox) if sandbox else None, transport=transport)
    context = ConnectContext(
        ledger=ledger, secrets=store or store_for_jobs(), endpoints=endpoints, transport=transport
    )
    manager = token_manager(context, SERVICE)
    api = endpoints.google().calendar_api
    origin = api.removesuffix("/calendar/v3") if sandbox else REAL_API_ORIGIN

    async def token(force: bool) -> str:
        return await manager.access_token(force_refresh=force)

    return CalendarSettings(calendar, origin, token, changes_mode(conn.config), transport=transport)


def apply_auto_sync(
    conn: sqlite3.Connection, auto_sync: bool, *, minutes: int = AUTO_SYNC_MINUTES
) -> None:
    """Store the toggle and the schedule the scheduler reads, together."""
    _auto.apply_auto_sync(conn, SERVICE, auto_sync, minutes)


def set_changes_mode(conn: sqlite3.Connection, mode: str) -> None:
    """``report`` or ``apply`` for events moved in Google."""
    changes_mode({CHANGES_KEY: mode})
    connections.update_config(conn, SERVICE, **{CHANGES_KEY: mode})


def set_calendar(conn: sqlite3.Connection, calendar_id: str, name: str | None = None) -> bool:
    """Send events to another calendar; ``True`` when it changed.

    Our links and watermarks describe events in the old calendar, so they are forgotten:
    the next run writes every appointment and due date into the new calendar (the old
    calendar's events stay where they are).
    """
    calendar_id = calendar_id.strip()
    if not calendar_id:
        raise ValueError("choose a calendar")
    config = connections.get(conn, SERVICE).config
    changed = str(config.get(CALENDAR_KEY) or "") != calendar_id
    connections.update_config(
        conn, SERVICE, **{CALENDAR_KEY: calendar_id, CALENDAR_NAME_KEY: name or calendar_id}
    )
    if changed:
        conn.execute("DELETE FROM sync_links WHERE service = ?", (SERVICE,))
        reset_cursors(conn, SERVICE)
    return changed
