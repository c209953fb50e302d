"""``nexpura-desktop calendar-settings``: the Google Calendar sync's user settings.

The settings dialog of the window reads and writes the same ``connections.config`` keys
through :mod:`.settings`.  Wired by the lead into ``cli.py`` through
:func:`add_cli_commands`.
"""

from __future__ import annotations

import argparse
import asyncio

from ...errors import UserError
from ...ledger import connections
from ...ledger.db import Ledger
from ...paths import resolve
from ..auto_sync import Command, add_cli_options, apply_cli_choice, schedule_text
from .choices import writable_calendars
from .settings import (
    AUTO_SYNC_MINUTES,
    CALENDAR_KEY,
    CALENDAR_NAME_KEY,
    CHANGE_MODES,
    CHANGES_KEY,
    SERVICE,
    set_calendar,
    set_changes_mode,
)


def _calendar_name(ledger: Ledger, calendar_id: str) -> str:
    """The calendar's name, checking the account can write to it (one request)."""
    calendars = {c.id: c.name for c in asyncio.run(writable_calendars(ledger, None, None))}
    if calendar_id not in calendars:
        known = ", ".join(f"{i} ({n})" for i, n in calendars.items()) or "none"
        raise UserError(f"the Google account cannot write to {calendar_id}; it can: {known}")
    return calendars[calendar_id]


def _cmd_calendar_settings(args: argparse.Namespace) -> int:
    paths = resolve(getattr(args, "home", None)).ensure()
    with Ledger(paths.ledger) as ledger:
        if connections.get(ledger.conn, SERVICE).status == "disconnected":
            raise UserError("Google Calendar is not connected; run `connect google`")
        name = _calendar_name(ledger, args.calendar) if args.calendar else None
        with ledger.transaction() as conn:
            if args.calendar:
                set_calendar(conn, args.calendar, name)
            if args.changes is not None:
                set_changes_mode(conn, args.changes)
            apply_cli_choice(conn, SERVICE, args, AUTO_SYNC_MINUTES)
        config = connections.get(ledger.conn, SERVICE).config
    calendar = str(config.get(CALENDAR_KEY) or "")
    print(f"calendar: {config.get(CALENDAR_NAME_KEY) or calendar} ({calendar})")
    print(f"changes made in Google: {config.get(CHANGES_KEY) or 'report'}")
    print(f"automatic sync: {schedule_text(config)}")
    return 0


def add_cli_commands(command: Command) -> None:
    p = command(
        "calendar-settings",
        _cmd_calendar_settings,
        "show or change how Google Calendar syncs (calendar, moves made in Google, schedule)",
    )
    p.add_argument("--calendar", metavar="ID", help="send events to this calendar instead")
    p.add_argument(
        "--changes",
        choices=CHANGE_MODES,
        help="events moved in Google: report them (default) or apply them to the ledger",
    )
    add_cli_options(p, "sync every few minutes")
