"""Starting states of the Google emulator: the default world, ``seed`` JSON, the demo shop.

``POST /_sandbox/seed`` JSON (every key optional)::

    {
      "user": {"email": "...", "name": "...", "time_zone": "Europe/London"},
      "clients": [{"client_id": "...apps.googleusercontent.com", "client_secret": "...",
                   "type": "desktop" | "web", "redirect_uris": [...], "name": "...",
                   "testing": false}],
      "calendars": [{"id": "...", "summary": "...", "timeZone": "...",
                     "description": "...", "accessRole": "owner"}],
      "events": [{"calendarId": "primary" | <id> | <summary>, "id": "...",
                  "creator": "someone@example.com", ...any Event fields...}],
      "quota": {"user_per_minute": 600, "project_per_minute": 10000,
                "exceeded_status": 403}
    }

``user`` rebuilds the world for that person (primary + "Shop appointments" calendars, no
events); ``clients`` replaces the registered clients; the rest is added.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from .errors import ApiError
from .events import check_event_id, writable
from .limits import QuotaSettings
from .state import (
    BASE32HEX,
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    Calendar,
    Client,
    User,
)
from .timeutil import zone

if TYPE_CHECKING:
    from .emulator import GoogleEmulator

SHOP_CALENDAR = "Shop appointments"
WEB_CLIENT_ID = "148201539112-nexpurasandboxweb9f8e7d6c5b4a.apps.googleusercontent.com"


def default_world(emu: GoogleEmulator, user: User | None = None) -> None:
    data = emu.data
    data.user = user or User()
    if not data.clients:
        data.clients = {
            DEFAULT_CLIENT_ID: Client(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, "desktop"),
            WEB_CLIENT_ID: Client(
                WEB_CLIENT_ID,
                "GOCSPX-SandboxWebSecret-n3xpura",
                "web",
                ["https://app.nexpura.example/integrations/google-calendar/callback"],
                "Nexpura (web)",
            ),
        }
    data.calendars.clear()
    data.events.clear()
    emu.add_calendar(
        summary=data.user.email,
        time_zone=data.user.time_zone,
        calendar_id=data.user.email,
        primary=True,
    )
    # Stable per user, so a reset sandbox keeps the id the app stored.
    digest = hashlib.sha256(data.user.email.encode()).digest()
    shop_id = "".join(BASE32HEX[b % 32] for b in digest[:26])
    emu.add_calendar(
        summary=SHOP_CALENDAR,
        time_zone=data.user.time_zone,
        description="Customer appointments at the shop",
        calendar_id=f"{shop_id}@group.calendar.google.com",
    )


def _find_calendar(emu: GoogleEmulator, key: str) -> Calendar:
    cal = emu.data.calendar(key)
    if cal is None:
        cal = next((c for c in emu.data.calendars.values() if c.summary == key), None)
    if cal is None:
        raise ValueError(f"unknown calendar {key!r}")
    return cal


def seed(emu: GoogleEmulator, payload: Mapping[str, Any]) -> dict[str, Any]:
    counts = {"clients": 0, "calendars": 0, "events": 0}
    if "clients" in payload:
        clients = {}
        for raw in payload["clients"]:
            client = Client(
                client_id=str(raw["client_id"]),
                client_secret=str(raw["client_secret"]),
                type=str(raw.get("type", "desktop")),
                redirect_uris=[str(u) for u in raw.get("redirect_uris", [])],
                name=str(raw.get("name", "Nexpura Desktop")),
                testing=bool(raw.get("testing", False)),
            )
            if client.type not in ("desktop", "web"):
                raise ValueError("client type must be 'desktop' or 'web'")
            clients[client.client_id] = client
        if not any(c.type == "desktop" for c in clients.values()):
            raise ValueError("at least one desktop client is needed")
        emu.data.clients = clients
        counts["clients"] = len(clients)
    if "user" in payload:
        raw_user = payload["user"] or {}
        user = User(
            email=str(raw_user.get("email", User.email)),
            name=str(raw_user.get("name", User.name)),
            time_zone=str(raw_user.get("time_zone", User.time_zone)),
        )
        if zone(user.time_zone) is None:
            raise ValueError(f"unknown time zone {user.time_zone!r}")
        default_world(emu, user)
    for raw in payload.get("calendars", []):
        tz_name = str(raw.get("timeZone", emu.data.user.time_zone))
        if zone(tz_name) is None:
            raise ValueError(f"unknown time zone {tz_name!r}")
        emu.add_calendar(
            summary=str(raw["summary"]),
            time_zone=tz_name,
            description=raw.get("description"),
            calendar_id=raw.get("id"),
            access_role=str(raw.get("accessRole", "owner")),
        )
        counts["calendars"] += 1
    for raw in payload.get("events", []):
        body = dict(raw)
        cal = _find_calendar(emu, str(body.pop("calendarId", "primary")))
        creator = body.pop("creator", None)
        event_id = body.pop("id", None)
        try:
            if event_id is not None:
                check_event_id(event_id)
            emu.store_event(cal, writable(body), event_id=event_id, creator=creator)
        except ApiError as exc:
            raise ValueError(f"event {event_id or body.get('summary')!r}: {exc.message}") from None
        counts["events"] += 1
    if "quota" in payload:
        quota = payload["quota"] or {}
        emu.quota.settings = QuotaSettings(
            user_per_minute=int(quota.get("user_per_minute", 600)),
            project_per_minute=int(quota.get("project_per_minute", 10_000)),
            exceeded_status=int(quota.get("exceeded_status", 403)),
        )
    return counts


def _text(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return "" if value is None else str(value)


def seed_demo(
    emu: GoogleEmulator, tables: Mapping[str, Iterable[Mapping[str, Any]]]
) -> dict[str, Any]:
    """The shop owner's Google account as it is before they connect Nexpura.

    Primary calendar: a few personal events.  "Shop appointments": appointments the staff
    typed in by hand (no Nexpura extended properties — the app must not claim them) and a
    stocktake day.  Nothing here was made by the app.
    """
    tenants = list(tables.get("tenants", []))
    team = list(tables.get("team_members", []))
    tenant = tenants[0] if tenants else {}
    owner = next((m for m in team if m.get("role") == "owner" and m.get("email")), None)
    tz_name = _text(tenant.get("timezone")) or User.time_zone
    if zone(tz_name) is None:
        tz_name = User.time_zone
    user = User(
        email=_text(owner.get("email")) if owner else User.email,
        name=_text(owner.get("name") or owner.get("full_name")) if owner else User.name,
        time_zone=tz_name,
    )
    default_world(emu, user)
    primary = emu.data.primary()
    shop = _find_calendar(emu, SHOP_CALENDAR)
    today = emu.clock.now().date()
    created = emu.clock.time() - 14 * 86400

    def timed(day: date, hour: int, minutes: int, length: int) -> dict[str, Any]:
        start = datetime(day.year, day.month, day.day, hour, minutes)
        end = start + timedelta(minutes=length)
        return {
            "start": {"dateTime": start.isoformat(), "timeZone": tz_name},
            "end": {"dateTime": end.isoformat(), "timeZone": tz_name},
        }

    personal = [
        ("Dentist", timed(today + timedelta(days=2), 8, 0, 45)),
        ("Accountant - quarterly review", timed(today + timedelta(days=6), 16, 30, 60)),
        ("Gem fair", {"start": {"date": (today + timedelta(days=20)).isoformat()},
                      "end": {"date": (today + timedelta(days=22)).isoformat()}}),
    ]  # fmt: skip
    for summary, when in personal:
        emu.store_event(primary, {"summary": summary, **when}, at=created)
    shop_count = 0
    for row in list(tables.get("appointments", []))[:3]:
        day_text = _text(row.get("scheduled_date"))[:10]
        try:
            day = date.fromisoformat(day_text)
        except ValueError:
            continue
        clock = (_text(row.get("scheduled_time")) or "10:00")[:5]
        hour, _, minute = clock.partition(":")
        kind = _text(row.get("appointment_type")) or "appointment"
        customer = _text(row.get("customer_name")) or "walk-in"
        fields = {
            "summary": f"{kind.replace('_', ' ').title()} - {customer}",
            "description": "Booked by phone",
            **timed(day, int(hour or 10), int(minute or 0), int(row.get("duration_minutes") or 30)),
        }
        emu.store_event(shop, fields, creator="staff.sandbox@gmail.com", at=created)
        shop_count += 1
    stocktake = today + timedelta(days=9)
    emu.store_event(
        shop,
        {
            "summary": "Stocktake - shop closed",
            "start": {"date": stocktake.isoformat()},
            "end": {"date": (stocktake + timedelta(days=1)).isoformat()},
        },
        at=created,
    )
    shop_count += 1
    return {"calendars": 2, "events": len(personal) + shop_count, "shop_events": shop_count}


def dump_state(emu: GoogleEmulator) -> dict[str, Any]:
    data = emu.data
    events: dict[str, list[dict[str, Any]]] = {}
    for cal_id, by_id in data.events.items():
        cal = data.calendars[cal_id]
        events[cal_id] = [emu.render_event(cal, e) for e in by_id.values()]
    return {
        "user": {
            "email": data.user.email,
            "name": data.user.name,
            "time_zone": data.user.time_zone,
        },
        "clients": [
            {
                "client_id": c.client_id,
                "type": c.type,
                "redirect_uris": c.redirect_uris,
                "testing": c.testing,
            }
            for c in data.clients.values()
        ],
        "calendars": [
            {**emu.calendar_list_entry(c), "app_created": c.app_created}
            for c in data.calendars.values()
        ],
        "events": events,
        "grants": [
            {
                "id": g.id,
                "client_id": g.client_id,
                "scopes": g.scopes,
                "has_refresh_token": g.refresh_token is not None,
                "revoked": g.revoked,
            }
            for g in data.grants.values()
        ],
        "live_access_tokens": sum(
            1 for t in data.access_tokens.values() if t.expires_at > emu.clock.time()
        ),
        "sync_generation": data.sync_generation,
        "quota": {
            "user_per_minute": emu.quota.settings.user_per_minute,
            "project_per_minute": emu.quota.settings.project_per_minute,
            "exceeded_status": emu.quota.settings.exceeded_status,
            "used_last_minute": emu.quota.used(data.user.email),
        },
    }
