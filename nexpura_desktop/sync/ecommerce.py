"""Ledger writes shared by the e-commerce imports (Shopify, WooCommerce).

Every write goes through :func:`store_row`, which converts values with the ledger's
storage rules and touches the row **only when a stored value differs** — so a re-run with
nothing new writes nothing and leaves the change feed (and the exports it drives) quiet.

Stock policy (issue 5): the ledger owns stock quantities.  An imported online sale moves
stock with :func:`apply_movement` exactly once (the movement's id is deterministic), and
the quantity the shop site is expected to hold is tracked on the item's ``inventory``
link (``remote_version`` = the last quantity both sides agreed on, see
:func:`agreed_quantity`), so an export can tell "Shopify moved because of an order we
imported" from "Shopify moved because of something we have not seen yet".
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from ..ledger.tenant_tables import columns_of
from ..ledger.values import Stored, converter
from . import links

OVERLAP_S = 5.0  # incremental reads go back this far past the watermark


def _stored_equal(old: object, new: Stored) -> bool:
    if old == new:
        return True
    if isinstance(old, int | float) and isinstance(new, int | float):
        return float(old) == float(new)
    return False


def store_row(
    conn: sqlite3.Connection,
    table: str,
    row: Mapping[str, Any],
    *,
    keep: Iterable[str] = (),
) -> str:
    """Insert or update ``row`` (by ``id``); ``created`` / ``updated`` / ``unchanged``.

    ``keep`` names columns written on insert but never overwritten on update (the ledger
    owns them, e.g. an item's stock quantity).  Columns the table lacks are ignored.
    """
    types = columns_of(conn, table)
    cols = [c for c in row if c in types]
    values = {c: converter(types[c])(row[c]) for c in cols}
    found = conn.execute(
        f'SELECT {", ".join(f"{chr(34)}{c}{chr(34)}" for c in cols)} FROM "{table}" WHERE id = ?',
        (str(row["id"]),),
    ).fetchone()
    if found is None:
        names = ", ".join(f'"{c}"' for c in cols)
        marks = ", ".join("?" for _ in cols)
        conn.execute(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', [values[c] for c in cols])
        return "created"
    skip = set(keep) | {"id", "created_at"}
    changed = [
        c
        for c, old in zip(cols, found, strict=True)
        if c not in skip and not _stored_equal(old, values[c])
    ]
    if not changed:
        return "unchanged"
    sets = ", ".join(f'"{c}" = ?' for c in changed)
    conn.execute(
        f'UPDATE "{table}" SET {sets} WHERE id = ?',
        [*(values[c] for c in changed), str(row["id"])],
    )
    return "updated"


def apply_movement(conn: sqlite3.Connection, service: str, movement: Mapping[str, Any]) -> bool:
    """Record one stock movement once and move the item's quantity; False if already done.

    The item's ``inventory`` link (if any) follows the same change: the shop site applied
    this sale to its own stock when it happened, so the quantity both sides agree on
    moves with it.
    """
    exists = conn.execute(
        "SELECT 1 FROM stock_movements WHERE id = ?", (str(movement["id"]),)
    ).fetchone()
    if exists is not None:
        return False
    item = str(movement["inventory_id"])
    change = int(movement.get("quantity_change") or 0)
    current = conn.execute("SELECT quantity FROM inventory WHERE id = ?", (item,)).fetchone()
    if current is None:
        return False
    after = max(0, int(current[0] or 0) + change)
    row = dict(movement)
    row["quantity_after"] = after
    store_row(conn, "stock_movements", row)
    status = "in_stock" if after > 0 else "out_of_stock"
    conn.execute(
        "UPDATE inventory SET quantity = ?, status = CASE WHEN status IN "
        "('in_stock', 'out_of_stock', 'available', 'sold') THEN ? ELSE status END WHERE id = ?",
        (after, status, item),
    )
    link = links.by_local(conn, service, "inventory", "inventory", item)
    if link is not None and link.remote_version is not None:
        agreed = int(link.remote_version) + change
        links.upsert(
            conn,
            service,
            "inventory",
            "inventory",
            item,
            link.remote_id,
            remote_version=str(agreed),
        )
    return True


def agreed_quantity(link: links.Link | None) -> int | None:
    """The stock both sides held after the last push or import (None: never agreed)."""
    if link is None or link.remote_version is None:
        return None
    try:
        return int(link.remote_version)
    except ValueError:
        return None


def since_with_overlap(watermark: str | None, overlap_s: float = OVERLAP_S) -> str | None:
    """The watermark moved back by the overlap, as ISO-8601 UTC text (None stays None)."""
    if not watermark:
        return None
    when = datetime.fromisoformat(watermark.replace("Z", "+00:00"))
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return (when - timedelta(seconds=overlap_s)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def newest(current: str | None, candidate: object) -> str | None:
    """The later of two ISO timestamps (compared as instants)."""
    text = str(candidate or "")
    if not text:
        return current
    if current is None:
        return text

    def key(value: str) -> datetime:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)

    return text if key(text) > key(current) else current


def instant(value: object) -> datetime | None:
    text = str(value or "")
    if not text:
        return None
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def snapshot_stamp(epoch_s: float) -> str:
    """A stock-snapshot time in whole seconds, rounded down: shop times are second-granular,
    and a sale in the same second as the snapshot counts as after it (at worst the ledger
    under-counts by that sale, which never oversells)."""
    return datetime.fromtimestamp(int(epoch_s), UTC).isoformat(timespec="seconds")


def after_snapshot(conn: sqlite3.Connection, movement: Mapping[str, Any], column: str) -> bool:
    """Whether an online sale happened after the item's stock snapshot (``column`` of
    ``inventory``); a sale before it is already in the quantity taken then."""
    row = conn.execute(
        f'SELECT "{column}" FROM inventory WHERE id = ?', (str(movement["inventory_id"]),)
    ).fetchone()
    snapshot = instant(row[0]) if row is not None else None
    sold = instant(movement.get("created_at"))
    return snapshot is None or sold is None or sold >= snapshot


# -- matching imported items to ledger stock by SKU -----------------------------------------
_UNLINKED = (
    "FROM inventory i WHERE i.deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM sync_links l "
    "WHERE l.service = ? AND l.entity = 'variant' AND l.local_table = 'inventory' "
    "AND l.local_id = i.id)"
)


def sku_match(conn: sqlite3.Connection, service: str, sku: object) -> str | None:
    """The first ledger item with ``sku`` (any case) not yet linked to ``service``."""
    text = str(sku or "").strip()
    if not text:
        return None
    row = conn.execute(
        f"SELECT i.id {_UNLINKED} AND upper(i.sku) = upper(?) ORDER BY i.id LIMIT 1",
        (service, text),
    ).fetchone()
    return None if row is None else str(row[0])


class UnlinkedSkus:
    """:func:`sku_match` for a whole run: the unlinked items are read once, on first use,
    because a query per imported product would scan the inventory table each time."""

    def __init__(self, conn: sqlite3.Connection, service: str) -> None:
        self._conn, self._service = conn, service
        self._map: dict[str, str] | None = None

    def take(self, sku: object) -> str | None:
        """The first unlinked item with ``sku`` (it is being linked now: not offered again)."""
        text = str(sku or "").strip().upper()
        if not text:
            return None
        if self._map is None:
            self._map = {}
            rows = self._conn.execute(
                f"SELECT i.id, i.sku {_UNLINKED} AND i.sku IS NOT NULL ORDER BY i.id",
                (self._service,),
            )
            for item, found in rows:
                key = str(found).strip().upper()
                if key:
                    self._map.setdefault(key, str(item))
        return self._map.pop(text, None)
