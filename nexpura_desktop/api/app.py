"""The Starlette app of the local API (routes, auth, errors); served by :mod:`.server`.

Every ``/api`` route needs ``Authorization: Bearer <token>`` except the two webhook
receivers, which prove themselves with the service's signature instead.  Every request
must come from this machine and name a local host (or a configured proxy name) in its
``Host`` header — that stops a web page in the shop's browser reaching the API through
DNS rebinding.  Errors are JSON: ``{"error": {"code": ..., "message": ...}}``.
"""

from __future__ import annotations

import ipaddress
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from ..engine.engine import Engine
from ..engine.errors import UnknownSync
from ..errors import UserError
from ..exports.engine import ExportResult
from ..ledger import connections
from ..ledger.db import Ledger
from ..secrets import SecretStore
from . import reads, syncs, tokens, twilio_signature, twilio_status
from .config import ApiConfig
from .openapi import SERVICE_ROUTES, build_openapi

log = logging.getLogger(__name__)
Handler = Callable[[Request], Awaitable[Response]]
WOO_TOPIC_ENTITIES = {"order": "orders", "product": "products", "customer": "customers"}


@dataclass
class ApiDeps:
    """What the API works with; the window and the ``api`` command build one each."""

    ledger_path: Path
    engine: Engine
    secrets: Callable[[], SecretStore]
    export_folder: Callable[[], Path]
    on_export: Callable[[ExportResult], None] | None = None
    exports: syncs.ExportGate = field(default_factory=syncs.ExportGate)


def error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse(
        {"error": {"code": code, "message": message}}, status_code=status, headers=headers
    )


class LocalOnly:
    """Refuses requests from other machines (403) or naming a foreign host (400)."""

    def __init__(self, app: ASGIApp, hosts: tuple[str, ...]) -> None:
        self.app = app
        self.hosts = {h.lower() for h in hosts}

    @staticmethod
    def _host_name(value: str) -> str:
        value = value.strip().lower()
        if value.startswith("["):  # [::1]:8765
            return value[1:].split("]", 1)[0]
        return value.rsplit(":", 1)[0] if value.count(":") == 1 else value

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        peer = client[0] if client else ""
        try:
            local = ipaddress.ip_address(peer).is_loopback
        except ValueError:
            local = False
        if not local:
            log.warning("refused an API request from another machine (%s)", peer)
            await error(403, "not_local", "the API answers this computer only")(
                scope, receive, send
            )
            return
        host = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1")
        if self._host_name(host) not in self.hosts:
            log.warning("refused an API request for host %r", host[:100])
            await error(400, "bad_host", "the Host header does not name this computer")(
                scope, receive, send
            )
            return
        await self.app(scope, receive, send)


def build_app(deps: ApiDeps, config: ApiConfig) -> Starlette:
    """The API over ``deps`` (token checked against the keyring on each request)."""
    gate = tokens.TokenGate(lambda: tokens.current_token(deps.secrets()))
    deferred = syncs.DeferredSyncs(deps.engine)

    def protected(handler: Handler) -> Handler:
        async def check(request: Request) -> Response:
            header = request.headers.get("authorization")
            try:
                allowed = await run_in_threadpool(gate.allows, header)
            except UserError as exc:  # keyring locked or missing
                return error(503, "keyring_unavailable", str(exc))
            if not allowed:
                problem = "missing" if tokens.bearer(header) is None else "wrong"
                challenge = 'Bearer realm="nexpura-desktop"'
                if problem == "wrong":
                    challenge += ', error="invalid_token"'
                return error(
                    401,
                    "unauthorized",
                    f"{problem} bearer token; copy the token from Settings → Local API",
                    {"WWW-Authenticate": challenge},
                )
            return await handler(request)

        return check

    # -- documents -----------------------------------------------------------------------
    async def openapi(request: Request) -> Response:
        return JSONResponse(build_openapi())

    # -- reads ----------------------------------------------------------------------------
    def list_handler(resource: str) -> Handler:
        async def handle(request: Request) -> Response:
            params = dict(request.query_params)
            try:
                query = reads.query_from(params)
            except reads.BadQuery as exc:
                return error(400, exc.code, str(exc))

            def work() -> reads.Page:
                with reads.open_reader(deps.ledger_path) as ledger:
                    return reads.list_rows(ledger, resource, query)

            try:
                page = await run_in_threadpool(work)
            except reads.BadQuery as exc:
                return error(400, exc.code, str(exc))
            except KeyError:
                return error(404, "not_found", f"there is no {resource} table in the ledger")
            next_link = None
            if page.next_cursor is not None:
                items = [(k, v) for k, v in parse_qsl(request.url.query) if k != "cursor"]
                next_link = (
                    f"{request.url.path}?{urlencode([*items, ('cursor', page.next_cursor)])}"
                )
            headers = {"Link": f'<{next_link}>; rel="next"'} if next_link else None
            return JSONResponse(
                {
                    "data": page.rows,
                    "count": len(page.rows),
                    "next_cursor": page.next_cursor,
                    "links": {"next": next_link},
                },
                headers=headers,
            )

        return handle

    def item_handler(resource: str) -> Handler:
        async def handle(request: Request) -> Response:
            row_id = str(request.path_params["id"])

            def work() -> dict[str, Any] | None:
                with reads.open_reader(deps.ledger_path) as ledger:
                    return reads.get_row(ledger, resource, row_id)

            try:
                row = await run_in_threadpool(work)
            except KeyError:
                row = None
            if row is None:
                return error(404, "not_found", f"no {resource} row has id {row_id!r}")
            return JSONResponse({"data": row})

        return handle

    # -- integrations ---------------------------------------------------------------------
    async def integrations(request: Request) -> Response:
        def work() -> list[dict[str, Any]]:
            with Ledger(deps.ledger_path) as ledger:
                found = connections.all_connections(ledger.conn)
            routes = {v: k for k, v in SERVICE_ROUTES.items() if "_" not in k}
            return [
                {
                    "service": c.service,
                    "route": routes.get(c.service, c.service),
                    "status": c.status,
                    "account": c.account,
                    "last_sync_at": c.last_sync_at,
                    "last_error": c.last_error,
                    "reconnect_needed": c.reconnect_needed,
                    "syncing": deps.engine.busy(c.service),
                }
                for c in found
            ]

        return JSONResponse({"data": await run_in_threadpool(work)})

    async def sync(request: Request) -> Response:
        name = str(request.path_params["service"]).lower()
        service = SERVICE_ROUTES.get(name)
        if service is None:
            known = ", ".join(k for k in SERVICE_ROUTES if "_" not in k)
            return error(404, "unknown_service", f"no integration {name!r}; one of {known}")
        params = request.query_params
        direction = params.get("direction") or None
        if direction not in (None, "import", "export", "both"):
            return error(400, "bad_direction", "direction must be import, export or both")
        try:
            full = reads.parse_bool("full", params.get("full"))
        except reads.BadQuery as exc:
            return error(400, exc.code, str(exc))
        entity = params.get("entity") or None

        def work() -> Response:
            try:
                sub = syncs.start_sync(
                    deps.engine, service, entity=entity, direction=direction, full=full
                )
            except syncs.Busy as exc:
                return error(409, "already_syncing", f"already syncing: {exc}")
            except UnknownSync as exc:
                return error(409, "cannot_sync", str(exc))
            return JSONResponse(
                {
                    "service": service,
                    "status": "started",
                    "jobs": list(sub.jobs),
                    "message": sub.message,
                },
                status_code=202,
            )

        return await run_in_threadpool(work)

    # -- export ---------------------------------------------------------------------------
    async def data_export(request: Request) -> Response:
        body = await request.body()
        parsed: Any = {}
        if body.strip():
            try:
                parsed = json.loads(body)
            except ValueError:
                parsed = None
        if not isinstance(parsed, dict):
            return error(400, "bad_body", "the body must be a JSON object (or empty)")
        options: dict[str, Any] = parsed
        tables = options.get("tables")
        if tables is not None and (
            not isinstance(tables, list) or not all(isinstance(t, str) for t in tables)
        ):
            return error(400, "bad_tables", "tables must be a list of table names")
        as_zip = options.get("zip", False)
        if not isinstance(as_zip, bool):
            return error(400, "bad_zip", "zip must be true or false")
        started, wait = deps.exports.begin()
        if not started:
            if wait:
                return error(
                    429,
                    "rate_limited",
                    f"at most 3 exports a minute; try again in {wait} s",
                    {"Retry-After": str(wait)},
                )
            return error(409, "export_running", "an export is already being written")

        def work() -> ExportResult:
            from ..exports.table_export import export_ledger

            return export_ledger(
                deps.ledger_path, deps.export_folder(), tables=tables, as_zip=as_zip
            )

        try:
            result = await run_in_threadpool(work)
        except UserError as exc:
            return error(400, "export_failed", str(exc))
        finally:
            deps.exports.end()
        log.info("API export of %d table(s) written to %s", len(result.tables), result.path)
        if deps.on_export is not None:
            try:
                deps.on_export(result)
            except Exception:
                log.exception("recording the API export in the history failed")
        return JSONResponse(
            {
                "path": str(result.path),
                "tables": len(result.tables),
                "rows": result.total_rows,
                "zip": as_zip,
            },
            status_code=201,
        )

    # -- webhooks -------------------------------------------------------------------------
    async def woocommerce_webhook(request: Request) -> Response:
        from ..connectors.woocommerce.webhooks import load_webhook_secret, verify

        body = await request.body()
        signature = request.headers.get("x-wc-webhook-signature")
        topic = request.headers.get("x-wc-webhook-topic", "")
        if signature is None and not topic and _is_ping(request, body):
            log.info("WooCommerce webhook ping received")
            return JSONResponse({"ok": True, "ping": True})
        try:
            secret = await run_in_threadpool(lambda: load_webhook_secret(deps.secrets()))
        except UserError as exc:
            return error(503, "keyring_unavailable", str(exc))
        if not secret:
            log.warning("refused a WooCommerce webhook delivery: no webhook secret is set up")
            return error(403, "no_secret", "no WooCommerce webhook is set up on this computer")
        if not signature:
            log.warning("refused a WooCommerce webhook delivery: no signature")
            return error(403, "missing_signature", "the X-WC-Webhook-Signature header is missing")
        if not verify(body, signature, secret):
            log.warning("refused a WooCommerce webhook delivery: bad signature (topic %r)", topic)
            return error(403, "bad_signature", "the X-WC-Webhook-Signature does not match")
        entity = WOO_TOPIC_ENTITIES.get(topic.split(".", 1)[0])
        if entity is None:
            return JSONResponse({"ok": True, "sync": "none", "entity": None})
        state = await run_in_threadpool(deferred.request, "woocommerce", entity)
        return JSONResponse({"ok": True, "sync": state, "entity": entity})

    async def twilio_status_callback(request: Request) -> Response:
        from ..auth.twilio import TOKEN_ITEM

        form = await request.form()
        params = [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
        signature = request.headers.get("x-twilio-signature")
        try:
            auth_token = await run_in_threadpool(lambda: deps.secrets().get(TOKEN_ITEM))
        except UserError as exc:
            return error(503, "keyring_unavailable", str(exc))
        if not auth_token:
            log.warning("refused a Twilio status callback: no Twilio auth token in the keyring")
            return error(
                403, "no_secret", "Twilio is not connected with an auth token on this computer"
            )
        if not signature:
            log.warning("refused a Twilio status callback: no signature")
            return error(403, "missing_signature", "the X-Twilio-Signature header is missing")
        url = _public_url(request, config)
        if not twilio_signature.verify(auth_token, url, params, signature):
            log.warning("refused a Twilio status callback: bad signature for %s", url)
            return error(403, "bad_signature", "the X-Twilio-Signature does not match")
        fields = dict(params)
        sid = fields.get("MessageSid") or fields.get("SmsSid")
        status = fields.get("MessageStatus") or fields.get("SmsStatus")
        if not sid or not status:
            return error(400, "bad_callback", "MessageSid and MessageStatus are required")
        applied = await run_in_threadpool(
            twilio_status.apply_status, deps.ledger_path, sid, status, fields.get("ErrorCode")
        )
        return JSONResponse(
            {"ok": True, "known": applied.found, "applied": applied.changed,
             "status": applied.status}
        )  # fmt: skip

    routes = [
        Route("/api/openapi.json", protected(openapi), methods=["GET"]),
        Route("/api/integrations", protected(integrations), methods=["GET"]),
        Route("/api/integrations/woocommerce/webhook", woocommerce_webhook, methods=["POST"]),
        Route("/api/integrations/twilio/status", twilio_status_callback, methods=["POST"]),
        Route("/api/integrations/{service}/sync", protected(sync), methods=["POST"]),
        Route("/api/data-export", protected(data_export), methods=["POST"]),
    ]
    for resource in reads.RESOURCES:
        routes.append(Route(f"/api/{resource}", protected(list_handler(resource)), methods=["GET"]))
        routes.append(
            Route(f"/api/{resource}/{{id}}", protected(item_handler(resource)), methods=["GET"])
        )

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return error(exc.status_code, code, str(exc.detail), dict(exc.headers or {}) or None)

    app = Starlette(routes=routes, exception_handlers={HTTPException: http_error})
    app.add_middleware(LocalOnly, hosts=config.hosts)
    app.state.deferred = deferred
    return app


def _is_ping(request: Request, body: bytes) -> bool:
    """WooCommerce's unsigned ping on webhook creation: form body ``webhook_id=<n>``."""
    if "application/x-www-form-urlencoded" not in request.headers.get("content-type", ""):
        return False
    pairs = parse_qsl(body.decode("latin-1"), keep_blank_values=True)
    return len(pairs) == 1 and pairs[0][0] == "webhook_id" and pairs[0][1].isdigit()


def _public_url(request: Request, config: ApiConfig) -> str:
    """The URL Twilio called: ours, or the configured public base (behind a proxy)."""
    if config.public_url:
        url = config.public_url.rstrip("/") + request.url.path
        return url + (f"?{request.url.query}" if request.url.query else "")
    return str(request.url)
