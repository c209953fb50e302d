"""Ledger reads for the invoice push: invoices with their lines, customers, the shop's tax."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Iterable
from typing import Any

from .mapping import Customer, Invoice, Line

_INVOICE_COLS = (
    "i.id, i.invoice_number, i.status, i.customer_id, i.customer_name, i.customer_email, "
    "i.invoice_date, i.due_date, i.currency, i.tax_inclusive, i.deleted_at, i.line_items, "
    "COALESCE(s.sale_number, r.repair_number, b.job_number)"
)


def _bool(value: Any, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "t", "yes")
    return bool(value)


def _float(value: Any, default: float = 0.0) -> float:
    try:
        return float(value) if value not in (None, "") else default
    except (TypeError, ValueError):
        return default


def shop_tax(conn: sqlite3.Connection) -> tuple[bool, float | None]:
    """The tenant's tax-inclusive flag and rate (Nexpura's defaults when no profile)."""
    row = conn.execute("SELECT tax_inclusive, tax_rate FROM tenants LIMIT 1").fetchone()
    if row is None:
        return True, 0.1
    return _bool(row[0], True), None if row[1] is None else _float(row[1])


def _lines_from_json(text: Any) -> tuple[Line, ...]:
    try:
        rows = json.loads(text) if isinstance(text, str) else []
    except ValueError:
        rows = []
    return tuple(
        Line(
            str(r.get("description") or ""),
            _float(r.get("quantity"), 1.0),
            _float(r.get("unit_price")),
            _float(r.get("discount_pct")),
        )
        for r in rows
        if isinstance(r, dict)
    )


_SENT_SQL = (
    f"SELECT {_INVOICE_COLS} FROM invoices i "
    "LEFT JOIN sales s ON s.id = i.sale_id "
    "LEFT JOIN repairs r ON r.id = i.repair_id "
    "LEFT JOIN bespoke_jobs b ON b.id = i.bespoke_job_id "
    "WHERE lower(COALESCE(i.status, '')) != 'draft' "
    "AND upper(COALESCE(i.invoice_number, '')) NOT LIKE 'DRAFT-%' "
)
_LINES_SQL = (
    "SELECT invoice_id, description, quantity, unit_price, discount_pct FROM invoice_line_items "
)
_CHUNK = 500


def _read_order(row: Any) -> tuple[bool, str, bool, str, str]:
    date, number = row[6], row[1]
    return date is not None, str(date or ""), number is not None, str(number or ""), str(row[0])


def _sent_rows(
    conn: sqlite3.Connection, ids: Collection[str] | None
) -> tuple[list[Any], dict[str, list[Line]]]:
    """Invoice rows and their lines: all of them, or only ``ids`` (in chunks)."""
    found: list[Any] = []
    raw_lines: list[Any] = []
    if ids is None:
        order = "ORDER BY i.invoice_date, i.invoice_number, i.id"
        found = conn.execute(_SENT_SQL + order).fetchall()
        raw_lines = conn.execute(_LINES_SQL + "ORDER BY invoice_id, sort_order, id").fetchall()
    else:
        wanted = sorted(ids)
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            found += conn.execute(_SENT_SQL + f"AND i.id IN ({marks})", chunk).fetchall()
            raw_lines += conn.execute(
                _LINES_SQL + f"WHERE invoice_id IN ({marks}) ORDER BY invoice_id, sort_order, id",
                chunk,
            ).fetchall()
        found.sort(key=_read_order)  # the full read's order: date, number, id
    lines: dict[str, list[Line]] = {}
    for invoice_id, desc, qty, unit, pct in raw_lines:
        lines.setdefault(str(invoice_id), []).append(
            Line(str(desc or ""), _float(qty, 1.0), _float(unit), _float(pct))
        )
    return found, lines


def sent_invoices(
    conn: sqlite3.Connection, shop_inclusive: bool, ids: Collection[str] | None = None
) -> list[Invoice]:
    """Every invoice that is not a draft (or only those of ``ids``), oldest first, with lines."""
    rows, lines = _sent_rows(conn, ids)
    out: list[Invoice] = []
    for r in rows:
        own = lines.get(str(r[0]))
        out.append(
            Invoice(
                id=str(r[0]),
                number=r[1],
                status=str(r[2] or "sent"),
                customer_id=None if r[3] is None else str(r[3]),
                customer_name=r[4],
                customer_email=r[5],
                date=None if r[6] is None else str(r[6]),
                due_date=None if r[7] is None else str(r[7]),
                currency=r[8],
                tax_inclusive=_bool(r[9], shop_inclusive),
                deleted=r[10] is not None,
                lines=tuple(own) if own else _lines_from_json(r[11]),
                reference=r[12],
            )
        )
    return out


def customers(conn: sqlite3.Connection, ids: Iterable[str]) -> dict[str, Customer]:
    wanted = sorted(set(ids))
    found: dict[str, Customer] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for row in conn.execute(
            "SELECT id, full_name, email, COALESCE(mobile, phone), first_name, last_name "
            f"FROM customers WHERE id IN ({marks})",
            chunk,
        ):
            found[str(row[0])] = Customer(
                str(row[0]), str(row[1] or ""), row[2], row[3], row[4], row[5]
            )
    return found


def set_xero_ids(conn: sqlite3.Connection, pairs: Iterable[tuple[str, str]]) -> int:
    """Note each ``(invoice id, Xero id)`` on its invoice; how many rows changed (each one
    a change-feed row the run itself caused)."""
    cur = conn.executemany(
        "UPDATE invoices SET xero_invoice_id = ? WHERE id = ? "
        "AND COALESCE(xero_invoice_id, '') != ?",
        [(xero_id, invoice_id, xero_id) for invoice_id, xero_id in pairs],
    )
    return max(cur.rowcount, 0)
