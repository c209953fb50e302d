"""The Google emulator's in-memory world: one user, OAuth clients/grants, calendars, events.

Every event and calendar change takes the next value of one change counter (``seq``); sync
tokens name a counter value, so "what changed since the token" is a filter (§5.3).
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass, field
from typing import Any

BASE32HEX = "0123456789abcdefghijklmnopqrstuv"
CALENDAR_SCOPE = "https://www.googleapis.com/auth/calendar"

DEFAULT_CLIENT_ID = "148201539112-nexpurasandboxdesktop0a1b2c3d4e5f.apps.googleusercontent.com"
DEFAULT_CLIENT_SECRET = "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"  # noqa: S105 - sandbox only
DEFAULT_USER_EMAIL = "owner.sandbox@gmail.com"


def new_id(length: int = 26) -> str:
    """Google-style event/calendar id: base32hex characters (§5.2)."""
    return "".join(secrets.choice(BASE32HEX) for _ in range(length))


def new_token(prefix: str, length: int = 80) -> str:
    alphabet = string.ascii_letters + string.digits + "-_"
    return prefix + "".join(secrets.choice(alphabet) for _ in range(length))


@dataclass
class Client:
    client_id: str
    client_secret: str
    type: str = "desktop"  # "desktop" (any loopback port) or "web" (exact redirect URIs)
    redirect_uris: list[str] = field(default_factory=list)
    name: str = "Nexpura Desktop"
    testing: bool = False  # "Testing" publishing status: refresh tokens live 7 days (§5.1)


@dataclass
class User:
    email: str = DEFAULT_USER_EMAIL
    name: str = "Shop Owner"
    time_zone: str = "Europe/London"
    sub: str = "104729561832507413920"


@dataclass
class Consent:
    """An authorize request waiting for the person to press Allow or Deny."""

    id: str
    client_id: str
    redirect_uri: str
    scopes: list[str]
    state: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    offline: bool
    prompt: list[str]
    include_granted_scopes: bool
    expires_at: float


@dataclass
class AuthCode:
    code: str
    client_id: str
    redirect_uri: str
    scopes: list[str]
    code_challenge: str | None
    code_challenge_method: str | None
    offline: bool
    return_refresh: bool
    expires_at: float
    used: bool = False


@dataclass
class Grant:
    """One authorization (a refresh token and its access tokens)."""

    id: str
    client_id: str
    scopes: list[str]
    refresh_token: str | None
    issued_at: float
    revoked: bool = False


@dataclass
class AccessToken:
    token: str
    grant_id: str
    client_id: str
    scopes: list[str]
    expires_at: float


@dataclass
class Calendar:
    id: str
    summary: str
    time_zone: str
    primary: bool = False
    description: str | None = None
    location: str | None = None
    access_role: str = "owner"
    app_created: bool = False
    color_id: str = "14"
    seq: int = 0
    updated: float = 0.0
    deleted: bool = False


@dataclass
class Event:
    """An event: the client-writable ``fields`` plus the server-maintained metadata."""

    calendar_id: str
    id: str
    fields: dict[str, Any]
    created: float
    updated: float
    seq: int
    created_order: int
    sequence: int = 0
    ical_uid: str = ""
    deleted: bool = False
    deleted_at: float | None = None
    creator_email: str = ""
    start_at: float = 0.0  # cached instants of start/end for time-window filters
    end_at: float = 0.0


@dataclass
class GoogleState:
    user: User = field(default_factory=User)
    clients: dict[str, Client] = field(default_factory=dict)
    consents: dict[str, Consent] = field(default_factory=dict)
    codes: dict[str, AuthCode] = field(default_factory=dict)
    grants: dict[str, Grant] = field(default_factory=dict)
    access_tokens: dict[str, AccessToken] = field(default_factory=dict)
    calendars: dict[str, Calendar] = field(default_factory=dict)
    events: dict[str, dict[str, Event]] = field(default_factory=dict)
    seq: int = 1
    sync_generation: int = 1
    created_counter: int = 0

    def next_seq(self) -> int:
        self.seq += 1
        return self.seq

    def primary(self) -> Calendar:
        for cal in self.calendars.values():
            if cal.primary:
                return cal
        raise LookupError("the user has no primary calendar")

    def calendar(self, calendar_id: str) -> Calendar | None:
        cal = self.primary() if calendar_id == "primary" else self.calendars.get(calendar_id)
        return None if cal is None or cal.deleted else cal

    def grant_for_refresh(self, refresh_token: str) -> Grant | None:
        for grant in self.grants.values():
            if grant.refresh_token == refresh_token:
                return grant
        return None
