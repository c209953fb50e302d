"""Read endpoints' queries: one resource per main tenant table, paged by key, filterable by
``updated_since``.

Paging is keyset paging on the table's key (``id``): a cursor names the last key of the
previous page, so pages stay stable while rows are added or changed, and every page is
one indexed range scan.  ``updated_since`` compares instants (``julianday``), not text, so
rows written with different offsets (``Z``, ``+10:00``) compare correctly; tables without
``updated_at`` (line items, stock movements) filter on ``created_at``.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..ledger.db import Ledger, LedgerError, TableInfo

RESOURCES = (
    "customers",
    "inventory",
    "stock_movements",
    "sales",
    "sale_items",
    "invoices",
    "invoice_line_items",
    "payments",
    "quotes",
    "repairs",
    "bespoke_jobs",
    "appointments",
    "tasks",
    "suppliers",
    "locations",
)
DEFAULT_LIMIT = 100
MAX_LIMIT = 500
_CURSOR_PREFIX = "k1:"


class BadQuery(ValueError):
    """A query parameter the owner's tool got wrong (answered with 400 and this text)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Query:
    limit: int = DEFAULT_LIMIT
    after: str | None = None  # the last key of the previous page
    since: datetime | None = None
    include_deleted: bool = False


@dataclass(frozen=True)
class Page:
    rows: list[dict[str, Any]]
    next_cursor: str | None


def parse_since(text: str) -> datetime:
    """ISO 8601 date or date-time; no offset means UTC.  Anything else is ``BadQuery``."""
    value = text.strip().upper()  # RFC 3339 allows "t" and "z"
    if len(value) >= 19 and value[10:11] in ("T", " ") and value[17:19] == "60":
        value = value[:17] + "59" + value[19:]  # a leap second: the second before will do
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise BadQuery(
            "bad_updated_since",
            f"updated_since must be an ISO 8601 date or date-time such as "
            f"2025-01-31T09:30:00Z, not {text!r}",
        ) from None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


def parse_limit(text: str | None) -> int:
    if text is None or text == "":
        return DEFAULT_LIMIT
    try:
        limit = int(text)
    except ValueError:
        limit = 0
    if not 1 <= limit <= MAX_LIMIT:
        raise BadQuery("bad_limit", f"limit must be a whole number from 1 to {MAX_LIMIT}")
    return limit


def parse_bool(name: str, text: str | None) -> bool:
    if text is None or text == "":
        return False
    lowered = text.strip().lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    raise BadQuery(f"bad_{name}", f"{name} must be true or false, not {text!r}")


def encode_cursor(key: str) -> str:
    raw = (_CURSOR_PREFIX + key).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> str:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        raw = base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        raw = ""
    if not raw.startswith(_CURSOR_PREFIX):
        raise BadQuery("bad_cursor", "cursor is not one this API gave out; start again without it")
    return raw[len(_CURSOR_PREFIX) :]


def query_from(params: dict[str, str]) -> Query:
    """The query parameters of a list request, checked."""
    since = params.get("updated_since")
    cursor = params.get("cursor")
    return Query(
        limit=parse_limit(params.get("limit")),
        after=decode_cursor(cursor) if cursor else None,
        since=parse_since(since) if since is not None else None,
        include_deleted=parse_bool("include_deleted", params.get("include_deleted")),
    )


def _decode(info: TableInfo, row: sqlite3.Row) -> dict[str, Any]:
    """A ledger row as JSON values: JSONB parsed, BOOLEAN as true/false."""
    out: dict[str, Any] = {}
    types = {c.name: c.type for c in info.columns}
    for name in row.keys():  # noqa: SIM118 - sqlite3.Row is not a mapping
        value = row[name]
        kind = types.get(name, "TEXT")
        if kind == "JSONB" and isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = json.loads(value)
        elif kind == "BOOLEAN" and value in (0, 1):
            value = bool(value)
        out[name] = value
    return out


def _time_column(info: TableInfo) -> str | None:
    names = info.column_names
    if "updated_at" in names and "created_at" in names:
        return 'COALESCE("updated_at", "created_at")'
    for name in ("updated_at", "created_at"):
        if name in names:
            return f'"{name}"'
    return None


def open_reader(ledger_path: Path) -> Ledger:
    return Ledger(ledger_path, readonly=True)


def table(ledger: Ledger, resource: str) -> TableInfo:
    if resource not in RESOURCES:
        raise KeyError(resource)
    try:
        return ledger.table_info(resource)
    except LedgerError:
        raise KeyError(resource) from None


def list_rows(ledger: Ledger, resource: str, query: Query) -> Page:
    """One page of ``resource`` in key order, after ``query.after``."""
    info = table(ledger, resource)
    key = info.key_column
    where: list[str] = []
    args: list[Any] = []
    if query.after is not None:
        where.append(f'"{key}" > ?')
        args.append(query.after)
    if query.since is not None:
        column = _time_column(info)
        if column is None:
            raise BadQuery("bad_updated_since", f"{resource} rows carry no time to filter on")
        where.append(f"julianday({column}) >= julianday(?)")
        args.append(query.since.isoformat())
    if not query.include_deleted and "deleted_at" in info.column_names:
        where.append('"deleted_at" IS NULL')
    sql = f'SELECT * FROM "{resource}"'
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += f' ORDER BY "{key}" LIMIT ?'
    args.append(query.limit + 1)
    conn = ledger.conn
    conn.row_factory = sqlite3.Row
    try:
        found = conn.execute(sql, args).fetchall()
    finally:
        conn.row_factory = None
    rows = [_decode(info, r) for r in found[: query.limit]]
    more = len(found) > query.limit
    next_cursor = encode_cursor(str(rows[-1][key])) if more and rows else None
    return Page(rows, next_cursor)


def get_row(ledger: Ledger, resource: str, row_id: str) -> dict[str, Any] | None:
    info = table(ledger, resource)
    conn = ledger.conn
    conn.row_factory = sqlite3.Row
    try:
        row = conn.execute(
            f'SELECT * FROM "{resource}" WHERE "{info.key_column}" = ?', (row_id,)
        ).fetchone()
    finally:
        conn.row_factory = None
    return None if row is None else _decode(info, row)
