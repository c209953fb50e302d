"""RFC 3339 and event-time handling the way Calendar v3 does it (§5.2 all-day vs timed)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})?$"
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def zone(name: str) -> tzinfo | None:
    """The IANA zone, or None if Google would not know the name."""
    if not name or name.startswith(("/", ".")) or ".." in name:
        return None
    if name in ("UTC", "Etc/UTC", "GMT"):
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def parse_rfc3339(text: str, default_zone: tzinfo | None = None) -> datetime | None:
    """Aware datetime; a value without offset uses ``default_zone`` (None -> invalid)."""
    match = _RFC3339.match(text.strip())
    if not match:
        return None
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    fraction = match.group(7)
    micro = int((fraction[1:] + "000000")[:6]) if fraction else 0
    offset = match.group(8)
    try:
        naive = datetime(year, month, day, hour, minute, second, micro)
    except ValueError:
        return None
    if offset is None:
        if default_zone is None:
            return None
        return naive.replace(tzinfo=default_zone)
    if offset in ("Z", "z"):
        return naive.replace(tzinfo=UTC)
    sign = 1 if offset[0] == "+" else -1
    hours, minutes = int(offset[1:3]), int(offset[4:6])
    return naive.replace(tzinfo=UTC) - sign * timedelta(hours=hours, minutes=minutes)


def has_offset(text: str) -> bool:
    match = _RFC3339.match(text.strip())
    return bool(match and match.group(8))


def parse_date(text: str) -> date | None:
    if not _DATE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def format_utc(epoch: float) -> str:
    """``updated``/``created`` as Google writes them: UTC with milliseconds."""
    stamp = datetime.fromtimestamp(epoch, tz=UTC)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"


def format_local(instant: datetime, tz: tzinfo) -> str:
    """``dateTime`` rendered in the response time zone with a numeric offset."""
    local = instant.astimezone(tz)
    text = local.strftime("%Y-%m-%dT%H:%M:%S%z")
    if text.endswith("+0000"):
        return text[:-5] + "Z"
    return text[:-2] + ":" + text[-2:]


def day_start(day: date, tz: tzinfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=tz)
