"""Sandbox-only controls under ``/_sandbox/google/`` (never part of Google's API).

* ``POST /_sandbox/google/expire-sync-tokens`` — every sync token now gets 410 (§5.3);
* ``POST /_sandbox/google/calendars/{cid}/events`` — the user adds an event in Google;
* ``PATCH|DELETE /_sandbox/google/calendars/{cid}/events/{eid}`` — the user moves/edits or
  deletes an event in Google (so sync tests can see changes made outside the app);
* ``POST /_sandbox/google/revoke-access`` — the user removes the app from their account;
* ``POST /_sandbox/google/quota`` — change the quota (``user_per_minute``,
  ``project_per_minute``, ``exceeded_status``).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from . import events as ev
from .errors import ApiError
from .limits import QuotaSettings

if TYPE_CHECKING:
    from .emulator import GoogleEmulator

P = "/_sandbox/google"


def routes(emu: GoogleEmulator) -> list[BaseRoute]:
    async def body_of(request: Request) -> dict[str, Any]:
        raw = await request.body()
        payload = json.loads(raw) if raw.strip() else {}
        if not isinstance(payload, dict):
            raise ValueError("body must be a JSON object")
        return payload

    async def expire(request: Request) -> Response:
        with emu.lock:
            emu.data.sync_generation += 1
            return JSONResponse({"sync_generation": emu.data.sync_generation})

    async def user_event(request: Request) -> Response:
        try:
            payload = await body_of(request)
            with emu.lock:
                cal = emu.data.calendar(request.path_params["cid"])
                if cal is None:
                    return JSONResponse({"error": "unknown calendar"}, status_code=404)
                eid = request.path_params.get("eid")
                if eid is None:
                    event = emu.store_event(cal, ev.writable(payload))
                    return JSONResponse(emu.render_event(cal, event), status_code=201)
                existing = emu.data.events.get(cal.id, {}).get(eid)
                if existing is None:
                    return JSONResponse({"error": "unknown event"}, status_code=404)
                event = existing
                if request.method == "DELETE":
                    emu.delete_event(event)
                    return Response(status_code=204)
                emu.update_event(cal, event, ev.merge_patch(event.fields, ev.writable(payload)))
                return JSONResponse(emu.render_event(cal, event))
        except ApiError as exc:
            return JSONResponse({"error": exc.message}, status_code=400)
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)

    async def revoke_access(request: Request) -> Response:
        with emu.lock:
            return JSONResponse({"revoked_grants": emu.oauth.revoke_all()})

    async def quota(request: Request) -> Response:
        try:
            payload = await body_of(request)
            current = emu.quota.settings
            settings = QuotaSettings(
                user_per_minute=int(payload.get("user_per_minute", current.user_per_minute)),
                project_per_minute=int(
                    payload.get("project_per_minute", current.project_per_minute)
                ),
                exceeded_status=int(payload.get("exceeded_status", current.exceeded_status)),
            )
        except (ValueError, TypeError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        if settings.exceeded_status not in (403, 429):
            return JSONResponse({"error": "exceeded_status must be 403 or 429"}, status_code=400)
        emu.quota.settings = settings
        emu.quota.reset()
        return JSONResponse(settings.__dict__)

    return [
        Route(f"{P}/expire-sync-tokens", expire, methods=["POST"]),
        Route(f"{P}/calendars/{{cid}}/events", user_event, methods=["POST"]),
        Route(f"{P}/calendars/{{cid}}/events/{{eid}}", user_event, methods=["PATCH", "DELETE"]),
        Route(f"{P}/revoke-access", revoke_access, methods=["POST"]),
        Route(f"{P}/quota", quota, methods=["POST"]),
    ]
