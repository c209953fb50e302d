"""What the Messages page shows: the notification log and the jobs awaiting pickup.

Read-only queries (small and indexed, fine on the GUI thread).  The log is Nexpura's own
``whatsapp_sends`` / ``sms_sends`` (so imported history shows too) joined to our
``messaging_messages`` for the category, the reason and the event; a message that was
never handed to Twilio (an invalid number) has no Nexpura row and comes from ours.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from . import events

# Status filter groups, over Nexpura's statuses (pending | sent | delivered | read | failed).
STATUS_GROUPS = {
    "pending": ("pending", "sent"),
    "delivered": ("delivered", "read"),
    "failed": ("failed",),
}
CLOSED_STAGES = ("collected", "completed", "cancelled")
_OUR_STATUS = (
    "CASE m.status WHEN 'claimed' THEN 'pending' WHEN 'queued' THEN 'pending' "
    "WHEN 'accepted' THEN 'pending' WHEN 'scheduled' THEN 'pending' "
    "WHEN 'sending' THEN 'pending' WHEN 'undelivered' THEN 'failed' "
    "WHEN 'canceled' THEN 'failed' ELSE m.status END"
)
_LOG_SQL = f"""
SELECT w.id, 'whatsapp' AS channel,
       COALESCE(m.category, CASE w.message_type WHEN 'task_assignment' THEN 'task_assigned'
                                 ELSE w.message_type END) AS category,
       w.sent_at AS sent_at, w.phone, w.status AS status, w.message,
       COALESCE(m.reason, w.error_message) AS problem, m.event_id, e.state
FROM whatsapp_sends w
LEFT JOIN messaging_messages m ON m.id = w.id
LEFT JOIN messaging_events e ON e.id = m.event_id
UNION ALL
SELECT s.id, 'sms', COALESCE(m.category, s.context), s.sent_at, s.phone, s.status, s.message,
       COALESCE(m.reason, s.error_message), m.event_id, e.state
FROM sms_sends s
LEFT JOIN messaging_messages m ON m.id = s.id
LEFT JOIN messaging_events e ON e.id = m.event_id
UNION ALL
SELECT m.id, m.channel, m.category, m.created_at, m.to_number, {_OUR_STATUS}, m.body,
       m.reason, m.event_id, e.state
FROM messaging_messages m
LEFT JOIN messaging_events e ON e.id = m.event_id
WHERE NOT EXISTS (SELECT 1 FROM sms_sends x WHERE x.id = m.id)
  AND NOT EXISTS (SELECT 1 FROM whatsapp_sends x WHERE x.id = m.id)
"""


@dataclass(frozen=True)
class LogRow:
    id: str
    channel: str  # whatsapp | sms
    category: str | None
    sent_at: str | None
    phone: str | None
    status: str | None  # pending | sent | delivered | read | failed
    text: str | None
    problem: str | None
    event_id: str | None
    event_state: str | None

    @property
    def retryable(self) -> bool:
        """A failed message whose notification never got through another way."""
        return self.status == "failed" and self.event_state in ("failed", "skipped")


def message_log(
    conn: sqlite3.Connection,
    *,
    channel: str | None = None,
    status: str | None = None,
    category: str | None = None,
    limit: int = 500,
) -> list[LogRow]:
    """Newest first; filters by channel, status group (:data:`STATUS_GROUPS`), category."""
    where: list[str] = []
    params: list[object] = []
    if channel:
        where.append("channel = ?")
        params.append(channel)
    if status:
        group = STATUS_GROUPS.get(status, (status,))
        where.append(f"status IN ({','.join('?' * len(group))})")
        params.extend(group)
    if category:
        where.append("category = ?")
        params.append(category)
    sql = f"SELECT * FROM ({_LOG_SQL})"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY sent_at DESC, id LIMIT ?"
    params.append(limit)
    return [LogRow(*r) for r in conn.execute(sql, params)]


@dataclass(frozen=True)
class PickupJob:
    kind: str  # repair | bespoke (the ``notify`` command's words)
    id: str
    customer: str
    item: str
    tracking_id: str
    stage: str
    event_id: str | None  # the current ready episode's event (None: not ready, or unseen)
    event_state: str | None

    @property
    def ready(self) -> bool:
        return self.stage == "ready"

    @property
    def can_mark_ready(self) -> bool:
        return not self.ready

    @property
    def can_notify_again(self) -> bool:
        """Ready, and the customer has not been (or is not being) told of this episode."""
        return self.ready and (self.event_state is None or self.event_state in events.RESENDABLE)


_JOBS = {
    "repair": ("repairs", "COALESCE(j.item_description, j.item_type, j.description, '')"),
    "bespoke": ("bespoke_jobs", "COALESCE(j.title, j.jewellery_type, j.item_description, '')"),
}


def pickup_jobs(conn: sqlite3.Connection, *, limit: int = 500) -> list[PickupJob]:
    """Open repair and bespoke jobs: ready ones first, then the rest, newest first."""
    found: list[tuple[int, str, PickupJob]] = []
    closed = ",".join(f"'{s}'" for s in CLOSED_STAGES)
    for kind, (table, item) in _JOBS.items():
        rows = conn.execute(
            f"SELECT j.id, COALESCE(c.full_name, NULLIF(TRIM(COALESCE(c.first_name, '') || ' ' "
            f"|| COALESCE(c.last_name, '')), ''), j.customer_name, ''), {item}, "
            "COALESCE(j.tracking_id, ''), "
            f"COALESCE(j.stage, ''), COALESCE(j.updated_at, j.created_at, '') "
            f'FROM "{table}" j LEFT JOIN customers c ON c.id = j.customer_id '
            f"WHERE j.deleted_at IS NULL AND COALESCE(j.stage, '') NOT IN ({closed}) "
            "ORDER BY j.stage = 'ready' DESC, j.updated_at DESC LIMIT ?",
            (limit,),
        ).fetchall()
        for row_id, customer, what, tracking, stage, updated in rows:
            event = events.current_event(conn, table, str(row_id)) if stage == "ready" else None
            state = None
            if event is not None:
                got = conn.execute(
                    "SELECT state FROM messaging_events WHERE id = ?", (event,)
                ).fetchone()
                state = str(got[0]) if got else None
            job = PickupJob(
                kind, str(row_id), str(customer), str(what), str(tracking), str(stage), event,
                state,
            )  # fmt: skip
            found.append((0 if stage == "ready" else 1, str(updated), job))
    found.sort(key=lambda t: t[1], reverse=True)
    found.sort(key=lambda t: t[0])
    return [job for _, _, job in found[:limit]]
