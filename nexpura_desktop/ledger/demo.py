"""The demo shop: a deterministic, realistic Sydney jeweller to try the app and to measure it.

``generate_tables`` yields Nexpura-shaped rows (the column names and JSON values a Nexpura
export holds) table by table, parents before children, lazily for the big tables so memory
stays flat.  The same size and seed always give the same rows, ids included, because
everything derives from the seed and a fixed reference date (2026-11-01), never the clock.

``load_demo`` writes them into an empty ledger in one transaction: a failure or Ctrl-C
leaves no half-loaded shop.

One deliberate gap: ``repairs.invoice_id`` and ``bespoke_jobs.invoice_id`` stay empty.
Invoices point at their job (``repair_id`` / ``bespoke_job_id`` + ``reference_*``)
instead, because filling both sides of that cycle would make a child come before its
parent and break streaming consumers (importer, export-file writers).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from . import demo_activity as activity
from . import demo_jobs as jobs
from . import demo_money as money
from . import demo_people as people
from . import demo_sales as stock
from .db import Ledger
from .demo_base import (
    PROFILES,
    REFERENCE_DATE,
    DemoError,
    Shop,
    UnknownSizeError,
    profile,
)
from .values import converter, row_values

Row = dict[str, Any]
Progress = Callable[[str, int, int | None], None]
"""Called with (table, rows written so far, expected rows or None when not known ahead)."""

CHUNK_ROWS = 5_000
LOAD_CACHE_KIB = 64 * 1024
"""SQLite page cache during the load (allocated only as the ledger grows)."""
SIZES = tuple(PROFILES)

__all__ = [
    "REFERENCE_DATE",
    "SIZES",
    "DemoError",
    "ShopExistsError",
    "UnknownSizeError",
    "expected_counts",
    "generate_tables",
    "load_demo",
]


class ShopExistsError(DemoError):
    """The ledger already holds a shop; the demo only loads into an empty one."""


def _tenants(shop: Shop) -> Iterator[Row]:
    invoices = money.invoice_plans(shop)
    p = shop.profile
    sequences = {
        "invoice": sum(not inv.draft for inv in invoices) + 1,
        "job": p.bespoke + 1,
        "repair": p.repairs + 1,
        "sale": p.sales + 1,
        "quote": p.quotes + 1,
        "stock": p.items + 1,
    }
    yield from people.tenants(shop, sequences)


def generate_tables(size: str = "small", seed: int = 1) -> dict[str, Iterable[Row]]:
    """Every demo table's rows, in an order where each table's parents come first.

    Raises ``UnknownSizeError`` for a size other than small, medium or large.  Each
    iterable can be consumed once; call again for a fresh set (identical rows).
    """
    shop = Shop(profile(size), seed)
    return {
        "tenants": _tenants(shop),
        "settings": people.settings(shop),
        "locations": people.locations(shop),
        "users": people.users(shop),
        "user_notification_preferences": people.user_notification_preferences(shop),
        "team_members": people.team_members(shop),
        "suppliers": people.suppliers(shop),
        "customers": people.customers(shop),
        "inventory": stock.inventory(shop),
        "sales": stock.sales(shop),
        "sale_items": stock.sale_items(shop),
        "stock_movements": stock.stock_movements(shop),
        "gift_vouchers": stock.gift_vouchers(shop),
        "repairs": jobs.repairs(shop),
        "repair_stages": jobs.repair_stages(shop),
        "bespoke_jobs": jobs.bespoke_jobs(shop),
        "bespoke_job_stages": jobs.bespoke_job_stages(shop),
        "invoices": money.invoices(shop),
        "invoice_line_items": money.invoice_line_items(shop),
        "payments": money.payments(shop),
        "refunds": money.refunds(shop),
        "quotes": activity.quotes(shop),
        "appointments": activity.appointments(shop),
        "tasks": activity.tasks(shop),
        "task_comments": activity.task_comments(shop),
        "notifications": activity.notifications(shop),
        "whatsapp_sends": activity.whatsapp_sends(shop),
        "sms_sends": activity.sms_sends(shop),
    }


def expected_counts(size: str) -> dict[str, int]:
    """Exact row counts known before generating (other tables depend on the draw)."""
    p = profile(size)
    staff = p.staff
    return {
        "tenants": 1,
        "settings": 1,
        "locations": 2,
        "team_members": staff,
        "suppliers": p.suppliers,
        "customers": p.customers,
        "inventory": p.items,
        "sales": p.sales,
        "repairs": p.repairs,
        "bespoke_jobs": p.bespoke,
        "quotes": p.quotes,
        "appointments": p.appointments,
        "tasks": p.tasks,
        "notifications": p.notifications,
    }


def _holds_shop(ledger: Ledger) -> bool:
    return ledger.conn.execute("SELECT 1 FROM tenants LIMIT 1").fetchone() is not None


def _refuse_if_shop(ledger: Ledger) -> None:
    if _holds_shop(ledger):
        raise ShopExistsError(
            f"the ledger {ledger.path} already holds a shop; "
            "load the demo into a fresh one with --home DIR"
        )


def _insert(
    ledger: Ledger, table: str, rows: Iterable[Row], progress: Progress | None, total: int | None
) -> int:
    """Insert ``rows`` (all with the first row's keys) in chunks; returns how many."""
    types = {column.name: column.type for column in ledger.table_info(table).columns}
    if progress:
        progress(table, 0, total)  # before the first row: some tables plan ahead first
    it = iter(rows)
    first = next(it, None)
    if first is None:
        return 0
    columns = list(first)
    unknown = [name for name in columns if name not in types]
    if unknown:
        raise ValueError(f"demo rows for {table} have columns the ledger lacks: {unknown}")
    converters = [converter(types[name]) for name in columns]
    names = ", ".join(f'"{name}"' for name in columns)
    sql = f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" * len(columns))})'
    conn = ledger.conn
    batch = [row_values(first, columns, converters)]
    done = 0
    for row in it:
        batch.append(row_values(row, columns, converters))
        if len(batch) >= CHUNK_ROWS:
            conn.executemany(sql, batch)
            done += len(batch)
            batch.clear()
            if progress:
                progress(table, done, total)
    conn.executemany(sql, batch)
    done += len(batch)
    if progress:
        progress(table, done, total)
    return done


def _drop_secondary_indexes(ledger: Ledger, tables: list[str]) -> list[str]:
    """Drop the tables' own indexes (inside the load's transaction); returns their DDL."""
    marks = ", ".join("?" * len(tables))
    found = ledger.conn.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({marks}) ORDER BY name",
        tables,
    ).fetchall()
    for name, _ in found:
        ledger.conn.execute(f'DROP INDEX "{name}"')
    return [str(sql) for _, sql in found]


def load_demo(
    ledger: Ledger, size: str = "small", seed: int = 1, progress: Progress | None = None
) -> dict[str, int]:
    """Load the demo shop into ``ledger``, which must not hold a shop yet.

    Returns the rows written per table.  Everything happens in one transaction, so an
    error or Ctrl-C leaves the ledger as it was.  Raises ``UnknownSizeError`` or
    ``ShopExistsError`` (both ``UserError``) for the expected failures.
    """
    tables = generate_tables(size, seed)
    totals = expected_counts(size)
    _refuse_if_shop(ledger)
    counts: dict[str, int] = {}
    # Random UUID keys touch index pages all over the file: a roomy page cache for the
    # load keeps them in memory instead of re-reading them for every row.
    cache = ledger.conn.execute("PRAGMA cache_size").fetchone()[0]
    ledger.conn.execute(f"PRAGMA cache_size = -{LOAD_CACHE_KIB}")
    try:
        with ledger.transaction():
            _refuse_if_shop(ledger)  # again under the write lock: another process may have won
            indexes = _drop_secondary_indexes(ledger, list(tables))
            for table, rows in tables.items():
                counts[table] = _insert(ledger, table, rows, progress, totals.get(table))
            for index_sql in indexes:  # one sorted build each beats a million random inserts
                ledger.conn.execute(index_sql)
    finally:
        ledger.conn.execute(f"PRAGMA cache_size = {int(cache)}")
    return counts
