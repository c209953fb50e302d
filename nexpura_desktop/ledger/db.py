"""The ledger: one SQLite file holding the shop's tenant tables and all sync state.

WAL (readers never block the writer), foreign keys on, a busy timeout so two threads
wait rather than fail, and numbered SQL migrations applied at start-up inside one
transaction with the schema version recorded.  A ledger written by a newer version of
the app refuses to open: downgrading silently could corrupt it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ..errors import UserError

BUSY_TIMEOUT_MS = 10_000


class LedgerError(UserError):
    """The ledger cannot be opened or used (message says why and what to do)."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def migrations() -> list[Migration]:
    """The numbered ``NNNN_name.sql`` files shipped in ``ledger/migrations``."""
    found = []
    for entry in resources.files("nexpura_desktop.ledger.migrations").iterdir():
        if entry.name.endswith(".sql"):
            number, _, rest = entry.name.partition("_")
            found.append(
                Migration(int(number), rest.removesuffix(".sql"), entry.read_text("utf-8"))
            )
    found.sort(key=lambda m: m.version)
    return found


def schema_version_known() -> int:
    return migrations()[-1].version


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # TEXT, INTEGER, NUMERIC, BOOLEAN, TIMESTAMPTZ, DATE, JSONB


@dataclass(frozen=True)
class ForeignKey:
    column: str
    table: str
    ref_column: str


@dataclass(frozen=True)
class TableInfo:
    name: str
    kind: str  # typed | generic
    key_column: str
    columns: tuple[Column, ...]

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


def connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    """A connection with the ledger's pragmas (autocommit; transactions are explicit)."""
    if readonly:
        conn = sqlite3.connect(
            f"file:{path}?mode=ro", uri=True, isolation_level=None, check_same_thread=False
        )
    else:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    if not readonly:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
    return conn


class Ledger:
    """An open ledger.  One per thread: open another for another thread."""

    def __init__(self, path: Path, *, readonly: bool = False) -> None:
        self.path = path
        if not readonly:
            path.parent.mkdir(parents=True, exist_ok=True)
        elif not path.exists():
            raise LedgerError(f"no ledger at {path}; load the demo shop or import an export first")
        try:
            self.conn = connect(path, readonly=readonly)
            if not readonly:
                self._migrate()
            else:
                self._check_version()
        except sqlite3.DatabaseError as exc:
            raise LedgerError(f"cannot open the ledger {path}: {exc}") from exc

    # -- lifecycle -----------------------------------------------------------------------
    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self, *, immediate: bool = True) -> Iterator[sqlite3.Connection]:
        """``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on any exception (Ctrl-C included)."""
        self.conn.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    # -- schema ---------------------------------------------------------------------------
    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def _check_version(self) -> None:
        version = self.schema_version()
        known = schema_version_known()
        if version > known:
            raise LedgerError(
                f"this ledger was written by a newer Nexpura Desktop (schema {version}, "
                f"this version knows up to {known}); install the newer version to open it"
            )

    def _migrate(self) -> None:
        self._check_version()
        current = self.schema_version()
        pending = [m for m in migrations() if m.version > current]
        if not pending:
            return
        # Pragmas cannot change inside a transaction, and FK checks must not fire while
        # tables are being created in dependency-free order.
        self.conn.execute("PRAGMA foreign_keys = OFF")
        try:
            with self.transaction():
                # Re-read under the write lock: another process may have migrated meanwhile.
                current = self.schema_version()
                for migration in (m for m in pending if m.version > current):
                    for statement in _split_sql(migration.sql):
                        self.conn.execute(statement)
                    self.conn.execute(f"PRAGMA user_version = {migration.version}")
        finally:
            self.conn.execute("PRAGMA foreign_keys = ON")

    def tenant_tables(self) -> list[TableInfo]:
        rows = self.conn.execute(
            "SELECT name, kind, key_column FROM tenant_tables ORDER BY name"
        ).fetchall()
        return [self._table_info(name, kind, key) for name, kind, key in rows]

    def table_info(self, name: str) -> TableInfo:
        row = self.conn.execute(
            "SELECT name, kind, key_column FROM tenant_tables WHERE name = ?", (name,)
        ).fetchone()
        if row is None:
            raise LedgerError(f"no table named {name!r} in the ledger")
        return self._table_info(*row)

    def _table_info(self, name: str, kind: str, key_column: str) -> TableInfo:
        cols = tuple(
            Column(r[1], (r[2] or "TEXT").upper())
            for r in self.conn.execute(f'PRAGMA table_info("{name}")')
        )
        return TableInfo(name, kind, key_column, cols)

    def foreign_keys(self, name: str) -> list[ForeignKey]:
        return [
            ForeignKey(column=r[3], table=r[2], ref_column=r[4] or "id")
            for r in self.conn.execute(f'PRAGMA foreign_key_list("{name}")')
        ]

    def row_count(self, name: str) -> int:
        return int(self.conn.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0])


def _split_sql(script: str) -> Iterator[str]:
    """Complete statements of a migration file (trigger bodies kept whole)."""
    buffer = ""
    for line in script.splitlines(keepends=True):
        if not buffer and (not line.strip() or line.lstrip().startswith("--")):
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            yield buffer.strip()
            buffer = ""
    if buffer.strip():
        raise LedgerError("a migration file ends in the middle of a statement")


def open_ledger(path: Path, *, readonly: bool = False) -> Ledger:
    return Ledger(path, readonly=readonly)
