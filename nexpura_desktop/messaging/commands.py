"""Public functions behind ``messages [--json]`` and ``notify repair|bespoke|task <id>``.

The lead wires :func:`add_cli_commands` into ``cli.py``; the handlers reuse its helpers
for the home folder and the keyring.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
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


def notify(ledger: Ledger, kind: str, subject_id: str, *, again: bool = False) -> tuple[str, str]:
    """Queue the notification for one repair/bespoke job (marking it ready) or task."""
    if kind not in ("repair", "bespoke", "task"):
        raise ValueError("notify repair|bespoke|task <id>")
    with ledger.transaction() as conn:
        return events.trigger(conn, kind, subject_id, again=again)


@dataclass(frozen=True)
class NotifyResult:
    event_id: str
    queued: str  # what queuing did: "queued" or why nothing was queued
    state: str | None = None  # the event's state after the send (None: nothing ran)
    detail: str | None = None

    @property
    def ok(self) -> bool:
        return self.queued != "queued" or self.state in ("sent", "waiting")

    def sentence(self) -> str:
        if self.state is None:
            return f"{self.event_id}: {self.queued}"
        return f"{self.event_id}: {self.state}" + (f" ({self.detail})" if self.detail else "")


Send = Callable[[], object]  # runs the Twilio notifications job and waits for it


def notify_and_send(
    ledger_path: Path, kind: str, subject_id: str, send: Send, *, again: bool = False
) -> NotifyResult:
    """``notify`` and "Mark ready and notify" / "Notify again": queue, send, report."""
    with Ledger(ledger_path) as ledger:
        event_id, what = notify(ledger, kind, subject_id, again=again)
    return _send_and_read(ledger_path, event_id, what, send)


def retry_and_send(ledger_path: Path, event_id: str, send: Send) -> NotifyResult:
    """ "Retry" on a failed message: its event goes out again (from the first channel)."""
    with Ledger(ledger_path) as ledger, ledger.transaction() as conn:
        events.requeue(conn, event_id)
    return _send_and_read(ledger_path, event_id, "queued", send)


def _send_and_read(ledger_path: Path, event_id: str, what: str, send: Send) -> NotifyResult:
    if what != "queued":
        return NotifyResult(event_id, what)
    send()
    with Ledger(ledger_path) as ledger:
        row = ledger.conn.execute(
            "SELECT state, detail FROM messaging_events WHERE id = ?", (event_id,)
        ).fetchone()
    return NotifyResult(event_id, what, str(row[0]), row[1])


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
    from ..errors import UserError

    paths = cli._paths(args)

    def send() -> object:
        cli._configure_secrets(args, paths)
        return run_sync(paths.ledger, build_registry(), "twilio", entity="notifications")

    try:
        result = notify_and_send(paths.ledger, args.kind, args.id, send, again=args.again)
    except LookupError as exc:
        raise UserError(str(exc)) from None
    if result.state is not None:
        print(f"{result.event_id}: queued")
    print(result.sentence())
    return 0 if result.ok else 1


def add_cli_commands(command: Command) -> None:
    p = command("messages", _cmd_messages, "list recent customer and staff messages")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--limit", type=int, default=50, help="how many (default 50)")
    p = command("notify", _cmd_notify, "notify the customer or assignee now (marks jobs ready)")
    p.add_argument("kind", choices=["repair", "bespoke", "task"])
    p.add_argument("id")
    p.add_argument(
        "--again", action="store_true", help="send again if the last try did not get through"
    )
