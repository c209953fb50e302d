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
from ..messaging import delivery, events, routing


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
        c.execute(
            "UPDATE messaging_messages SET status = ?, error_code = ?, reason = ?, "
            "updated_at = ? WHERE id = ?",
            (new, code, routing.reason(code) if code else None, now, row_id),
        )
        if new in routing.FAILED and code in routing.FALLBACK_CODES and not done:
            c.execute("UPDATE messaging_messages SET fallback_done = 1 WHERE id = ?", (row_id,))
            if code == routing.OPT_OUT_CODE:
                delivery.opt_out(c, str(phone), str(channel), "twilio_21610", now)
            c.execute(
                "UPDATE messaging_events SET state = 'pending', detail = ?, updated_at = ? "
                "WHERE id = ?",
                (f"{channel}: {routing.reason(code)}", now, event_id),
            )
            events.enqueue_attempt(c, str(event_id), int(attempt) + 1)
        elif new in routing.FAILED:
            c.execute(
                "UPDATE messaging_events SET state = 'failed', detail = ?, updated_at = ? "
                "WHERE id = ?",
                (routing.reason(code, new), now, event_id),
            )
        delivery.sync_nexpura_log(c, str(row_id), str(category))
        return Applied(True, True, new)
