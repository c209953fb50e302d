"""The export engine: stream chosen rows of tenant tables from one snapshot into a destination.

One read transaction spans every table, so an export taken while a sync writes is
coherent.  SQLite formats each row's cells and joins a chunk of rows into one value
(``csv_cells.select_chunk``), one chunk ahead in a helper thread (``prefetch``); Python
quotes the few cells that need it with whole-chunk byte searches (``batches``).  Chunks
have a fixed number of rows, so memory stays flat whatever the table size.  Any failure
aborts the destination, which leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from .. import APP_NAME, __version__
from ..ledger.db import Ledger, TableInfo
from .atomic import (
    Destination,
    ExportCancelled,
    ExportError,
    FolderDestination,
    ZipDestination,
    os_error_message,
)
from .batches import finish, intact
from .csv_cells import CellRules, header_line, select_chunk, select_lines, select_lines_chunk
from .prefetch import prefetch

Progress = Callable[[str, int, int | None], None]
"""``progress(label, done, total)``: label is the table being written; done/total count
rows across the whole export."""

BATCH_ROWS = 2000
_FIRST_ROWID, _LAST_ROWID = -(2**63), 2**63 - 1
BOM = b"\xef\xbb\xbf"
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class TableJob:
    """One table to write: all its rows, or those matching ``where`` (with ``params``)."""

    info: TableInfo
    where: str = ""
    params: tuple[Any, ...] = ()
    note: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TableResult:
    name: str
    file: str
    rows: int
    columns: tuple[str, ...]
    bytes: int
    sha256: str


@dataclass(frozen=True)
class ExportResult:
    """What was written: the folder or zip, and per table its rows, bytes and sha256."""

    path: Path
    tables: tuple[TableResult, ...]
    manifest: dict[str, Any]

    @property
    def total_rows(self) -> int:
        return sum(t.rows for t in self.tables)


@dataclass(frozen=True)
class Options:
    as_zip: bool = False
    excel: bool = False
    raw: bool = False


def local_time(now: datetime | None) -> datetime:
    """``now`` (naive = local time) or the current time, with the local offset."""
    return datetime.now().astimezone() if now is None else now.astimezone(now.tzinfo)


@contextmanager
def snapshot(ledger_path: Path) -> Iterator[Ledger]:
    """The ledger opened read-only inside one read transaction (a consistent snapshot)."""
    ledger = Ledger(ledger_path, readonly=True)
    try:
        try:
            ledger.conn.execute("BEGIN")
            ledger.conn.execute("SELECT count(*) FROM tenant_tables").fetchone()
        except sqlite3.Error as exc:
            raise ExportError(f"cannot read the ledger {ledger_path}: {exc}") from exc
        yield ledger
    finally:
        with suppress(sqlite3.Error):
            ledger.conn.execute("ROLLBACK")
        ledger.close()


class _Run:
    """Progress and cancellation across the tables of one export."""

    def __init__(self, total: int, progress: Progress | None, cancel: threading.Event | None):
        self.total = total
        self.done = 0
        self.progress = progress
        self.cancel = cancel

    def check(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise ExportCancelled("the export was cancelled; nothing was saved")

    def advance(self, label: str, rows: int) -> None:
        self.done += rows
        if self.progress is not None:
            self.progress(label, self.done, self.total)


def _write_table(
    conn: sqlite3.Connection,
    dest: Destination,
    job: TableJob,
    rules: CellRules,
    excel: bool,
    run: _Run,
) -> TableResult:
    info = job.info
    name = f"{info.name}.csv"
    digest = hashlib.sha256()
    size = rows = 0
    handle: IO[bytes] = dest.open_file(name)
    try:
        head = (BOM if excel else b"") + header_line(info.columns, rules).encode("utf-8")
        handle.write(head)
        digest.update(head)
        size += len(head)
        run.advance(info.name, 0)
        for count, pieces in _batches(conn, job, rules):
            run.check()
            for data in pieces:
                handle.write(data)
                digest.update(data)
                size += len(data)
            rows += count
            run.advance(info.name, count)
    except BaseException:
        with suppress(Exception):
            handle.close()
        raise
    dest.close_file(name, handle)
    return TableResult(info.name, name, rows, tuple(info.column_names), size, digest.hexdigest())


def _batches(
    conn: sqlite3.Connection, job: TableJob, rules: CellRules
) -> Iterator[tuple[int, Sequence[bytes]]]:
    """``(rows, CSV bytes in pieces)`` per chunk of at most ``BATCH_ROWS`` of the job's
    rows, in rowid order; the next chunk is read while this one is finished."""
    info = job.info
    if len(info.columns) < 2:  # a lone empty cell needs quotes: the precise path knows
        cursor = conn.execute(select_lines(info.name, info.columns, rules, job.where), job.params)
        while lines := cursor.fetchmany(BATCH_ROWS):
            yield len(lines), [b"".join([r[0] for r in lines])]
        return
    with closing(prefetch(_chunks(conn, job, rules))) as chunks:
        for rows, data, done in chunks:
            yield rows, (data,) if done else finish(data)


def _chunks(
    conn: sqlite3.Connection, job: TableJob, rules: CellRules
) -> Iterator[tuple[int, bytes, bool]]:
    """``(rows, bytes, finished)`` per chunk: one query each, starting after the last
    rowid of the one before.  Fast lines normally; the precise SQL's finished CSV when a
    value holds a separator (all the connection's work stays in this one thread)."""
    info = job.info
    fast = select_chunk(info.name, info.columns, rules, job.where)
    precise = select_lines_chunk(info.name, info.columns, rules, job.where)
    start = _FIRST_ROWID
    while True:
        params = (*job.params, start, BATCH_ROWS)
        rows, last, body = conn.execute(fast, params).fetchone()
        if not rows:
            return
        if intact(body, rows, len(info.columns)):
            yield rows, body, False
        else:
            yield rows, b"".join([r[0] for r in conn.execute(precise, params)]), True
        if rows < BATCH_ROWS or last >= _LAST_ROWID:
            return
        start = last + 1


def _manifest(
    ledger: Ledger,
    stamp: datetime,
    options: Options,
    jobs: Sequence[TableJob],
    results: Sequence[TableResult],
    extra: dict[str, Any],
) -> dict[str, Any]:
    tables = []
    for job, result in zip(jobs, results, strict=True):
        tables.append(
            {
                "name": result.name,
                "file": result.file,
                "kind": job.info.kind,
                "rows": result.rows,
                "columns": list(result.columns),
                "types": [c.type for c in job.info.columns],
                "bytes": result.bytes,
                "sha256": result.sha256,
                **job.note,
            }
        )
    return {
        "app": APP_NAME,
        "app_version": __version__,
        "schema_version": ledger.schema_version(),
        "exported_at": stamp.isoformat(timespec="seconds"),
        **extra,
        "options": {"zip": options.as_zip, "excel": options.excel, "raw": options.raw},
        "csv": {
            "encoding": "utf-8 with BOM" if options.excel else "utf-8",
            "line_ending": "CRLF",
            "null": "",
            "booleans": ["true", "false"],
            "formula_neutralising": not options.raw,
        },
        "total_rows": sum(r.rows for r in results),
        "tables": tables,
    }


def write_export(
    ledger: Ledger,
    jobs: Sequence[TableJob],
    out_dir: Path,
    stem: str,
    stamp: datetime,
    options: Options,
    *,
    manifest_extra: dict[str, Any] | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> ExportResult:
    """Write ``jobs`` as ``<stem>/`` (or ``<stem>.zip``) in ``out_dir``, all or nothing."""
    rules = CellRules(neutralise=not options.raw)
    dest: FolderDestination | ZipDestination | None = None
    try:
        total = sum(_count(ledger.conn, job) for job in jobs)
        run = _Run(total, progress, cancel)
        run.check()
        dest = (
            ZipDestination(out_dir, stem, stamp)
            if options.as_zip
            else FolderDestination(out_dir, stem)
        )
        results = [_write_table(ledger.conn, dest, job, rules, options.excel, run) for job in jobs]
        run.check()
        manifest = _manifest(ledger, stamp, options, jobs, results, manifest_extra or {})
        handle = dest.open_file(MANIFEST)
        handle.write((json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode())
        dest.close_file(MANIFEST, handle)
        path = dest.commit()
    except OSError as exc:
        if dest is not None:
            dest.abort()
        raise ExportError(os_error_message(exc, out_dir)) from exc
    except sqlite3.Error as exc:
        if dest is not None:
            dest.abort()
        raise ExportError(f"cannot read the ledger: {exc}; nothing was saved") from exc
    except BaseException:
        if dest is not None:
            dest.abort()
        raise
    return ExportResult(path, tuple(results), manifest)


def _count(conn: sqlite3.Connection, job: TableJob) -> int:
    sql = f'SELECT count(*) FROM "{job.info.name}"'
    if job.where:
        sql += f" WHERE {job.where}"
    return int(conn.execute(sql, job.params).fetchone()[0])
