"""Who may call the shop: the app registration, access tokens, codes and refresh tokens.

Token kinds (service-apis §1.1/§1.2): the legacy custom-app token ``shpat_…`` never
expires; OAuth offline tokens never expire unless requested with ``expiring=1`` (then 1 h,
plus a refresh token that rotates on every use); online tokens last ~24 h; the
client-credentials grant gives a ~24 h token.  All lifetimes run on the sandbox clock.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from urllib.parse import urlencode

ONLINE_SECONDS = 86399
CLIENT_CREDENTIALS_SECONDS = 86399
EXPIRING_SECONDS = 3600
REFRESH_SECONDS = 90 * 86400  # [?] in service-apis §9 q1: configurable via seed "app"
CODE_SECONDS = 600
DEFAULT_SCOPES = (
    "read_products,write_products,read_inventory,write_inventory,read_locations,"
    "read_customers,write_customers,read_orders"
)


@dataclass
class App:
    """The app registration the shop knows (client id/secret, redirect allow-list)."""

    client_id: str = "5e1f0c1b2a3d4c5b6a7988776655aa01"
    client_secret: str = "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"  # noqa: S105 - sandbox-only
    redirect_uris: list[str] = field(
        default_factory=lambda: ["https://app.nexpura.example/shopify/callback"]
    )
    scopes: str = DEFAULT_SCOPES
    client_credentials: bool = True
    refresh_seconds: int = REFRESH_SECONDS

    def scope_set(self) -> frozenset[str]:
        return frozenset(s.strip() for s in self.scopes.split(",") if s.strip())


@dataclass
class Grant:
    token: str
    app_key: str
    scopes: frozenset[str]
    kind: str  # custom_app | offline | online | client_credentials
    expires_at: float | None = None


@dataclass
class Code:
    code: str
    scopes: frozenset[str]
    online: bool
    expires_at: float


@dataclass
class Refresh:
    token: str
    scopes: frozenset[str]
    expires_at: float


def sign(params: dict[str, str], secret: str) -> str:
    """Shopify's callback HMAC: hex SHA-256 over the sorted query without ``hmac``."""
    message = urlencode(sorted((k, v) for k, v in params.items() if k not in ("hmac", "signature")))
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


class Tokens:
    """Access tokens, authorization codes and refresh tokens of the one app."""

    def __init__(self, admin_token: str, admin_scopes: frozenset[str]) -> None:
        self.grants: dict[str, Grant] = {
            admin_token: Grant(admin_token, "custom-app", admin_scopes, "custom_app")
        }
        self.codes: dict[str, Code] = {}
        self.refresh: dict[str, Refresh] = {}

    def lookup(self, token: str | None, now: float) -> Grant | None:
        grant = self.grants.get(token or "")
        if grant is None or (grant.expires_at is not None and now >= grant.expires_at):
            return None
        return grant

    def issue(
        self, app: App, scopes: frozenset[str], kind: str, now: float, lifetime: int | None
    ) -> Grant:
        prefix = "shpua_" if kind == "online" else "shpat_"
        token = prefix + secrets.token_hex(16)
        grant = Grant(
            token, app.client_id, scopes, kind, None if lifetime is None else now + lifetime
        )
        self.grants[token] = grant
        return grant

    def new_code(self, scopes: frozenset[str], online: bool, now: float) -> str:
        code = secrets.token_hex(16)
        self.codes[code] = Code(code, scopes, online, now + CODE_SECONDS)
        return code

    def take_code(self, code: str, now: float) -> Code | None:
        found = self.codes.pop(code, None)
        return found if found is not None and now < found.expires_at else None

    def new_refresh(self, app: App, scopes: frozenset[str], now: float) -> Refresh:
        refresh = Refresh("shprt_" + secrets.token_hex(16), scopes, now + app.refresh_seconds)
        self.refresh[refresh.token] = refresh
        return refresh

    def take_refresh(self, token: str, now: float) -> Refresh | None:
        found = self.refresh.pop(token, None)  # rotation: a refresh token works once
        return found if found is not None and now < found.expires_at else None
