"""The shop's messaging settings: categories on/off, channel order, quiet hours, country.

Category switches are Nexpura's own ``tenants.notification_settings`` keys (with the
settings page's defaults, nexpura-schema.md §4.4); the rest lives in
``messaging_settings`` (key → JSON value).  The shop's timezone and country come from the
``tenants`` row.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .phones import region_for

CATEGORIES = ("job_ready", "task_assigned", "task_status", "task_urgent", "job_urgent")
# Nexpura has one "urgent flag" switch: it covers urgent tasks and urgent repairs/bespoke jobs.
CATEGORY_KEYS = {
    "job_ready": ("whatsapp_job_ready_enabled", True),
    "task_assigned": ("notify_on_task_assignment", True),
    "task_status": ("notify_on_status_change", True),
    "task_urgent": ("notify_on_urgent_flagged", True),
    "job_urgent": ("notify_on_urgent_flagged", True),
}
DEFAULTS: dict[str, Any] = {
    "customer_channels": ["whatsapp", "sms"],  # the shop's default order
    "fallback": True,
    "quiet_start": "20:00",
    "quiet_end": "08:00",
    "country": None,  # None: the tenant's country
    "timezone": None,  # None: the tenant's timezone
}
DEFAULT_TIMEZONE = "Australia/Sydney"


@dataclass(frozen=True)
class ShopSettings:
    tenant_id: str | None
    shop_name: str
    region: str
    timezone: ZoneInfo
    enabled: dict[str, bool]
    customer_channels: tuple[str, ...]
    fallback: bool
    quiet_start: time
    quiet_end: time
    pickup_location: str

    def quiet_until(self, now: datetime) -> datetime | None:
        """When quiet hours end, if ``now`` (aware) is inside them; else None."""
        local = now.astimezone(self.timezone)
        start, end, t = self.quiet_start, self.quiet_end, local.time()
        if start == end:
            return None
        inside = (start <= t or t < end) if start > end else (start <= t < end)
        if not inside:
            return None
        day = local.date() if t < end else local.date() + timedelta(days=1)
        return datetime.combine(day, end, tzinfo=self.timezone)


def _clock(text: str) -> time:
    hours, _, minutes = str(text).partition(":")
    return time(int(hours), int(minutes or 0))


def get_setting(conn: sqlite3.Connection, key: str) -> Any:
    row = conn.execute("SELECT value FROM messaging_settings WHERE key = ?", (key,)).fetchone()
    return DEFAULTS.get(key) if row is None else json.loads(row[0])


def set_setting(conn: sqlite3.Connection, key: str, value: Any) -> None:
    if key not in DEFAULTS:
        raise ValueError(f"unknown messaging setting {key!r}; use one of {sorted(DEFAULTS)}")
    if key == "customer_channels" and (
        not isinstance(value, list) or not set(value) <= {"whatsapp", "sms"}
    ):
        raise ValueError("customer_channels is a list of 'whatsapp' and 'sms'")
    if key in ("quiet_start", "quiet_end"):
        _clock(str(value))
    conn.execute(
        "INSERT INTO messaging_settings(key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, json.dumps(value)),
    )


def set_category(conn: sqlite3.Connection, category: str, enabled: bool) -> None:
    """Turn a category on/off in Nexpura's ``tenants.notification_settings`` (merged)."""
    key = CATEGORY_KEYS[category][0]
    row = conn.execute("SELECT id, notification_settings FROM tenants LIMIT 1").fetchone()
    if row is None:
        raise ValueError("the ledger has no shop (tenants row) yet")
    current = _json_object(row[1])
    current[key] = enabled
    conn.execute(
        "UPDATE tenants SET notification_settings = ? WHERE id = ?",
        (json.dumps(current, separators=(",", ":")), row[0]),
    )


def _json_object(raw: Any) -> dict[str, Any]:
    try:
        value = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return {}
    return dict(value) if isinstance(value, dict) else {}


def load(conn: sqlite3.Connection) -> ShopSettings:
    row = conn.execute(
        "SELECT id, COALESCE(name, business_name), notification_settings, timezone, country "
        "FROM tenants WHERE deleted_at IS NULL LIMIT 1"
    ).fetchone()
    tenant_id, name, raw, tz, country = row if row is not None else (None, None, None, None, None)
    flags = _json_object(raw)
    enabled = {c: bool(flags.get(k, default)) for c, (k, default) in CATEGORY_KEYS.items()}
    tz_name = get_setting(conn, "timezone") or tz or DEFAULT_TIMEZONE
    try:
        zone = ZoneInfo(str(tz_name))
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo(DEFAULT_TIMEZONE)
    location = conn.execute(
        "SELECT name, address_line1, suburb FROM locations "
        "WHERE is_active IS NOT 0 ORDER BY created_at, id LIMIT 1"
    ).fetchone()
    pickup = ", ".join(str(p) for p in (location or ()) if p) or str(name or "the shop")
    return ShopSettings(
        tenant_id=str(tenant_id) if tenant_id else None,
        shop_name=str(name or "the shop"),
        region=region_for(get_setting(conn, "country") or country),
        timezone=zone,
        enabled=enabled,
        customer_channels=tuple(get_setting(conn, "customer_channels")),
        fallback=bool(get_setting(conn, "fallback")),
        quiet_start=_clock(get_setting(conn, "quiet_start")),
        quiet_end=_clock(get_setting(conn, "quiet_end")),
        pickup_location=pickup,
    )
