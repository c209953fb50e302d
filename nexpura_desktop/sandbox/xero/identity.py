"""Xero identity: app registrations, authorisation codes, rotating tokens and connections.

Pure state and rules (no HTTP): :mod:`.identity_routes` turns :class:`OAuthError` into the
bodies Xero sends.  Facts followed (reference/service-apis.md §4.1, §4.2, §7.2): PKCE apps
have no secret; redirect URIs match exactly; access tokens live 30 minutes; refresh tokens
rotate, the previous one keeps working for a 30-minute grace period (and returns the same
new pair), an unused refresh token dies after 60 days; revoking a refresh token removes
the connections made with it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ACCESS_TOKEN_SECONDS = 30 * 60
REFRESH_TOKEN_SECONDS = 60 * 24 * 3600
REFRESH_GRACE_SECONDS = 30 * 60
CODE_SECONDS = 5 * 60
ISSUER = "https://identity.xero.com"

IDENTITY_SCOPES = frozenset({"openid", "profile", "email", "offline_access"})
API_SCOPES = frozenset(
    {
        "accounting.invoices",
        "accounting.invoices.read",
        "accounting.payments",
        "accounting.payments.read",
        "accounting.contacts",
        "accounting.contacts.read",
        "accounting.settings",
        "accounting.settings.read",
        "accounting.transactions",
        "accounting.transactions.read",
        "accounting.attachments",
        "accounting.attachments.read",
        "accounting.reports.profitandloss.read",
        "accounting.reports.balancesheet.read",
    }
)
# Apps registered on/after 2 March 2026 may not ask for the broad scopes (§4.1).
RETIRED_FOR_NEW_APPS = frozenset({"accounting.transactions", "accounting.transactions.read"})


class OAuthError(Exception):
    """An OAuth refusal: ``error`` is the RFC 6749 code Xero puts in the body/redirect."""

    def __init__(self, error: str, description: str = "", status: int = 400) -> None:
        super().__init__(f"{error}: {description}" if description else error)
        self.error = error
        self.description = description
        self.status = status


@dataclass
class Client:
    client_id: str
    name: str
    redirect_uris: list[str]
    secret: str | None = None  # None: an "Auth Code with PKCE" app
    new_granular_app: bool = True

    @property
    def is_pkce(self) -> bool:
        return self.secret is None


@dataclass
class AuthRequest:
    """A pending authorisation: what the authorize page was asked (and later, its code)."""

    client_id: str
    redirect_uri: str
    scopes: list[str]
    state: str | None
    code_challenge: str | None
    code_challenge_method: str | None


@dataclass
class Code:
    request: AuthRequest
    grant_id: str
    issued_at: float
    used: bool = False


@dataclass
class Grant:
    """One authorisation event: the user's consent, its connections and its tokens."""

    grant_id: str
    auth_event_id: str
    client_id: str
    user_id: str
    scopes: list[str]
    revoked: bool = False


@dataclass
class AccessToken:
    token: str
    grant_id: str
    expires_at: float


@dataclass
class RefreshToken:
    token: str
    grant_id: str
    last_used: float
    rotated_at: float | None = None
    successor: dict[str, Any] | None = None  # the token response its rotation produced


@dataclass
class Connection:
    id: str
    tenant_id: str
    tenant_name: str
    auth_event_id: str
    client_id: str
    user_id: str
    created: float
    updated: float


@dataclass
class IdentityState:
    clients: dict[str, Client] = field(default_factory=dict)
    codes: dict[str, Code] = field(default_factory=dict)
    grants: dict[str, Grant] = field(default_factory=dict)
    access_tokens: dict[str, AccessToken] = field(default_factory=dict)
    refresh_tokens: dict[str, RefreshToken] = field(default_factory=dict)
    connections: dict[str, Connection] = field(default_factory=dict)
    user_id: str = "d1a2b3c4-0000-4000-8000-00000000a11c"

    # -- authorize ------------------------------------------------------------------------
    def check_authorize(self, params: dict[str, str]) -> AuthRequest:
        """Validate an authorize request; errors before the redirect is trusted say so."""
        client = self.clients.get(params.get("client_id", ""))
        if client is None:
            raise OAuthError("unauthorized_client", "Unknown client or client not enabled")
        redirect_uri = params.get("redirect_uri", "")
        if redirect_uri not in client.redirect_uris:
            raise OAuthError("unauthorized_client", "Invalid redirect_uri")
        request = AuthRequest(
            client_id=client.client_id,
            redirect_uri=redirect_uri,
            scopes=params.get("scope", "").split(),
            state=params.get("state"),
            code_challenge=params.get("code_challenge"),
            code_challenge_method=params.get("code_challenge_method"),
        )
        return request

    def check_request_redirectable(self, request: AuthRequest, response_type: str) -> None:
        """Errors Xero reports to the (trusted) redirect URI as ``?error=…``."""
        client = self.clients[request.client_id]
        if response_type != "code":
            raise OAuthError("unsupported_response_type")
        if not request.scopes:
            raise OAuthError("invalid_scope", "No scopes requested")
        for scope in request.scopes:
            if scope not in IDENTITY_SCOPES | API_SCOPES:
                raise OAuthError("invalid_scope", f"Unknown scope {scope}")
            if client.new_granular_app and scope in RETIRED_FOR_NEW_APPS:
                raise OAuthError("invalid_scope", f"{scope} is not available to new apps")
        if client.is_pkce or request.code_challenge is not None:
            if not request.code_challenge:
                raise OAuthError("invalid_request", "code_challenge is required")
            if request.code_challenge_method != "S256":
                raise OAuthError("invalid_request", "code_challenge_method must be S256")

    def approve(self, request: AuthRequest, tenants: list[tuple[str, str]], now: float) -> str:
        """The user clicked Allow access: connect ``tenants`` and issue a code."""
        grant = Grant(
            grant_id=new_id(),
            auth_event_id=new_id(),
            client_id=request.client_id,
            user_id=self.user_id,
            scopes=list(request.scopes),
        )
        self.grants[grant.grant_id] = grant
        for tenant_id, tenant_name in tenants:
            existing = next(
                (
                    c
                    for c in self.connections.values()
                    if c.tenant_id == tenant_id
                    and c.client_id == grant.client_id
                    and c.user_id == grant.user_id
                ),
                None,
            )
            if existing is not None:
                existing.auth_event_id = grant.auth_event_id
                existing.updated = now
                continue
            conn = Connection(
                id=new_id(),
                tenant_id=tenant_id,
                tenant_name=tenant_name,
                auth_event_id=grant.auth_event_id,
                client_id=grant.client_id,
                user_id=grant.user_id,
                created=now,
                updated=now,
            )
            self.connections[conn.id] = conn
        code = secrets.token_urlsafe(32)
        self.codes[code] = Code(request=request, grant_id=grant.grant_id, issued_at=now)
        return code

    # -- token endpoint -------------------------------------------------------------------
    def authenticate_client(self, client_id: str, secret: str | None) -> Client:
        client = self.clients.get(client_id)
        if client is None:
            raise OAuthError("invalid_client")
        if client.secret is not None and not (
            secret is not None and secrets.compare_digest(secret, client.secret)
        ):
            raise OAuthError("invalid_client")
        return client

    def exchange_code(
        self, client: Client, form: dict[str, str], now: float, render: Callable[[Grant], str]
    ) -> dict[str, Any]:
        code = self.codes.get(form.get("code", ""))
        if code is None or code.used or now - code.issued_at > CODE_SECONDS:
            raise OAuthError("invalid_grant")
        if code.request.client_id != client.client_id:
            raise OAuthError("invalid_grant")
        if form.get("redirect_uri", "") != code.request.redirect_uri:
            raise OAuthError("invalid_grant")
        if code.request.code_challenge is not None:
            verifier = form.get("code_verifier", "")
            if not valid_verifier(verifier) or s256(verifier) != code.request.code_challenge:
                raise OAuthError("invalid_grant")
        code.used = True
        return self._issue(self.grants[code.grant_id], now, render)

    def refresh(
        self, client: Client, form: dict[str, str], now: float, render: Callable[[Grant], str]
    ) -> dict[str, Any]:
        held = self.refresh_tokens.get(form.get("refresh_token", ""))
        if held is None:
            raise OAuthError("invalid_grant")
        grant = self.grants[held.grant_id]
        if grant.revoked or grant.client_id != client.client_id:
            raise OAuthError("invalid_grant")
        if held.rotated_at is not None:
            if now - held.rotated_at > REFRESH_GRACE_SECONDS or held.successor is None:
                raise OAuthError("invalid_grant")
            return dict(held.successor)  # the grace period: the same new pair again
        if now - held.last_used > REFRESH_TOKEN_SECONDS:
            raise OAuthError("invalid_grant")
        response = self._issue(grant, now, render)
        held.rotated_at = now
        held.successor = dict(response)
        return response

    def _issue(self, grant: Grant, now: float, render: Callable[[Grant], str]) -> dict[str, Any]:
        access = jwt_like(
            {
                "iss": ISSUER,
                "exp": int(now + ACCESS_TOKEN_SECONDS),
                "nbf": int(now),
                "client_id": grant.client_id,
                "xero_userid": grant.user_id,
                "authentication_event_id": grant.auth_event_id,
                "jti": new_id(),
                "scope": grant.scopes,
            }
        )
        self.access_tokens[access] = AccessToken(access, grant.grant_id, now + ACCESS_TOKEN_SECONDS)
        response: dict[str, Any] = {
            "access_token": access,
            "expires_in": ACCESS_TOKEN_SECONDS,
            "token_type": "Bearer",
            "scope": " ".join(grant.scopes),
        }
        if "openid" in grant.scopes:
            response["id_token"] = render(grant)
        if "offline_access" in grant.scopes:
            refresh = secrets.token_hex(32)
            self.refresh_tokens[refresh] = RefreshToken(refresh, grant.grant_id, last_used=now)
            response["refresh_token"] = refresh
        return response

    def revoke(self, client: Client, token: str) -> None:
        """Revoke a refresh token: its grant, tokens and connections go (§4.1)."""
        held = self.refresh_tokens.get(token)
        if held is None:
            return  # RFC 7009: unknown tokens are not an error
        grant = self.grants[held.grant_id]
        if grant.client_id != client.client_id:
            raise OAuthError("invalid_client")
        grant.revoked = True
        for key in [k for k, t in self.refresh_tokens.items() if t.grant_id == grant.grant_id]:
            del self.refresh_tokens[key]
        for key in [k for k, t in self.access_tokens.items() if t.grant_id == grant.grant_id]:
            del self.access_tokens[key]
        for key in [
            k for k, c in self.connections.items() if c.auth_event_id == grant.auth_event_id
        ]:
            del self.connections[key]

    # -- bearer tokens --------------------------------------------------------------------
    def bearer(self, token: str, now: float) -> tuple[Grant, AccessToken]:
        """The grant behind a bearer token; ``OAuthError`` with a 401 ``Detail`` otherwise."""
        held = self.access_tokens.get(token)
        if held is None or self.grants[held.grant_id].revoked:
            raise OAuthError("invalid_token", "AuthenticationUnsuccessful", status=401)
        if now >= held.expires_at:
            raise OAuthError("invalid_token", "TokenExpired", status=401)
        return self.grants[held.grant_id], held

    def connections_for(self, grant: Grant) -> list[Connection]:
        return sorted(
            (
                c
                for c in self.connections.values()
                if c.client_id == grant.client_id and c.user_id == grant.user_id
            ),
            key=lambda c: c.created,  # stable: ties keep the order they were made in
        )


def new_id() -> str:
    return str(uuid.uuid4())


def valid_verifier(verifier: str) -> bool:
    allowed = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
    return 43 <= len(verifier) <= 128 and set(verifier) <= allowed


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def jwt_like(claims: dict[str, Any]) -> str:
    """An opaque token shaped like Xero's RS256 JWTs (clients must not parse it)."""
    header = _b64(json.dumps({"alg": "RS256", "kid": "sandbox", "typ": "JWT"}).encode())
    payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
    return f"{header}.{payload}.{_b64(secrets.token_bytes(64))}"
