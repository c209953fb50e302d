"""``sync_runs``: every run with its trigger, timings, counts, outcome and one sentence.

A run row is written when a job starts (``finished_at`` empty) and completed when it
ends.  A row still open at the next start-up, whose lane lock nobody holds, was cut
short by a crash or power cut and is closed as ``failed`` "interrupted".
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ..sync._util import parse_utc, utc_text
from .job import Counts
from .locks import LaneLock, owner_token

OUTCOMES = ("success", "partial", "failed", "cancelled", "skipped")
SUCCESSFUL = ("success", "partial")
INTERRUPTED = "Interrupted: the app stopped before this run finished; the next sync carries on."


@dataclass(frozen=True)
class RunSummary:
    id: int
    service: str
    job: str
    trigger: str
    outcome: str | None  # None while running
    counts: Counts
    requests: int
    issues: int
    started_at: str
    finished_at: str | None
    message: str | None

    @property
    def duration_s(self) -> float:
        if self.finished_at is None:
            return 0.0
        delta = parse_utc(self.finished_at) - parse_utc(self.started_at)
        return round(max(delta.total_seconds(), 0.0), 3)


_COLS = (
    "id, service, job, trigger, outcome, created, updated, unchanged, skipped, failed, "
    "requests, issues, started_at, finished_at, message"
)


def _summary(row: tuple[Any, ...]) -> RunSummary:
    return RunSummary(
        id=int(row[0]),
        service=str(row[1]),
        job=str(row[2]),
        trigger=str(row[3]),
        outcome=row[4],
        counts=Counts(*(int(v) for v in row[5:10])),
        requests=int(row[10]),
        issues=int(row[11]),
        started_at=str(row[12]),
        finished_at=row[13],
        message=row[14],
    )


def get_run(conn: sqlite3.Connection, run_id: int) -> RunSummary:
    row = conn.execute(f"SELECT {_COLS} FROM sync_runs WHERE id = ?", (run_id,)).fetchone()
    if row is None:
        raise LookupError(f"no sync run #{run_id}")
    return _summary(row)


def recent_runs(
    conn: sqlite3.Connection, service: str | None = None, *, limit: int = 50
) -> list[RunSummary]:
    sql = f"SELECT {_COLS} FROM sync_runs"
    params: list[Any] = []
    if service is not None:
        sql += " WHERE service = ?"
        params.append(service)
    sql += " ORDER BY started_at DESC, id DESC LIMIT ?"
    params.append(limit)
    return [_summary(r) for r in conn.execute(sql, params)]


def start_run(
    conn: sqlite3.Connection, service: str, job: str, trigger: str, *, now: datetime
) -> int:
    cur = conn.execute(
        "INSERT INTO sync_runs(service, job, trigger, started_at, owner) VALUES (?, ?, ?, ?, ?)",
        (service, job, trigger, utc_text(now), owner_token()),
    )
    return int(cur.lastrowid or 0)


def finish_run(
    conn: sqlite3.Connection,
    run_id: int,
    outcome: str,
    *,
    now: datetime,
    counts: Counts | None = None,
    requests: int = 0,
    issues: int = 0,
    message: str | None = None,
) -> RunSummary:
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}")
    c = counts or Counts()
    conn.execute(
        "UPDATE sync_runs SET finished_at = ?, outcome = ?, created = ?, updated = ?, "
        "unchanged = ?, skipped = ?, failed = ?, requests = ?, issues = ?, message = ? "
        "WHERE id = ?",
        (
            utc_text(now),
            outcome,
            c.created,
            c.updated,
            c.unchanged,
            c.skipped,
            c.failed,
            requests,
            issues,
            message,
            run_id,
        ),
    )
    return get_run(conn, run_id)


def record_skipped(
    conn: sqlite3.Connection, service: str, job: str, trigger: str, reason: str, *, now: datetime
) -> RunSummary:
    """A run that did not happen (lane busy, paused…), recorded so the owner sees why."""
    run_id = start_run(conn, service, job, trigger, now=now)
    return finish_run(conn, run_id, "skipped", now=now, message=reason)


def close_interrupted(conn: sqlite3.Connection, ledger_path: Path, *, now: datetime) -> int:
    """Close runs left open by a crash (their lane's lock is free); returns how many."""
    services = [
        str(r[0])
        for r in conn.execute("SELECT DISTINCT service FROM sync_runs WHERE finished_at IS NULL")
    ]
    closed = 0
    for service in services:
        lock = LaneLock(ledger_path, service)
        if not lock.try_acquire():
            continue  # another process is running this lane right now
        try:
            cur = conn.execute(
                "UPDATE sync_runs SET finished_at = ?, outcome = 'failed', message = ? "
                "WHERE service = ? AND finished_at IS NULL",
                (utc_text(now), INTERRUPTED, service),
            )
            closed += cur.rowcount
        finally:
            lock.release()
    return closed


def last_success(conn: sqlite3.Connection, service: str, jobs: Iterable[str]) -> datetime | None:
    """When the most recent successful (or partly successful) run of ``jobs`` started."""
    names = list(jobs)
    if not names:
        return None
    row = conn.execute(
        "SELECT MAX(started_at) FROM sync_runs WHERE service = ? "
        f"AND job IN ({','.join('?' * len(names))}) AND outcome IN ('success', 'partial')",
        (service, *names),
    ).fetchone()
    return None if row[0] is None else parse_utc(str(row[0]))


def last_attempt(
    conn: sqlite3.Connection, service: str, jobs: Iterable[str]
) -> tuple[datetime, str] | None:
    """The latest run of ``jobs`` that actually ran (skips excluded): (start, outcome)."""
    names = list(jobs)
    if not names:
        return None
    row = conn.execute(
        "SELECT started_at, COALESCE(outcome, 'running') FROM sync_runs WHERE service = ? "
        f"AND job IN ({','.join('?' * len(names))}) "
        "AND (outcome IS NULL OR outcome != 'skipped') ORDER BY started_at DESC, id DESC LIMIT 1",
        (service, *names),
    ).fetchone()
    return None if row is None else (parse_utc(str(row[0])), str(row[1]))


def skipped_since(conn: sqlite3.Connection, service: str, job: str, since: datetime) -> bool:
    row = conn.execute(
        "SELECT 1 FROM sync_runs WHERE service = ? AND job = ? AND outcome = 'skipped' "
        "AND started_at >= ? LIMIT 1",
        (service, job, utc_text(since)),
    ).fetchone()
    return row is not None
