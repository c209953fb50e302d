"""Notification events from ledger changes, each with an idempotent identity.

The identity is the category, the subject and the value that triggered it
(``job_ready:repairs:<id>``, ``task_status:<task>:<status>``, …).  ``messaging_events``
keeps every identity ever seen, so a re-import, a restart or a retry that touches the
same row again finds the event already there and sends nothing.  On the very first scan
the current state is recorded as a *baseline* (nothing is sent for history).

A ready stage or an urgent flag is an *episode*: it notifies when it turns on.  Seen off
and then on again, it is a new event (``job_ready:repairs:<id>#2``); seen on again, it is
the same one.  ``messaging_flags`` keeps each flag's episode number and whether it is on.
A scan sees rows as they are now, so a job that left ready and came back between two
scans is still the same episode; "Mark ready and notify" notes the leave itself.
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


def is_on(value: object) -> bool:
    """A boolean column as SQLite may hold it (1, "true", "t", …)."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "t", "yes")
    return bool(value)


def episode_id(base: str, episode: int) -> str:
    """The first episode keeps the plain identity; later ones add ``#<n>``."""
    return base if episode <= 1 else f"{base}#{episode}"


def observe_flag(
    conn: sqlite3.Connection, table: str, row_id: str, flag: str, on: bool
) -> int | None:
    """Note the flag's current value; the episode number while it is on, else None.

    A flag seen on again without having been seen off stays in the same episode, so
    re-reading a state never makes a new event; off, then on makes the next episode.
    """
    row = conn.execute(
        "SELECT episode, active FROM messaging_flags "
        "WHERE subject_table = ? AND subject_id = ? AND flag = ?",
        (table, row_id, flag),
    ).fetchone()
    if row is None:
        if not on:
            return None
        conn.execute(
            "INSERT INTO messaging_flags(subject_table, subject_id, flag, episode, active, "
            "changed_at) VALUES (?, ?, ?, 1, 1, ?)",
            (table, row_id, flag, _now()),
        )
        return 1
    episode, active = int(row[0]), bool(row[1])
    if on == active:
        return episode if on else None
    episode += 1 if on else 0
    conn.execute(
        "UPDATE messaging_flags SET episode = ?, active = ?, changed_at = ? "
        "WHERE subject_table = ? AND subject_id = ? AND flag = ?",
        (episode, int(on), _now(), table, row_id, flag),
    )
    return episode if on else None


def candidates(conn: sqlite3.Connection, table: str, row_id: str) -> list[Candidate]:
    """The events the row's current state stands for (noting its flags' episodes)."""
    if table in JOB_TABLES:
        return _job_candidates(conn, table, row_id)
    row = conn.execute(
        "SELECT assigned_to, status, priority FROM tasks WHERE id = ?", (row_id,)
    ).fetchone()
    if row is None:
        return []
    assignee, status, priority = row
    urgent = observe_flag(conn, "tasks", row_id, "urgent", priority == "urgent")
    if not assignee:
        return []
    staff = str(assignee)
    out = [
        Candidate(f"task_assigned:{row_id}:{staff}", "task_assigned", "tasks", row_id, "staff",
                  staff)
    ]  # fmt: skip
    if status:
        out.append(
            Candidate(f"task_status:{row_id}:{status}", "task_status", "tasks", row_id, "staff",
                      staff)
        )  # fmt: skip
    if urgent is not None:
        out.append(
            Candidate(episode_id(f"task_urgent:{row_id}", urgent), "task_urgent", "tasks",
                      row_id, "staff", staff)
        )  # fmt: skip
    return out


def _job_candidates(conn: sqlite3.Connection, table: str, row_id: str) -> list[Candidate]:
    row = conn.execute(
        f'SELECT stage, customer_id, deleted_at, assigned_to, is_urgent FROM "{table}" '
        "WHERE id = ?",
        (row_id,),
    ).fetchone()
    if row is None or row[2]:
        return []  # gone or deleted: its episodes stay as they were
    stage, customer, _, assignee, urgent_flag = row
    ready = observe_flag(conn, table, row_id, "ready", stage == "ready")
    urgent = observe_flag(conn, table, row_id, "urgent", is_on(urgent_flag))
    out: list[Candidate] = []
    if ready is not None:
        out.append(
            Candidate(episode_id(f"job_ready:{table}:{row_id}", ready), "job_ready", table,
                      row_id, "customer", customer)
        )  # fmt: skip
    if urgent is not None and assignee:
        out.append(
            Candidate(episode_id(f"job_urgent:{table}:{row_id}", urgent), "job_urgent", table,
                      row_id, "staff", str(assignee))
        )  # fmt: skip
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
        where = (
            "(stage = 'ready' OR is_urgent) AND deleted_at IS NULL" if table in JOB_TABLES else "1"
        )
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


# states in which asking again may send: never notified, or the last try did not get through
RESENDABLE = frozenset({"baseline", "disabled", "failed", "skipped"})


def current_event(conn: sqlite3.Connection, table: str, row_id: str) -> str | None:
    """The job's ready event for its current ready episode (None when not ready, or unseen)."""
    row = conn.execute(
        "SELECT episode, active FROM messaging_flags "
        "WHERE subject_table = ? AND subject_id = ? AND flag = 'ready'",
        (table, row_id),
    ).fetchone()
    if row is None or not row[1]:
        return None
    return episode_id(f"job_ready:{table}:{row_id}", int(row[0]))


def trigger(
    conn: sqlite3.Connection, kind: str, subject_id: str, *, again: bool = False
) -> tuple[str, str]:
    """By hand ("Mark ready and notify"): returns (event id, what happened).

    ``again`` ("Notify again") also re-sends an event whose last try did not get
    through (failed, skipped); a sent or queued event is never sent twice.
    """
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
        candidates(conn, table, subject_id)  # note that it left ready (if a scan has not yet)
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
    if state in ("baseline", "disabled") or (again and state in RESENDABLE):
        requeue(conn, c.id)
        return c.id, "queued"
    return c.id, f"already {state}: not sent again"


def next_attempt(conn: sqlite3.Connection, event_id: str) -> int:
    """An attempt number no message or outbox item of the event has used yet."""
    used = conn.execute(
        "SELECT COALESCE(MAX(attempt), 0) FROM messaging_messages WHERE event_id = ?",
        (event_id,),
    ).fetchone()[0]
    queued = conn.execute(
        "SELECT COALESCE(MAX(CAST(json_extract(payload, '$.attempt') AS INTEGER)), 0) "
        "FROM outbox WHERE service = ? AND operation = ? AND local_id = ?",
        (SERVICE, OPERATION, event_id),
    ).fetchone()[0]
    return max(int(used), int(queued)) + 1


def requeue(conn: sqlite3.Connection, event_id: str) -> None:
    """Send the event again from the first channel (a new attempt: never a duplicate key).

    Only for :data:`RESENDABLE` states; a sent, queued or in-flight event is refused so a
    second click can never make a second message.
    """
    row = conn.execute("SELECT state FROM messaging_events WHERE id = ?", (event_id,)).fetchone()
    if row is None:
        raise LookupError(f"there is no notification {event_id}")
    if row[0] not in RESENDABLE:
        raise ValueError(f"the notification is {row[0]}: it is not sent again")
    conn.execute(
        "UPDATE messaging_events SET state = 'pending', tried = '[]', detail = NULL, "
        "updated_at = ? WHERE id = ?",
        (_now(), event_id),
    )
    enqueue_attempt(conn, event_id, next_attempt(conn, event_id))
