"""The ``/wp-json`` front door: WP_REST_Server's order of checks, then the controllers.

Order, as in WordPress + class-wc-rest-authentication.php (service-apis.md §2.1–2.2):

1. requests under ``/wp-json/wc/`` are authenticated by key (an auth error wins even on a
   route that does not exist), then the key's read/write permission is checked;
2. the route is matched; an unknown route *or* a known route without that method is
   ``404 rest_no_route``;
3. the route's permission callback: no credentials → ``401 woocommerce_rest_cannot_*``;
4. the controller.
"""

from __future__ import annotations

import asyncio
import json
import re
import weakref
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response

from .auth import ApiKey, AuthRequest
from .wp import WPError, error_response, no_route, wp_response

if TYPE_CHECKING:
    from .emulator import WooCommerceEmulator

NAMESPACE = "/wc/v3"
UNAUTHORISED: dict[str, tuple[str, str]] = {
    "list": ("woocommerce_rest_cannot_view", "Sorry, you cannot list resources."),
    "read": ("woocommerce_rest_cannot_view", "Sorry, you cannot view this resource."),
    "create": ("woocommerce_rest_cannot_create", "Sorry, you are not allowed to create resources."),
    "edit": ("woocommerce_rest_cannot_edit", "Sorry, you are not allowed to edit this resource."),
    "delete": (
        "woocommerce_rest_cannot_delete",
        "Sorry, you are not allowed to delete this resource.",
    ),
    "batch": (
        "woocommerce_rest_cannot_batch",
        "Sorry, you are not allowed to batch manipulate this resource.",
    ),
}
EDITABLE = ("POST", "PUT", "PATCH")


@dataclass
class Ctx:
    """One REST request as the controllers see it."""

    request: Request
    method: str
    route: str
    query_items: list[tuple[str, str]]
    query: dict[str, str]
    body: dict[str, Any]
    key: ApiKey | None
    https: bool
    args: dict[str, str] = field(default_factory=dict)

    def arg(self, name: str) -> int:
        return int(self.args[name])


Handler = Callable[[Ctx], Awaitable[Response]]
RouteTable = list[tuple[re.Pattern[str], dict[str, tuple[Handler, str]]]]


def route(pattern: str) -> re.Pattern[str]:
    return re.compile(f"^{NAMESPACE}{pattern}$", re.IGNORECASE)


def editable(handler: Handler, action: str) -> dict[str, tuple[Handler, str]]:
    return {m: (handler, action) for m in EDITABLE}


def _is_https(request: Request) -> bool:
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or forwarded == "https"


def _form(request: Request, raw: bytes) -> dict[str, str]:
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/x-www-form-urlencoded"):
        return dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
    return {}


def _json_body(request: Request, raw: bytes) -> dict[str, Any]:
    content_type = request.headers.get("content-type", "")
    if not raw.strip() or "json" not in content_type:
        return {}
    try:
        parsed = json.loads(raw)
    except ValueError:
        raise WPError(
            "rest_invalid_json",
            "Invalid JSON body passed.",
            400,
            json_error_code=4,
            json_error_message="Syntax error",
        ) from None
    return parsed if isinstance(parsed, dict) else {}


class RestServer:
    """Dispatches ``/wp-json/…`` requests for one emulator."""

    def __init__(self, emulator: WooCommerceEmulator, table: RouteTable) -> None:
        self.emu = emulator
        self.table = table
        self._workers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore]
        self._workers = weakref.WeakKeyDictionary()

    async def handle(self, request: Request) -> Response:
        latency = float(self.emu.store.settings.get("latency") or 0.0)
        if latency <= 0:
            return await self._answer(request)
        loop = asyncio.get_running_loop()
        gate = self._workers.get(loop)
        if gate is None:
            gate = self._workers[loop] = asyncio.Semaphore(
                int(self.emu.store.settings.get("workers") or 1)
            )
        async with gate:  # a busy site queues requests for its PHP workers
            started = loop.time()
            response = await self._answer(request)  # the work is part of the response time
            left = self.emu.clock.real_seconds(latency) - (loop.time() - started)
            if left > 0:
                await asyncio.sleep(left)
            return response

    async def _answer(self, request: Request) -> Response:
        try:
            return await self._serve(request)
        except WPError as error:
            return error_response(error)

    async def _serve(self, request: Request) -> Response:
        emu = self.emu
        path = "/" + request.path_params.get("rest", "").strip("/")
        raw = await request.body()
        query_items = parse_qsl(request.url.query, keep_blank_values=True)
        query = dict(query_items)  # PHP's $_GET: the last value of a repeated key wins
        form = _form(request, raw)
        https = _is_https(request)
        method = "GET" if request.method == "HEAD" else request.method
        if path in ("/", ""):
            return wp_response(emu.site_index())
        key: ApiKey | None = None
        if path.lower().startswith("/wc/"):
            raw_path = request.scope.get("raw_path", b"").decode("latin-1") or request.url.path
            with emu.lock:
                key = emu.authenticator.authenticate(
                    AuthRequest(
                        method=method,
                        https=https,
                        raw_path=raw_path.split("?")[0],
                        query=query,
                        form=form,
                        authorization=request.headers.get("authorization", ""),
                        home_url=emu.home_url(request),
                        now=emu.clock.time(),
                    )
                )
        if re.fullmatch(r"/wc/v3/?", path, re.IGNORECASE):
            return wp_response(emu.namespace_index())
        for pattern, methods in self.table:
            match = pattern.match(path)
            if match is None:
                continue
            if method not in methods:
                raise no_route()
            handler, action = methods[method]
            if key is None:
                code, message = UNAUTHORISED[action]
                raise WPError(code, message, 401)
            body: dict[str, Any] = {**form, **_json_body(request, raw)}
            ctx = Ctx(
                request=request,
                method=method,
                route=path,
                query_items=query_items,
                query=query,
                body=body,
                key=key,
                https=https,
                args={k: v for k, v in match.groupdict().items() if v is not None},
            )
            try:
                response = await handler(ctx)
            finally:
                emu.dispatch_events(request)
            return response
        raise no_route()


def check_batch_limit(body: Mapping[str, Any]) -> None:
    """WC_REST_Controller::check_batch_limit (service-apis.md §2.5)."""
    total = sum(
        len(body[k]) for k in ("create", "update", "delete") if isinstance(body.get(k), list)
    )
    if total > 100:
        raise WPError(
            "woocommerce_rest_request_entity_too_large",
            "Unable to accept more than 100 items for this request.",
            413,
        )


def batch(
    body: Mapping[str, Any],
    create: Callable[[Any], dict[str, Any]],
    update: Callable[[Any], dict[str, Any]],
    delete: Callable[[int], dict[str, Any]],
) -> Any:
    """WC_REST_Controller::batch_items: per-item WP_Errors inline, HTTP 200 overall.

    Sections appear only when sent; an empty batch is ``[]`` (an empty PHP array).
    Deletes are forced; a failed update reports the item's ``id``, a failed create ``0``.
    """
    check_batch_limit(body)
    result: dict[str, list[Any]] = {}

    def inline(error: WPError, item_id: Any) -> dict[str, Any]:
        return {"id": item_id, "error": error.body()}

    for item in body.get("create") or []:
        created = result.setdefault("create", [])
        try:
            created.append(create(item if isinstance(item, Mapping) else {}))
        except WPError as error:
            created.append(inline(error, 0))
    for item in body.get("update") or []:
        updated = result.setdefault("update", [])
        fields = item if isinstance(item, Mapping) else {}
        try:
            updated.append(update(fields))
        except WPError as error:
            updated.append(inline(error, fields.get("id", 0)))
    for raw_id in body.get("delete") or []:
        try:
            item_id = int(raw_id)
        except (TypeError, ValueError):
            item_id = 0
        if item_id == 0:
            continue
        deleted = result.setdefault("delete", [])
        try:
            deleted.append(delete(item_id))
        except WPError as error:
            deleted.append(inline(error, item_id))
    return result or []
