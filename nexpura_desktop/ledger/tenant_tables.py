"""Creating and widening tenant tables so that every table and column of an export fits.

Typed tables come from the migrations; anything else an export holds becomes a *generic*
table built from the keys seen, and keys a table lacks become new columns.  Nothing in a
file is ever dropped for want of a place to put it.
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from ..errors import UserError
from .changes import install_triggers
from .values import type_for_value

ROWID_KEY = "rowid"  # key of generic tables whose rows have no "id"
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_ .-]{0,62}$")


class TableNameError(UserError):
    """A table or column name the ledger cannot hold safely."""


def check_name(name: str, what: str = "table") -> str:
    if not _NAME.match(name) or name.lower().startswith("sqlite_"):
        raise TableNameError(f"the export has a {what} named {name!r}, which is not a valid name")
    return name


def registered(conn: sqlite3.Connection, table: str) -> tuple[str, str] | None:
    """``(kind, key_column)`` of a tenant table, or None."""
    row = conn.execute(
        "SELECT kind, key_column FROM tenant_tables WHERE name = ?", (table,)
    ).fetchone()
    return (str(row[0]), str(row[1])) if row else None


def create_generic(conn: sqlite3.Connection, table: str, first_row: dict[str, Any] | None) -> str:
    """Create a generic table for ``table``; returns its key column."""
    check_name(table)
    has_id = first_row is None or "id" in first_row
    if has_id:
        conn.execute(f'CREATE TABLE "{table}" ("id" TEXT PRIMARY KEY NOT NULL)')
        key = "id"
    else:
        conn.execute(f'CREATE TABLE "{table}" ("_placeholder" TEXT)')
        key = ROWID_KEY
    conn.execute(
        "INSERT INTO tenant_tables(name, kind, key_column) VALUES (?, 'generic', ?)", (table, key)
    )
    install_triggers(conn, table, key)
    return key


def columns_of(conn: sqlite3.Connection, table: str) -> dict[str, str]:
    """Column name → declared type, in table order."""
    return {
        str(r[1]): str(r[2] or "TEXT").upper()
        for r in conn.execute(f'PRAGMA table_info("{table}")')
    }


def add_column(conn: sqlite3.Connection, table: str, column: str, sample: Any) -> str:
    check_name(column, "column")
    declared = type_for_value(sample) if sample is not None else "TEXT"
    conn.execute(f'ALTER TABLE "{table}" ADD COLUMN "{column}" {declared}')
    return declared


def drop_placeholder(conn: sqlite3.Connection, table: str) -> None:
    """Generic id-less tables start with a placeholder column until real ones exist."""
    cols = columns_of(conn, table)
    if "_placeholder" in cols and len(cols) > 1:
        conn.execute(f'ALTER TABLE "{table}" DROP COLUMN "_placeholder"')
