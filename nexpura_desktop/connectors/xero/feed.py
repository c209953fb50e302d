"""Which ledger invoices a push must look at: the change feed since the last run.

A normal run reads only invoices touched since its watermark (a change-feed sequence) —
edits to the invoice, its lines or the sale/repair/bespoke job it references — plus those
with an open issue (so a refused invoice is retried).  Everything is read again on the
first run, on ``--full``, when the account mapping changed (every draft's content moves)
and when the shop profile changed (tax-inclusive drives ``LineAmountTypes``) or a line was
deleted without trace of its invoice.

The watermark is the feed's end *as the run started*, stored only when the run finishes.
The push's own ``xero_invoice_id`` writes land in the feed after it; when nothing else did,
the watermark moves past them so a quiet shop's next run reads nothing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field

from ...engine.job import JobContext
from ...ledger.changes import changes_since, latest_seq
from ...sync.cursors import get_cursor, set_cursor
from .settings import SERVICE

CURSOR = "invoices.export"
BASIS_CURSOR = "invoices.basis"  # the account mapping the drafts were last built with
REFERENCED = {"sales": "sale_id", "repairs": "repair_id", "bespoke_jobs": "bespoke_job_id"}
TABLES = ["invoices", "invoice_line_items", "tenants", *REFERENCED]
CHUNK = 500


@dataclass
class Window:
    """The part of the feed one run covers; ``ids`` is ``None`` when it reads everything."""

    end: int
    ids: set[str] | None
    basis: str
    with_issues: set[str] = field(default_factory=set)  # invoices with an open issue
    own_updates: int = 0  # xero_invoice_id writes this run made (each one feed row)

    @property
    def full(self) -> bool:
        return self.ids is None


def _chunks(items: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _invoices_of_lines(conn: sqlite3.Connection, line_ids: set[str]) -> tuple[set[str], bool]:
    """Invoice ids owning these line rows; ``False`` when a line is gone (deleted)."""
    found: dict[str, str] = {}
    wanted = sorted(line_ids)
    for chunk in _chunks(wanted):
        marks = ",".join("?" * len(chunk))
        for line_id, invoice_id in conn.execute(
            f"SELECT id, invoice_id FROM invoice_line_items WHERE id IN ({marks})", chunk
        ):
            found[str(line_id)] = str(invoice_id)
    return set(found.values()), len(found) == len(wanted)


def _invoices_referencing(conn: sqlite3.Connection, table: str, ids: set[str]) -> set[str]:
    column = REFERENCED[table]
    out: set[str] = set()
    for chunk in _chunks(sorted(ids)):
        marks = ",".join("?" * len(chunk))
        rows = conn.execute(f'SELECT id FROM invoices WHERE "{column}" IN ({marks})', chunk)
        out.update(str(r[0]) for r in rows)
    return out


def with_open_issues(conn: sqlite3.Connection, job: str, table: str) -> set[str]:
    """Rows of ``table`` with an open record issue of ``job`` (retried; closed when sent)."""
    rows = conn.execute(
        "SELECT DISTINCT local_id FROM sync_issues WHERE service = ? AND job = ? "
        "AND kind = 'record' AND state IN ('open', 'retry') AND local_table = ? "
        "AND local_id IS NOT NULL",
        (SERVICE, job, table),
    )
    return {str(r[0]) for r in rows}


def changed_invoices(conn: sqlite3.Connection, start: int, end: int) -> set[str] | None:
    """Invoice ids touched in ``(start, end]``; ``None`` when everything must be read."""
    touched: dict[str, set[str]] = {table: set() for table in TABLES}
    seq = start
    while seq < end:
        batch = list(changes_since(conn, seq, tables=TABLES))
        if not batch:
            break
        for change in batch:
            if change.seq <= end:
                touched[change.table].add(change.row_id)
        seq = batch[-1].seq
    if touched["tenants"]:
        return None
    ids = set(touched["invoices"])
    owners, complete = _invoices_of_lines(conn, touched["invoice_line_items"])
    if not complete:
        return None
    ids |= owners
    for table in REFERENCED:
        if touched[table]:
            ids |= _invoices_referencing(conn, table, touched[table])
    return ids


def open_window(ctx: JobContext, basis: str) -> Window:
    """What this run reads (``basis`` names the account mapping used for the drafts)."""
    conn = ctx.ledger.conn
    end = latest_seq(conn)
    start = int(get_cursor(conn, SERVICE, CURSOR) or 0)
    same_basis = get_cursor(conn, SERVICE, BASIS_CURSOR) == basis
    issues = with_open_issues(conn, ctx.name, "invoices")
    if ctx.full or start <= 0 or not same_basis:
        return Window(end, None, basis, issues)
    ids = changed_invoices(conn, start, end)
    if ids is not None:
        ids |= issues
    return Window(end, ids, basis, issues)


def close_window(ctx: JobContext, window: Window) -> None:
    """Store the watermark once every invoice of the window was dealt with."""
    conn = ctx.ledger.conn
    with ctx.ledger.transaction():
        later = list(changes_since(conn, window.end, tables=TABLES, limit=window.own_updates + 1))
        only_ours = len(later) == window.own_updates and all(
            c.table == "invoices" and c.op == "update" for c in later
        )
        end = later[-1].seq if later and only_ours else window.end
        set_cursor(conn, SERVICE, CURSOR, str(end))
        set_cursor(conn, SERVICE, BASIS_CURSOR, window.basis)
