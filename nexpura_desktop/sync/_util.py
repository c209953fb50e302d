"""Small helpers shared by the sync repositories."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime


def utc_text(when: datetime | None = None) -> str:
    """A timestamp as stored in the companion tables: ISO-8601, UTC, milliseconds.

    One fixed format keeps text comparison (``ORDER BY``, ``<``) equal to time order.
    """
    moment = when if when is not None else datetime.now(UTC)
    if moment.tzinfo is None:
        raise ValueError("timestamps must carry a timezone")
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def parse_utc(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def require_transaction(conn: sqlite3.Connection, what: str) -> None:
    """Refuse a write that must share the caller's transaction but would autocommit alone."""
    if not conn.in_transaction:
        raise RuntimeError(f"{what} must be written inside the caller's transaction")
