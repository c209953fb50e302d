"""``sync_issues``: records that could not sync, in plain words, with retry/skip/resolve.

One row per (service, job, kind, record): a record that fails again updates its row
(attempts + 1, latest reason) instead of piling up duplicates.  States:

* ``open``    — listed for the owner;
* ``retry``   — the owner pressed Retry; the job picks it up on its next run;
* ``skipped`` — the owner chose to ignore it; jobs should leave that record alone
  (``is_skipped``) and a new failure keeps it skipped;
* ``resolved``— the record synced later (``resolve_record``) or the owner closed it; a new
  failure re-opens the same row.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from ._util import utc_text

KINDS = ("record", "conflict", "drift", "configuration")
OPEN_STATES = ("open", "retry")


@dataclass(frozen=True)
class Issue:
    id: int
    service: str
    job: str
    kind: str
    reason: str
    detail: str | None
    state: str
    attempts: int
    local_table: str | None
    local_id: str | None
    remote_id: str | None
    first_seen_at: str
    last_attempt_at: str
    run_id: int | None


_COLS = (
    "id, service, job, kind, reason, detail, state, attempts, local_table, local_id, "
    "remote_id, first_seen_at, last_attempt_at, run_id"
)


def _issue(row: tuple[Any, ...]) -> Issue:
    return Issue(
        id=int(row[0]),
        service=str(row[1]),
        job=str(row[2]),
        kind=str(row[3]),
        reason=str(row[4]),
        detail=row[5],
        state=str(row[6]),
        attempts=int(row[7]),
        local_table=row[8],
        local_id=row[9],
        remote_id=row[10],
        first_seen_at=str(row[11]),
        last_attempt_at=str(row[12]),
        run_id=None if row[13] is None else int(row[13]),
    )


def _str(value: object) -> str | None:
    return None if value is None else str(value)


def _find(
    conn: sqlite3.Connection,
    service: str,
    job: str,
    kind: str,
    local_table: str | None,
    local_id: str | None,
    remote_id: str | None,
) -> Issue | None:
    row = conn.execute(
        f"SELECT {_COLS} FROM sync_issues WHERE service = ? AND job = ? AND kind = ? "
        "AND local_table IS ? AND local_id IS ? AND remote_id IS ? ORDER BY id LIMIT 1",
        (service, job, kind, local_table, local_id, remote_id),
    ).fetchone()
    return None if row is None else _issue(row)


def record(
    conn: sqlite3.Connection,
    service: str,
    job: str,
    reason: str,
    *,
    kind: str = "record",
    local_table: str | None = None,
    local_id: object = None,
    remote_id: object = None,
    detail: str | None = None,
    run_id: int | None = None,
) -> Issue:
    """Record (or update) the failure of one record; ``reason`` is the owner's sentence."""
    if kind not in KINDS:
        raise ValueError(f"unknown issue kind {kind!r}")
    if local_id is None and remote_id is None and kind != "configuration":
        raise ValueError("an issue must name the local or the remote record it is about")
    lid, rid = _str(local_id), _str(remote_id)
    now = utc_text()
    existing = _find(conn, service, job, kind, local_table, lid, rid)
    if existing is None:
        cur = conn.execute(
            "INSERT INTO sync_issues(service, job, kind, reason, detail, local_table, local_id, "
            "remote_id, first_seen_at, last_attempt_at, run_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (service, job, kind, reason, detail, local_table, lid, rid, now, now, run_id),
        )
        issue_id = int(cur.lastrowid or 0)
    else:
        issue_id = existing.id
        conn.execute(
            "UPDATE sync_issues SET reason = ?, detail = ?, attempts = attempts + 1, "
            "last_attempt_at = ?, run_id = COALESCE(?, run_id), "
            "state = CASE state WHEN 'skipped' THEN 'skipped' ELSE 'open' END WHERE id = ?",
            (reason, detail, now, run_id, issue_id),
        )
    found = get(conn, issue_id)
    assert found is not None
    return found


def get(conn: sqlite3.Connection, issue_id: int) -> Issue | None:
    row = conn.execute(f"SELECT {_COLS} FROM sync_issues WHERE id = ?", (issue_id,)).fetchone()
    return None if row is None else _issue(row)


def list_open(
    conn: sqlite3.Connection, service: str | None = None, *, job: str | None = None
) -> list[Issue]:
    """Issues the owner should see (open or waiting for a retry), newest first."""
    sql = f"SELECT {_COLS} FROM sync_issues WHERE state IN ('open', 'retry')"
    params: list[Any] = []
    if service is not None:
        sql += " AND service = ?"
        params.append(service)
    if job is not None:
        sql += " AND job = ?"
        params.append(job)
    sql += " ORDER BY last_attempt_at DESC, id DESC"
    return [_issue(r) for r in conn.execute(sql, params)]


def to_retry(conn: sqlite3.Connection, service: str, job: str) -> list[Issue]:
    """Issues the owner asked to retry, for the job to attempt first on its next run."""
    rows = conn.execute(
        f"SELECT {_COLS} FROM sync_issues WHERE service = ? AND job = ? AND state = 'retry' "
        "ORDER BY id",
        (service, job),
    )
    return [_issue(r) for r in rows]


def _set_state(conn: sqlite3.Connection, issue_id: int, state: str) -> Issue:
    cur = conn.execute("UPDATE sync_issues SET state = ? WHERE id = ?", (state, issue_id))
    if cur.rowcount == 0:
        raise LookupError(f"no sync issue #{issue_id}")
    found = get(conn, issue_id)
    assert found is not None
    return found


def retry(conn: sqlite3.Connection, issue_id: int) -> Issue:
    return _set_state(conn, issue_id, "retry")


def skip(conn: sqlite3.Connection, issue_id: int) -> Issue:
    return _set_state(conn, issue_id, "skipped")


def resolve(conn: sqlite3.Connection, issue_id: int) -> Issue:
    return _set_state(conn, issue_id, "resolved")


def resolve_record(
    conn: sqlite3.Connection,
    service: str,
    job: str,
    *,
    local_table: str | None = None,
    local_id: object = None,
    remote_id: object = None,
) -> int:
    """The record synced: close its open record-level issues; returns how many."""
    cur = conn.execute(
        "UPDATE sync_issues SET state = 'resolved' WHERE service = ? AND job = ? "
        "AND kind = 'record' AND state IN ('open', 'retry') AND local_table IS ? "
        "AND local_id IS ? AND remote_id IS ?",
        (service, job, local_table, _str(local_id), _str(remote_id)),
    )
    return cur.rowcount


def is_skipped(
    conn: sqlite3.Connection,
    service: str,
    job: str,
    *,
    local_table: str | None = None,
    local_id: object = None,
    remote_id: object = None,
) -> bool:
    """Whether the owner chose to skip this record (the job should leave it alone)."""
    row = conn.execute(
        "SELECT 1 FROM sync_issues WHERE service = ? AND job = ? AND state = 'skipped' "
        "AND local_table IS ? AND local_id IS ? AND remote_id IS ? LIMIT 1",
        (service, job, local_table, _str(local_id), _str(remote_id)),
    ).fetchone()
    return row is not None


def count_for_run(conn: sqlite3.Connection, run_id: int) -> int:
    row = conn.execute("SELECT COUNT(*) FROM sync_issues WHERE run_id = ?", (run_id,)).fetchone()
    return int(row[0])
