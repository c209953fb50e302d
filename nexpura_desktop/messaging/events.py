"""Notification events from ledger changes, each with an idempotent identity.

The identity is the category, the subject and the value that triggered it
(``job_ready:repairs:<id>``, ``task_status:<task>:<status>``, …).  ``messaging_events``
keeps every identity ever seen, so a re-import, a restart or a retry that touches the
same row again finds the event already there and sends nothing.  On the very first scan
the current state is recorded as a *baseline* (nothing is sent for history).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime

from ..ledger.changes import changes_since, latest_seq
from ..sync import outbox
from ..sync.cursors import get_cursor, set_cursor
from .settings import ShopSettings

SERVICE = "twilio"
OPERATION = "notify"
CURSOR = "messaging.events"
TABLES = ["repairs", "bespoke_jobs", "tasks"]
JOB_TABLES = ("repairs", "bespoke_jobs")


@dataclass(frozen=True)
class Candidate:
    id: str
    category: str
    subject_table: str
    subject_id: str
    recipient_kind: str
    recipient_id: str | None


def _now() -> str:
    return datetime.now(UTC).isoformat()


def candidates(conn: sqlite3.Connection, table: str, row_id: str) -> list[Candidate]:
    """The events the row's current state stands for."""
    if table in JOB_TABLES:
        row = conn.execute(
            f'SELECT stage, customer_id, deleted_at FROM "{table}" WHERE id = ?', (row_id,)
        ).fetchone()
        if row is None or row[2] or row[0] != "ready":
            return []
        return [
            Candidate(f"job_ready:{table}:{row_id}", "job_ready", table, row_id, "customer", row[1])
        ]
    row = conn.execute(
        "SELECT assigned_to, status, priority FROM tasks WHERE id = ?", (row_id,)
    ).fetchone()
    if row is None:
        return []
    assignee, status, priority = row
    out: list[Candidate] = []
    if assignee:
        out.append(
            Candidate(
                f"task_assigned:{row_id}:{assignee}",
                "task_assigned",
                "tasks",
                row_id,
                "staff",
                str(assignee),
            )
        )
    if status and assignee:
        out.append(
            Candidate(
                f"task_status:{row_id}:{status}",
                "task_status",
                "tasks",
                row_id,
                "staff",
                str(assignee),
            )
        )
    if priority == "urgent" and assignee:
        out.append(
            Candidate(f"task_urgent:{row_id}", "task_urgent", "tasks", row_id, "staff", assignee)
        )
    return out


def outbox_key(event_id: str, attempt: int) -> str:
    return outbox.idempotency_key(SERVICE, OPERATION, event_id, attempt)


def enqueue_attempt(conn: sqlite3.Connection, event_id: str, attempt: int) -> None:
    outbox.enqueue(
        conn,
        SERVICE,
        OPERATION,
        outbox_key(event_id, attempt),
        payload={"event_id": event_id, "attempt": attempt},
        local_table="messaging_events",
        local_id=event_id,
    )


def record(conn: sqlite3.Connection, c: Candidate, state: str) -> bool:
    """Insert the event if its identity is new (True); queue it when it is to be sent."""
    now = _now()
    cur = conn.execute(
        "INSERT INTO messaging_events(id, category, subject_table, subject_id, recipient_kind, "
        "recipient_id, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT(id) DO NOTHING",
        (
            c.id,
            c.category,
            c.subject_table,
            c.subject_id,
            c.recipient_kind,
            c.recipient_id,
            state,
            now,
            now,
        ),
    )
    if cur.rowcount and state == "pending":
        enqueue_attempt(conn, c.id, 1)
    return bool(cur.rowcount)


def _baseline(conn: sqlite3.Connection) -> None:
    for table in TABLES:
        where = "stage = 'ready' AND deleted_at IS NULL" if table in JOB_TABLES else "1"
        ids = [str(r[0]) for r in conn.execute(f'SELECT id FROM "{table}" WHERE {where}')]
        for row_id in ids:
            for c in candidates(conn, table, row_id):
                record(conn, c, "baseline")


def _has_status(conn: sqlite3.Connection, task_id: str) -> bool:
    row = conn.execute(
        "SELECT 1 FROM messaging_events WHERE subject_table = 'tasks' AND subject_id = ? "
        "AND category = 'task_status' LIMIT 1",
        (task_id,),
    ).fetchone()
    return row is not None


def scan(conn: sqlite3.Connection, settings: ShopSettings, *, batch: int = 5000) -> int:
    """Turn ledger changes since the last scan into events (call inside a transaction)."""
    start = get_cursor(conn, SERVICE, CURSOR)
    end = latest_seq(conn)
    if start is None:
        _baseline(conn)
        set_cursor(conn, SERVICE, CURSOR, str(end))
        return 0
    created = 0
    seq = int(start)
    while seq < end:
        changes = list(changes_since(conn, seq, tables=TABLES, limit=batch))
        changes = [c for c in changes if c.seq <= end]
        if not changes:
            break
        for table, row_id in dict.fromkeys((c.table, c.row_id) for c in changes):
            for cand in candidates(conn, table, row_id):
                if cand.category == "task_status" and not _has_status(conn, row_id):
                    state = "baseline"  # the first status seen (new/just assigned) is no change
                else:
                    state = "pending" if settings.enabled[cand.category] else "disabled"
                created += record(conn, cand, state)
        seq = changes[-1].seq
    set_cursor(conn, SERVICE, CURSOR, str(end))
    return created


def trigger(conn: sqlite3.Connection, kind: str, subject_id: str) -> tuple[str, str]:
    """By hand ("Mark ready and notify"): returns (event id, what happened)."""
    table = {"repair": "repairs", "bespoke": "bespoke_jobs", "task": "tasks"}[kind]
    exists = conn.execute(
        f'SELECT stage FROM "{table}" WHERE id = ?'
        if table != "tasks"
        else "SELECT status FROM tasks WHERE id = ?",
        (subject_id,),
    ).fetchone()
    if exists is None:
        raise LookupError(f"there is no {kind} {subject_id}")
    if table in JOB_TABLES and exists[0] != "ready":
        conn.execute(f"UPDATE \"{table}\" SET stage = 'ready' WHERE id = ?", (subject_id,))
    found = [
        c
        for c in candidates(conn, table, subject_id)
        if c.category in ("job_ready", "task_assigned")
    ]
    if not found:
        raise LookupError(f"{kind} {subject_id} has nobody to notify (no assignee)")
    c = found[0]
    if record(conn, c, "pending"):
        return c.id, "queued"
    state = conn.execute("SELECT state FROM messaging_events WHERE id = ?", (c.id,)).fetchone()[0]
    if state in ("baseline", "disabled"):
        conn.execute(
            "UPDATE messaging_events SET state = 'pending', updated_at = ? WHERE id = ?",
            (_now(), c.id),
        )
        enqueue_attempt(conn, c.id, 1)
        return c.id, "queued"
    return c.id, f"already {state}: not sent again"
