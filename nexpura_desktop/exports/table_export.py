"""Full export: one CSV per tenant table (typed and generic) plus ``manifest.json``."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from ..ledger.db import Ledger, TableInfo
from .atomic import ExportError
from .engine import ExportResult, Options, Progress, TableJob, local_time, snapshot, write_export


def choose_tables(ledger: Ledger, names: Sequence[str] | None) -> list[TableInfo]:
    """Every tenant table by name, or the ``names`` asked for (in that order, once each)."""
    every = ledger.tenant_tables()
    if names is None:
        return every
    by_name = {t.name: t for t in every}
    wanted = list(dict.fromkeys(n.strip() for n in names if n.strip()))
    if not wanted:
        raise ExportError("no tables were named; leave the list out to export every table")
    unknown = [n for n in wanted if n not in by_name]
    if unknown:
        listed = ", ".join(sorted(by_name))
        plural = "tables" if len(unknown) > 1 else "table"
        raise ExportError(
            f"no {plural} named {', '.join(unknown)} in the ledger; the tables are: {listed}"
        )
    return [by_name[n] for n in wanted]


def export_ledger(
    ledger_path: Path,
    out_dir: Path,
    *,
    tables: Sequence[str] | None = None,
    as_zip: bool = False,
    excel: bool = False,
    raw: bool = False,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    now: datetime | None = None,
) -> ExportResult:
    """Export tenant tables to ``out_dir/nexpura-export-YYYYMMDD-HHMMSS/`` (or ``.zip``).

    ``tables`` limits the export to those names (unknown ones → ``ExportError`` listing the
    valid names); ``excel`` adds a UTF-8 BOM; ``raw`` turns formula neutralising off;
    ``progress(label, done, total)`` is called as rows are written; setting ``cancel``
    stops the export.  All-or-nothing: any failure raises a ``UserError`` and leaves no
    files.  ``now`` fixes the time used for the name and manifest (tests).
    """
    stamp = local_time(now)
    options = Options(as_zip=as_zip, excel=excel, raw=raw)
    with snapshot(ledger_path) as ledger:
        jobs = [TableJob(info) for info in choose_tables(ledger, tables)]
        return write_export(
            ledger,
            jobs,
            out_dir,
            f"nexpura-export-{stamp:%Y%m%d-%H%M%S}",
            stamp,
            options,
            manifest_extra={
                "kind": "ledger",
                "tables_chosen": [j.info.name for j in jobs] if tables is not None else None,
            },
            progress=progress,
            cancel=cancel,
        )
