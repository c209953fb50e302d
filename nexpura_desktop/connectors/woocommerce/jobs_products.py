"""Ledger → WooCommerce listings (``woocommerce.products.export``).

New published items become simple products (Nexpura's inventory is flat: one row per
size); changed linked items update their product, or their variation through its parent.
Everything goes through the batch endpoints (≤ 100 items a call, per-item errors to
``sync_issues``).

Crash safety: every create is preceded by a SKU lookup (``WooClient.batch_products``),
and the change-feed watermark only moves once every group is done.  A crash between a
create and its link therefore finds the product by SKU on the next run and links it
instead of creating a second one.  An item without a SKU is not created (nothing could
find it again) and is listed as an issue.

Echo suppression: the ``variant`` link keeps :func:`.jobs_common.listing_hash` of what
both sides agreed on and the ``date_modified_gmt`` our write produced, so the import
skips our own change and this job skips rows the import wrote.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from ...engine.job import JobContext
from ...ledger.changes import latest_seq
from ...sync import links
from ...sync.cursors import get_cursor, set_cursor
from .client import WooClient
from .errors import WooRecordError
from .jobs_common import (
    SERVICE,
    Target,
    all_rows,
    changed_rows,
    grouped,
    issue_rows,
    listing_fields,
    listing_hash,
    remember_parent,
    remote_listing_hash,
    target_of,
)
from .mapping import product_payload
from .settings import WooSettings

CURSOR = "products.export"
COLUMNS = (
    "id", "sku", "name", "description", "retail_price", "quantity", "track_quantity",
    "is_published", "listed_on_website", "deleted_at",
)  # fmt: skip
Json = dict[str, Any]


@dataclass
class Update:
    target: Target
    row: Json
    digest: str


def _rows(conn: sqlite3.Connection, ids: set[str]) -> list[Json]:
    wanted = sorted(ids)
    out: list[Json] = []
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        marks = ",".join("?" * len(chunk))
        cursor = conn.execute(
            f"SELECT {', '.join(COLUMNS)} FROM inventory WHERE id IN ({marks}) ORDER BY id", chunk
        )
        out.extend(dict(zip(COLUMNS, r, strict=True)) for r in cursor)
    return out


def _published(row: Json) -> bool:
    return bool(row.get("listed_on_website") or row.get("is_published")) and not row["deleted_at"]


def plan(ctx: JobContext, ids: set[str]) -> tuple[list[Json], list[Update]]:
    conn = ctx.ledger.conn
    creates: list[Json] = []
    updates: list[Update] = []
    for row in _rows(conn, ids):
        item = str(row["id"])
        link = links.by_local(conn, SERVICE, "variant", "inventory", item)
        if row["deleted_at"]:
            row["listed_on_website"] = row["is_published"] = False  # unlist, never delete
        if link is None:
            if not _published(row):
                continue
            if not str(row.get("sku") or "").strip():
                ctx.record_issue(
                    "this item has no SKU, so it is not listed in WooCommerce (the SKU is how "
                    "the shop and the ledger find each other); give it a SKU",
                    local_table="inventory", local_id=item, count_failed=False,
                )  # fmt: skip
                ctx.count("skipped")
                continue
            creates.append(row)
            continue
        target = target_of(conn, item, link.remote_id)
        digest = listing_hash(row, variation=target.parent_id is not None)
        if link.remote_hash == digest:
            ctx.count("unchanged")
            continue
        updates.append(Update(target, row, digest))
    return creates, updates


def _link_created(ctx: JobContext, row: Json, data: Json, existed: bool) -> Update | None:
    """Link a product just created (or found by SKU); an update if the shop differs."""
    conn = ctx.ledger.conn
    item, remote_id = str(row["id"]), str(data["id"])
    parent = int(data.get("parent_id") or 0)
    if parent:
        remember_parent(conn, item, parent, int(remote_id))
    target = Target(item, int(remote_id), parent or None)
    ours = listing_hash(row, variation=target.parent_id is not None)
    theirs = remote_listing_hash(data) if existed else ours
    version = str(data.get("date_modified_gmt") or "") or None
    links.upsert(conn, SERVICE, "variant", "inventory", item, remote_id,
                 remote_version=version, remote_hash=theirs)  # fmt: skip
    stock = data.get("stock_quantity")
    if data.get("manage_stock") and isinstance(stock, int | float):
        links.upsert(conn, SERVICE, "inventory", "inventory", item, remote_id,
                     remote_version=str(int(stock)))  # fmt: skip
    ctx.resolve_issue(local_table="inventory", local_id=item)
    return None if theirs == ours else Update(target, row, ours)


async def create_chunk(ctx: JobContext, client: WooClient, rows: list[Json]) -> list[Update]:
    result = await client.batch_products(create=[product_payload(r) for r in rows])
    follow: list[Update] = []
    with ctx.ledger.transaction():
        for outcome in result.of("create"):
            row = rows[outcome.index]
            if outcome.ok and outcome.data is not None and outcome.data.get("id"):
                update = _link_created(ctx, row, outcome.data, outcome.existed)
                if update is not None:
                    follow.append(update)
                ctx.count("unchanged" if outcome.existed and update is None else "created")
            else:
                error = outcome.error or WooRecordError("the shop did not create it")
                ctx.record_issue(f"WooCommerce did not list this item: {error}",
                                 local_table="inventory", local_id=row["id"])  # fmt: skip
    return follow


async def update_group(ctx: JobContext, client: WooClient, group: list[Update]) -> None:
    payloads = [
        {
            "id": u.target.remote_id,
            **listing_fields(u.row, variation=u.target.parent_id is not None),
        }
        for u in group
    ]
    result = await client.batch(group[0].target.resource, update=payloads)
    conn = ctx.ledger.conn
    with ctx.ledger.transaction():
        for outcome in result.of("update"):
            u = group[outcome.index]
            item = u.target.item
            if outcome.ok:
                data = outcome.data or {}
                version = str(data.get("date_modified_gmt") or "") or None
                links.upsert(conn, SERVICE, "variant", "inventory", item, str(u.target.remote_id),
                             remote_version=version, remote_hash=u.digest)  # fmt: skip
                ctx.resolve_issue(local_table="inventory", local_id=item)
                ctx.count("updated")
            else:
                error = outcome.error or WooRecordError("the shop refused the change")
                ctx.record_issue(f"WooCommerce refused the change to this item: {error}",
                                 local_table="inventory", local_id=item,
                                 remote_id=u.target.remote_id)  # fmt: skip


async def export_products(ctx: JobContext, client: WooClient, _settings: WooSettings) -> None:
    conn = ctx.ledger.conn
    before = get_cursor(conn, SERVICE, CURSOR)
    start = 0 if ctx.full else int(before or 0)
    end = latest_seq(conn)
    ids = all_rows(conn, "inventory") if start <= 0 else changed_rows(conn, "inventory", start, end)
    creates, updates = plan(ctx, ids | issue_rows(conn, ctx.name, "inventory"))
    total, done = len(creates) + len(updates), 0
    for i in range(0, len(creates), 100):
        chunk = creates[i : i + 100]
        updates.extend(await create_chunk(ctx, client, chunk))
        done += len(chunk)
        ctx.progress("listings", done, total)
        ctx.raise_if_cancelled()
    by_target = {id(u.target): u for u in updates}
    for group in grouped(u.target for u in updates):
        await update_group(ctx, client, [by_target[id(t)] for t in group])
        done += len(group)
        ctx.progress("listings", done, total)
        ctx.raise_if_cancelled()
    if str(end) != before:
        with ctx.ledger.transaction():
            set_cursor(conn, SERVICE, CURSOR, str(end))
