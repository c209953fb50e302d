"""Per-customer export (a GDPR access request): every row about one customer, found by schema.

The rule, applied transitively from the customer's own row:

* a row is *about* the customer when it **refers to** a row already known to be about
  them through a foreign key — sales → sale_items, invoices → invoice_line_items and
  payments, repairs → repair_stages, appointments, messages sent… — so only references
  pointing *at* the customer's rows are followed;
* references the other way are **not** followed: what the customer's rows merely point to
  (the tenant, a location, a team member, an inventory item, a supplier) is shop data,
  not data about this person;
* no other customer's row is ever included, even if it refers to this one;
* the edges are the ledger's declared foreign keys (``Ledger.foreign_keys``).  Generic
  tables (created by the import from JSON keys) carry no declared keys, so there a column
  ``<name>_id`` is read as a reference to the tenant table ``<name>s``/``<name>es``/
  ``<name>`` (``customer_id`` → ``customers``), the naming convention of Nexpura's schema.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..ledger.db import Ledger, TableInfo
from .atomic import ExportError
from .engine import ExportResult, Options, Progress, TableJob, local_time, snapshot, write_export

ROOT_TABLE = "customers"
RULE = (
    "rows that refer to the customer's rows through foreign keys, transitively; "
    "rows the customer's rows merely point to and other customers' rows are not included"
)
_IN_ROWIDS = "rowid IN (SELECT value FROM json_each(?))"


@dataclass(frozen=True)
class Reference:
    """Rows of ``table`` whose ``column`` holds a ``ref_table.ref_column`` value."""

    table: str
    column: str
    ref_table: str
    ref_column: str

    def __str__(self) -> str:
        return f"{self.table}.{self.column} -> {self.ref_table}.{self.ref_column}"


def _conventional_target(column: str, tables: dict[str, TableInfo]) -> str | None:
    stem = column.removesuffix("_id")
    candidates = [f"{stem}s", f"{stem}es", stem]
    if stem.endswith("y"):
        candidates.append(f"{stem[:-1]}ies")
    for name in candidates:
        info = tables.get(name)
        if info is not None and info.key_column != "rowid":
            return name
    return None


def references(ledger: Ledger, infos: list[TableInfo]) -> list[Reference]:
    """Every reference between tenant tables: declared keys, plus ``*_id`` in generic ones."""
    tables = {t.name: t for t in infos}
    found: list[Reference] = []
    for info in infos:
        declared = ledger.foreign_keys(info.name)
        found += [
            Reference(info.name, fk.column, fk.table, fk.ref_column)
            for fk in declared
            if fk.table in tables
        ]
        if info.kind != "generic":
            continue
        taken = {fk.column for fk in declared}
        for col in info.columns:
            if col.name.endswith("_id") and col.name not in taken:
                target = _conventional_target(col.name, tables)
                if target is not None:
                    found.append(Reference(info.name, col.name, target, tables[target].key_column))
    return found


def rows_about(
    conn: sqlite3.Connection, refs: list[Reference], root_rowid: int
) -> tuple[dict[str, set[int]], dict[str, set[str]]]:
    """Rowids per table of every row about the customer, and the references that led there."""
    inbound: dict[str, list[Reference]] = defaultdict(list)
    for ref in refs:
        if ref.table != ROOT_TABLE:  # never another customer's row
            inbound[ref.ref_table].append(ref)
    selected: dict[str, set[int]] = {ROOT_TABLE: {root_rowid}}
    via: dict[str, set[str]] = defaultdict(set)
    frontier: list[tuple[str, set[int]]] = [(ROOT_TABLE, {root_rowid})]
    while frontier:
        table, rowids = frontier.pop()
        keys = json.dumps(sorted(rowids))
        for ref in inbound[table]:
            sql = (
                f'SELECT rowid FROM "{ref.table}" WHERE "{ref.column}" IN '
                f'(SELECT "{ref.ref_column}" FROM "{table}" WHERE {_IN_ROWIDS})'
            )
            have = selected.setdefault(ref.table, set())
            new = {int(r[0]) for r in conn.execute(sql, (keys,))} - have
            if new:
                have |= new
                via[ref.table].add(str(ref))
                frontier.append((ref.table, new))
    return {t: ids for t, ids in selected.items() if ids}, via


def _folder_id(customer_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "", customer_id)[:8] or "customer"


def export_customer(
    ledger_path: Path,
    customer_id: str,
    out_dir: Path,
    *,
    as_zip: bool = False,
    excel: bool = False,
    raw: bool = False,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    now: datetime | None = None,
) -> ExportResult:
    """Export every row about one customer to ``nexpura-customer-<id>-YYYYMMDD-HHMMSS/``.

    One CSV per table that has such rows (the customer's own row first), same CSV rules and
    manifest as the full export, all or nothing.  Unknown id → ``ExportError``.
    """
    stamp = local_time(now)
    options = Options(as_zip=as_zip, excel=excel, raw=raw)
    with snapshot(ledger_path) as ledger:
        infos = ledger.tenant_tables()
        by_name = {t.name: t for t in infos}
        root = by_name.get(ROOT_TABLE)
        if root is None:
            raise ExportError("the ledger has no customers table; import or load a shop first")
        row = ledger.conn.execute(
            f'SELECT rowid FROM "{ROOT_TABLE}" WHERE "{root.key_column}" = ?', (customer_id,)
        ).fetchone()
        if row is None:
            raise ExportError(f"no customer with id {customer_id!r} in the ledger")
        selected, via = rows_about(ledger.conn, references(ledger, infos), int(row[0]))
        order = [ROOT_TABLE, *sorted(t for t in selected if t != ROOT_TABLE)]
        jobs = [
            TableJob(
                by_name[name],
                where=_IN_ROWIDS,
                params=(json.dumps(sorted(selected[name])),),
                note={"reached_via": sorted(via[name])} if name in via else {},
            )
            for name in order
        ]
        return write_export(
            ledger,
            jobs,
            out_dir,
            f"nexpura-customer-{_folder_id(customer_id)}-{stamp:%Y%m%d-%H%M%S}",
            stamp,
            options,
            manifest_extra={"kind": "customer", "customer_id": customer_id, "rule": RULE},
            progress=progress,
            cancel=cancel,
        )
