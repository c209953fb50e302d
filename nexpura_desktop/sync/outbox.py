"""The outbox: outbound writes recorded with the change that caused them.

An operation is enqueued in the *caller's* transaction (so it exists if and only if the
local change does), with an idempotency key derived from what it does — never random —
so enqueuing the same intent twice is one row, and a replay after a crash sends the
same key to the service (Xero ``Idempotency-Key``) or looks the object up first.  A row
is deleted only after the remote side confirms.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ._util import require_transaction, utc_text


@dataclass(frozen=True)
class OutboxItem:
    id: int
    service: str
    operation: str
    idempotency_key: str
    local_table: str | None
    local_id: str | None
    payload: dict[str, Any]
    attempts: int
    last_error: str | None
    next_attempt_at: str | None


def idempotency_key(service: str, operation: str, *parts: object) -> str:
    """A stable key for one intent: same service, operation and parts → same key."""
    text = json.dumps([service, operation, *[str(p) for p in parts]], separators=(",", ":"))
    return f"{service}-{operation}-{hashlib.sha256(text.encode()).hexdigest()[:32]}"


_COLS = (
    "id, service, operation, idempotency_key, local_table, local_id, payload, attempts, "
    "last_error, next_attempt_at"
)


def _item(row: tuple[Any, ...]) -> OutboxItem:
    return OutboxItem(
        id=int(row[0]),
        service=str(row[1]),
        operation=str(row[2]),
        idempotency_key=str(row[3]),
        local_table=row[4],
        local_id=row[5],
        payload=json.loads(row[6]),
        attempts=int(row[7]),
        last_error=row[8],
        next_attempt_at=row[9],
    )


def enqueue(
    conn: sqlite3.Connection,
    service: str,
    operation: str,
    key: str,
    *,
    payload: dict[str, Any] | None = None,
    local_table: str | None = None,
    local_id: str | None = None,
) -> OutboxItem:
    """Record an intent (inside the caller's transaction); an existing key is kept as is."""
    require_transaction(conn, "an outbox entry")
    rows = conn.execute(
        "INSERT INTO outbox(service, operation, idempotency_key, local_table, local_id, "
        "payload, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
        f"ON CONFLICT(idempotency_key) DO NOTHING RETURNING {_COLS}",
        (
            service,
            operation,
            key,
            local_table,
            None if local_id is None else str(local_id),
            json.dumps(payload or {}, separators=(",", ":"), sort_keys=True),
            utc_text(),
        ),
    ).fetchall()
    if rows:
        return _item(rows[0])
    found = get(conn, key)  # the key was already there: keep it as is
    assert found is not None
    return found


@dataclass(frozen=True)
class Intent:
    """One intent for :func:`enqueue_many`."""

    key: str
    payload: dict[str, Any]
    local_table: str | None = None
    local_id: str | None = None


def enqueue_many(
    conn: sqlite3.Connection, service: str, operation: str, intents: Sequence[Intent]
) -> None:
    """:func:`enqueue` for a whole batch in one statement (existing keys are kept as is);
    confirm them with :func:`confirm_keys`."""
    require_transaction(conn, "an outbox entry")
    now = utc_text()
    conn.executemany(
        "INSERT INTO outbox(service, operation, idempotency_key, local_table, local_id, "
        "payload, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT(idempotency_key) DO NOTHING",
        [
            (
                service,
                operation,
                i.key,
                i.local_table,
                None if i.local_id is None else str(i.local_id),
                json.dumps(i.payload, separators=(",", ":"), sort_keys=True),
                now,
            )
            for i in intents
        ],
    )


def get(conn: sqlite3.Connection, key: str) -> OutboxItem | None:
    row = conn.execute(f"SELECT {_COLS} FROM outbox WHERE idempotency_key = ?", (key,)).fetchone()
    return None if row is None else _item(row)


def pending(
    conn: sqlite3.Connection,
    service: str,
    *,
    now: datetime | None = None,
    operation: str | None = None,
    limit: int = 500,
) -> list[OutboxItem]:
    """Items waiting to be sent, oldest first, skipping those told to wait until later."""
    sql = f"SELECT {_COLS} FROM outbox WHERE service = ?"
    params: list[Any] = [service]
    if operation is not None:
        sql += " AND operation = ?"
        params.append(operation)
    if now is not None:
        sql += " AND (next_attempt_at IS NULL OR next_attempt_at <= ?)"
        params.append(utc_text(now))
    sql += " ORDER BY id LIMIT ?"
    params.append(limit)
    return [_item(r) for r in conn.execute(sql, params)]


def count(conn: sqlite3.Connection, service: str) -> int:
    return int(
        conn.execute("SELECT COUNT(*) FROM outbox WHERE service = ?", (service,)).fetchone()[0]
    )


def mark_attempt(
    conn: sqlite3.Connection,
    item_id: int,
    *,
    error: str | None = None,
    retry_at: datetime | None = None,
) -> None:
    """Count an attempt (before or after sending) and remember why it failed, if it did."""
    conn.execute(
        "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? "
        "WHERE id = ?",
        (error, None if retry_at is None else utc_text(retry_at), item_id),
    )


def confirm(conn: sqlite3.Connection, item_id: int) -> None:
    """The remote side confirmed: the intent is done (call in the transaction that stores
    the result, e.g. the new link, so both land or neither does)."""
    conn.execute("DELETE FROM outbox WHERE id = ?", (item_id,))


def confirm_keys(conn: sqlite3.Connection, keys: Iterable[str]) -> None:
    """:func:`confirm` by idempotency key, for a whole batch."""
    conn.executemany("DELETE FROM outbox WHERE idempotency_key = ?", [(k,) for k in keys])
