"""Pure mapping between ledger rows and Google Calendar events (no I/O).

* Appointments become **timed** events in the shop's time zone (the ``tenants`` row's
  ``timezone``): ``dateTime`` with the zone's offset on that date (DST included) plus the
  IANA ``timeZone``.  Title ``"<type>: <customer>"``, the notes and the customer's contact
  in the description, the shop location as ``location``.  An appointment without a time is
  an all-day event on its date; one without a date has no event.  ``cancelled`` removes the
  event; ``completed``/``no_show`` keep it, marked.
* Repair and bespoke due dates become **all-day** events (end date exclusive) while the job
  is open; ready, collected, completed, cancelled or deleted jobs lose their event.
* Every event carries ``extendedProperties.private`` ``nexpura_ref = "<table>:<id>"`` (how a
  lost link is found again) and its id is derived from that ref (base32hex), so a replayed
  insert is refused as a duplicate instead of creating a second event.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

REF_KEY = "nexpura_ref"
DIGEST_KEY = "nexpura_digest"  # digest of the body we wrote: a re-found event needs no push
APP_KEY = "nexpura_app"
APP_VALUE = "desktop"
TABLES = ("appointments", "repairs", "bespoke_jobs")
DEFAULT_MINUTES = 30
CLOSED_JOB_STAGES = frozenset({"ready", "collected", "completed", "cancelled"})
MARKED_APPOINTMENTS = {"completed": "completed", "no_show": "no show"}

Row = Mapping[str, Any]


def ref_of(table: str, row_id: str) -> str:
    return f"{table}:{row_id}"


def split_ref(ref: str) -> tuple[str, str] | None:
    table, sep, row_id = ref.partition(":")
    if not sep or table not in TABLES or not row_id:
        return None
    return table, row_id


def event_id_for(ref: str) -> str:
    """A stable Google event id for ``ref`` (base32hex, lower case, 32 characters)."""
    raw = hashlib.sha256(ref.encode()).digest()[:20]
    return base64.b32hexencode(raw).decode().lower().rstrip("=")


def zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def digest(body: Mapping[str, Any]) -> str:
    """What we sent, as a short hash (a link stores it; equal hash = nothing to push)."""
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _day(value: Any) -> date | None:
    text = _text(value)[:10]
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _clock(value: Any) -> time | None:
    text = _text(value)
    if not text:
        return None
    parts = text.split(":")
    try:
        hour, minute = int(parts[0]), int(parts[1]) if len(parts) > 1 else 0
        second = int(float(parts[2])) if len(parts) > 2 else 0
        return time(hour, minute, second)
    except (ValueError, IndexError):
        return None


def _label(value: Any, default: str) -> str:
    text = _text(value).replace("_", " ")
    return text[:1].upper() + text[1:] if text else default


def _private(ref: str) -> dict[str, Any]:
    return {"private": {REF_KEY: ref, APP_KEY: APP_VALUE}}


def _all_day(day: date) -> tuple[dict[str, str], dict[str, str]]:
    return {"date": day.isoformat()}, {"date": (day + timedelta(days=1)).isoformat()}


def local_instant(day: date, at: time, tz: ZoneInfo) -> datetime:
    """Wall-clock time in the shop's zone (a time inside a DST gap moves forward)."""
    naive = datetime.combine(day, at)
    aware = naive.replace(tzinfo=tz)
    # Round-trip through UTC normalises non-existent local times (spring-forward gap).
    return aware.astimezone(ZoneInfo("UTC")).astimezone(tz)


def appointment_event(row: Row, tz_name: str, location: str | None = None) -> dict[str, Any] | None:
    """The event for an appointment, or ``None`` when it should have none."""
    status = _text(row.get("status")) or "scheduled"
    day = _day(row.get("scheduled_date"))
    if status == "cancelled" or day is None:
        return None
    tz = zone(tz_name)
    if tz is None:
        raise ValueError(f"unknown time zone {tz_name!r}")
    customer = _text(row.get("customer_name"))
    kind = _label(row.get("appointment_type"), "Appointment")
    summary = f"{kind}: {customer}" if customer else kind
    mark = MARKED_APPOINTMENTS.get(status)
    if mark:
        summary = f"{summary} ({mark})"
    lines = [_text(row.get("notes"))] if _text(row.get("notes")) else []
    reach = (customer, _text(row.get("customer_phone")), _text(row.get("customer_email")))
    contact = [v for v in reach if v]
    if contact:
        lines.append("Customer: " + ", ".join(contact))
    at = _clock(row.get("scheduled_time"))
    if at is None:
        start, end = _all_day(day)
    else:
        minutes = row.get("duration_minutes")
        length = int(minutes) if isinstance(minutes, int) and minutes > 0 else DEFAULT_MINUTES
        begin = local_instant(day, at, tz)
        finish = (begin.astimezone(ZoneInfo("UTC")) + timedelta(minutes=length)).astimezone(tz)
        start = {"dateTime": begin.isoformat(), "timeZone": tz_name}
        end = {"dateTime": finish.isoformat(), "timeZone": tz_name}
    body: dict[str, Any] = {
        "summary": summary,
        "description": "\n".join(lines),
        "start": start,
        "end": end,
        "status": "confirmed",
        "extendedProperties": _private(ref_of("appointments", str(row["id"]))),
    }
    if location:
        body["location"] = location
    return body


def _job_open(row: Row) -> bool:
    stage = _text(row.get("stage")) or _text(row.get("status"))
    return not _text(row.get("deleted_at")) and stage not in CLOSED_JOB_STAGES


def due_event(table: str, row: Row) -> dict[str, Any] | None:
    """The all-day due-date event of an open repair or bespoke job, else ``None``."""
    day = _day(row.get("due_date"))
    if day is None or not _job_open(row):
        return None
    customer = _text(row.get("customer_name"))
    if table == "repairs":
        what = _label(row.get("repair_type") or row.get("item_type"), "Repair")
        number = _text(row.get("repair_number") or row.get("ticket_number"))
        title = f"Repair due: {what}"
        details = _text(row.get("item_description") or row.get("description"))
    else:
        what = _text(row.get("title")) or _label(row.get("jewellery_type"), "Bespoke job")
        number = _text(row.get("job_number") or row.get("bespoke_number"))
        title = f"Bespoke due: {what}"
        details = _text(row.get("description") or row.get("item_description"))
    if customer:
        title = f"{title} - {customer}"
    lines = [f"Job #{number}"] if number else []
    if details:
        lines.append(details)
    start, end = _all_day(day)
    return {
        "summary": title,
        "description": "\n".join(lines),
        "start": start,
        "end": end,
        "status": "confirmed",
        "transparency": "transparent",
        "extendedProperties": _private(ref_of(table, str(row["id"]))),
    }


def event_for(
    table: str, row: Row | None, tz_name: str, location: str | None = None
) -> dict[str, Any] | None:
    """The body to write for a row (sealed with its digest), or ``None`` for no event."""
    if row is None:
        return None
    if table == "appointments":
        body = appointment_event(row, tz_name, location)
    else:
        body = due_event(table, row)
    return None if body is None else seal(body)


def seal(body: dict[str, Any]) -> dict[str, Any]:
    """Record the body's digest in its own private properties."""
    body["extendedProperties"]["private"][DIGEST_KEY] = digest(body)
    return body


def sealed_digest(event: Mapping[str, Any]) -> str | None:
    """The digest an event of ours was written with (``None`` for foreign events)."""
    props = (event.get("extendedProperties") or {}).get("private") or {}
    value = props.get(DIGEST_KEY)
    return str(value) if isinstance(value, str) and value else None


def ref_in(event: Mapping[str, Any]) -> str | None:
    """Our ref on a Google event, if the event is ours."""
    props = (event.get("extendedProperties") or {}).get("private") or {}
    value = props.get(REF_KEY)
    return str(value) if isinstance(value, str) and split_ref(value) else None


@dataclass(frozen=True)
class Moment:
    """An event edge: a calendar date (all-day) or an instant."""

    day: date | None = None
    instant: datetime | None = None


def moment(edge: Mapping[str, Any] | None) -> Moment | None:
    if not edge:
        return None
    if edge.get("dateTime"):
        try:
            return Moment(instant=datetime.fromisoformat(str(edge["dateTime"])))
        except ValueError:
            return None
    day = _day(edge.get("date"))
    return Moment(day=day) if day is not None else None


def same_times(ours: Mapping[str, Any], theirs: Mapping[str, Any]) -> bool:
    """Whether an event in Google starts and ends when the body we would send says."""
    for edge in ("start", "end"):
        a, b = moment(ours.get(edge)), moment(theirs.get(edge))
        if a is None or b is None or a.day != b.day:
            return False
        if (a.instant is None) != (b.instant is None):
            return False
        if a.instant is not None and b.instant is not None and a.instant != b.instant:
            return False
    return True


def ledger_change(table: str, event: Mapping[str, Any], tz_name: str) -> dict[str, Any] | None:
    """The ledger columns that make a row match an event moved in Google (None: cannot)."""
    start, end = moment(event.get("start")), moment(event.get("end"))
    tz = zone(tz_name)
    if start is None or end is None or tz is None:
        return None
    if table != "appointments":
        day = start.day or (start.instant.astimezone(tz).date() if start.instant else None)
        return {"due_date": day.isoformat()} if day else None
    if start.instant is None or end.instant is None:
        assert start.day is not None
        return {"scheduled_date": start.day.isoformat(), "scheduled_time": None}
    local = start.instant.astimezone(tz)
    minutes = int((end.instant - start.instant).total_seconds() // 60)
    return {
        "scheduled_date": local.date().isoformat(),
        "scheduled_time": local.strftime("%H:%M"),
        "duration_minutes": max(minutes, 1),
    }


def describe(edge: Mapping[str, Any] | None, tz_name: str) -> str:
    """A moment in plain words in the shop's zone ("2026-03-05 14:30" / "2026-03-05")."""
    m = moment(edge)
    tz = zone(tz_name)
    if m is None:
        return "no time"
    if m.instant is not None:
        return m.instant.astimezone(tz).strftime("%Y-%m-%d %H:%M") if tz else m.instant.isoformat()
    assert m.day is not None
    return m.day.isoformat()
