"""The change feed: every insert, update and delete on a tenant table appends one row.

``changes`` is filled by triggers, so no write path can forget it, and "what changed since
sequence N" is one indexed query.  Syncs read it as their push watermark.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass


def trigger_sql(table: str, key_column: str) -> str:
    """DDL for the three change-feed triggers of one tenant table."""
    statements = []
    for op, ref in (("insert", "NEW"), ("update", "NEW"), ("delete", "OLD")):
        statements.append(
            f'CREATE TRIGGER "changes_{table}_{op}" AFTER {op.upper()} ON "{table}" BEGIN '
            "INSERT INTO changes(tbl, row_id, op) "
            f"VALUES ('{table}', {ref}.\"{key_column}\", '{op}'); END;"
        )
    return "\n".join(statements)


def install_triggers(conn: sqlite3.Connection, table: str, key_column: str) -> None:
    for statement in trigger_sql(table, key_column).split("\n"):
        conn.execute(statement)


@dataclass(frozen=True)
class Change:
    seq: int
    table: str
    row_id: str
    op: str
    changed_at: str


def latest_seq(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM changes").fetchone()
    return int(row[0])


def changes_since(
    conn: sqlite3.Connection, seq: int, *, tables: list[str] | None = None, limit: int = 10_000
) -> Iterator[Change]:
    """Changes after ``seq`` in order (optionally only for some tables)."""
    sql = "SELECT seq, tbl, row_id, op, changed_at FROM changes WHERE seq > ?"
    params: list[object] = [seq]
    if tables:
        sql += f" AND tbl IN ({','.join('?' * len(tables))})"
        params.extend(tables)
    sql += " ORDER BY seq LIMIT ?"
    params.append(limit)
    for row in conn.execute(sql, params):
        yield Change(int(row[0]), str(row[1]), str(row[2]), str(row[3]), str(row[4]))
