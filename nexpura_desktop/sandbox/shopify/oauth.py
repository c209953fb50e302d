"""OAuth endpoints: the grant page, the signed callback and ``/admin/oauth/access_token``.

Follows service-apis §1.2: ``scope`` is comma-separated, ``grant_options[]=per-user``
asks for an online token, the redirect URI must be on the app's allow-list exactly, and the
callback carries ``code``, ``hmac``, ``host``, ``shop``, ``state`` and ``timestamp`` signed
with the client secret.  Cancelling on the grant page does not redirect (as on Shopify:
the merchant simply does not install).
"""

from __future__ import annotations

import base64
import hmac
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from .auth import CLIENT_CREDENTIALS_SECONDS, EXPIRING_SECONDS, ONLINE_SECONDS, Grant, sign
from .pages import cancelled_page, error_page, grant_page

if TYPE_CHECKING:
    from .emulator import ShopifyEmulator

TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"  # noqa: S105


def _oauth_error(error: str, description: str, status: int = 400) -> Response:
    return JSONResponse({"error": error, "error_description": description}, status_code=status)


class OAuth:
    def __init__(self, emu: ShopifyEmulator) -> None:
        self.emu = emu

    def _check(self, params: dict[str, str]) -> str | None:
        app = self.emu.app_registration
        if params.get("client_id") != app.client_id:
            return (
                "Oauth error invalid_request: Could not find Shopify API application with api_key "
                + params.get("client_id", "")
            )
        if params.get("redirect_uri") not in app.redirect_uris:
            return "Oauth error invalid_request: The redirect_uri is not whitelisted"
        unknown = [s for s in _scopes(params.get("scope", "")) if not _known_scope(s)]
        if unknown:
            return f"Oauth error invalid_scope: Scope undefined for API access: {unknown[0]}."
        return None

    async def authorize(self, request: Request) -> Response:
        if request.method == "GET":
            params = dict(request.query_params)
            params["grant_options[]"] = request.query_params.get("grant_options[]", "")
            problem = self._check(params)
            if problem:
                return HTMLResponse(error_page(problem), status_code=400)
            hidden = {
                k: params.get(k, "")
                for k in ("client_id", "scope", "redirect_uri", "state", "grant_options[]")
            }
            page = grant_page(
                self.emu.shop.domain, "Nexpura Desktop", _scopes(params.get("scope", "")), hidden
            )
            return HTMLResponse(page)
        form = dict(parse_qsl((await request.body()).decode("utf-8", "replace")))
        problem = self._check(form)
        if problem:
            return HTMLResponse(error_page(problem), status_code=400)
        if form.get("decision") != "approve":
            return HTMLResponse(cancelled_page(self.emu.shop.domain))
        return self._approve(form)

    def _approve(self, form: dict[str, str]) -> Response:
        emu = self.emu
        app = emu.app_registration
        now = emu.clock.time()
        requested = frozenset(_scopes(form.get("scope", "")))
        with emu.lock:
            code = emu.tokens.new_code(requested, form.get("grant_options[]") == "per-user", now)
        shop_name = emu.shop.domain.split(".", 1)[0]
        host = (
            base64.b64encode(f"admin.shopify.com/store/{shop_name}".encode()).decode().rstrip("=")
        )
        params = {
            "code": code,
            "host": host,
            "shop": emu.shop.domain,
            "state": form.get("state", ""),
            "timestamp": str(int(now)),
        }
        params["hmac"] = sign(params, app.client_secret)
        target = form["redirect_uri"]
        separator = "&" if "?" in target else "?"
        return RedirectResponse(f"{target}{separator}{urlencode(params)}", status_code=302)

    async def access_token(self, request: Request) -> Response:
        raw = await request.body()
        data: dict[str, Any]
        if request.headers.get("content-type", "").startswith("application/json"):
            try:
                loaded = await request.json()
            except ValueError:
                return _oauth_error("invalid_request", "The request body is not valid JSON")
            data = loaded if isinstance(loaded, dict) else {}
        else:
            data = dict(parse_qsl(raw.decode("utf-8", "replace")))
        data = {k: str(v) for k, v in data.items() if v is not None}
        emu = self.emu
        app = emu.app_registration
        if data.get("client_id") != app.client_id or not hmac.compare_digest(
            data.get("client_secret", "").encode(), app.client_secret.encode()
        ):
            return _oauth_error("invalid_client", "Client credentials are invalid", 401)
        now = emu.clock.time()
        grant_type = data.get("grant_type", "")
        expiring = data.get("expiring") == "1"
        with emu.lock:
            tokens = emu.tokens
            if grant_type == "client_credentials":
                if not app.client_credentials:
                    return _oauth_error(
                        "unauthorized_client",
                        "This app cannot use the client credentials grant for this shop",
                    )
                grant = tokens.issue(
                    app, app.scope_set(), "client_credentials", now, CLIENT_CREDENTIALS_SECONDS
                )
                return JSONResponse(
                    {
                        "access_token": grant.token,
                        "scope": app.scopes,
                        "expires_in": CLIENT_CREDENTIALS_SECONDS,
                    }
                )
            if grant_type == "refresh_token":
                refresh = tokens.take_refresh(data.get("refresh_token", ""), now)
                if refresh is None:
                    return _oauth_error(
                        "invalid_grant", "The refresh token is invalid, expired or was already used"
                    )
                return self._offline(refresh.scopes, now, expiring=True)
            if grant_type == TOKEN_EXCHANGE:
                old = tokens.grants.get(data.get("subject_token", ""))
                if old is None or old.kind != "offline" or old.expires_at is not None:
                    return _oauth_error(
                        "invalid_subject_token",
                        "The subject token is not a non-expiring offline access token",
                    )
                del tokens.grants[old.token]
                return self._offline(old.scopes, now, expiring=True)
            if grant_type and grant_type != "authorization_code":
                return _oauth_error(
                    "unsupported_grant_type", f"Unsupported grant type: {grant_type}"
                )
            code = tokens.take_code(data.get("code", ""), now)
            if code is None:
                return _oauth_error(
                    "invalid_request", "The authorization code was not found or was already used"
                )
            scopes = code.scopes & app.scope_set() or app.scope_set()
            if code.online:
                grant = tokens.issue(app, scopes, "online", now, ONLINE_SECONDS)
                return JSONResponse(_online_body(grant, emu.shop.email))
            return self._offline(scopes, now, expiring=expiring)

    def _offline(self, scopes: frozenset[str], now: float, *, expiring: bool) -> Response:
        app = self.emu.app_registration
        tokens = self.emu.tokens
        grant = tokens.issue(app, scopes, "offline", now, EXPIRING_SECONDS if expiring else None)
        body: dict[str, Any] = {"access_token": grant.token, "scope": ",".join(sorted(scopes))}
        if expiring:
            refresh = tokens.new_refresh(app, scopes, now)
            body.update(
                expires_in=EXPIRING_SECONDS,
                refresh_token=refresh.token,
                refresh_token_expires_in=app.refresh_seconds,
            )
        return JSONResponse(body)


def _online_body(grant: Grant, email: str) -> dict[str, Any]:
    scope = ",".join(sorted(grant.scopes))
    return {
        "access_token": grant.token,
        "scope": scope,
        "expires_in": ONLINE_SECONDS,
        "associated_user_scope": scope,
        "associated_user": {
            "id": 90_000_001,
            "first_name": "Shop",
            "last_name": "Owner",
            "email": email,
            "email_verified": True,
            "account_owner": True,
            "locale": "en",
            "collaborator": False,
        },
    }


def _scopes(text: str) -> list[str]:
    return [s.strip() for s in text.split(",") if s.strip()]


def _known_scope(scope: str) -> bool:
    access, _, resource = scope.partition("_")
    return access in ("read", "write", "unauthenticated") and bool(resource)
