"""Event bodies: what a client may write, how Google validates it, how it is rendered.

Validation messages and reasons follow §5.2/§5.5: a missing end is ``required`` "Missing end
time.", an end before the start is ``timeRangeEmpty`` "The specified time range is empty.",
all-day ends are exclusive, and a ``dateTime`` needs an offset or a ``timeZone``.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, tzinfo
from typing import Any

from .errors import ApiError
from .state import Calendar, Event
from .timeutil import day_start, format_local, format_utc, parse_date, parse_rfc3339, zone

# Event properties a client may send (read-only ones such as etag/htmlLink/created are
# silently ignored, like Google does; unknown names are dropped too).
WRITABLE = frozenset(
    {
        "anyoneCanAddSelf", "attachments", "attendees", "birthdayProperties", "colorId",
        "conferenceData", "description", "end", "endTimeUnspecified", "eventType",
        "extendedProperties", "focusTimeProperties", "gadget", "guestsCanInviteOthers",
        "guestsCanModify", "guestsCanSeeOtherGuests", "location", "originalStartTime",
        "outOfOfficeProperties", "recurrence", "reminders", "sequence", "source", "start",
        "status", "summary", "transparency", "visibility", "workingLocationProperties",
    }
)  # fmt: skip
STATUSES = frozenset({"confirmed", "tentative", "cancelled"})
EVENT_ID = re.compile(r"^[a-v0-9]{5,1024}$")
EXT_KEY_MAX, EXT_VALUE_MAX, EXT_COUNT_MAX = 44, 1024, 300


def json_copy(value: Any) -> Any:
    """A deep copy of JSON-shaped data (dicts, lists, scalars): what ``copy.deepcopy`` does
    for an event's fields, without its memo bookkeeping on every answer."""
    if isinstance(value, dict):
        return {k: json_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_copy(v) for v in value]
    return value


def writable(body: dict[str, Any]) -> dict[str, Any]:
    return {k: json_copy(v) for k, v in body.items() if k in WRITABLE and v is not None}


def check_event_id(event_id: Any) -> str:
    """Client-supplied ids: base32hex, 5–1024 characters (§5.2)."""
    if not isinstance(event_id, str) or not EVENT_ID.match(event_id):
        raise ApiError(400, "invalid", "Invalid resource id value.")
    return event_id


def merge_patch(target: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """PATCH semantics: objects merge recursively, arrays and scalars replace, null clears.

    Whether ``extendedProperties.private`` merges is an open question (§9.8); we merge like
    any other object, so a client that wants exact keys should send them all.
    """
    result: dict[str, Any] = json_copy(target)
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        elif isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merge_patch(result[key], value)
        else:
            result[key] = json_copy(value)
    return result


def _when(raw: Any, which: str, cal_zone: tzinfo, recurring: bool) -> tuple[datetime, bool]:
    """(instant, all_day) of one EventDateTime, or the error Google gives for it."""
    if not isinstance(raw, dict) or (raw.get("date") is None and raw.get("dateTime") is None):
        raise ApiError(400, "required", f"Missing {which} time.")
    if raw.get("date") is not None and raw.get("dateTime") is not None:
        raise ApiError(400, "invalid", f"Invalid {which} time.")
    tz_name = raw.get("timeZone")
    tz: tzinfo | None = None
    if tz_name is not None:
        tz = zone(str(tz_name))
        if tz is None:
            raise ApiError(
                400, "timeZoneNotValid", f"Invalid time zone definition for {which} time."
            )
    if raw.get("date") is not None:
        day = parse_date(str(raw["date"]))
        if day is None:
            raise ApiError(400, "invalid", f"Invalid {which} time.")
        return day_start(day, tz or cal_zone), True
    text = str(raw["dateTime"])
    instant = parse_rfc3339(text, tz)
    if instant is None:
        if parse_rfc3339(text, cal_zone) is not None:
            raise ApiError(400, "required", f"Missing time zone definition for {which} time.")
        raise ApiError(400, "invalid", f"Invalid {which} time.")
    if recurring and tz is None:
        raise ApiError(400, "required", f"Missing time zone definition for {which} time.")
    return instant, False


def validate(fields: dict[str, Any], cal_zone: tzinfo) -> tuple[datetime, datetime, bool]:
    """Check a whole event body; returns (start, end, all_day)."""
    recurring = bool(fields.get("recurrence"))
    end, end_all_day = _when(fields.get("end"), "end", cal_zone, recurring)
    start, start_all_day = _when(fields.get("start"), "start", cal_zone, recurring)
    if start_all_day != end_all_day:
        raise ApiError(
            400, "invalid", "Start and end times must either both be date or both be dateTime."
        )
    if end < start or (start_all_day and end <= start):
        raise ApiError(
            400, "timeRangeEmpty", "The specified time range is empty.", domain="calendar"
        )
    status = fields.get("status", "confirmed")
    if status not in STATUSES:
        raise ApiError(400, "invalid", f"Invalid value for: {status} is not a valid value")
    _check_extended(fields.get("extendedProperties"))
    if "summary" in fields and not isinstance(fields["summary"], str):
        raise ApiError(400, "invalid", "Invalid value for: summary")
    return start, end, start_all_day


def _check_extended(ext: Any) -> None:
    if ext is None:
        return
    if not isinstance(ext, dict):
        raise ApiError(400, "invalid", "Invalid value for: extendedProperties")
    count = 0
    for part in ("private", "shared"):
        props = ext.get(part)
        if props is None:
            continue
        if not isinstance(props, dict):
            raise ApiError(400, "invalid", f"Invalid value for: extendedProperties.{part}")
        for key, value in props.items():
            count += 1
            if not isinstance(value, str):
                raise ApiError(400, "invalid", f"Invalid value for: extendedProperties.{part}")
            if len(key) > EXT_KEY_MAX or len(value) > EXT_VALUE_MAX or count > EXT_COUNT_MAX:
                raise ApiError(400, "invalid", "Extended property exceeds the allowed size.")


def span(event: Event, cal_zone: tzinfo) -> tuple[datetime, datetime]:
    """Start/end instants of a stored event (already validated)."""
    start, end, _ = validate(event.fields, cal_zone)
    return start, end


def etag(event: Event) -> str:
    return f'"{int(event.updated * 2_000_000) + event.seq % 1000}"'


def _render_when(raw: dict[str, Any], response_zone: tzinfo, cal_zone: tzinfo) -> dict[str, Any]:
    if raw.get("date") is not None:
        return {"date": raw["date"]}
    tz_name = raw.get("timeZone")
    tz = zone(str(tz_name)) if tz_name else None
    instant = parse_rfc3339(str(raw["dateTime"]), tz or cal_zone)
    out: dict[str, Any] = {
        "dateTime": format_local(instant, response_zone) if instant else raw["dateTime"]
    }
    if tz_name:
        out["timeZone"] = tz_name
    return out


def render(
    event: Event, cal: Calendar, owner_email: str, base_url: str, response_zone: tzinfo | None
) -> dict[str, Any]:
    """The Event resource as Google returns it; deleted events keep only id and status."""
    if event.deleted:
        return {
            "kind": "calendar#event",
            "etag": etag(event),
            "id": event.id,
            "status": "cancelled",
        }
    cal_zone = zone(cal.time_zone) or zone("UTC")
    assert cal_zone is not None
    out_zone = response_zone or cal_zone
    organizer: dict[str, Any] = {"email": cal.id if not cal.primary else owner_email, "self": True}
    if not cal.primary:
        organizer["displayName"] = cal.summary
    fields = event.fields
    out: dict[str, Any] = {
        "kind": "calendar#event",
        "etag": etag(event),
        "id": event.id,
        "status": fields.get("status", "confirmed"),
        "htmlLink": f"{base_url}/calendar/event?eid={event.id}",
        "created": format_utc(event.created),
        "updated": format_utc(event.updated),
    }
    for key in ("summary", "description", "location", "colorId"):
        if key in fields:
            out[key] = fields[key]
    out["creator"] = {"email": event.creator_email or owner_email, "self": True}
    out["organizer"] = organizer
    out["start"] = _render_when(fields["start"], out_zone, cal_zone)
    out["end"] = _render_when(fields["end"], out_zone, cal_zone)
    for key in ("recurrence", "transparency", "visibility", "attendees", "extendedProperties"):
        if key in fields:
            out[key] = json_copy(fields[key])
    out["iCalUID"] = event.ical_uid
    out["sequence"] = event.sequence
    out["reminders"] = json_copy(fields.get("reminders", {"useDefault": True}))
    for key in sorted(WRITABLE - set(out) - {"sequence"}):
        if key in fields:
            out[key] = json_copy(fields[key])
    out.setdefault("eventType", "default")
    return out


def times_changed(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Google bumps ``sequence`` when the time or place of an event changes."""
    return any(old.get(k) != new.get(k) for k in ("start", "end", "recurrence", "location"))


def all_day_end_exclusive(start_date: str, days: int = 1) -> str:
    """Helper for callers building all-day events: the exclusive end date."""
    day = parse_date(start_date)
    assert day is not None
    return (day + timedelta(days=days)).isoformat()
