"""Small ledgers for the export tests, written through the ledger's own storage rules."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from nexpura_desktop.ledger.db import Ledger
from nexpura_desktop.ledger.tenant_tables import add_column, create_generic
from nexpura_desktop.ledger.values import converter

TENANT = "tenant-1"


def insert(ledger: Ledger, table: str, row: Mapping[str, Any]) -> None:
    """Insert ``row`` converting each value by its column's declared type (as writers do)."""
    types = {c.name: c.type for c in ledger.table_info(table).columns}
    cols = list(row)
    values = [converter(types[c])(row[c]) for c in cols]
    names = ", ".join(f'"{c}"' for c in cols)
    marks = ", ".join("?" * len(cols))
    ledger.conn.execute(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', values)


def generic_table(ledger: Ledger, table: str, columns: Mapping[str, Any]) -> None:
    """A generic table (as the importer makes) whose columns are typed from samples."""
    create_generic(ledger.conn, table, {"id": "x", **columns})
    for name, sample in columns.items():
        add_column(ledger.conn, table, name, sample)


def new_ledger(path: Path) -> Ledger:
    ledger = Ledger(path)
    with ledger.transaction():
        insert(ledger, "tenants", {"id": TENANT, "name": "Marlowe & Co"})
    return ledger


def read_csv(path: Path, *, bom: bool = False) -> list[list[str]]:
    data = path.read_bytes()
    if bom:
        assert data.startswith(b"\xef\xbb\xbf")
        data = data[3:]
    else:
        assert not data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def column(rows: Sequence[Sequence[str]], name: str) -> list[str]:
    index = list(rows[0]).index(name)
    return [r[index] for r in rows[1:]]
