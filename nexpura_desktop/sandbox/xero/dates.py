"""Xero's date forms: MS-JSON ``/Date(ms+0000)/`` out, ISO or MS-JSON in."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time

MS_DATE = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")


def ms_datetime(epoch: float) -> str:
    """A timestamp as Xero serialises ``UpdatedDateUTC`` and friends."""
    return f"/Date({round(epoch * 1000)}+0000)/"


def ms_date(day: date) -> str:
    """A calendar date (midnight UTC) as Xero serialises ``Date``/``DueDate``."""
    midnight = datetime.combine(day, time(), tzinfo=UTC)
    return ms_datetime(midnight.timestamp())


def date_string(day: date) -> str:
    """The companion ``DateString`` field (``2026-01-31T00:00:00``)."""
    return f"{day.isoformat()}T00:00:00"


def parse_date(value: object) -> date:
    """A date the API accepts in a request: ``2026-01-31``, ``2026-01-31T10:00:00`` or MS-JSON."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{value!r} is not a date")
    text = value.strip()
    match = MS_DATE.match(text)
    if match:
        return datetime.fromtimestamp(int(match.group(1)) / 1000, tz=UTC).date()
    return datetime.fromisoformat(text.replace("Z", "+00:00")).date()


def parse_timestamp(value: str) -> float:
    """An ``If-Modified-Since`` value: ISO (UTC unless an offset is given) or an HTTP date."""
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        from email.utils import parsedate_to_datetime

        parsed = parsedate_to_datetime(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()
