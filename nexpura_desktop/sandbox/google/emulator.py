"""The Google emulator: OAuth for installed apps + Calendar v3 on one base URL.

Paths are the real ones with the hosts folded into one origin:
``/o/oauth2/v2/auth`` (accounts.google.com), ``/token`` and ``/revoke``
(oauth2.googleapis.com), ``/oauth2/v2/userinfo``, ``/calendar/v3/…`` and
``/batch/calendar/v3`` (www.googleapis.com).  Sandbox-only controls live under
``/_sandbox/google/`` (see :mod:`.control`).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..clock import SandboxClock
from ..core import Emulator
from . import control, seeding
from . import events as ev
from .auth import OAuthApi
from .batch import BatchApi
from .calendar_api import CalendarApi
from .errors import error_for_status, method_not_allowed, page_not_found
from .limits import Quota, QuotaSettings
from .state import CALENDAR_SCOPE, Calendar, Event, GoogleState, new_id
from .timeutil import zone


class GoogleEmulator(Emulator):
    """Google OAuth (Desktop client, PKCE, loopback redirects) and Calendar v3."""

    name = "google"

    def __init__(self, clock: SandboxClock | None = None, *, base_url: str = "") -> None:
        super().__init__(clock, base_url=base_url)
        self.oauth = OAuthApi(self)
        self.calendar = CalendarApi(self)
        self.batch = BatchApi(
            self,
            Starlette(
                routes=self.calendar.routes(), exception_handlers=dict(self.exception_handlers())
            ),
        )

    # -- Emulator interface -------------------------------------------------------------------
    def routes(self) -> list[BaseRoute]:
        return [
            Route("/o/oauth2/v2/auth", self.oauth.authorize, methods=["GET"]),
            Route("/o/oauth2/v2/auth/approval", self.oauth.approval, methods=["POST"]),
            Route("/token", self.oauth.token, methods=["POST"]),
            Route("/revoke", self.oauth.revoke, methods=["POST"]),
            Route("/oauth2/v2/userinfo", self.oauth.userinfo, methods=["GET"]),
            Route("/userinfo/v2/me", self.oauth.userinfo, methods=["GET"]),
            Route("/batch/calendar/v3", self.batch.handle, methods=["POST"]),
            *self.calendar.routes(),
            *control.routes(self),
        ]

    def reset(self) -> None:
        self.data = GoogleState()
        self.quota = Quota(self.clock, QuotaSettings())
        seeding.default_world(self)

    def state(self) -> dict[str, Any]:
        return seeding.dump_state(self)

    def credentials(self) -> dict[str, Any]:
        client = next(c for c in self.data.clients.values() if c.type == "desktop")
        base = self.base_url
        return {
            "client_id": client.client_id,
            "client_secret": client.client_secret,
            "client_type": "desktop",
            "user_email": self.data.user.email,
            "base_url": base,
            "auth_uri": f"{base}/o/oauth2/v2/auth",
            "token_uri": f"{base}/token",
            "revoke_uri": f"{base}/revoke",
            "userinfo_uri": f"{base}/oauth2/v2/userinfo",
            "calendar_api": f"{base}/calendar/v3",
            "batch_uri": f"{base}/batch/calendar/v3",
            "scopes": [CALENDAR_SCOPE + ".events", CALENDAR_SCOPE + ".readonly"],
            "calendars": [
                {"id": c.id, "summary": c.summary, "primary": c.primary, "timeZone": c.time_zone}
                for c in self.data.calendars.values()
                if not c.deleted
            ],
            "client_secret_json": {
                "installed": {
                    "client_id": client.client_id,
                    "project_id": "nexpura-sandbox",
                    "auth_uri": f"{base}/o/oauth2/v2/auth",
                    "token_uri": f"{base}/token",
                    "client_secret": client.client_secret,
                    "redirect_uris": ["http://localhost"],
                }
            },
        }

    def seed(self, data: Mapping[str, Any]) -> dict[str, Any]:
        return seeding.seed(self, data)

    def seed_demo(self, tables: Mapping[str, Iterable[Mapping[str, Any]]]) -> dict[str, Any]:
        return seeding.seed_demo(self, tables)

    def error_response(self, status: int, retry_after: float | None = None) -> Response:
        return error_for_status(status, retry_after).response()

    def malformed_body(self) -> bytes:
        return (
            b"<!DOCTYPE html>\n<html lang=en><title>Error 502 (Server Error)!!1</title>"
            b"<p><b>502.</b> <ins>That\xe2\x80\x99s an error.</ins><p>The server encountered a "
            b"temporary error and could not complete your request.<p>Please try again in 30 "
            b"seconds.  <ins>That\xe2\x80\x99s all we know.</ins>\n"
        )

    def exception_handlers(self) -> Mapping[Any, Callable[..., Any]]:
        async def http_error(request: Request, exc: Exception) -> Response:
            status = exc.status_code if isinstance(exc, HTTPException) else 500
            if status == 405:
                return method_not_allowed(request.method, request.url.path)
            if status == 404:
                return page_not_found(request.url.path)
            return error_for_status(status).response()

        async def server_error(request: Request, exc: Exception) -> Response:
            return error_for_status(500).response()

        return {HTTPException: http_error, 500: server_error}

    # -- model helpers used by the handlers ----------------------------------------------------
    def new_boundary(self) -> str:
        return secrets.token_hex(12)

    def add_calendar(
        self,
        *,
        summary: str,
        time_zone: str,
        description: str | None = None,
        calendar_id: str | None = None,
        primary: bool = False,
        app_created: bool = False,
        access_role: str = "owner",
    ) -> Calendar:
        cal = Calendar(
            id=calendar_id or f"{new_id()}@group.calendar.google.com",
            summary=summary,
            time_zone=time_zone,
            description=description,
            primary=primary,
            app_created=app_created,
            access_role=access_role,
            seq=self.data.next_seq(),
            updated=self.clock.time(),
        )
        self.data.calendars[cal.id] = cal
        self.data.events.setdefault(cal.id, {})
        return cal

    def _zone_of(self, cal: Calendar) -> Any:
        return zone(cal.time_zone) or zone("UTC")

    def store_event(
        self,
        cal: Calendar,
        fields: dict[str, Any],
        *,
        event_id: str | None = None,
        creator: str | None = None,
        at: float | None = None,
    ) -> Event:
        start, end, _ = ev.validate(fields, self._zone_of(cal))
        now = self.clock.time() if at is None else at
        eid = event_id or new_id()
        self.data.created_counter += 1
        sequence = fields.pop("sequence", 0)
        event = Event(
            calendar_id=cal.id,
            id=eid,
            fields=fields,
            created=now,
            updated=now,
            seq=self.data.next_seq(),
            created_order=self.data.created_counter,
            sequence=sequence if isinstance(sequence, int) else 0,
            ical_uid=f"{eid}@google.com",
            creator_email=creator or self.data.user.email,
            start_at=start.timestamp(),
            end_at=end.timestamp(),
        )
        if fields.get("status") == "cancelled":
            event.deleted, event.deleted_at = True, now
        self.data.events.setdefault(cal.id, {})[eid] = event
        return event

    def update_event(self, cal: Calendar, event: Event, fields: dict[str, Any]) -> None:
        start, end, _ = ev.validate(fields, self._zone_of(cal))
        given = fields.pop("sequence", None)
        bump = 1 if ev.times_changed(event.fields, fields) else 0
        if isinstance(given, int) and given > event.sequence:
            event.sequence = given
        else:
            event.sequence += bump
        now = self.clock.time()
        event.fields = fields
        event.updated = now
        event.seq = self.data.next_seq()
        event.start_at, event.end_at = start.timestamp(), end.timestamp()
        cancelled = fields.get("status") == "cancelled"
        event.deleted = cancelled
        event.deleted_at = now if cancelled else None

    def delete_event(self, event: Event) -> None:
        now = self.clock.time()
        event.deleted, event.deleted_at = True, now
        event.updated = now
        event.seq = self.data.next_seq()

    def default_reminders(self, cal: Calendar) -> list[dict[str, Any]]:
        return [{"method": "popup", "minutes": 10}] if cal.primary else []

    def calendar_resource(self, cal: Calendar) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": "calendar#calendar",
            "etag": f'"{int(cal.updated * 1000)}{cal.seq:04d}"',
            "id": cal.id,
            "summary": cal.summary,
        }
        if cal.description:
            out["description"] = cal.description
        out["timeZone"] = cal.time_zone
        if not cal.primary:
            out["dataOwner"] = self.data.user.email
        out["conferenceProperties"] = {"allowedConferenceSolutionTypes": ["hangoutsMeet"]}
        return out

    def calendar_list_entry(self, cal: Calendar) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": "calendar#calendarListEntry",
            "etag": f'"{int(cal.updated * 1000)}{cal.seq:04d}"',
            "id": cal.id,
            "summary": cal.summary,
        }
        if cal.description:
            out["description"] = cal.description
        out.update(
            {
                "timeZone": cal.time_zone,
                "colorId": cal.color_id,
                "backgroundColor": "#9fe1e7" if cal.primary else "#f83a22",
                "foregroundColor": "#000000",
                "selected": True,
                "accessRole": cal.access_role,
                "defaultReminders": self.default_reminders(cal),
                "conferenceProperties": {"allowedConferenceSolutionTypes": ["hangoutsMeet"]},
            }
        )
        if cal.primary:
            out["notificationSettings"] = {
                "notifications": [
                    {"type": "eventCreation", "method": "email"},
                    {"type": "eventChange", "method": "email"},
                    {"type": "eventCancellation", "method": "email"},
                    {"type": "eventResponse", "method": "email"},
                ]
            }
            out["primary"] = True
        if cal.deleted:
            out["deleted"] = True
        return out

    def render_event(self, cal: Calendar, event: Event) -> dict[str, Any]:
        return ev.render(event, cal, self.data.user.email, self.base_url, None)
