"""events.list and calendarList.list: filters, ordering, paging and incremental sync.

Full sync: follow ``nextPageToken``; the last page carries ``nextSyncToken``.  Incremental:
``syncToken`` returns everything changed since, deleted events included (as
``status: cancelled``) whatever ``showDeleted`` says; it cannot be combined with the
filters listed in §5.3; an expired token is 410 ``fullSyncRequired``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from starlette.requests import Request

from .errors import ApiError
from .state import Calendar, Event
from .timeutil import format_utc, has_offset, parse_rfc3339
from .tokens import page_token, read_page_token, read_sync_token, sync_token

if TYPE_CHECKING:
    from .emulator import GoogleEmulator

SYNC_FORBIDDEN = (
    "iCalUID", "orderBy", "privateExtendedProperty", "q", "sharedExtendedProperty", "timeMin",
    "timeMax", "updatedMin",
)  # fmt: skip
EVENTS_MAX, EVENTS_DEFAULT = 2500, 250
CALLIST_MAX, CALLIST_DEFAULT = 250, 100


class CallLike(Protocol):
    request: Request

    def param(self, name: str) -> str | None: ...


Renderer = Callable[[Event, Calendar, Any], dict[str, Any]]


def bad_param(name: str, message: str = "Bad Request", reason: str = "badRequest") -> ApiError:
    return ApiError(400, reason, message, location=name, location_type="parameter")


def _max_results(request: Request, default: int, cap: int) -> int:
    raw = request.query_params.get("maxResults")
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise bad_param(
            "maxResults", f"Invalid value '{raw}'. Values must be integers.", "invalid"
        ) from None
    if value < 1:
        raise bad_param(
            "maxResults", f"Invalid value '{raw}'. Values must be within the range: [1, {cap}]",
            "invalid",
        )  # fmt: skip
    return min(value, cap)


def _flag(request: Request, name: str) -> bool:
    raw = request.query_params.get(name)
    if raw is None:
        return False
    if raw.lower() not in ("true", "false"):
        raise bad_param(name, f"Invalid boolean value: '{raw}'.", "invalid")
    return raw.lower() == "true"


def _instant(request: Request, name: str) -> datetime | None:
    """timeMin/timeMax/updatedMin: RFC 3339 *with* an offset, else a bare 400 (§5.2)."""
    raw = request.query_params.get(name)
    if raw is None:
        return None
    value = parse_rfc3339(raw)
    if value is None or not has_offset(raw):
        raise bad_param(name)
    return value


def _constraints(request: Request, name: str) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for raw in request.query_params.getlist(name):
        key, sep, value = raw.partition("=")
        if not sep or not key:
            raise bad_param(name, "Invalid extended property constraint.", "invalid")
        pairs.append((key, value))
    return pairs


def _page(
    request: Request, kind: str, items: list[Any], size: int, snapshot: int
) -> tuple[list[Any], str | None, int]:
    """(page items, next page token, snapshot seq the whole listing is based on)."""
    offset = 0
    token = request.query_params.get("pageToken")
    if token:
        offset, snapshot = read_page_token(kind, token)
    chunk = items[offset : offset + size]
    more = offset + size < len(items)
    return chunk, (page_token(kind, offset + size, snapshot) if more else None), snapshot


def list_events(
    emu: GoogleEmulator, cal: Calendar, call: CallLike, render: Renderer
) -> dict[str, Any]:
    request = call.request
    q = request.query_params
    data = emu.data
    size = _max_results(request, EVENTS_DEFAULT, EVENTS_MAX)
    single = _flag(request, "singleEvents")
    show_deleted = _flag(request, "showDeleted")
    order = q.get("orderBy")
    if order not in (None, "startTime", "updated"):
        raise bad_param("orderBy", f"Invalid value '{order}'.", "invalid")
    if order == "startTime" and not single:
        raise bad_param(
            "orderBy", "The requested ordering is not available for the particular query."
        )
    raw_sync = q.get("syncToken")
    since: int | None = None
    if raw_sync is not None:
        if any(q.get(name) is not None for name in SYNC_FORBIDDEN):
            raise ApiError(
                400, "invalid", "Sync token cannot be used with other request restrictions."
            )
        since = read_sync_token(f"events:{cal.id}", data.sync_generation, raw_sync)
    time_min, time_max = _instant(request, "timeMin"), _instant(request, "timeMax")
    updated_min = _instant(request, "updatedMin")
    if time_min is not None and time_max is not None and time_max <= time_min:
        raise ApiError(
            400, "timeRangeEmpty", "The specified time range is empty.", domain="calendar",
            location="timeMax", location_type="parameter",
        )  # fmt: skip
    private = _constraints(request, "privateExtendedProperty")
    shared = _constraints(request, "sharedExtendedProperty")
    ical_uid, text = q.get("iCalUID"), (q.get("q") or "").lower()

    def keep(event: Event) -> bool:
        if since is not None:
            return event.seq > since
        if event.deleted and not (show_deleted or updated_min is not None):
            return False
        if time_min is not None and event.start_at < event.end_at <= time_min.timestamp():
            return False
        if time_max is not None and event.start_at >= time_max.timestamp():
            return False
        if updated_min is not None and event.updated < updated_min.timestamp():
            return False
        ext = event.fields.get("extendedProperties") or {}
        for part, wanted in (("private", private), ("shared", shared)):
            props = ext.get(part) or {}
            if any(props.get(key) != value for key, value in wanted):
                return False
        if ical_uid is not None and event.ical_uid != ical_uid:
            return False
        if text:
            haystack = " ".join(
                str(event.fields.get(k, "")) for k in ("summary", "description", "location")
            ).lower()
            if text not in haystack:
                return False
        return True

    chosen = [e for e in data.events.get(cal.id, {}).values() if keep(e)]
    if order == "startTime":
        chosen.sort(key=lambda e: (e.start_at, e.created_order))
    elif order == "updated":
        chosen.sort(key=lambda e: (e.updated, e.created_order))
    else:
        chosen.sort(key=lambda e: e.created_order)
    page, next_page, snapshot = _page(request, "events", chosen, size, data.seq)
    tz_name = q.get("timeZone") or cal.time_zone
    updated = max([cal.updated, *(e.updated for e in data.events.get(cal.id, {}).values())])
    body: dict[str, Any] = {
        "kind": "calendar#events",
        "etag": f'"p3{snapshot:014d}g"',
        "summary": cal.summary,
        "description": cal.description or "",
        "updated": format_utc(updated),
        "timeZone": tz_name,
        "accessRole": cal.access_role,
        "defaultReminders": emu.default_reminders(cal),
        "items": [render(e, cal, call) for e in page],
    }
    if next_page is not None:
        body["nextPageToken"] = next_page
    else:
        body["nextSyncToken"] = sync_token(f"events:{cal.id}", data.sync_generation, snapshot)
    return body


def list_calendar_list(emu: GoogleEmulator, request: Request) -> dict[str, Any]:
    data = emu.data
    q = request.query_params
    size = _max_results(request, CALLIST_DEFAULT, CALLIST_MAX)
    show_deleted = _flag(request, "showDeleted")
    show_hidden = _flag(request, "showHidden")
    roles = ["freeBusyReader", "reader", "writer", "owner"]
    min_role = q.get("minAccessRole")
    if min_role is not None and min_role not in roles:
        raise bad_param("minAccessRole", f"Invalid value '{min_role}'.", "invalid")
    since: int | None = None
    if q.get("syncToken") is not None:
        if min_role is not None:
            raise ApiError(
                400, "invalid", "Sync token cannot be used with other request restrictions."
            )
        since = read_sync_token("calendarList", data.sync_generation, q["syncToken"])
    entries: list[Calendar] = []
    for cal in data.calendars.values():
        if since is not None:
            if cal.seq > since:
                entries.append(cal)
            continue
        if cal.deleted and not show_deleted:
            continue
        if min_role is not None and roles.index(cal.access_role) < roles.index(min_role):
            continue
        entries.append(cal)
    del show_hidden  # no calendar is hidden in the sandbox
    page, next_page, snapshot = _page(request, "calendarList", entries, size, data.seq)
    body: dict[str, Any] = {
        "kind": "calendar#calendarList",
        "etag": f'"p3{snapshot:014d}g"',
        "items": [emu.calendar_list_entry(cal) for cal in page],
    }
    if next_page is not None:
        body["nextPageToken"] = next_page
    else:
        body["nextSyncToken"] = sync_token("calendarList", data.sync_generation, snapshot)
    return body
