"""Import of a Nexpura data export (``nexpura-desktop import FILE``).

All or nothing: the whole file is read inside one transaction that commits only after
``_meta`` (the last entry) has been checked, so a truncated file, another format version,
another shop's file or a Ctrl-C leaves the ledger exactly as it was.

Rows are upserted by key and only rows that really differ are written, so the change
feed records exactly the differences between two exports.  Rows an earlier import brought
in that a newer export no longer has are deleted; rows the app created itself are never
touched.  Two Nexpura quirks are guarded against rather than mirrored blindly: a table
query that fails in the cloud comes out as an empty list, and big tables may be cut at
1000 rows — in both cases earlier rows are kept and a warning says why.

The import mirrors the cloud verbatim, so declared CHECKs and foreign keys (which live
data does not always satisfy) are relaxed while it runs; violations are reported, kept.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from ..errors import UserError
from .db import Ledger
from .export_file import ExportFileError, Rows, read_entries
from .tenant_tables import (
    ROWID_KEY,
    add_column,
    check_name,
    columns_of,
    create_generic,
    drop_placeholder,
    registered,
)
from .values import Stored, converter

SUPPORTED_FORMAT = "2.0"
BATCH_ROWS = 1000
SUPABASE_ROW_CAP = 1000  # PostgREST's default max rows: a table of exactly this size may be cut

Progress = Callable[[str, int, "int | None"], None]


class ImportError_(UserError):
    """The export could not be imported; the ledger is unchanged."""


class DifferentShopError(ImportError_):
    pass


class FormatVersionError(ImportError_):
    pass


class ImportCancelled(ImportError_):
    pass


@dataclass
class TableCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    rows_in_file: int = 0
    created: bool = False
    added_columns: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    import_id: int
    tenant_id: str | None
    exported_at: str | None
    tables: dict[str, TableCounts]
    warnings: list[str]

    def total(self, attribute: str) -> int:
        return sum(int(getattr(t, attribute)) for t in self.tables.values())


def import_export(
    ledger: Ledger,
    path: Path,
    *,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> ImportResult:
    """Import ``path`` into ``ledger`` (all or nothing)."""
    try:
        size = path.stat().st_size
        stream = path.open("rb")
    except FileNotFoundError:
        raise ImportError_(f"no file at {path}") from None
    except IsADirectoryError:
        raise ImportError_(f"{path} is a folder; choose the export's .json file") from None
    except OSError as exc:
        raise ImportError_(f"cannot read {path}: {exc.strerror or exc}") from None
    if size == 0:
        stream.close()
        raise ExportFileError("the file is empty; choose the .json file Nexpura's export gave you")
    conn = ledger.conn
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("PRAGMA ignore_check_constraints = ON")
    try:
        with stream, ledger.transaction():
            job = _Import(conn, path.name, size, stream, progress, cancel)
            result = job.run()
    finally:
        conn.execute("PRAGMA ignore_check_constraints = OFF")
        conn.execute("PRAGMA foreign_keys = ON")
    result.warnings.extend(_foreign_key_warnings(conn, list(result.tables)))
    return result


class _Import:
    def __init__(
        self,
        conn: sqlite3.Connection,
        file_name: str,
        size: int,
        stream: IO[bytes],
        progress: Progress | None,
        cancel: threading.Event | None,
    ) -> None:
        self.conn = conn
        self.size = size
        self.stream = stream
        self.progress = progress
        self.cancel = cancel
        self.tables: dict[str, TableCounts] = {}
        self.warnings: list[str] = []
        self.meta: dict[str, Any] | None = None
        self.tenant_id: str | None = None
        self.exported_at: str | None = None
        now = datetime.now(UTC).isoformat()
        cursor = conn.execute(
            "INSERT INTO imports(file_name, started_at) VALUES (?, ?)", (file_name, now)
        )
        self.import_id = int(cursor.lastrowid or 0)
        existing = conn.execute("SELECT id FROM tenants").fetchall()
        self.ledger_tenants = {str(r[0]) for r in existing}

    # -- the file, entry by entry ---------------------------------------------------------
    def run(self) -> ImportResult:
        for key, value in read_entries(self.stream):
            self._check_cancel()
            if isinstance(value, Rows):
                if self.tenant_id is None:
                    raise ImportError_("the file is not a Nexpura data export (no tenant first)")
                self._import_table(key, value)
            elif key == "tenant":
                self._import_tenant(value)
            elif key == "_meta":
                self._check_meta(value)
            elif key == "_storage_manifest":
                self._import_storage(value)
            elif key == "exported_at":
                self.exported_at = value if isinstance(value, str) else None
        if self.meta is None or self.tenant_id is None:
            raise ImportError_("the file is not a Nexpura data export (no _meta or tenant)")
        self._delete_vanished()
        self._finish()
        return ImportResult(
            self.import_id, self.tenant_id, self.exported_at, self.tables, self.warnings
        )

    def _check_cancel(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise ImportCancelled("import cancelled; the ledger is unchanged")

    def _import_tenant(self, value: Any) -> None:
        if not isinstance(value, dict) or not value.get("id"):
            raise ImportError_("the export's tenant entry is missing its id")
        tenant_id = str(value["id"])
        others = self.ledger_tenants - {tenant_id}
        if others:
            raise DifferentShopError(
                "this export is from a different shop than the one in this ledger; "
                "use a separate --home for another shop"
            )
        self.tenant_id = tenant_id
        self._import_table("tenants", [value])

    def _check_meta(self, value: Any) -> None:
        if not isinstance(value, dict):
            raise ImportError_("the file is not a Nexpura data export (_meta is not an object)")
        version = value.get("format_version")
        if str(version) != SUPPORTED_FORMAT:
            raise FormatVersionError(
                f"this export is format {version!r}; this version of Nexpura Desktop reads "
                f"format {SUPPORTED_FORMAT}"
            )
        self.meta = value

    def _import_storage(self, value: Any) -> None:
        if not isinstance(value, dict):
            self.warnings.append("_storage_manifest is not an object; skipped")
            return
        rows = []
        for bucket, files in value.items():
            for entry in files if isinstance(files, list) else []:
                if isinstance(entry, dict) and entry.get("path"):
                    rows.append((str(bucket), str(entry["path"]), self.import_id))
        self.conn.executemany(
            "INSERT INTO storage_files(bucket, path, import_id) VALUES (?, ?, ?) "
            "ON CONFLICT(bucket, path) DO UPDATE SET import_id = excluded.import_id",
            rows,
        )
        self.conn.execute("DELETE FROM storage_files WHERE import_id < ?", (self.import_id,))

    # -- one table ----------------------------------------------------------------------------
    def _import_table(self, table: str, rows: Iterable[Any]) -> None:
        check_name(table)
        counts = self.tables.setdefault(table, TableCounts())
        iterator = iter(rows)
        first = next(iterator, None)
        info = registered(self.conn, table)
        if info is None:
            if self._is_companion(table):
                raise ImportError_(
                    f"the export has a table named {table!r}, which clashes with the app's own "
                    "bookkeeping; the file cannot be imported"
                )
            create_generic(self.conn, table, first if isinstance(first, dict) else None)
            counts.created = True
            info = registered(self.conn, table)
            assert info is not None
        key = info[1]
        if first is None:
            return
        writer = _TableWriter(self, table, key, counts)
        batch: list[dict[str, Any]] = []
        skipped = 0
        for row in _chain(first, iterator):
            if not isinstance(row, dict):
                skipped += 1
                continue
            batch.append(row)
            if len(batch) >= BATCH_ROWS:
                writer.write(batch)
                batch = []
                self._check_cancel()
                if self.progress is not None:
                    self.progress(f"importing {table}", self.stream.tell(), self.size)
        if batch:
            writer.write(batch)
        if skipped:
            self.warnings.append(
                f"{table}: {skipped} entries were not row objects and were skipped"
            )
        if self.progress is not None:
            self.progress(f"importing {table}", self.stream.tell(), self.size)

    def _is_companion(self, table: str) -> bool:
        row = self.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE name = ? COLLATE NOCASE", (table,)
        ).fetchone()
        return row is not None

    # -- after the last table -------------------------------------------------------------
    def _delete_vanished(self) -> None:
        for table, counts in self.tables.items():
            info = registered(self.conn, table)
            if info is None or info[1] == ROWID_KEY:
                continue  # id-less tables are replaced wholesale as they are read
            stale = int(
                self.conn.execute(
                    "SELECT COUNT(*) FROM imported_rows WHERE tbl = ? AND import_id < ?",
                    (table, self.import_id),
                ).fetchone()[0]
            )
            if not stale:
                continue
            if counts.rows_in_file == 0:
                self.warnings.append(
                    f"{table} is empty in this export but held {stale} rows before; kept them "
                    "(Nexpura's export turns a failed table into an empty list)"
                )
                continue
            if counts.rows_in_file == SUPABASE_ROW_CAP:
                self.warnings.append(
                    f"{table} has exactly {SUPABASE_ROW_CAP} rows in this export, which may be "
                    f"Nexpura's row limit; kept {stale} earlier rows that are not in the file"
                )
                continue
            cursor = self.conn.execute(
                f'DELETE FROM "{table}" WHERE "{info[1]}" IN '
                "(SELECT row_id FROM imported_rows WHERE tbl = ? AND import_id < ?)",
                (table, self.import_id),
            )
            counts.deleted += max(cursor.rowcount, 0)
            self.conn.execute(
                "DELETE FROM imported_rows WHERE tbl = ? AND import_id < ?",
                (table, self.import_id),
            )

    def _finish(self) -> None:
        import json

        meta = self.meta or {}
        summary = {
            "tables": {
                name: {
                    "inserted": c.inserted,
                    "updated": c.updated,
                    "unchanged": c.unchanged,
                    "deleted": c.deleted,
                    "created": c.created,
                    "added_columns": c.added_columns,
                }
                for name, c in self.tables.items()
            },
            "warnings": self.warnings,
        }
        self.conn.execute(
            "UPDATE imports SET tenant_id = ?, exported_at = ?, exported_by = ?, "
            "format_version = ?, finished_at = ?, rows_inserted = ?, rows_updated = ?, "
            "rows_unchanged = ?, rows_deleted = ?, summary = ? WHERE id = ?",
            (
                self.tenant_id,
                self.exported_at,
                str(meta.get("exported_by")) if meta.get("exported_by") is not None else None,
                str(meta.get("format_version")),
                datetime.now(UTC).isoformat(),
                sum(c.inserted for c in self.tables.values()),
                sum(c.updated for c in self.tables.values()),
                sum(c.unchanged for c in self.tables.values()),
                sum(c.deleted for c in self.tables.values()),
                json.dumps(summary, separators=(",", ":")),
                self.import_id,
            ),
        )


class _TableWriter:
    """Upserts batches of rows of one table, widening it when a row has new keys."""

    def __init__(self, job: _Import, table: str, key: str, counts: TableCounts) -> None:
        self.job = job
        self.conn = job.conn
        self.table = table
        self.key = key
        self.counts = counts
        self.columns = columns_of(self.conn, table)
        self._statements: dict[tuple[str, ...], str] = {}
        if key == ROWID_KEY:
            # Rows without ids cannot be matched: replace what earlier imports brought in.
            cursor = self.conn.execute(
                f'DELETE FROM "{table}" WHERE rowid IN '
                "(SELECT CAST(row_id AS INTEGER) FROM imported_rows WHERE tbl = ?)",
                (table,),
            )
            counts.deleted += max(cursor.rowcount, 0)
            self.conn.execute("DELETE FROM imported_rows WHERE tbl = ?", (table,))

    def write(self, batch: list[dict[str, Any]]) -> None:
        present: dict[str, None] = {}
        for row in batch:
            for column, value in row.items():
                if column not in self.columns:
                    self.columns[column] = add_column(self.conn, self.table, column, value)
                    self.counts.added_columns.append(column)
                present.setdefault(column, None)
        if self.key == ROWID_KEY:
            drop_placeholder(self.conn, self.table)
            self.columns = columns_of(self.conn, self.table)
        cols = tuple(c for c in self.columns if c in present)
        convs = [converter(self.columns[c]) for c in cols]
        params = [_values(row, cols, convs) for row in batch]
        self.counts.rows_in_file += len(batch)
        if self.key == ROWID_KEY:
            self._insert_rowid(cols, params)
            return
        if self.key not in present:
            raise ImportError_(f"{self.table}: a row has no {self.key!r}; the file is damaged")
        key_index = cols.index(self.key)
        ids = [p[key_index] for p in params]
        existing = self._existing(ids)
        cursor = self.conn.executemany(self._upsert(cols), params)
        changed = max(cursor.rowcount, 0)
        inserted = sum(1 for i in set(ids) if i not in existing)
        updated = max(changed - inserted, 0)
        self.counts.inserted += inserted
        self.counts.updated += updated
        self.counts.unchanged += len(batch) - inserted - updated
        self.conn.executemany(
            "INSERT INTO imported_rows(tbl, row_id, import_id) VALUES (?, ?, ?) "
            "ON CONFLICT(tbl, row_id) DO UPDATE SET import_id = excluded.import_id",
            [(self.table, str(i), self.job.import_id) for i in ids],
        )

    def _existing(self, ids: list[Stored]) -> set[Stored]:
        found: set[Stored] = set()
        for start in range(0, len(ids), 900):
            chunk = ids[start : start + 900]
            marks = ",".join("?" * len(chunk))
            found.update(
                r[0]
                for r in self.conn.execute(
                    f'SELECT "{self.key}" FROM "{self.table}" WHERE "{self.key}" IN ({marks})',
                    chunk,
                )
            )
        return found

    def _upsert(self, cols: tuple[str, ...]) -> str:
        statement = self._statements.get(cols)
        if statement is None:
            names = ", ".join(f'"{c}"' for c in cols)
            marks = ", ".join("?" * len(cols))
            others = [c for c in cols if c != self.key]
            statement = f'INSERT INTO "{self.table}" ({names}) VALUES ({marks}) '
            if others:
                sets = ", ".join(f'"{c}" = excluded."{c}"' for c in others)
                differs = " OR ".join(f'"{c}" IS NOT excluded."{c}"' for c in others)
                statement += f'ON CONFLICT("{self.key}") DO UPDATE SET {sets} WHERE {differs}'
            else:
                statement += f'ON CONFLICT("{self.key}") DO NOTHING'
            self._statements[cols] = statement
        return statement

    def _insert_rowid(self, cols: tuple[str, ...], params: list[list[Stored]]) -> None:
        names = ", ".join(f'"{c}"' for c in cols)
        marks = ", ".join("?" * len(cols))
        sql = f'INSERT INTO "{self.table}" ({names}) VALUES ({marks})'
        for values in params:
            cursor = self.conn.execute(sql, values)
            self.conn.execute(
                "INSERT INTO imported_rows(tbl, row_id, import_id) VALUES (?, ?, ?)",
                (self.table, str(cursor.lastrowid), self.job.import_id),
            )
            self.counts.inserted += 1


def _values(
    row: Mapping[str, Any], cols: tuple[str, ...], convs: list[Callable[[Any], Stored]]
) -> list[Stored]:
    return [conv(row.get(col)) for col, conv in zip(cols, convs, strict=True)]


def _chain(first: Any, rest: Iterable[Any]) -> Iterable[Any]:
    yield first
    yield from rest


def _foreign_key_warnings(conn: sqlite3.Connection, tables: list[str]) -> list[str]:
    warnings = []
    for table in tables:
        counts: dict[str, int] = {}
        for row in conn.execute(f'PRAGMA foreign_key_check("{table}")'):
            counts[str(row[2])] = counts.get(str(row[2]), 0) + 1
        for parent, count in sorted(counts.items()):
            warnings.append(
                f"{count} {table} rows refer to {parent} rows missing from the file (kept)"
            )
    return warnings
