"""The owner's "sync automatically" choice, shared by the Mailchimp and Calendar settings.

The scheduler only reads ``connections.config["schedule"]``, so the toggle (``auto_sync``)
and the schedule it means are always written together; reading goes by the schedule alone,
because the integrations card may set it directly.  Each service keeps its own default
interval; the CLI's ``--auto-sync``/``--every`` options mean the same for every service.
"""

from __future__ import annotations

import argparse
import sqlite3
from collections.abc import Callable
from typing import Any

from ..ledger import connections

AUTO_SYNC_KEY = "auto_sync"

Handler = Callable[[argparse.Namespace], int]
Command = Callable[[str, Handler, str], argparse.ArgumentParser]


def schedule_for(auto_sync: bool, minutes: int) -> dict[str, Any]:
    """The engine schedule meaning "auto sync on/off"."""
    return {"kind": "interval", "minutes": minutes} if auto_sync else {"kind": "off"}


def apply_auto_sync(conn: sqlite3.Connection, service: str, auto_sync: bool, minutes: int) -> None:
    """Store the toggle and the schedule the scheduler reads, together."""
    connections.update_config(
        conn, service, **{AUTO_SYNC_KEY: auto_sync, "schedule": schedule_for(auto_sync, minutes)}
    )


def auto_sync_minutes(config: dict[str, Any]) -> int | None:
    """Minutes between automatic runs (``None``: off, or a schedule that is not an interval).

    The schedule is the truth — the scheduler reads it, and the integrations card may set
    it directly — so the ``auto_sync`` flag is not consulted here.
    """
    schedule = config.get("schedule") or {}
    if schedule.get("kind") != "interval" or not schedule.get("minutes"):
        return None
    return int(schedule["minutes"])


def schedule_text(config: dict[str, Any]) -> str:
    """The schedule in words, as the CLI prints it."""
    schedule = config.get("schedule") or {}
    minutes = auto_sync_minutes(config)
    if minutes:
        return f"every {minutes} minutes"
    if schedule.get("kind") == "cron":
        return f"on the schedule {schedule.get('cron')}"
    return "off"


def apply_cli_choice(
    conn: sqlite3.Connection, service: str, args: argparse.Namespace, default_minutes: int
) -> None:
    """Apply ``--auto-sync on|off`` / ``--every N``; either alone keeps the other as it was."""
    if args.auto_sync is None and args.every is None:
        return
    config = connections.get(conn, service).config
    on = args.auto_sync == "on" if args.auto_sync else auto_sync_minutes(config) is not None
    minutes = args.every or auto_sync_minutes(config) or default_minutes
    apply_auto_sync(conn, service, on, minutes)


def _minutes(text: str) -> int:
    if text.isdigit() and int(text) >= 1:
        return int(text)
    raise argparse.ArgumentTypeError("give a number of minutes (1 or more)")


def add_cli_options(parser: argparse.ArgumentParser, auto_sync_help: str) -> None:
    """The ``--auto-sync`` and ``--every`` options :func:`apply_cli_choice` reads."""
    parser.add_argument("--auto-sync", choices=("on", "off"), help=auto_sync_help)
    parser.add_argument("--every", type=_minutes, metavar="MINUTES", help="minutes between syncs")
