"""Twilio's status callbacks applied to the send log, with the same rules as polling.

A callback names a message (``MessageSid``) and its new ``MessageStatus`` (+ ``ErrorCode``).
Callbacks arrive out of order, so a status is applied only if it moves the message forward
(``messaging.routing.moves_forward``); a failure that another channel can fix re-queues the
notification exactly as the delivery-status poll does, and the Nexpura log row
(``whatsapp_sends`` / ``sms_sends``) is refreshed in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..ledger.db import Ledger
from ..messaging import delivery, routing


@dataclass(frozen=True)
class Applied:
    found: bool  # a message of ours has this sid
    changed: bool  # the status moved forward
    status: str | None  # the status now recorded


def _code(text: str | None) -> int | None:
    if text is None or not text.strip():
        return None
    try:
        return int(text.strip())
    except ValueError:
        return None


def apply_status(ledger_path: Path, sid: str, status: str, error_code: str | None) -> Applied:
    """Record ``status`` for the message ``sid`` unless that would move it backwards."""
    new = status.strip().lower()
    with Ledger(ledger_path) as ledger, ledger.transaction() as c:
        row = c.execute(
            "SELECT id, status, event_id, attempt, category, channel, to_number, fallback_done "
            "FROM messaging_messages WHERE twilio_sid = ?",
            (sid,),
        ).fetchone()
        if row is None:
            return Applied(False, False, None)
        row_id, old, event_id, attempt, category, channel, phone, done = row
        if not routing.moves_forward(str(old), new):
            return Applied(True, False, str(old))
        code = _code(error_code)
        now = datetime.now(UTC).isoformat()
        delivery.record_status(
            c, (row_id, event_id, attempt, category, channel, phone, done), new, code, now
        )
        return Applied(True, True, new)
