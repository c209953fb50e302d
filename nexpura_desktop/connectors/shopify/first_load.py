"""The first full load of a stream through one bulk operation (issue 5: "the first full
load uses bulk operations; later runs are incremental").

A stream with no watermark yet (or a ``--full`` run) asks Shopify for everything with
``bulkOperationRunQuery`` and reads the JSONL result in batches, each committed on its own
(rows are idempotent: deterministic ids, links, movements by id).  The operation's id is
kept as the cursor ``bulk.<stream>`` the moment it starts, so a run killed while Shopify
is still working (or half-way through the file) picks the same operation up again instead
of starting another.  When the file is done, the stream's watermark becomes the time the
operation started — everything changed after that is read by the next incremental run
(with its overlap) — and the operation cursor is cleared, in one transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ...engine.job import JobContext
from ...sync.cursors import get_cursor, reset_cursors, set_cursor
from . import bulk, queries
from .client import ShopifyClient
from .errors import BulkOperationFailed
from .settings import ShopifySettings

SERVICE = "shopify"
BATCH = 250
REUSE_S = 6 * 3600.0  # an operation older than this is read again from scratch
POLL_S = 2.0  # the longest pause between polls (they start at a quarter second)


@dataclass
class BulkLoad:
    """One stream's bulk read: the batches, then :meth:`finish` inside the last commit."""

    stream: str
    as_of: str | None = None  # when the operation started (UTC, whole seconds)

    def finish(self, conn: sqlite3.Connection) -> None:
        """Set the watermark and drop the operation cursor (caller's transaction)."""
        if self.as_of:
            set_cursor(conn, SERVICE, self.stream, self.as_of)
        reset_cursors(conn, SERVICE, op_cursor(self.stream))


def op_cursor(stream: str) -> str:
    return f"bulk.{stream}"


def wanted(ctx: JobContext, watermark: str | None) -> bool:
    """Whether this run of a stream is a first (or full) load."""
    return ctx.full or not watermark


def _stamp(value: Any, fallback: float) -> str:
    text = str(value or "")
    when = (
        datetime.fromisoformat(text.replace("Z", "+00:00"))
        if text
        else datetime.fromtimestamp(fallback, UTC)
    )
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def _resume(client: ShopifyClient, op_id: str, now: float) -> bulk.BulkResult | None:
    """The earlier operation of this stream, if it is still usable."""
    try:
        result = await bulk.wait(client, op_id, poll_interval=POLL_S)
    except BulkOperationFailed:
        return None
    if result.created_at:
        started = datetime.fromisoformat(result.created_at.replace("Z", "+00:00"))
        if now - started.timestamp() > REUSE_S:
            return None
    return result


async def batches(
    ctx: JobContext,
    client: ShopifyClient,
    settings: ShopifySettings,
    load: BulkLoad,
    template: str,
) -> AsyncIterator[list[dict[str, Any]]]:
    """Whole root objects of the bulk result, ``BATCH`` at a time."""
    conn = ctx.ledger.conn
    key = op_cursor(load.stream)
    known = get_cursor(conn, SERVICE, key)
    result = await _resume(client, known, settings.clock()) if known else None
    if result is None:
        started = settings.clock()
        op_id = await bulk.start(client, queries.bulk_query(template))
        with ctx.ledger.transaction():
            set_cursor(conn, SERVICE, key, op_id)
        result = await bulk.wait(client, op_id, poll_interval=POLL_S)
        load.as_of = _stamp(result.created_at, started)
    else:
        load.as_of = _stamp(result.created_at, settings.clock())
    batch: list[dict[str, Any]] = []
    async for record in bulk.records(client, result.url):
        batch.append(record)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


async def run(
    ctx: JobContext,
    client: ShopifyClient,
    settings: ShopifySettings,
    stream: str,
    template: str,
    store: Callable[[BulkLoad, list[dict[str, Any]]], object],
) -> None:
    """The whole first load: each batch stored and committed on its own, progress reported,
    then the watermark set (the same for every stream; ``store`` is what differs)."""
    load = BulkLoad(stream)
    done = 0
    async for batch in batches(ctx, client, settings, load, template):
        with ctx.ledger.transaction():
            store(load, batch)
        done += len(batch)
        ctx.progress(stream, done)
        ctx.raise_if_cancelled()
    with ctx.ledger.transaction():
        load.finish(ctx.ledger.conn)
