"""Which ledger rows changed in a window of the change feed (the exports' unit of work).

An export remembers the feed sequence it reached; the next run reads every change after
it up to the feed's end *as it was when the run started*, so rows changed mid-run wait
for the next run instead of being half-seen.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from ..ledger.changes import changes_since


def changed_ids(conn: sqlite3.Connection, tables: Sequence[str], start: int, end: int) -> set[str]:
    """Ids of rows of ``tables`` changed after feed sequence ``start`` up to ``end``."""
    out: set[str] = set()
    seq = start
    while seq < end:
        batch = list(changes_since(conn, seq, tables=list(tables)))
        if not batch:
            break
        out.update(c.row_id for c in batch if c.seq <= end)
        seq = batch[-1].seq
    return out
