"""What every Accounting API call passes first: token, tenant, scope, rate limit, idempotency.

Facts followed (reference/service-apis.md): a bearer token (401 problem body, §4.7); a
``xero-tenant-id`` the token is connected to (403 ``AuthenticationUnsuccessful``, §4.2,
§4.7); the scope for the resource (403, §4.1/§4.7); the per-tenant limits (429, §4.6); and
``Idempotency-Key`` replay on PUT/POST (§4.5).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response

from .books import Books
from .identity import Grant, OAuthError
from .identity_routes import bearer_problem, bearer_token
from .render import problem, respond

if TYPE_CHECKING:
    from .emulator import XeroEmulator

IDEMPOTENCY_TTL = 24 * 3600.0
IDEMPOTENCY_MAX_LENGTH = 128
# resource family -> (scopes allowing writes, extra scopes allowing reads)
SCOPES: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "invoices": (
        frozenset({"accounting.invoices", "accounting.transactions"}),
        frozenset({"accounting.invoices.read", "accounting.transactions.read"}),
    ),
    "contacts": (frozenset({"accounting.contacts"}), frozenset({"accounting.contacts.read"})),
    "settings": (frozenset({"accounting.settings"}), frozenset({"accounting.settings.read"})),
}


@dataclass
class Call:
    """An authorised call: who makes it and on which organisation's books."""

    request: Request
    grant: Grant
    books: Books
    body: bytes


@dataclass
class Remembered:
    fingerprint: str
    created: float
    status: int
    body: bytes
    media_type: str


Handler = Callable[[Call], Awaitable[Response]]


def forbidden(request: Request) -> Response:
    return respond(request, problem(403, "Forbidden", "AuthenticationUnsuccessful"), 403)


def guarded(
    emu: XeroEmulator, family: str, handler: Handler
) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        now = emu.clock.time()
        body = await request.body()
        with emu.lock:
            try:
                grant, _ = emu.identity.bearer(bearer_token(request), now)
            except OAuthError as exc:
                return bearer_problem(exc, now)
            tenant = request.headers.get("xero-tenant-id", "").strip().lower()
            connected = {c.tenant_id for c in emu.identity.connections_for(grant)}
            books = emu.organisations.get(tenant)
            if not tenant or books is None or tenant not in connected:
                return forbidden(request)
            write_scopes, read_scopes = SCOPES[family]
            allowed = (
                write_scopes if request.method in ("PUT", "POST") else write_scopes | read_scopes
            )
            if not allowed & set(grant.scopes):
                return forbidden(request)
        decision = emu.limiter.acquire(grant.client_id, tenant)
        if not decision.allowed:
            detail = f"Rate limit exceeded ({decision.problem})"
            return respond(
                request, problem(429, "Too Many Requests", detail), 429, decision.headers
            )
        try:
            if emu.settings.latency > 0:
                await asyncio.sleep(emu.settings.latency)
            call = Call(request, grant, books, body)
            response = await _idempotent(emu, call, handler)
        finally:
            emu.limiter.release(grant.client_id, tenant)
        response.headers.update(decision.headers)
        return response

    return endpoint


async def _idempotent(emu: XeroEmulator, call: Call, handler: Handler) -> Response:
    request = call.request
    key = request.headers.get("idempotency-key")
    if key is None or request.method not in ("PUT", "POST", "PATCH"):
        return await handler(call)
    if not key or len(key) > IDEMPOTENCY_MAX_LENGTH:
        detail = f"Idempotency-Key must be 1 to {IDEMPOTENCY_MAX_LENGTH} characters"
        return respond(request, problem(400, "Bad Request", detail), 400)
    fingerprint = hashlib.sha256(
        json.dumps(
            [
                request.method,
                request.url.path,
                str(request.query_params),
                call.body.decode("utf-8", "replace"),
            ]
        ).encode()
    ).hexdigest()
    slot = (call.grant.client_id, call.books.tenant_id, key)
    now = emu.clock.time()
    with emu.lock:
        seen = emu.idempotency.get(slot)
        if seen is not None and now - seen.created > IDEMPOTENCY_TTL:
            seen = None
        if seen is not None:
            if seen.fingerprint == fingerprint or emu.settings.idempotency_conflict == "replay":
                return Response(seen.body, status_code=seen.status, media_type=seen.media_type)
            detail = "The Idempotency-Key has already been used with a different request"
            return respond(request, problem(400, "Bad Request", detail), 400)
        response = await handler(call)
        if response.status_code < 500:
            emu.idempotency[slot] = Remembered(
                fingerprint,
                now,
                response.status_code,
                bytes(response.body),
                response.media_type or "application/json",
            )
    return response
