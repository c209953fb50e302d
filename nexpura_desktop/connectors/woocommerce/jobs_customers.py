"""Ledger → WooCommerce customers (``woocommerce.customers.export``).

Runs after ``woocommerce.customers.import``, which merges the shop's side field by field
(:mod:`nexpura_desktop.sync.customer_merge`, newest change wins, conflicts recorded).
What is left is the ledger's own changes: a linked customer whose merged fields differ
from the base both sides last agreed on (kept on the link) is updated through
``customers/batch`` (≤ 100 a call, per-item errors to ``sync_issues``), and the base
moves to what was pushed — so the next import finds nothing new (echo suppression) and
a customer with nothing changed costs no request.

New customers: only those created in the ledger after the first export run (the change
feed), and only with an email — WooCommerce needs one, and the shop's in-store
customers are not all meant to get website accounts on the day the shop connects.  A
create looks the email up first, so a crash between create and link cannot duplicate.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from ...engine.job import JobContext
from ...ledger.changes import latest_seq
from ...sync import links
from ...sync.cursors import get_cursor, set_cursor
from ...sync.customer_merge import base_of, local_fields, normalise, remember
from .client import WooClient
from .errors import WooRecordError
from .jobs_common import SERVICE, changed_rows, issue_rows
from .jobs_import import COUNTRY
from .jobs_import_customers import WOO_FIELDS
from .mapping import customer_fields, customer_payload
from .settings import WooSettings

CURSOR = "customers.export"
Json = dict[str, Any]


def _row(conn: sqlite3.Connection, cid: str) -> Json | None:
    cursor = conn.execute("SELECT * FROM customers WHERE id = ? AND deleted_at IS NULL", (cid,))
    found = cursor.fetchone()
    if found is None:
        return None
    return dict(zip([d[0] for d in cursor.description], found, strict=True))


def _agreed(link: links.Link, values: Json) -> bool:
    base = base_of(link)
    return base is not None and all(base.get(k) == values.get(k) for k in WOO_FIELDS)


def _linked_ids(conn: sqlite3.Connection) -> set[str]:
    rows = conn.execute(
        "SELECT local_id FROM sync_links WHERE service = ? AND entity = 'customer'", (SERVICE,)
    )
    return {str(r[0]) for r in rows}


async def _update(
    ctx: JobContext, client: WooClient, chunk: list[tuple[Json, links.Link, Json]]
) -> None:
    payloads = [
        {"id": int(link.remote_id), **customer_payload(row, COUNTRY)} for row, link, _ in chunk
    ]
    result = await client.batch("customers", update=payloads)
    conn = ctx.ledger.conn
    with ctx.ledger.transaction():
        for outcome in result.of("update"):
            row, link, values = chunk[outcome.index]
            if outcome.ok:
                remember(conn, SERVICE, str(row["id"]), link.remote_id, values)
                ctx.resolve_issue(local_table="customers", local_id=row["id"])
                ctx.count("updated")
            else:
                error = outcome.error or WooRecordError("the shop refused the change")
                ctx.record_issue(f"WooCommerce refused the change to this customer: {error}",
                                 local_table="customers", local_id=row["id"],
                                 remote_id=link.remote_id)  # fmt: skip


async def _create(ctx: JobContext, client: WooClient, row: Json, values: Json) -> None:
    try:
        data, created = await client.create_customer(customer_payload(row, COUNTRY))
    except WooRecordError as exc:
        with ctx.ledger.transaction():
            ctx.record_issue(f"WooCommerce did not create this customer: {exc}",
                             local_table="customers", local_id=row["id"])  # fmt: skip
        return
    theirs = normalise(customer_fields(data, COUNTRY), country=COUNTRY)
    with ctx.ledger.transaction():
        # Found by email instead (someone registered on the site): the shop's values are
        # the base, so the ledger's differing fields go out on the next run.
        remember(ctx.ledger.conn, SERVICE, str(row["id"]), str(data["id"]),
                 values if created else theirs)  # fmt: skip
        ctx.resolve_issue(local_table="customers", local_id=row["id"])
    ctx.count("created" if created else "unchanged")


async def export_customers(ctx: JobContext, client: WooClient, _settings: WooSettings) -> None:
    conn = ctx.ledger.conn
    before = get_cursor(conn, SERVICE, CURSOR)
    start = 0 if ctx.full else int(before or 0)
    end = latest_seq(conn)
    first = before is None
    ids = _linked_ids(conn) if start <= 0 else changed_rows(conn, "customers", start, end)
    ids |= issue_rows(conn, ctx.name, "customers")
    updates: list[tuple[Json, links.Link, Json]] = []
    creates: list[tuple[Json, Json]] = []
    for cid in sorted(ids):
        row = _row(conn, cid)
        if row is None:
            continue
        values = local_fields(row, country=COUNTRY)
        link = links.by_local(conn, SERVICE, "customer", "customers", cid)
        if link is not None:
            if _agreed(link, values):
                ctx.count("unchanged")
            else:
                updates.append((row, link, values))
        elif values.get("email") and not first:
            creates.append((row, values))
    for i in range(0, len(updates), 100):
        await _update(ctx, client, updates[i : i + 100])
        ctx.progress("customers", i + len(updates[i : i + 100]), len(updates) + len(creates))
        ctx.raise_if_cancelled()
    for n, (row, values) in enumerate(creates, start=1):
        await _create(ctx, client, row, values)
        ctx.progress("customers", len(updates) + n, len(updates) + len(creates))
        ctx.raise_if_cancelled()
    if str(end) != before:
        with ctx.ledger.transaction():
            set_cursor(conn, SERVICE, CURSOR, str(end))
