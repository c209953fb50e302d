"""``nexpura-desktop calendar-settings``: the Google Calendar sync's user settings.

Wired by the lead into ``cli.py`` through :func:`add_cli_commands`.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from ...errors import UserError
from ...ledger import connections
from ...ledger.db import Ledger
from ...paths import resolve
from .settings import (
    AUTO_SYNC_KEY,
    CHANGE_MODES,
    CHANGES_KEY,
    SERVICE,
    apply_auto_sync,
    set_changes_mode,
)

Handler = Callable[[argparse.Namespace], int]
Command = Callable[[str, Handler, str], argparse.ArgumentParser]


def _cmd_calendar_settings(args: argparse.Namespace) -> int:
    paths = resolve(getattr(args, "home", None)).ensure()
    with Ledger(paths.ledger) as ledger:
        if connections.get(ledger.conn, SERVICE).status == "disconnected":
            raise UserError("Google Calendar is not connected; run `connect google`")
        with ledger.transaction() as conn:
            if args.changes is not None:
                set_changes_mode(conn, args.changes)
            if args.auto_sync is not None:
                apply_auto_sync(conn, args.auto_sync == "on")
        config = connections.get(ledger.conn, SERVICE).config
    print(f"changes made in Google: {config.get(CHANGES_KEY) or 'report'}")
    print(f"automatic sync: {'on' if config.get(AUTO_SYNC_KEY) else 'off'}")
    return 0


def add_cli_commands(command: Command) -> None:
    p = command(
        "calendar-settings",
        _cmd_calendar_settings,
        "show or change how Google Calendar syncs (moves made in Google, automatic sync)",
    )
    p.add_argument(
        "--changes",
        choices=CHANGE_MODES,
        help="events moved in Google: report them (default) or apply them to the ledger",
    )
    p.add_argument("--auto-sync", choices=("on", "off"), help="sync every few minutes")
