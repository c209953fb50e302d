"""The 2010-04-01 REST API routes: the Account and its Messages (service-apis.md §6.1).

Every API request (2010 and Content) passes :func:`guarded`: the account's REST
concurrency gate (429 / 20429 beyond the limit, §6.4), the configured per-request latency,
and Basic authentication; errors are rendered by :mod:`.errors`.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from .auth import authenticate
from .errors import TwilioApiError, bad_request, not_found, too_many_requests
from .formats import parse_filter_date, rfc2822
from .model import API_VERSION
from .paging import list_2010, paginate
from .sending import create_message

if TYPE_CHECKING:
    from .emulator import TwilioEmulator

Handler = Callable[[Request], Awaitable[Response]]
ACCOUNT_SUBRESOURCES = (
    "addresses",
    "applications",
    "authorized_connect_apps",
    "available_phone_numbers",
    "balance",
    "calls",
    "conferences",
    "connect_apps",
    "incoming_phone_numbers",
    "keys",
    "messages",
    "notifications",
    "outgoing_caller_ids",
    "queues",
    "recordings",
    "signing_keys",
    "sip",
    "short_codes",
    "transcriptions",
    "usage",
)
FILTERS = ("To", "From", "DateSent", "DateSent<", "DateSent>")


def guarded(emu: TwilioEmulator, handler: Handler) -> Handler:
    """Concurrency limit, latency and authentication around one API handler."""

    async def run(request: Request) -> Response:
        limits = emu.data.limits
        if not emu.gate.enter(limits.concurrency):
            return too_many_requests().response()
        try:
            if limits.latency > 0:
                await asyncio.sleep(emu.clock.real_seconds(limits.latency))
            with emu.lock:
                authenticate(request, emu.data, request.path_params.get("account_sid"))
            response = await handler(request)
        except TwilioApiError as exc:
            response = exc.response()
        finally:
            emu.gate.leave()
        response.headers["Twilio-Request-Id"] = "RQ" + secrets.token_hex(16)
        return response

    return run


def routes(emu: TwilioEmulator) -> list[BaseRoute]:
    base = f"/{API_VERSION}/Accounts/{{account_sid}}"

    async def fetch_account(request: Request) -> Response:
        with emu.lock:
            return JSONResponse(account_resource(emu))

    async def messages(request: Request) -> Response:
        if request.method == "POST":
            form = await request.form()
            media = [str(v) for v in form.getlist("MediaUrl")]

            def get(name: str) -> str | None:
                value = form.get(name)
                return value if isinstance(value, str) else None

            with emu.lock:
                now = emu.clock.time()
                message = create_message(emu.data, get, media, now)
                body = message.resource(now)  # as created: ``queued`` / ``accepted``
            return JSONResponse(body, status_code=201)
        return JSONResponse(_list(emu, request))

    async def message(request: Request) -> Response:
        sid = request.path_params["sid"]
        with emu.lock:
            found = emu.data.messages.get(sid)
            if found is None:
                raise not_found(request.url.path)
            if request.method == "DELETE":
                del emu.data.messages[sid]
                return Response(status_code=204)
            return JSONResponse(found.resource(emu.clock.time()))

    return [
        Route(f"{base}.json", guarded(emu, fetch_account), methods=["GET"]),
        Route(f"{base}/Messages.json", guarded(emu, messages), methods=["GET", "POST"]),
        Route(f"{base}/Messages/{{sid}}.json", guarded(emu, message), methods=["GET", "DELETE"]),
    ]


def account_resource(emu: TwilioEmulator) -> dict[str, Any]:
    data = emu.data
    uri = f"/{API_VERSION}/Accounts/{data.account_sid}"
    created = rfc2822(datetime.fromtimestamp(data.created, tz=UTC))
    subresources = {
        name: f"{uri}/{'SMS/ShortCodes' if name == 'short_codes' else _camel(name)}.json"
        for name in ACCOUNT_SUBRESOURCES
    }
    return {
        "auth_token": data.auth_token,
        "date_created": created,
        "date_updated": created,
        "friendly_name": data.friendly_name,
        "owner_account_sid": data.account_sid,
        "sid": data.account_sid,
        "status": "active",
        "subresource_uris": subresources,
        "type": "Full",
        "uri": f"{uri}.json",
    }


def _camel(name: str) -> str:
    special = {"sip": "SIP"}
    return special.get(name) or "".join(part.capitalize() for part in name.split("_"))


def _list(emu: TwilioEmulator, request: Request) -> dict[str, Any]:
    query = request.query_params
    filters = [(name, query[name]) for name in FILTERS if query.get(name)]
    dates: dict[str, Any] = {}
    for name in ("DateSent", "DateSent<", "DateSent>"):
        raw = query.get(name)
        if raw:
            try:
                dates[name] = parse_filter_date(raw)
            except ValueError:
                raise bad_request(20001, f"Invalid {name} value {raw}") from None
    with emu.lock:
        now = emu.clock.time()
        found = emu.data.filtered(
            now,
            query.get("To") or None,
            query.get("From") or None,
            dates.get("DateSent"),
            dates.get("DateSent<"),
            dates.get("DateSent>"),
        )
        page = paginate(found, [m.sid for m in found], query, request.url.path, filters)
        rendered = [m.resource(now) for m in page.items]
    return list_2010(page, "messages", rendered)
