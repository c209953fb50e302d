"""Ledger bookkeeping shared by the e-commerce daily reconciles (Shopify, WooCommerce).

Both reconciles ask the same questions of the ledger — which way does the owner sync,
does this shop order already have a sale, which sales were imported ``incomplete`` — and
close an order's import issue the same way once a re-import left it complete.  Only the
shop calls differ, so those stay per connector (linked stock: :mod:`.stock`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from ..ledger import connections
from . import issues, links


def directions(conn: sqlite3.Connection, service: str) -> dict[str, str]:
    """The owner's per-entity sync directions for ``service`` (entity -> direction)."""
    config = connections.get(conn, service).config
    return {str(k): str(v) for k, v in (config.get("directions") or {}).items()}


def has_sale(conn: sqlite3.Connection, service: str, remote_id: str) -> bool:
    """Whether the shop order ``remote_id`` is linked to a sale that still exists."""
    link = links.by_remote(conn, service, "order", remote_id)
    if link is None:
        return False
    return conn.execute("SELECT 1 FROM sales WHERE id = ?", (link.local_id,)).fetchone() is not None


def incomplete_orders(conn: sqlite3.Connection, service: str) -> list[str]:
    """Remote ids of the orders whose sale was imported ``incomplete``, oldest sale first."""
    rows = conn.execute(
        "SELECT l.remote_id FROM sales s JOIN sync_links l ON l.local_id = s.id "
        "AND l.service = ? AND l.entity = 'order' AND l.local_table = 'sales' "
        "WHERE s.import_status = 'incomplete' AND s.deleted_at IS NULL ORDER BY s.id",
        (service,),
    )
    return [str(r[0]) for r in rows]


def close_if_complete(
    conn: sqlite3.Connection, service: str, remote_id: str, jobs: Iterable[str]
) -> None:
    """Resolve the ``jobs``' issues on the order's sale once it is no longer incomplete."""
    link = links.by_remote(conn, service, "order", remote_id)
    if link is None:
        return
    row = conn.execute("SELECT import_status FROM sales WHERE id = ?", (link.local_id,)).fetchone()
    if row is None or row[0] == "incomplete":
        return
    for job in jobs:
        issues.resolve_record(conn, service, job, local_table="sales",
                              local_id=link.local_id, remote_id=link.remote_id)  # fmt: skip
