"""Google OAuth for installed apps: authorize page, token, revoke, userinfo (§5.1, §7).

Desktop clients may use any loopback redirect (``http://127.0.0.1:<port>/…``,
``http://[::1]:<port>/…``, ``http://localhost:<port>/…``); web clients need an exact
registered URI.  Errors in the authorization request are shown on Google's error page
(never redirected); only the person's "Cancel" redirects with ``error=access_denied``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from . import pages
from .errors import (
    ApiError,
    insufficient_scopes,
    invalid_credentials,
    json_response,
    login_required,
    oauth_error,
)
from .state import AccessToken, AuthCode, Consent, Grant, new_token

if TYPE_CHECKING:
    from .emulator import GoogleEmulator

ACCESS_TOKEN_LIFETIME = 3600  # returned as expires_in=3599, like Google
CODE_LIFETIME = 600
CONSENT_LIFETIME = 1800
TESTING_REFRESH_LIFETIME = 7 * 24 * 3600
MAX_REFRESH_TOKENS = 100  # per client and user; the oldest is silently dropped (§5.1)
OOB = "urn:ietf:wg:oauth:2.0:oob"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
SCOPE_ALIASES = {
    "email": "https://www.googleapis.com/auth/userinfo.email",
    "profile": "https://www.googleapis.com/auth/userinfo.profile",
}
_CAL = "https://www.googleapis.com/auth/calendar"
KNOWN_SCOPES = frozenset(
    {
        "openid",
        *SCOPE_ALIASES.values(),
        _CAL,
        *(
            f"{_CAL}.{suffix}"
            for suffix in (
                "acls", "acls.readonly", "app.created", "calendarlist", "calendarlist.readonly",
                "calendars", "calendars.readonly", "events", "events.freebusy", "events.owned",
                "events.owned.readonly", "events.public.readonly", "events.readonly", "freebusy",
                "readonly", "settings.readonly",
            )
        ),
    }
)  # fmt: skip
_VERIFIER = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")


def normalize_scopes(raw: str) -> list[str]:
    out: list[str] = []
    for item in raw.split():
        scope = SCOPE_ALIASES.get(item, item)
        if scope not in out:
            out.append(scope)
    return out


def is_loopback(uri: str) -> bool:
    """RFC 8252 §7.3 loopback redirect (any port, any path), plain http."""
    parts = urlsplit(uri)
    if parts.scheme != "http" or parts.fragment or parts.username or parts.password:
        return False
    try:
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        return False
    return parts.hostname in LOOPBACK_HOSTS


def with_query(uri: str, params: dict[str, str]) -> str:
    parts = urlsplit(uri)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class OAuthApi:
    """Handlers for accounts.google.com / oauth2.googleapis.com paths."""

    def __init__(self, emu: GoogleEmulator) -> None:
        self.emu = emu

    # -- authorization ------------------------------------------------------------------
    async def authorize(self, request: Request) -> Response:
        q = request.query_params
        data = self.emu.data
        with self.emu.lock:
            client_id = q.get("client_id")
            if not client_id:
                return pages.error_page(
                    400, "invalid_request", "Missing required parameter: client_id"
                )
            client = data.clients.get(client_id)
            if client is None:
                return pages.error_page(401, "invalid_client", "The OAuth client was not found.")
            redirect_uri = q.get("redirect_uri")
            if not redirect_uri:
                return pages.error_page(
                    400, "invalid_request", "Missing required parameter: redirect_uri", client.name
                )
            if redirect_uri == OOB:
                return pages.error_page(
                    400,
                    "invalid_request",
                    "The out-of-band (OOB) flow has been blocked in order to keep users secure.",
                    client.name,
                )
            allowed = (
                is_loopback(redirect_uri)
                if client.type == "desktop"
                else redirect_uri in client.redirect_uris
            )
            if not allowed:
                return pages.error_page(
                    400,
                    "redirect_uri_mismatch",
                    "You can't sign in to this app because it doesn't comply with Google's "
                    f"OAuth 2.0 policy. Request details: redirect_uri={redirect_uri}",
                    client.name,
                )
            problem = self._check_request(q)
            if problem is not None:
                error, detail = problem
                return pages.error_page(400, error, detail, client.name)
            consent = Consent(
                id=new_token("", 40),
                client_id=client_id,
                redirect_uri=redirect_uri,
                scopes=normalize_scopes(q.get("scope", "")),
                state=q.get("state"),
                code_challenge=q.get("code_challenge"),
                code_challenge_method=(
                    q.get("code_challenge_method") or "plain" if q.get("code_challenge") else None
                ),
                offline=q.get("access_type") == "offline",
                prompt=q.get("prompt", "").split(),
                include_granted_scopes=q.get("include_granted_scopes") == "true",
                expires_at=self.emu.clock.time() + CONSENT_LIFETIME,
            )
            data.consents[consent.id] = consent
            return pages.consent_page(
                consent_id=consent.id,
                action=f"{self.emu.base_url}/o/oauth2/v2/auth/approval",
                app_name=client.name,
                email=data.user.email,
                scopes=consent.scopes,
            )

    @staticmethod
    def _check_request(q: Any) -> tuple[str, str] | None:
        response_type = q.get("response_type")
        if not response_type:
            return "invalid_request", "Required parameter is missing: response_type"
        if response_type != "code":
            return "unsupported_response_type", f"Invalid response_type: {response_type}"
        scope = q.get("scope", "")
        if not scope.strip():
            return "invalid_request", "Missing required parameter: scope"
        invalid = [s for s in normalize_scopes(scope) if s not in KNOWN_SCOPES]
        if invalid:
            return (
                "invalid_scope",
                f"Some requested scopes were invalid. {{invalid=[{', '.join(invalid)}]}}",
            )
        method = q.get("code_challenge_method")
        challenge = q.get("code_challenge")
        if method is not None and method not in ("S256", "plain"):
            return "invalid_request", "Invalid code_challenge_method value."
        if method is not None and not challenge:
            return "invalid_request", "Missing code_challenge"
        if challenge is not None and not _VERIFIER.match(challenge):
            return "invalid_request", "Invalid code_challenge value."
        access_type = q.get("access_type")
        if access_type is not None and access_type not in ("online", "offline"):
            return "invalid_request", f"Invalid access_type: {access_type}"
        prompt = q.get("prompt", "").split()
        if any(p not in ("none", "consent", "select_account") for p in prompt) or (
            "none" in prompt and len(prompt) > 1
        ):
            return "invalid_request", f"Invalid prompt: {q.get('prompt')}"
        return None

    async def approval(self, request: Request) -> Response:
        """The consent form's target: Allow issues a code, Cancel sends ``access_denied``."""
        form = await request.form()
        consent_id = str(form.get("consent_id", ""))
        action = str(form.get("action", ""))
        chosen = {str(v) for v in form.getlist("scope")}
        data = self.emu.data
        now = self.emu.clock.time()
        with self.emu.lock:
            consent = data.consents.pop(consent_id, None)
            if consent is None or consent.expires_at < now:
                return pages.error_page(
                    400, "invalid_request", "This sign-in request has expired. Start again."
                )
            base: dict[str, str] = {} if consent.state is None else {"state": consent.state}
            granted = [s for s in consent.scopes if s in chosen]
            if action != "allow" or not granted:
                params = {"error": "access_denied", **base}
                return RedirectResponse(with_query(consent.redirect_uri, params), status_code=302)
            active = [
                g
                for g in data.grants.values()
                if g.client_id == consent.client_id and not g.revoked
            ]
            if consent.include_granted_scopes:
                for grant in active:
                    granted += [s for s in grant.scopes if s not in granted]
            had_refresh = any(g.refresh_token for g in active)
            code = AuthCode(
                code=new_token("4/0A", 70),
                client_id=consent.client_id,
                redirect_uri=consent.redirect_uri,
                scopes=granted,
                code_challenge=consent.code_challenge,
                code_challenge_method=consent.code_challenge_method,
                offline=consent.offline,
                return_refresh=consent.offline and (not had_refresh or "consent" in consent.prompt),
                expires_at=now + CODE_LIFETIME,
            )
            data.codes[code.code] = code
            params = {
                **base,
                "code": code.code,
                "scope": " ".join(granted),
                "authuser": "0",
                "prompt": "consent",
            }
            return RedirectResponse(with_query(consent.redirect_uri, params), status_code=302)

    # -- token endpoint -----------------------------------------------------------------
    async def token(self, request: Request) -> Response:
        params = await _form_or_json(request)
        grant_type = params.get("grant_type")
        client_id = params.get("client_id")
        client_secret = params.get("client_secret")
        basic = _basic_credentials(request)
        if basic is not None:
            client_id, client_secret = basic
        with self.emu.lock:
            if not grant_type:
                return oauth_error(
                    400, "invalid_request", "Required parameter is missing: grant_type"
                )
            if not client_id:
                return oauth_error(
                    400, "invalid_request", "Could not determine client ID from request."
                )
            client = self.emu.data.clients.get(client_id)
            if client is None:
                return oauth_error(401, "invalid_client", "The OAuth client was not found.")
            if not client_secret:
                return oauth_error(400, "invalid_request", "client_secret is missing.")
            if client_secret != client.client_secret:
                return oauth_error(401, "invalid_client", "Unauthorized")
            if grant_type == "authorization_code":
                return self._exchange_code(params, client_id)
            if grant_type == "refresh_token":
                return self._refresh(params, client_id)
            return oauth_error(400, "unsupported_grant_type", f"Invalid grant_type: {grant_type}")

    def _exchange_code(self, params: dict[str, str], client_id: str) -> Response:
        data = self.emu.data
        now = self.emu.clock.time()
        raw = params.get("code")
        if not raw:
            return oauth_error(400, "invalid_request", "Missing required parameter: code")
        if not raw.startswith("4/"):
            return oauth_error(400, "invalid_grant", "Malformed auth code.")
        code = data.codes.get(raw)
        if code is None or code.used or code.expires_at < now or code.client_id != client_id:
            return oauth_error(400, "invalid_grant", "Bad Request")
        redirect_uri = params.get("redirect_uri")
        if not redirect_uri:
            return oauth_error(400, "invalid_request", "Missing parameter: redirect_uri")
        if redirect_uri != code.redirect_uri:
            return oauth_error(400, "redirect_uri_mismatch", "Bad Request")
        if code.code_challenge is not None:
            verifier = params.get("code_verifier")
            if not verifier:
                return oauth_error(400, "invalid_grant", "Missing code verifier.")
            expected = verifier if code.code_challenge_method == "plain" else s256(verifier)
            if not _VERIFIER.match(verifier) or expected != code.code_challenge:
                return oauth_error(400, "invalid_grant", "Invalid code verifier.")
        code.used = True
        grant = Grant(
            id=new_token("g", 24),
            client_id=client_id,
            scopes=list(code.scopes),
            refresh_token=new_token("1//0", 100) if code.return_refresh else None,
            issued_at=now,
        )
        data.grants[grant.id] = grant
        self._drop_oldest_refresh_tokens(client_id)
        body = self._access_token_body(grant)
        if grant.refresh_token is not None:
            body["refresh_token"] = grant.refresh_token
            if self.emu.data.clients[client_id].testing:
                body["refresh_token_expires_in"] = TESTING_REFRESH_LIFETIME - 1
        return _token_json(body)

    def _refresh(self, params: dict[str, str], client_id: str) -> Response:
        raw = params.get("refresh_token")
        if not raw:
            return oauth_error(400, "invalid_request", "Missing required parameter: refresh_token")
        grant = self.emu.data.grant_for_refresh(raw)
        expired = grant is not None and (
            self.emu.data.clients[grant.client_id].testing
            and self.emu.clock.time() >= grant.issued_at + TESTING_REFRESH_LIFETIME
        )
        if grant is None or grant.revoked or expired:
            return oauth_error(400, "invalid_grant", "Token has been expired or revoked.")
        if grant.client_id != client_id:
            return oauth_error(401, "unauthorized_client", "Unauthorized")
        return _token_json(self._access_token_body(grant))

    def _access_token_body(self, grant: Grant) -> dict[str, Any]:
        now = self.emu.clock.time()
        token = AccessToken(
            token=new_token("ya29.a0", 150),
            grant_id=grant.id,
            client_id=grant.client_id,
            scopes=list(grant.scopes),
            expires_at=now + ACCESS_TOKEN_LIFETIME,
        )
        self.emu.data.access_tokens[token.token] = token
        body: dict[str, Any] = {
            "access_token": token.token,
            "expires_in": ACCESS_TOKEN_LIFETIME - 1,
            "scope": " ".join(grant.scopes),
            "token_type": "Bearer",
        }
        if "openid" in grant.scopes:
            body["id_token"] = self._id_token(grant.client_id, now)
        return body

    def _id_token(self, client_id: str, now: float) -> str:
        user = self.emu.data.user
        header = {"alg": "RS256", "kid": "sandbox", "typ": "JWT"}
        claims = {
            "iss": "https://accounts.google.com",
            "azp": client_id,
            "aud": client_id,
            "sub": user.sub,
            "email": user.email,
            "email_verified": True,
            "iat": int(now),
            "exp": int(now) + ACCESS_TOKEN_LIFETIME,
        }
        parts = [_b64json(header), _b64json(claims), new_token("", 86)]
        return ".".join(parts)

    def _drop_oldest_refresh_tokens(self, client_id: str) -> None:
        live = [
            g
            for g in self.emu.data.grants.values()
            if g.client_id == client_id and g.refresh_token and not g.revoked
        ]
        for grant in sorted(live, key=lambda g: g.issued_at)[
            : max(0, len(live) - MAX_REFRESH_TOKENS)
        ]:
            self._revoke_grant(grant)

    # -- revocation ---------------------------------------------------------------------
    async def revoke(self, request: Request) -> Response:
        params = await _form_or_json(request)
        token = request.query_params.get("token") or params.get("token")
        if not token:
            return oauth_error(400, "invalid_request", "Bad Request")
        with self.emu.lock:
            data = self.emu.data
            grant = data.grant_for_refresh(token)
            access = data.access_tokens.get(token)
            if grant is None and access is not None:
                grant = data.grants.get(access.grant_id)
                if access.expires_at <= self.emu.clock.time():
                    grant = None
            if grant is None or grant.revoked:
                return oauth_error(400, "invalid_token", "Token expired or revoked")
            self._revoke_grant(grant)
        return _token_json({})

    def _revoke_grant(self, grant: Grant) -> None:
        """Revoking either token of a grant ends the whole grant (§5.1)."""
        grant.revoked = True
        for token in [t for t in self.emu.data.access_tokens.values() if t.grant_id == grant.id]:
            del self.emu.data.access_tokens[token.token]

    def revoke_all(self) -> int:
        """The user removes the app in their Google Account (control surface)."""
        grants = [g for g in self.emu.data.grants.values() if not g.revoked]
        for grant in grants:
            self._revoke_grant(grant)
        return len(grants)

    # -- bearer tokens ------------------------------------------------------------------
    def authenticate(self, request: Request, scopes: frozenset[str]) -> AccessToken:
        """The caller's access token, or the 401/403 Google would send (§5.5)."""
        header = request.headers.get("authorization", "")
        raw = ""
        if header:
            kind, _, value = header.partition(" ")
            if kind.lower() != "bearer" or not value.strip():
                raise invalid_credentials()
            raw = value.strip()
        else:
            raw = request.query_params.get("access_token") or request.query_params.get(
                "oauth_token", ""
            )
        if not raw:
            raise login_required()
        with self.emu.lock:
            token = self.emu.data.access_tokens.get(raw)
            if token is None or token.expires_at <= self.emu.clock.time():
                raise invalid_credentials()
            grant = self.emu.data.grants.get(token.grant_id)
            if grant is None or grant.revoked:
                raise invalid_credentials()
        if not scopes.intersection(token.scopes):
            raise insufficient_scopes()
        return token

    async def userinfo(self, request: Request) -> Response:
        try:
            self.authenticate(request, frozenset({"openid", *SCOPE_ALIASES.values()}))
        except ApiError as exc:
            return exc.response()
        user = self.emu.data.user
        first, _, last = user.name.partition(" ")
        return json_response(
            {
                "id": user.sub,
                "email": user.email,
                "verified_email": True,
                "name": user.name,
                "given_name": first,
                "family_name": last,
                "picture": f"{self.emu.base_url}/static/avatar.png",
                "locale": "en",
            }
        )


async def _form_or_json(request: Request) -> dict[str, str]:
    """The token endpoint takes form bodies (and, like Google, JSON ones)."""
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        try:
            payload = json.loads(await request.body() or b"{}")
        except ValueError:
            return {}
        return {str(k): str(v) for k, v in payload.items()} if isinstance(payload, dict) else {}
    if content_type.startswith("application/x-www-form-urlencoded"):
        form = await request.form()
        return {k: str(v) for k, v in form.items()}
    return {}


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip()).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None


def _b64json(value: dict[str, Any]) -> str:
    raw = json.dumps(value, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _token_json(body: dict[str, Any]) -> Response:
    return json_response(
        body,
        200,
        {"Cache-Control": "no-cache, no-store, max-age=0, must-revalidate", "Pragma": "no-cache"},
    )
