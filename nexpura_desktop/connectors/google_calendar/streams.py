"""The Google Calendar engine job: ``google_calendar.events.export``.

One run, in order:

1. **pull** — events changed in the calendar since the stored ``syncToken`` (a full
   listing the first time, on ``--full``, or when Google answers 410).  Only events
   carrying our ``nexpura_ref`` private property matter.  Our own writes come back with
   the etag we stored on the link and are skipped (echo suppression).  An event of ours
   with no link (the link was lost) is linked again, never duplicated.  An event the user
   moved in Google is, per ``google_changes``, applied to the appointment/due date or
   reported as an issue; one deleted in Google is reported.
2. **push** — rows of ``appointments``, ``repairs`` and ``bespoke_jobs`` changed since the
   change-feed watermark (all rows on the first or a full run) are mapped by
   :mod:`.mapping` and written in Google batches of 50: insert (with an id derived from our
   ref, so a replay is a 409 duplicate that turns into an update), full update, or delete.
   A body equal to what Google already holds (same digest on the link) is not sent.
3. the watermark advances after every batch has been answered.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from ...engine.errors import ConfigurationError
from ...engine.job import JobContext
from ...engine.registry import Registry
from ...ledger.changes import changes_since, latest_seq
from ...sync import links
from ...sync.cursors import get_cursor, set_cursor
from ...sync.pacing import AsyncSleeper
from .client import (
    BATCH_SIZE,
    Answer,
    CalendarClient,
    Call,
    SyncTokenExpired,
    bucket_size,
    calendar_path,
    default_pacer,
)
from .mapping import (
    TABLES,
    describe,
    event_for,
    event_id_for,
    ledger_change,
    ref_in,
    ref_of,
    same_times,
    sealed_digest,
    split_ref,
    zone,
)
from .settings import SERVICE, CalendarSettings, SettingsProvider, load_settings

JOB = "google_calendar.events.export"
ENTITY = "events"
PUSH_CURSOR = "events.export"
DELETED = "deleted"  # remote_hash of a link whose event we removed (or the user deleted)
WINDOW = BATCH_SIZE * 10
FEED_TABLES = [*TABLES, "tenants", "locations"]
LABELS = {"appointments": "appointment", "repairs": "repair", "bespoke_jobs": "bespoke job"}


def sync_stream(calendar_id: str) -> str:
    return f"events.sync_token:{calendar_id}"


# -- the ledger side ------------------------------------------------------------------------
def shop_time_zone(conn: sqlite3.Connection) -> str | None:
    for (name,) in conn.execute(
        "SELECT timezone FROM tenants WHERE timezone IS NOT NULL AND trim(timezone) <> '' "
        "ORDER BY id"
    ):
        if zone(str(name).strip()) is not None:
            return str(name).strip()
    return None


def location_names(conn: sqlite3.Connection) -> dict[str, str]:
    out: dict[str, str] = {}
    rows = conn.execute(
        "SELECT id, name, address_line1, suburb, state, postcode FROM locations"
    ).fetchall()
    for lid, name, line1, suburb, state, postcode in rows:
        place = " ".join(str(p) for p in (suburb, state, postcode) if p)
        parts = [str(p) for p in (name, line1, place) if p]
        if parts:
            out[str(lid)] = ", ".join(parts)
    return out


def load_rows(
    conn: sqlite3.Connection, table: str, ids: Iterable[str]
) -> dict[str, dict[str, Any]]:
    wanted = sorted(set(ids))
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        cur = conn.execute(
            f'SELECT * FROM "{table}" WHERE id IN ({",".join("?" * len(chunk))})', chunk
        )
        names = [d[0] for d in cur.description]
        for row in cur:
            found[str(row[0 if names[0] == "id" else names.index("id")])] = dict(
                zip(names, row, strict=True)
            )
    return found


def changed_refs(conn: sqlite3.Connection, start: int, end: int) -> set[str]:
    """Refs touched in ``(start, end]``; everything (rows and links) on a full run."""
    if start > 0:
        refs: set[str] = set()
        everything = False
        seq = start
        while seq < end:
            batch = list(changes_since(conn, seq, tables=FEED_TABLES))
            if not batch:
                break
            for change in batch:
                if change.seq > end:
                    break
                if change.table in TABLES:
                    refs.add(ref_of(change.table, change.row_id))
                else:
                    everything = True  # time zone or an address changed: recheck all events
            seq = batch[-1].seq
        if not everything:
            return refs
    refs = set()
    for table in TABLES:
        refs.update(ref_of(table, str(r[0])) for r in conn.execute(f'SELECT id FROM "{table}"'))
    for table, row_id in conn.execute(
        "SELECT local_table, local_id FROM sync_links WHERE service = ? AND entity = ?",
        (SERVICE, ENTITY),
    ):
        refs.add(ref_of(str(table), str(row_id)))
    return refs


def what(table: str, row: dict[str, Any] | None, row_id: str) -> str:
    label = LABELS.get(table, table)
    name = str((row or {}).get("customer_name") or "").strip()
    return f"the {label} {row_id}" + (f" for {name}" if name else "")


@dataclass
class Shop:
    tz: str
    locations: dict[str, str]

    def body(self, table: str, row: dict[str, Any] | None) -> dict[str, Any] | None:
        location = None
        if row is not None and row.get("location_id") is not None:
            location = self.locations.get(str(row["location_id"]))
        return event_for(table, row, self.tz, location)


# -- 1. pull ---------------------------------------------------------------------------------
async def pull(
    ctx: JobContext, gc: CalendarClient, settings: CalendarSettings, shop: Shop
) -> set[str]:
    """Apply/report Google-side changes; returns refs re-linked (to be pushed this run)."""
    conn = ctx.ledger.conn
    stream = sync_stream(settings.calendar_id)
    token = None if ctx.full else get_cursor(conn, SERVICE, stream)
    relinked: set[str] = set()
    try:
        await _pull_pages(ctx, gc, settings, shop, token, relinked)
    except SyncTokenExpired:
        await _pull_pages(ctx, gc, settings, shop, None, relinked)
    return relinked


async def _pull_pages(
    ctx: JobContext,
    gc: CalendarClient,
    settings: CalendarSettings,
    shop: Shop,
    token: str | None,
    relinked: set[str],
) -> None:
    conn = ctx.ledger.conn
    async for events, next_token in gc.event_pages(settings.calendar_id, token):
        with ctx.ledger.transaction():
            for event in events:
                _pull_one(ctx, settings, shop, event, relinked)
            if next_token:
                set_cursor(conn, SERVICE, sync_stream(settings.calendar_id), next_token)
        ctx.raise_if_cancelled()


def _pull_one(
    ctx: JobContext,
    settings: CalendarSettings,
    shop: Shop,
    event: dict[str, Any],
    relinked: set[str],
) -> None:
    conn = ctx.ledger.conn
    if not event.get("id"):
        return
    event_id = str(event["id"])
    ref = ref_in(event)
    parts = split_ref(ref) if ref else None
    if parts is None:  # not ours, or a tombstone without its properties: go by the id
        known = links.by_remote(conn, SERVICE, ENTITY, event_id)
        if known is None:
            return
        parts = (known.local_table, known.local_id)
    table, row_id = parts
    etag = str(event.get("etag") or "") or None
    cancelled = event.get("status") == "cancelled"
    link = links.by_local(conn, SERVICE, ENTITY, table, row_id)
    if link is None or link.remote_id != event_id:
        if link is None and not cancelled:
            links.upsert(conn, SERVICE, ENTITY, table, row_id, event_id, remote_version=etag,
                         remote_hash=sealed_digest(event))  # fmt: skip
            relinked.add(
                ref_of(table, row_id)
            )  # pushed this run only if the ledger differs from that digest
        return
    if links.is_echo(link, remote_version=etag):
        return
    if cancelled:
        if link.remote_hash != DELETED:
            row = load_rows(conn, table, [row_id]).get(row_id)
            ctx.record_issue(
                f"The calendar event for {what(table, row, row_id)} was deleted in Google "
                "Calendar; it will be put back the next time this record changes here",
                local_table=table,
                local_id=row_id,
                remote_id=event_id,
                count_failed=False,
            )
        links.mark_pushed(conn, link, local_version=link.local_version or 0,
                          remote_version=etag, remote_hash=DELETED)  # fmt: skip
        return
    row = load_rows(conn, table, [row_id]).get(row_id)
    ours = shop.body(table, row)
    if ours is None or same_times(ours, event):
        links.mark_pushed(conn, link, local_version=link.local_version or 0, remote_version=etag)
        return
    if settings.changes == "apply":
        change = ledger_change(table, event, shop.tz)
        if change:
            sets = ", ".join(f'"{k}" = ?' for k in change)
            conn.execute(
                f'UPDATE "{table}" SET {sets}, "updated_at" = '
                "strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now') WHERE id = ?",
                [*change.values(), row_id],
            )
            fresh = shop.body(table, load_rows(conn, table, [row_id]).get(row_id))
            links.mark_pushed(
                conn,
                link,
                local_version=link.local_version or 0,
                remote_version=etag,
                remote_hash=sealed_digest(fresh) if fresh is not None else None,
            )
            ctx.count("updated")
            ctx.resolve_issue(local_table=table, local_id=row_id, remote_id=event_id)
            return
    ctx.record_issue(
        f"{what(table, row, row_id)[0].upper()}{what(table, row, row_id)[1:]} was moved in "
        f"Google Calendar to {describe(event.get('start'), shop.tz)}; the ledger still says "
        f"{describe(ours.get('start'), shop.tz)}. Change it here to match, or set Google "
        "changes to apply",
        local_table=table,
        local_id=row_id,
        remote_id=event_id,
        count_failed=False,
    )
    links.mark_pushed(conn, link, local_version=link.local_version or 0, remote_version=etag)


# -- 2. push ---------------------------------------------------------------------------------
@dataclass
class Plan:
    table: str
    row_id: str
    row: dict[str, Any] | None
    body: dict[str, Any] | None
    link: links.Link | None
    call: Call
    kind: str  # insert | update | delete | insert-again


def plan(ctx: JobContext, settings: CalendarSettings, shop: Shop, refs: list[str]) -> list[Plan]:
    conn = ctx.ledger.conn
    by_table: dict[str, list[str]] = {}
    for ref in refs:
        parts = split_ref(ref)
        if parts is not None:
            by_table.setdefault(parts[0], []).append(parts[1])
    out: list[Plan] = []
    cid = settings.calendar_id
    for table in TABLES:
        ids = by_table.get(table, [])
        rows = load_rows(conn, table, ids)
        for row_id in ids:
            row = rows.get(row_id)
            try:
                body = shop.body(table, row)
            except ValueError as exc:
                ctx.record_issue(str(exc), local_table=table, local_id=row_id)
                continue
            link = links.by_local(conn, SERVICE, ENTITY, table, row_id)
            if body is None:
                if link is not None and link.remote_hash != DELETED:
                    call = Call("DELETE", calendar_path(cid, link.remote_id))
                    out.append(Plan(table, row_id, row, None, link, call, "delete"))
                continue
            if link is not None and link.remote_hash == sealed_digest(body):
                ctx.count("unchanged")
                continue
            if link is None:
                event_id = event_id_for(ref_of(table, row_id))
                call = Call("POST", calendar_path(cid), {**body, "id": event_id})
                out.append(Plan(table, row_id, row, body, None, call, "insert"))
            else:
                call = Call("PUT", calendar_path(cid, link.remote_id), body)
                out.append(Plan(table, row_id, row, body, link, call, "update"))
    return out


def _chunks(items: list[Plan], size: int = BATCH_SIZE) -> Iterator[list[Plan]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


async def push_plans(
    ctx: JobContext, gc: CalendarClient, settings: CalendarSettings, plans: list[Plan], end: int
) -> None:
    work = plans
    while work:
        again: list[Plan] = []
        for batch in _chunks(work):
            answers = await gc.batch([p.call for p in batch])
            with ctx.ledger.transaction():
                for p, answer in zip(batch, answers, strict=True):
                    follow = record(ctx, settings, p, answer, end)
                    if follow is not None:
                        again.append(follow)
            ctx.raise_if_cancelled()
        work = again


def record(
    ctx: JobContext, settings: CalendarSettings, p: Plan, answer: Answer, end: int
) -> Plan | None:
    """Store one call's outcome; returns a follow-up call when one is needed."""
    conn = ctx.ledger.conn
    cid = settings.calendar_id
    status = answer.status
    if p.kind == "delete":
        if status in (200, 204, 404, 410):
            assert p.link is not None
            links.mark_pushed(conn, p.link, local_version=end, remote_hash=DELETED)
            ctx.count("updated")
            ctx.resolve_issue(local_table=p.table, local_id=p.row_id)
            return None
    elif 200 <= status < 300:
        assert p.body is not None
        event_id = str(answer.body.get("id") or (p.link.remote_id if p.link else ""))
        links.upsert(
            conn,
            SERVICE,
            ENTITY,
            p.table,
            p.row_id,
            event_id,
            remote_version=str(answer.body.get("etag") or "") or None,
            remote_hash=sealed_digest(p.body),
            local_version=end,
        )
        ctx.count("created" if p.kind.startswith("insert") else "updated")
        ctx.resolve_issue(local_table=p.table, local_id=p.row_id)
        return None
    elif status == 409 and p.kind == "insert" and p.body is not None:
        # Our id already exists: the link was lost (or a crash hid the answer); update it.
        event_id = event_id_for(ref_of(p.table, p.row_id))
        call = Call("PUT", calendar_path(cid, event_id), p.body)
        return Plan(p.table, p.row_id, p.row, p.body, None, call, "update")
    elif status in (404, 410) and p.kind == "update" and p.body is not None:
        call = Call("POST", calendar_path(cid), p.body)  # gone for good: a fresh event
        return Plan(p.table, p.row_id, p.row, p.body, p.link, call, "insert-again")
    if status == 403 and answer.reason in ("requiredAccessLevel", "forbidden"):
        raise ConfigurationError(
            f"this Google account cannot add events to the calendar {cid}; choose a calendar "
            "you own or can edit"
        )
    if status == 404 and p.kind.startswith("insert"):
        raise ConfigurationError(f"the Google calendar {cid} no longer exists; choose another")
    ctx.record_issue(
        f"Google Calendar refused the event for {what(p.table, p.row, p.row_id)}: {answer.message}",
        local_table=p.table,
        local_id=p.row_id,
        detail=f"HTTP {status} {answer.reason}".strip(),
    )
    return None


async def push(
    ctx: JobContext, gc: CalendarClient, settings: CalendarSettings, shop: Shop, extra: set[str]
) -> None:
    conn = ctx.ledger.conn
    start = 0 if ctx.full else int(get_cursor(conn, SERVICE, PUSH_CURSOR) or 0)
    end = latest_seq(conn)
    refs = changed_refs(conn, start, end) | extra
    refs |= {
        ref_of(i.local_table, i.local_id)
        for i in ctx.issues_to_retry()
        if i.local_table in TABLES and i.local_id
    }
    ordered = sorted(refs)
    for offset in range(0, len(ordered), WINDOW):
        window = ordered[offset : offset + WINDOW]
        await push_plans(ctx, gc, settings, plan(ctx, settings, shop, window), end)
        ctx.progress("events", min(offset + WINDOW, len(ordered)), len(ordered))
    with ctx.ledger.transaction():
        set_cursor(conn, SERVICE, PUSH_CURSOR, str(end))


# -- the run ---------------------------------------------------------------------------------
def open_client(ctx: JobContext, settings: CalendarSettings) -> CalendarClient:
    pacer = default_pacer(
        settings.calls_per_minute, **({"clock": settings.clock} if settings.clock else {})
    )
    return CalendarClient(
        settings.api_origin,
        settings.token,
        transport=settings.transport,
        pacer=pacer,
        sleep=settings.sleep,
        cancel=ctx.cancel_event,
        on_request=ctx.request,
        bucket=bucket_size(settings.calls_per_minute),
    )


async def sync_events(ctx: JobContext, settings: CalendarSettings) -> None:
    """The whole run (see the module docstring)."""
    conn = ctx.ledger.conn
    async with open_client(ctx, settings) as gc:
        tz = shop_time_zone(conn) or await gc.calendar_time_zone(settings.calendar_id)
        if tz is None or zone(tz) is None:
            raise ConfigurationError(
                "the shop has no time zone (tenant profile) and the calendar's could not be read"
            )
        shop = Shop(tz, location_names(conn))
        relinked = await pull(ctx, gc, settings, shop)
        await push(ctx, gc, settings, shop, relinked)


class EventsExport:
    """``google_calendar.events.export``."""

    def __init__(self, settings: SettingsProvider, sleep: AsyncSleeper | None = None) -> None:
        self._settings, self._sleep = settings, sleep

    def run(self, ctx: JobContext) -> None:
        async def go() -> None:
            await sync_events(ctx, await self._settings(ctx.ledger))

        asyncio.run(go())


def register(registry: Registry, *, settings: SettingsProvider | None = None) -> None:
    """Declare the calendar job (``settings`` replaces the keyring/connection lookup)."""
    provider: SettingsProvider = settings or load_settings
    registry.register(
        JOB,
        lambda: EventsExport(provider),
        description="appointments and due dates to Google Calendar; moves made there pulled back",
    )
