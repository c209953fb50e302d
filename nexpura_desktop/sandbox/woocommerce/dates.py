"""Site-local vs GMT dates, as WordPress stores and filters them.

Every WooCommerce object carries ``date_x`` (site timezone) and ``date_x_gmt``, both as
``YYYY-MM-DDTHH:MM:SS`` with no offset and whole seconds (service-apis.md §2.3).  The
sandbox shop defaults to an Australian timezone so that a client which forgets
``dates_are_gmt=true`` sees the same hour-shifted results it would see on a real shop.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .wp import RFC3339

DEFAULT_TIMEZONE = "Australia/Sydney"


def load_zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return timezone(timedelta(hours=10))


class SiteTime:
    """Formats and parses dates in the shop's timezone."""

    def __init__(self, zone_name: str = DEFAULT_TIMEZONE) -> None:
        self.zone_name = zone_name
        self.zone = load_zone(zone_name)

    def set_zone(self, zone_name: str) -> None:
        self.zone_name = zone_name
        self.zone = load_zone(zone_name)

    def local(self, ts: int | None) -> str | None:
        if ts is None:
            return None
        return datetime.fromtimestamp(ts, tz=self.zone).strftime("%Y-%m-%dT%H:%M:%S")

    @staticmethod
    def gmt(ts: int | None) -> str | None:
        if ts is None:
            return None
        return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S")

    def wall_to_ts(self, fields: tuple[int, ...], *, gmt: bool) -> int:
        """A wall-clock time (as WP_Date_Query compares it) to epoch seconds."""
        year, month, day, hour, minute, second = fields[:6]
        zone = UTC if gmt else self.zone
        return int(datetime(year, month, day, hour, minute, second, tzinfo=zone).timestamp())

    def parse(self, value: object, *, gmt: bool) -> int | None:
        """An ISO date from a request body or seed; offsets are honoured when given."""
        if not isinstance(value, str) or not value:
            return None
        match = RFC3339.match(value)
        if match is None:
            return None
        fields = tuple(int(g) for g in match.groups()[:6])
        if match.group(7):
            try:
                parsed = datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
                return int(parsed.timestamp())
            except ValueError:
                return self.wall_to_ts(fields, gmt=True)
        return self.wall_to_ts(fields, gmt=gmt)

    def query_bound(self, value: str, *, gmt_column: bool) -> int:
        """The instant a WP_Date_Query bound really selects.

        WP_Date_Query::build_mysql_datetime turns the value into *site-local* wall time
        (an explicit offset is converted to the site zone, no offset means "already local")
        and compares that text with the chosen column.  With ``dates_are_gmt=true`` the
        column is the GMT one, so an offset-less bound acts as GMT while a bound with an
        offset is shifted by the site's UTC offset — WordPress's behaviour, kept as is.
        """
        match = RFC3339.match(value)
        assert match is not None  # validated by Params.date
        fields = tuple(int(g) for g in match.groups()[:6])
        if match.group(7):
            instant = self.parse(value, gmt=True)
            assert instant is not None
            local = datetime.fromtimestamp(instant, tz=self.zone)
            fields = (local.year, local.month, local.day, local.hour, local.minute, local.second)
        return self.wall_to_ts(fields, gmt=gmt_column)

    def gmt_offset_hours(self, ts: int) -> float:
        offset = datetime.fromtimestamp(ts, tz=self.zone).utcoffset()
        return offset.total_seconds() / 3600 if offset is not None else 0.0
