"""Which linked items' stock an e-commerce export or reconcile must look at.

The ledger owns stock (issue 5).  An item counts only when it is linked to the shop,
live and quantity-tracked; negative ledger stock is sent as 0.  The stock exports push
an item when its quantity is not the one both sides last agreed on, or when its link
carries a marker (a drift seen, a write in flight) that must be settled.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import links
from .ecommerce import agreed_quantity

if TYPE_CHECKING:  # the engine imports sync modules; the job is only an argument here
    from ..engine.job import JobContext


@dataclass(frozen=True)
class LinkedStock:
    """A tracked ledger item linked to a shop product, with the ledger's quantity."""

    local_id: str
    link: links.Link
    quantity: int


def linked_stock(conn: sqlite3.Connection, service: str) -> list[LinkedStock]:
    """Every linked, live, quantity-tracked item, in id order."""
    rows = conn.execute(
        "SELECT l.local_id, i.quantity FROM sync_links l JOIN inventory i ON i.id = l.local_id "
        "WHERE l.service = ? AND l.entity = 'inventory' AND i.deleted_at IS NULL "
        "AND COALESCE(i.track_quantity, 1) != 0 ORDER BY l.local_id",
        (service,),
    ).fetchall()
    out = []
    for local_id, quantity in rows:
        link = links.by_local(conn, service, "inventory", "inventory", str(local_id))
        if link is not None:
            out.append(LinkedStock(str(local_id), link, max(0, int(quantity or 0))))
    return out


def stock_to_push(
    ctx: JobContext, service: str, ids: Iterable[str], marks: tuple[str, ...]
) -> list[LinkedStock]:
    """Of ``ids``, the linked, live, tracked items whose stock the shop may not hold yet.

    An item at its agreed quantity with no marker (a ``remote_hash`` starting with one of
    ``marks``) counts as ``unchanged`` and costs no request.
    """
    conn = ctx.ledger.conn
    out: list[LinkedStock] = []
    for item in sorted(ids):
        link = links.by_local(conn, service, "inventory", "inventory", item)
        row = conn.execute(
            "SELECT quantity, track_quantity, deleted_at FROM inventory WHERE id = ?", (item,)
        ).fetchone()
        if link is None or row is None or row[1] == 0 or row[2]:
            continue
        quantity = max(0, int(row[0] or 0))
        if agreed_quantity(link) == quantity and not (link.remote_hash or "").startswith(marks):
            ctx.count("unchanged")
            continue
        out.append(LinkedStock(item, link, quantity))
    return out
