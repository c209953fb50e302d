"""A schedule (off / every N minutes / cron) and when it is next due.

Due times are computed from the last *successful* run, never from the clock at start-up,
so a PC that slept through several slots runs the job once on wake (catch-up), not once
per missed slot.  A run that failed since that success is retried after a pause instead
of on every tick, so a service that is down is not hammered.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

from croniter import croniter

from .errors import ConfigurationError

FAILURE_RETRY = timedelta(minutes=15)
CATCH_UP_GRACE = timedelta(minutes=2)  # later than this past due = a missed slot


@dataclass(frozen=True)
class Schedule:
    kind: str = "off"  # off | interval | cron
    minutes: int | None = None
    cron: str | None = None

    @classmethod
    def from_config(cls, data: Mapping[str, Any] | None) -> Schedule:
        """Parse ``{"kind": "off"|"interval"|"cron", "minutes": N, "cron": "expr"}``."""
        if not data:
            return cls()
        kind = data.get("kind", "off")
        if kind == "off":
            return cls()
        if kind == "interval":
            minutes = data.get("minutes")
            if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes < 1:
                raise ConfigurationError("the sync interval must be a whole number of minutes")
            return cls("interval", minutes=minutes)
        if kind == "cron":
            expr = data.get("cron")
            if not isinstance(expr, str) or not croniter.is_valid(expr):
                raise ConfigurationError(f"the schedule {expr!r} is not a valid cron expression")
            return cls("cron", cron=expr)
        raise ConfigurationError(f"unknown schedule kind {kind!r}")

    def to_config(self) -> dict[str, Any]:
        if self.kind == "interval":
            return {"kind": "interval", "minutes": self.minutes}
        if self.kind == "cron":
            return {"kind": "cron", "cron": self.cron}
        return {"kind": "off"}

    def next_after(self, moment: datetime, tz: tzinfo) -> datetime:
        """The first slot strictly after ``moment`` (cron read in the shop's timezone)."""
        if self.kind == "interval":
            assert self.minutes is not None
            return moment + timedelta(minutes=self.minutes)
        if self.kind == "cron":
            nxt = croniter(self.cron, moment.astimezone(tz)).get_next(datetime)
            assert isinstance(nxt, datetime)
            return nxt
        raise ValueError("a schedule that is off has no next slot")

    def retry_pause(self) -> timedelta:
        if self.kind == "interval" and self.minutes is not None:
            return min(FAILURE_RETRY, timedelta(minutes=self.minutes))
        return FAILURE_RETRY


def next_due(
    schedule: Schedule,
    *,
    last_success: datetime | None,
    last_attempt: tuple[datetime, str] | None,
    now: datetime,
    tz: tzinfo,
) -> datetime | None:
    """When the schedule next wants a run (``<= now`` means due), ``None`` if off."""
    if schedule.kind == "off":
        return None
    due = now if last_success is None else schedule.next_after(last_success, tz)
    if last_attempt is not None:
        started, outcome = last_attempt
        after_success = last_success is None or started > last_success
        if after_success and outcome in ("failed", "cancelled"):
            due = max(due, started + schedule.retry_pause())
    return due


def trigger_for(due: datetime, now: datetime) -> str:
    """``catch-up`` for a slot missed (asleep, switched off), ``schedule`` when on time."""
    return "catch-up" if now - due > CATCH_UP_GRACE else "schedule"
