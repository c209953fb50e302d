"""What every emulator shares: the control surface, the request log and fault injection.

An emulator subclasses :class:`Emulator`, lists its service routes and says how the real
service shapes an error body.  :meth:`Emulator.build` wraps them in one ASGI application
that also serves ``/_sandbox/…``:

* ``GET /_sandbox/state`` — the emulator's whole state as JSON;
* ``GET /_sandbox/requests`` (``?since=N``) / ``DELETE`` — the request log;
* ``POST /_sandbox/seed`` — load data (the emulator's own JSON shape, or
  ``{"demo": {"size": "small", "seed": 1}}`` for the ledger's demo shop);
* ``POST /_sandbox/reset`` — back to the freshly-created state;
* ``GET|POST|DELETE /_sandbox/faults`` — fault rules (see :mod:`.faults`);
* ``GET|POST /_sandbox/clock`` — read or advance the shared sandbox clock;
* ``GET /_sandbox/credentials`` — the registrations and keys this emulator accepts.

The sandbox package imports nothing from the rest of the application, except the demo-shop
generator used by ``seed`` (imported lazily, only when asked for).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, ClassVar

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .clock import SandboxClock
from .faults import FaultInjector, FaultRule, FaultRuleError

CONTROL_PREFIX = "/_sandbox/"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
LOGGED_BODY_LIMIT = 256 * 1024
REDACTED_HEADERS = frozenset({"authorization", "cookie", "x-shopify-access-token"})


class SandboxConnectionDropped(ConnectionError):
    """Raised inside an emulator to model a connection dropped mid-response."""


class RequestLog:
    """Bounded, thread-safe log of the requests an emulator served."""

    def __init__(self, limit: int = 50_000) -> None:
        self._entries: deque[dict[str, Any]] = deque(maxlen=limit)
        self._lock = threading.Lock()
        self._next_seq = 1

    def add(self, entry: dict[str, Any]) -> None:
        with self._lock:
            entry["seq"] = self._next_seq
            self._next_seq += 1
            self._entries.append(entry)

    def entries(self, since: int = 0) -> list[dict[str, Any]]:
        with self._lock:
            return [e for e in self._entries if e["seq"] > since]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class Emulator:
    """Base class of one service's emulator."""

    name: ClassVar[str] = "service"

    def __init__(self, clock: SandboxClock | None = None, *, base_url: str = "") -> None:
        self.clock = clock or SandboxClock()
        self.base_url = base_url.rstrip("/")
        self.log = RequestLog()
        self.faults = FaultInjector()
        self.lock = threading.RLock()
        self.reset()
        self._app: ASGIApp | None = None

    # -- what a service provides -------------------------------------------------------
    def routes(self) -> list[BaseRoute]:
        raise NotImplementedError

    def reset(self) -> None:
        """Restore the freshly-created state (called by ``__init__`` too)."""

    def state(self) -> dict[str, Any]:
        return {}

    def credentials(self) -> dict[str, Any]:
        return {}

    def seed(self, data: Mapping[str, Any]) -> dict[str, Any]:
        raise ValueError(f"the {self.name} emulator does not accept seed data")

    def seed_demo(self, tables: Mapping[str, Iterable[Mapping[str, Any]]]) -> dict[str, Any]:
        """Load the ledger's demo shop (rows by Nexpura table name)."""
        raise ValueError(f"the {self.name} emulator has no demo data")

    def error_response(self, status: int, retry_after: float | None = None) -> Response:
        """The body the real service sends with ``status`` (used by injected faults)."""
        headers = {"Retry-After": str(int(retry_after))} if retry_after is not None else None
        return JSONResponse({"error": f"HTTP {status}"}, status_code=status, headers=headers)

    def malformed_body(self) -> bytes:
        return b"<html><body>502 Bad Gateway</body></html>"

    def exception_handlers(self) -> Mapping[Any, Callable[..., Any]]:
        return {}

    # -- the assembled application ------------------------------------------------------
    @property
    def app(self) -> ASGIApp:
        if self._app is None:
            self._app = self.build()
        return self._app

    def build(self) -> ASGIApp:
        inner = Starlette(
            routes=[*self._control_routes(), *self.routes()],
            exception_handlers=dict(self.exception_handlers()),
        )
        return SandboxMiddleware(inner, self)

    def _control_routes(self) -> list[BaseRoute]:
        return [
            Route("/_sandbox/state", self._ctl_state, methods=["GET"]),
            Route("/_sandbox/requests", self._ctl_requests, methods=["GET", "DELETE"]),
            Route("/_sandbox/seed", self._ctl_seed, methods=["POST"]),
            Route("/_sandbox/reset", self._ctl_reset, methods=["POST"]),
            Route("/_sandbox/faults", self._ctl_faults, methods=["GET", "POST", "DELETE"]),
            Route("/_sandbox/clock", self._ctl_clock, methods=["GET", "POST"]),
            Route("/_sandbox/credentials", self._ctl_credentials, methods=["GET"]),
        ]

    async def _ctl_state(self, request: Request) -> Response:
        with self.lock:
            return JSONResponse(self.state())

    async def _ctl_requests(self, request: Request) -> Response:
        if request.method == "DELETE":
            self.log.clear()
            return Response(status_code=204)
        since = int(request.query_params.get("since", "0") or 0)
        return JSONResponse({"requests": self.log.entries(since)})

    async def _ctl_seed(self, request: Request) -> Response:
        try:
            data = await request.json()
        except ValueError:
            return JSONResponse({"error": "seed body must be JSON"}, status_code=400)
        if not isinstance(data, dict):
            return JSONResponse({"error": "seed body must be a JSON object"}, status_code=400)
        try:
            with self.lock:
                if "demo" in data:
                    demo = data["demo"] or {}
                    result = self.seed_demo(load_demo_tables(demo))
                else:
                    result = self.seed(data)
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse({"seeded": result})

    async def _ctl_reset(self, request: Request) -> Response:
        with self.lock:
            self.reset()
        self.log.clear()
        self.faults.clear()
        return JSONResponse({"reset": self.name})

    async def _ctl_faults(self, request: Request) -> Response:
        if request.method == "DELETE":
            self.faults.clear()
            return Response(status_code=204)
        if request.method == "POST":
            try:
                payload = await request.json()
                rules = payload if isinstance(payload, list) else [payload]
                for raw in rules:
                    self.faults.add(FaultRule.from_json(raw))
            except (ValueError, TypeError, FaultRuleError) as exc:
                return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse({"faults": [r.to_json() for r in self.faults.rules()]})

    async def _ctl_clock(self, request: Request) -> Response:
        return await clock_endpoint(self.clock, request)

    async def _ctl_credentials(self, request: Request) -> Response:
        return JSONResponse(self.credentials())


async def clock_endpoint(clock: SandboxClock, request: Request) -> Response:
    """``GET`` reads the sandbox clock; ``POST {"advance": seconds}`` moves it forward."""
    if request.method == "POST":
        try:
            payload = await request.json()
            clock.advance(float(payload.get("advance", 0)))
        except (ValueError, TypeError, AttributeError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
    return JSONResponse({"now": clock.now().isoformat(), "time_scale": clock.time_scale})


def load_demo_tables(options: Mapping[str, Any]) -> Mapping[str, Iterable[Mapping[str, Any]]]:
    """The ledger's demo shop, as rows by table (the one import from outside the sandbox)."""
    from nexpura_desktop.ledger.demo import generate_tables

    size = str(options.get("size", "small"))
    seed = int(options.get("seed", 1))
    return generate_tables(size=size, seed=seed)


class SandboxMiddleware:
    """Pure-ASGI wrapper: logs every request and applies injected faults."""

    def __init__(self, app: ASGIApp, emulator: Emulator) -> None:
        self.app = app
        self.emulator = emulator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method: str = scope["method"]
        path: str = scope["path"]
        control = path.startswith(CONTROL_PREFIX)
        body = await _read_body(receive)
        replay = _replay(body)
        started = time.monotonic()
        entry: dict[str, Any] = {
            "method": method,
            "path": path,
            "query": scope.get("query_string", b"").decode("latin-1"),
            "time": self.emulator.clock.now().isoformat(),
            "headers": _loggable_headers(scope),
        }
        if method in WRITE_METHODS and body:
            entry["body"] = body[:LOGGED_BODY_LIMIT].decode("utf-8", "replace")
        status_box = {"status": 0}

        async def send_recording(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_box["status"] = message["status"]
            await send(message)

        rule = None if control else self.emulator.faults.pick(method, path)
        try:
            if rule is None:
                await self.app(scope, replay, send_recording)
            else:
                entry["fault"] = rule.kind
                await self._apply_fault(rule, scope, replay, send_recording)
        finally:
            entry["status"] = status_box["status"]
            entry["duration_ms"] = round((time.monotonic() - started) * 1000, 2)
            if not control:
                self.emulator.log.add(entry)

    async def _apply_fault(
        self, rule: FaultRule, scope: Scope, receive: Receive, send: Send
    ) -> None:
        if rule.kind == "status":
            response = self.emulator.error_response(rule.status, rule.retry_after)
            await response(scope, receive, send)
            return
        if rule.kind in ("timeout", "slow"):
            default = 60.0 if rule.kind == "timeout" else 1.0
            await asyncio.sleep(rule.delay if rule.delay is not None else default)
            if rule.kind == "slow":
                await self.app(scope, receive, send)
                return
            raise SandboxConnectionDropped("request timed out and the connection was closed")
        if rule.kind == "drop":
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", b"64")],
                }
            )
            raise SandboxConnectionDropped("connection dropped mid-response")
        status, headers, body = await _capture(self.app, scope, receive)
        if rule.kind == "truncate":
            body = body[: max(1, len(body) // 2)]
        else:  # malformed
            body = self.emulator.malformed_body()
        headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _loggable_headers(scope: Scope) -> dict[str, str]:
    headers: dict[str, str] = {}
    for raw_key, raw_value in scope.get("headers", []):
        key = raw_key.decode("latin-1").lower()
        headers[key] = "[redacted]" if key in REDACTED_HEADERS else raw_value.decode("latin-1")
    return headers


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes) -> Callable[[], Awaitable[Message]]:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.Event().wait()  # like a client that stays connected
        return {"type": "http.disconnect"}

    return receive


async def _capture(
    app: ASGIApp, scope: Scope, receive: Receive
) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    status = 500
    headers: list[tuple[bytes, bytes]] = []
    chunks: list[bytes] = []

    async def send(message: Message) -> None:
        nonlocal status, headers
        if message["type"] == "http.response.start":
            status = message["status"]
            headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, headers, b"".join(chunks)


def json_error(status: int, payload: Any, headers: Mapping[str, str] | None = None) -> Response:
    """A JSON error response with exactly the given body (no wrapping)."""
    return Response(
        json.dumps(payload), status_code=status, media_type="application/json", headers=headers
    )
