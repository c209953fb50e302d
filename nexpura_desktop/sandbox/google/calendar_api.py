"""Calendar v3 handlers: calendarList, calendars and events (§5.2, §5.3, §5.5).

Every call authenticates (401 ``authError``), checks the method's scopes (the discovery
document's list), counts against the per-user quota, then runs under the emulator lock.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import tzinfo
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from . import events as ev
from .errors import PRETTY, ApiError, json_response, not_found
from .listing import list_calendar_list, list_events
from .state import AccessToken, Calendar, Event
from .timeutil import zone

if TYPE_CHECKING:
    from .emulator import GoogleEmulator

_C = "https://www.googleapis.com/auth/calendar"
APP_CREATED = f"{_C}.app.created"
EVENTS_READ = frozenset(
    {_C, APP_CREATED, f"{_C}.events", f"{_C}.events.freebusy", f"{_C}.events.owned",
     f"{_C}.events.owned.readonly", f"{_C}.events.public.readonly", f"{_C}.events.readonly",
     f"{_C}.readonly"}
)  # fmt: skip
EVENTS_WRITE = frozenset({_C, APP_CREATED, f"{_C}.events", f"{_C}.events.owned"})
CALENDAR_LIST_READ = frozenset(
    {_C, f"{_C}.calendarlist", f"{_C}.calendarlist.readonly", f"{_C}.readonly"}
)
CALENDAR_LIST_GET = CALENDAR_LIST_READ | {APP_CREATED}
CALENDARS_READ = frozenset(
    {_C, APP_CREATED, f"{_C}.calendars", f"{_C}.calendars.readonly", f"{_C}.readonly"}
)
CALENDARS_WRITE = frozenset({_C, APP_CREATED, f"{_C}.calendars"})
TOMBSTONE_LIFETIME = 30 * 24 * 3600  # a deleted event can be read back this long (then 404)
PREFIX = "/calendar/v3"


@dataclass
class Call:
    """One authenticated Calendar request."""

    request: Request
    token: AccessToken
    body: dict[str, Any]

    def param(self, name: str) -> str | None:
        return self.request.query_params.get(name)


Handler = Callable[[Call], Response]


class CalendarApi:
    def __init__(self, emu: GoogleEmulator) -> None:
        self.emu = emu

    def routes(self) -> list[BaseRoute]:
        p = PREFIX
        return [
            Route(f"{p}/users/me/calendarList", self.calendar_list, methods=["GET"]),
            Route(
                f"{p}/users/me/calendarList/{{cid:path}}", self.calendar_list_get, methods=["GET"]
            ),
            Route(f"{p}/calendars", self.calendars_insert, methods=["POST"]),
            Route(f"{p}/calendars/{{cid}}/events", self.events_collection, methods=["GET", "POST"]),
            Route(
                f"{p}/calendars/{{cid}}/events/{{eid}}",
                self.event_item,
                methods=["GET", "PUT", "PATCH", "DELETE"],
            ),
            Route(f"{p}/calendars/{{cid}}", self.calendar_item, methods=["GET", "DELETE"]),
        ]

    # -- plumbing -------------------------------------------------------------------------
    async def _run(self, request: Request, scopes: frozenset[str], handler: Handler) -> Response:
        pretty = request.query_params.get("prettyPrint", "true").strip().lower() != "false"
        reset = PRETTY.set(pretty)
        try:
            return await self._answer(request, scopes, handler)
        finally:
            PRETTY.reset(reset)

    async def _answer(self, request: Request, scopes: frozenset[str], handler: Handler) -> Response:
        try:
            token = self.emu.oauth.authenticate(request, scopes)
            self.emu.quota.hit(self.emu.data.user.email)
            body: dict[str, Any] = {}
            if request.method in ("POST", "PUT", "PATCH"):
                raw = await request.body()
                if raw.strip():
                    try:
                        parsed = json.loads(raw)
                    except ValueError:
                        raise ApiError(400, "parseError", "Parse Error") from None
                    if not isinstance(parsed, dict):
                        raise ApiError(400, "parseError", "Parse Error")
                    body = parsed
            call = Call(request, token, body)
            with self.emu.lock:
                return handler(call)
        except ApiError as exc:
            return exc.response()

    def _calendar(self, call: Call, calendar_id: str) -> Calendar:
        cal = self.emu.data.calendar(calendar_id)
        if cal is None:
            raise not_found()
        calendar_scopes = {s for s in call.token.scopes if s.startswith(_C)}
        if calendar_scopes == {APP_CREATED} and not cal.app_created:
            raise not_found()
        return cal

    def _zone(self, cal: Calendar, call: Call | None = None) -> tzinfo:
        name = call.param("timeZone") if call is not None else None
        tz = zone(name) if name else None
        return tz or zone(cal.time_zone) or zone("UTC")  # type: ignore[return-value]

    def _render(
        self, event: Event, cal: Calendar, call: Call, full: bool = False
    ) -> dict[str, Any]:
        rendered = ev.render(
            event, cal, self.emu.data.user.email, self.emu.base_url, self._zone(cal, call)
        )
        if full and event.deleted:
            copy_event = copy.copy(event)
            copy_event.deleted = False
            rendered = ev.render(
                copy_event, cal, self.emu.data.user.email, self.emu.base_url, self._zone(cal, call)
            )
            rendered["status"] = "cancelled"
        return rendered

    # -- calendarList / calendars ---------------------------------------------------------
    async def calendar_list(self, request: Request) -> Response:
        return await self._run(
            request,
            CALENDAR_LIST_READ,
            lambda call: json_response(list_calendar_list(self.emu, call.request)),
        )

    async def calendar_list_get(self, request: Request) -> Response:
        def handler(call: Call) -> Response:
            cal = self._calendar(call, request.path_params["cid"])
            return json_response(self.emu.calendar_list_entry(cal))

        return await self._run(request, CALENDAR_LIST_GET, handler)

    async def calendars_insert(self, request: Request) -> Response:
        def handler(call: Call) -> Response:
            summary = call.body.get("summary")
            if not isinstance(summary, str) or not summary.strip():
                raise ApiError(400, "required", "Missing title.")
            tz_name = str(call.body.get("timeZone") or self.emu.data.user.time_zone)
            if zone(tz_name) is None:
                raise ApiError(400, "invalid", "Invalid time zone.")
            cal = self.emu.add_calendar(
                summary=summary,
                time_zone=tz_name,
                description=call.body.get("description"),
                app_created=True,
            )
            return json_response(self.emu.calendar_resource(cal))

        return await self._run(request, CALENDARS_WRITE, handler)

    async def calendar_item(self, request: Request) -> Response:
        def get(call: Call) -> Response:
            cal = self._calendar(call, request.path_params["cid"])
            return json_response(self.emu.calendar_resource(cal))

        def delete(call: Call) -> Response:
            cal = self._calendar(call, request.path_params["cid"])
            if cal.primary:
                raise ApiError(
                    400, "cannotDeletePrimaryCalendar", "Cannot delete primary calendar."
                )
            cal.deleted = True
            cal.seq = self.emu.data.next_seq()
            cal.updated = self.emu.clock.time()
            return Response(status_code=204)

        if request.method == "DELETE":
            return await self._run(request, CALENDARS_WRITE, delete)
        return await self._run(request, CALENDARS_READ, get)

    # -- events ---------------------------------------------------------------------------
    async def events_collection(self, request: Request) -> Response:
        if request.method == "POST":
            return await self._run(request, EVENTS_WRITE, self._insert)

        def listing(call: Call) -> Response:
            cal = self._calendar(call, request.path_params["cid"])
            return json_response(list_events(self.emu, cal, call, self._render))

        return await self._run(request, EVENTS_READ, listing)

    async def event_item(self, request: Request) -> Response:
        handlers: dict[str, tuple[frozenset[str], Handler]] = {
            "GET": (EVENTS_READ, self._get),
            "PUT": (EVENTS_WRITE, self._update),
            "PATCH": (EVENTS_WRITE, self._patch),
            "DELETE": (EVENTS_WRITE, self._delete),
        }
        scopes, handler = handlers[request.method]
        return await self._run(request, scopes, handler)

    def _event(self, call: Call, cal: Calendar) -> Event:
        event = self.emu.data.events.get(cal.id, {}).get(call.request.path_params["eid"])
        now = self.emu.clock.time()
        if event is None or (
            event.deleted_at is not None and now - event.deleted_at > TOMBSTONE_LIFETIME
        ):
            raise not_found()
        return event

    def _insert(self, call: Call) -> Response:
        cal = self._calendar(call, call.request.path_params["cid"])
        fields = ev.writable(call.body)
        event_id = call.body.get("id")
        if event_id is not None:
            event_id = ev.check_event_id(event_id)
            if event_id in self.emu.data.events.get(cal.id, {}):
                raise ApiError(409, "duplicate", "The requested identifier already exists.")
        event = self.emu.store_event(cal, fields, event_id=event_id)
        return json_response(self._render(event, cal, call))

    def _get(self, call: Call) -> Response:
        cal = self._calendar(call, call.request.path_params["cid"])
        event = self._event(call, cal)
        return json_response(self._render(event, cal, call, full=True))

    def _check_if_match(self, call: Call, event: Event) -> None:
        wanted = call.request.headers.get("if-match")
        if wanted is not None and wanted != "*" and wanted != ev.etag(event):
            raise ApiError(412, "conditionNotMet", "Precondition Failed", location="If-Match",
                           location_type="header")  # fmt: skip

    def _write(self, call: Call, merged_with_existing: bool) -> Response:
        cal = self._calendar(call, call.request.path_params["cid"])
        event = self._event(call, cal)
        self._check_if_match(call, event)
        incoming = ev.writable(call.body)
        if "sequence" in incoming and (
            not isinstance(incoming["sequence"], int) or incoming["sequence"] < event.sequence
        ):
            raise ApiError(
                400,
                "invalid",
                "Invalid sequence value. The specified sequence number is below the current "
                "sequence number of the resource.",
            )
        fields = ev.merge_patch(event.fields, incoming) if merged_with_existing else incoming
        if not merged_with_existing:
            for keep in ("reminders",):
                if keep not in fields and keep in event.fields:
                    fields[keep] = event.fields[keep]
        self.emu.update_event(cal, event, fields)
        return json_response(self._render(event, cal, call, full=True))

    def _update(self, call: Call) -> Response:
        return self._write(call, merged_with_existing=False)

    def _patch(self, call: Call) -> Response:
        return self._write(call, merged_with_existing=True)

    def _delete(self, call: Call) -> Response:
        cal = self._calendar(call, call.request.path_params["cid"])
        event = self._event(call, cal)
        if event.deleted:
            raise ApiError(410, "deleted", "Resource has been deleted")
        self._check_if_match(call, event)
        self.emu.delete_event(event)
        return Response(status_code=204)
