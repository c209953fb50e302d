"""The Content API v1 (templates): list, fetch, create, delete, WhatsApp approval.

Real Twilio serves this on ``https://content.twilio.com``; the sandbox serves it under the
same base URL as the 2010 API (``{base}/v1/Content``), so a client configured with one
sandbox URL reaches both.  Templates are how a business may message a WhatsApp user outside
the 24-hour window (service-apis.md §6.3).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from .api import guarded
from .errors import bad_request, not_found
from .formats import sid
from .paging import list_v1, paginate

if TYPE_CHECKING:
    from .emulator import TwilioEmulator

CATEGORIES = frozenset({"UTILITY", "MARKETING", "AUTHENTICATION"})


def routes(emu: TwilioEmulator) -> list[BaseRoute]:
    async def contents(request: Request) -> Response:
        if request.method == "POST":
            return await _create(emu, request)
        return JSONResponse(_list(emu, request, with_approvals=False))

    async def contents_and_approvals(request: Request) -> Response:
        return JSONResponse(_list(emu, request, with_approvals=True))

    async def one(request: Request) -> Response:
        with emu.lock:
            template = emu.data.templates.get(request.path_params["sid"])
            if template is None:
                raise not_found(request.url.path)
            if request.method == "DELETE":
                del emu.data.templates[template.sid]
                return Response(status_code=204)
            return JSONResponse(template.resource(emu.base_url))

    async def approvals(request: Request) -> Response:
        with emu.lock:
            template = emu.data.templates.get(request.path_params["sid"])
            if template is None:
                raise not_found(request.url.path)
            return JSONResponse(
                {
                    "account_sid": template.account_sid,
                    "sid": template.sid,
                    "url": f"{emu.base_url}/v1/Content/{template.sid}/ApprovalRequests",
                    "whatsapp": {"type": "whatsapp", **template.approval(emu.clock.time())},
                }
            )

    async def submit(request: Request) -> Response:
        payload = await _json(request)
        name, category = payload.get("name"), payload.get("category")
        if not isinstance(name, str) or not name or not isinstance(category, str):
            raise bad_request(20001, "Missing required parameter name or category")
        if category.upper() not in CATEGORIES:
            raise bad_request(20001, f"Invalid category {category}")
        with emu.lock:
            template = emu.data.templates.get(request.path_params["sid"])
            if template is None:
                raise not_found(request.url.path)
            now = emu.clock.time()
            template.approval_name = name
            template.category = category.upper()
            template.whatsapp_status = "received"
            template.approve_at = now + emu.data.timing.template_approval
            return JSONResponse(template.approval(now), status_code=201)

    return [
        Route("/v1/Content", guarded(emu, contents), methods=["GET", "POST"]),
        Route("/v1/ContentAndApprovals", guarded(emu, contents_and_approvals), methods=["GET"]),
        Route("/v1/Content/{sid}", guarded(emu, one), methods=["GET", "DELETE"]),
        Route("/v1/Content/{sid}/ApprovalRequests", guarded(emu, approvals), methods=["GET"]),
        Route(
            "/v1/Content/{sid}/ApprovalRequests/whatsapp",
            guarded(emu, submit),
            methods=["POST"],
        ),
    ]


async def _json(request: Request) -> dict[str, Any]:
    try:
        payload = json.loads(await request.body() or b"null")
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        raise bad_request(20001, "The request body must be a JSON object")
    return payload


async def _create(emu: TwilioEmulator, request: Request) -> Response:
    payload = await _json(request)
    types = payload.get("types")
    language = payload.get("language")
    if not isinstance(types, dict) or not types or not isinstance(language, str):
        raise bad_request(20001, "Missing required parameter language or types")
    variables = payload.get("variables") or {}
    if not isinstance(variables, dict):
        raise bad_request(20001, "variables must be an object of strings")
    with emu.lock:
        data = emu.data
        template = data.add_template(
            {
                "sid": sid(
                    "HX", data.account_sid, "created", len(data.templates), emu.clock.time()
                ),
                "key": f"content-{len(data.templates) + 1}",
                "friendly_name": str(payload.get("friendly_name") or ""),
                "language": language,
                "variables": variables,
                "types": types,
                "whatsapp_status": "unsubmitted",
            }
        )
        template.created = emu.clock.time()
        return JSONResponse(template.resource(emu.base_url), status_code=201)


def _list(emu: TwilioEmulator, request: Request, *, with_approvals: bool) -> dict[str, Any]:
    with emu.lock:
        now = emu.clock.time()
        templates = list(emu.data.templates.values())
        page = paginate(
            templates, [t.sid for t in templates], request.query_params, request.url.path, []
        )
        rendered = []
        for template in page.items:
            item = template.resource(emu.base_url)
            if with_approvals:
                for key in ("url", "links"):
                    item.pop(key)
                item["approval_requests"] = template.approval(now)
            rendered.append(item)
    return list_v1(page, "contents", rendered, emu.base_url)
