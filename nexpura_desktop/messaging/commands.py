"""Public functions behind ``messages [--json]`` and ``notify repair|bespoke|task <id>``.

The lead wires :func:`add_cli_commands` into ``cli.py``; the handlers reuse its helpers
for the home folder and the keyring.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
from collections.abc import Callable
from typing import Any

from ..ledger.db import Ledger
from . import events

Handler = Callable[[argparse.Namespace], int]
Command = Callable[[str, Handler, str], argparse.ArgumentParser]


def list_messages(conn: sqlite3.Connection, *, limit: int = 50) -> list[dict[str, Any]]:
    """Recent messages, newest first, in the ``messages --json`` shape."""
    rows = conn.execute(
        "SELECT id, category, channel, to_number, status, error_code, reason, created_at "
        "FROM messaging_messages ORDER BY created_at DESC, rowid DESC LIMIT ?",
        (limit,),
    )
    return [
        {
            "id": r[0],
            "category": r[1],
            "channel": r[2],
            "to": r[3],
            "status": "pending" if r[4] == "claimed" else r[4],
            "error_code": r[5],
            "reason": r[6],
            "created_at": r[7],
        }
        for r in rows
    ]


def notify(ledger: Ledger, kind: str, subject_id: str) -> tuple[str, str]:
    """Queue the notification for one repair/bespoke job (marking it ready) or task."""
    if kind not in ("repair", "bespoke", "task"):
        raise ValueError("notify repair|bespoke|task <id>")
    with ledger.transaction() as conn:
        return events.trigger(conn, kind, subject_id)


def _cmd_messages(args: argparse.Namespace) -> int:
    from .. import cli

    paths = cli._paths(args)
    with Ledger(paths.ledger) as ledger:
        found = list_messages(ledger.conn, limit=args.limit)
    if args.json:
        print(json.dumps(found))
        return 0
    for m in found:
        extra = f"  {m['error_code']} {m['reason']}" if m["error_code"] else ""
        print(
            f"{m['created_at'][:19]}  {m['category']:<13} {m['channel']:<8} {m['to']:<16} "
            f"{m['status']}{extra}"
        )
    if not found:
        print("no messages yet")
    return 0


def _cmd_notify(args: argparse.Namespace) -> int:
    from .. import cli
    from ..connectors.registry import build_registry
    from ..engine.run_due import run_sync

    paths = cli._paths(args)
    with Ledger(paths.ledger) as ledger:
        try:
            event_id, what = notify(ledger, args.kind, args.id)
        except LookupError as exc:
            from ..errors import UserError

            raise UserError(str(exc)) from None
    print(f"{event_id}: {what}")
    if what != "queued":
        return 0
    cli._configure_secrets(args, paths)
    results = run_sync(paths.ledger, build_registry(), "twilio", entity="notifications")
    with Ledger(paths.ledger) as ledger:
        row = ledger.conn.execute(
            "SELECT state, detail FROM messaging_events WHERE id = ?", (event_id,)
        ).fetchone()
    print(f"{event_id}: {row[0]}" + (f" ({row[1]})" if row[1] else ""))
    return 0 if results and row[0] in ("sent", "waiting") else 1


def add_cli_commands(command: Command) -> None:
    p = command("messages", _cmd_messages, "list recent customer and staff messages")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--limit", type=int, default=50, help="how many (default 50)")
    p = command("notify", _cmd_notify, "notify the customer or assignee now (marks jobs ready)")
    p.add_argument("kind", choices=["repair", "bespoke", "task"])
    p.add_argument("id")
