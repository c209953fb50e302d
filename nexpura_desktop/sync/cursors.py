"""Value watermarks per (service, stream), committed with the rows they cover.

A cursor is the last *value* a stream has fully stored (a remote ``updated_at``, a page
cursor, a ledger change sequence) — never an offset or the wall-clock time of the sync.
``set_cursor`` insists on running inside the caller's open transaction, so a crash can
never leave the cursor ahead of (or behind) the page it describes.
"""

from __future__ import annotations

import sqlite3

from ._util import require_transaction, utc_text


def get_cursor(conn: sqlite3.Connection, service: str, stream: str) -> str | None:
    row = conn.execute(
        "SELECT value FROM sync_cursors WHERE service = ? AND stream = ?", (service, stream)
    ).fetchone()
    return None if row is None else str(row[0])


def set_cursor(conn: sqlite3.Connection, service: str, stream: str, value: str) -> None:
    """Advance (or move) the watermark; must be in the same transaction as the page's rows."""
    require_transaction(conn, "a sync cursor")
    conn.execute(
        "INSERT INTO sync_cursors(service, stream, value, updated_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT(service, stream) DO UPDATE SET value = excluded.value, "
        "updated_at = excluded.updated_at",
        (service, stream, value, utc_text()),
    )


def reset_cursors(conn: sqlite3.Connection, service: str, stream: str | None = None) -> int:
    """Forget watermarks (a ``--full`` resync); returns how many were removed."""
    if stream is None:
        cur = conn.execute("DELETE FROM sync_cursors WHERE service = ?", (service,))
    else:
        cur = conn.execute(
            "DELETE FROM sync_cursors WHERE service = ? AND stream = ?", (service, stream)
        )
    return cur.rowcount


def all_cursors(conn: sqlite3.Connection, service: str) -> dict[str, str]:
    rows = conn.execute(
        "SELECT stream, value FROM sync_cursors WHERE service = ? ORDER BY stream", (service,)
    )
    return {str(stream): str(value) for stream, value in rows}
