"""HTTP face of Xero identity: authorize page, token and revocation endpoints, connections.

Real Xero splits these over login.xero.com, identity.xero.com and api.xero.com; the
sandbox serves them from one origin with the real paths (reference/service-apis.md §4.1,
§4.2), so a client only swaps the origin.
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from .identity import Client, Grant, OAuthError, jwt_like, new_id
from .pages import consent_page, error_page
from .render import problem

if TYPE_CHECKING:
    from .emulator import XeroEmulator

AUTHORIZE_PARAMS = (
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
)


def _redirect(uri: str, params: dict[str, str | None]) -> RedirectResponse:
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return RedirectResponse(f"{uri}{'&' if '?' in uri else '?'}{query}", status_code=302)


def _oauth_json(exc: OAuthError) -> JSONResponse:
    body = {"error": exc.error}
    return JSONResponse(body, status_code=exc.status)


def connection_json(conn: Any) -> dict[str, Any]:
    def stamp(epoch: float) -> str:
        # Xero's identity service: local-looking UTC with 7 fractional digits.
        return datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0"

    return {
        "id": conn.id,
        "authEventId": conn.auth_event_id,
        "tenantId": conn.tenant_id,
        "tenantType": "ORGANISATION",
        "tenantName": conn.tenant_name,
        "createdDateUtc": stamp(conn.created),
        "updatedDateUtc": stamp(conn.updated),
    }


def bearer_problem(exc: OAuthError, now: float) -> JSONResponse:
    detail = exc.description
    if detail == "TokenExpired":
        expired = datetime.fromtimestamp(now, tz=UTC)
        detail = f"TokenExpired: token expired at {expired:%m/%d/%Y %H:%M:%S}"
    return JSONResponse(
        problem(401, "Unauthorized", detail),
        status_code=401,
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def identity_routes(emu: XeroEmulator) -> list[BaseRoute]:
    def id_token(grant: Grant) -> str:
        now = emu.clock.time()
        return jwt_like(
            {
                "iss": "https://identity.xero.com",
                "aud": grant.client_id,
                "sub": grant.user_id,
                "xero_userid": grant.user_id,
                "email": emu.user["email"],
                "given_name": emu.user["given_name"],
                "family_name": emu.user["family_name"],
                "iat": int(now),
                "exp": int(now + 300),
                "auth_time": int(now),
            }
        )

    async def authorize(request: Request) -> Response:
        if request.method == "POST":
            form = await request.form()
            params = {k: str(v) for k, v in form.items() if k in AUTHORIZE_PARAMS}
            action = str(form.get("action", ""))
            chosen = [str(v) for v in form.getlist("tenant")]
        else:
            params = {k: v for k, v in request.query_params.items() if k in AUTHORIZE_PARAMS}
            action, chosen = "", []
        with emu.lock:
            try:
                auth = emu.identity.check_authorize(params)
            except OAuthError as exc:
                return error_page(exc.error, exc.description)
            try:
                emu.identity.check_request_redirectable(auth, params.get("response_type", ""))
            except OAuthError as exc:
                return _redirect(
                    auth.redirect_uri,
                    {
                        "error": exc.error,
                        "error_description": exc.description or None,
                        "state": auth.state,
                    },
                )
            client = emu.identity.clients[auth.client_id]
            orgs = [(b.tenant_id, b.name) for b in emu.organisations.values()]
            if request.method == "GET":
                return consent_page(client.name, auth.scopes, orgs, params)
            if action != "allow":
                return _redirect(auth.redirect_uri, {"error": "access_denied", "state": auth.state})
            picked = [o for o in orgs if o[0] in chosen] if chosen else orgs
            code = emu.identity.approve(auth, picked, emu.clock.time())
        return _redirect(
            auth.redirect_uri, {"code": code, "scope": " ".join(auth.scopes), "state": auth.state}
        )

    async def client_from(request: Request, form: dict[str, str]) -> Client:
        client_id, secret = form.get("client_id", ""), form.get("client_secret")
        header = request.headers.get("authorization", "")
        if header.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(header[6:].strip()).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                raise OAuthError("invalid_client") from None
            client_id, _, secret = decoded.partition(":")
        return emu.identity.authenticate_client(client_id, secret)

    async def token(request: Request) -> Response:
        form = {k: str(v) for k, v in (await request.form()).items()}
        with emu.lock:
            try:
                client = await client_from(request, form)
                grant_type = form.get("grant_type", "")
                now = emu.clock.time()
                if grant_type == "authorization_code":
                    body = emu.identity.exchange_code(client, form, now, id_token)
                elif grant_type == "refresh_token":
                    body = emu.identity.refresh(client, form, now, id_token)
                else:
                    raise OAuthError("unsupported_grant_type")
            except OAuthError as exc:
                return _oauth_json(exc)
        return JSONResponse(body, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})

    async def revocation(request: Request) -> Response:
        form = {k: str(v) for k, v in (await request.form()).items()}
        with emu.lock:
            try:
                client = await client_from(request, form)
                if not form.get("token"):
                    raise OAuthError("invalid_request")
                emu.identity.revoke(client, form["token"])
            except OAuthError as exc:
                return _oauth_json(exc)
        return Response(status_code=200)

    async def connections(request: Request) -> Response:
        now = emu.clock.time()
        with emu.lock:
            try:
                grant, _ = emu.identity.bearer(bearer_token(request), now)
            except OAuthError as exc:
                return bearer_problem(exc, now)
            conns = emu.identity.connections_for(grant)
            if request.method == "DELETE":
                wanted = request.path_params["id"].lower()
                target = next((c for c in conns if c.id == wanted), None)
                if target is None:
                    return JSONResponse(problem(404, "Not Found", "Connection not found"), 404)
                del emu.identity.connections[target.id]
                return Response(status_code=204)
            event = request.query_params.get("authEventId")
            rows = [connection_json(c) for c in conns if not event or c.auth_event_id == event]
        return JSONResponse(rows)

    async def discovery(request: Request) -> Response:
        base = emu.base_url or str(request.base_url).rstrip("/")
        return JSONResponse(
            {
                "issuer": "https://identity.xero.com",
                "authorization_endpoint": f"{base}/identity/connect/authorize",
                "token_endpoint": f"{base}/connect/token",
                "revocation_endpoint": f"{base}/connect/revocation",
                "response_types_supported": ["code"],
                "code_challenge_methods_supported": ["S256"],
                "grant_types_supported": ["authorization_code", "refresh_token"],
            }
        )

    return [
        Route("/identity/connect/authorize", authorize, methods=["GET", "POST"]),
        Route("/connect/token", token, methods=["POST"]),
        Route("/connect/revocation", revocation, methods=["POST"]),
        Route("/connections", connections, methods=["GET"]),
        Route("/connections/{id}", connections, methods=["DELETE"]),
        Route("/.well-known/openid-configuration", discovery, methods=["GET"]),
    ]


__all__ = ["bearer_problem", "bearer_token", "identity_routes", "new_id"]
