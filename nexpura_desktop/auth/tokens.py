"""Token lifecycle: refresh ahead of expiry, one refresh at a time, rotation-safe.

Rules from the field (reference/prior-art.md C2, service-apis.md §4.1):

* refresh ``leeway`` seconds before expiry, never after a 401 storm;
* at most one refresh per connection at a time across all threads, lanes and tasks — a
  second caller waits and then uses the token the first one got;
* a rotated refresh token is written to the keyring *before* the new access token is used,
  so a crash can never leave only the spent one behind;
* a refresh whose response was lost is retried with the same (previous) refresh token,
  which Xero honours for 30 minutes;
* ``invalid_grant`` marks the connection "reconnect needed" and keeps every credential.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from ..errors import UserError
from ..secrets import SecretStore

DEFAULT_LEEWAY_S = 120.0
LOST_RESPONSE_RETRIES = 3


class ReconnectNeeded(UserError):
    """The service no longer accepts our refresh token: the user must connect again."""


class InvalidGrant(Exception):
    """Raised by a refresh function when the token endpoint answers ``invalid_grant``."""


@dataclass(frozen=True)
class TokenSet:
    access_token: str
    refresh_token: str | None = None
    expires_at: float | None = None
    scope: str | None = None

    def valid(self, now: float, leeway: float = DEFAULT_LEEWAY_S) -> bool:
        return self.expires_at is None or now < self.expires_at - leeway

    @classmethod
    def from_response(
        cls, body: dict[str, Any], *, now: float, previous: TokenSet | None = None
    ) -> TokenSet:
        """A token endpoint's answer; keeps the old refresh token when none is returned
        (Google does not rotate, Xero does)."""
        access = body.get("access_token")
        if not isinstance(access, str) or not access:
            raise ValueError("the token response has no access_token")
        expires_in = body.get("expires_in")
        refresh = body.get("refresh_token") or (previous.refresh_token if previous else None)
        scope = body.get("scope") or (previous.scope if previous else None)
        return cls(
            access_token=access,
            refresh_token=str(refresh) if refresh else None,
            expires_at=now + float(expires_in) if expires_in is not None else None,
            scope=str(scope) if scope else None,
        )


class TokenStore:
    """One connection's tokens in the keyring, one item each."""

    def __init__(self, secrets: SecretStore, connection: str) -> None:
        self.secrets = secrets
        self.connection = connection

    def item(self, name: str) -> str:
        return f"{self.connection}/{name}"

    @property
    def items(self) -> list[str]:
        return [self.item(n) for n in ("refresh_token", "access_token", "token_meta")]

    def load(self) -> TokenSet | None:
        access = self.secrets.get(self.item("access_token"))
        if access is None:
            return None
        meta = self.secrets.get(self.item("token_meta")) or ""
        expires_at, _, scope = meta.partition("|")
        return TokenSet(
            access_token=access,
            refresh_token=self.secrets.get(self.item("refresh_token")),
            expires_at=float(expires_at) if expires_at else None,
            scope=scope or None,
        )

    def save(self, tokens: TokenSet) -> None:
        # Order matters: the refresh token first, so a crash between writes can only leave
        # a usable refresh token next to a stale access token, never the reverse.
        if tokens.refresh_token:
            self.secrets.set(self.item("refresh_token"), tokens.refresh_token)
        expires = "" if tokens.expires_at is None else repr(tokens.expires_at)
        self.secrets.set(self.item("token_meta"), f"{expires}|{tokens.scope or ''}")
        self.secrets.set(self.item("access_token"), tokens.access_token)

    def clear(self) -> None:
        for item in self.items:
            self.secrets.delete(item)


RefreshFunction = Callable[[str], Awaitable[dict[str, Any]]]

_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def _lock_for(key: str) -> threading.Lock:
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(key, threading.Lock())


class TokenManager:
    """Hands out a valid access token, refreshing at most once at a time per connection."""

    def __init__(
        self,
        store: TokenStore,
        refresh: RefreshFunction,
        *,
        on_reconnect_needed: Callable[[str], None] | None = None,
        on_refreshed: Callable[[TokenSet], None] | None = None,
        clock: Callable[[], float] = time.time,
        leeway: float = DEFAULT_LEEWAY_S,
        service_label: str = "the service",
    ) -> None:
        self.store = store
        self._refresh = refresh
        self._on_reconnect_needed = on_reconnect_needed
        self._on_refreshed = on_refreshed
        self._clock = clock
        self.leeway = leeway
        self.service_label = service_label
        self._lock = _lock_for(f"{store.secrets.service}:{store.connection}")
        self.refresh_count = 0

    async def access_token(self, *, force_refresh: bool = False) -> str:
        tokens = self.store.load()
        if tokens is None:
            raise ReconnectNeeded(f"{self.service_label} is not connected; connect it first")
        if not force_refresh and tokens.valid(self._clock(), self.leeway):
            return tokens.access_token
        stale = tokens.access_token
        await self._acquire()
        try:
            tokens = self.store.load()
            if tokens is None:
                raise ReconnectNeeded(f"{self.service_label} is not connected; connect it first")
            # Someone else refreshed while we waited: use theirs.
            if tokens.access_token != stale and tokens.valid(self._clock(), self.leeway):
                return tokens.access_token
            return (await self._do_refresh(tokens)).access_token
        finally:
            self._lock.release()

    async def refresh_now(self) -> TokenSet:
        """Refresh even if the token is still valid (keep-alive inside Xero's 60 days)."""
        await self._acquire()
        try:
            tokens = self.store.load()
            if tokens is None:
                raise ReconnectNeeded(f"{self.service_label} is not connected; connect it first")
            return await self._do_refresh(tokens)
        finally:
            self._lock.release()

    async def _acquire(self) -> None:
        # A threading lock (other lanes run on other threads) polled without blocking the
        # event loop this coroutine runs on.
        while not self._lock.acquire(blocking=False):
            await asyncio.sleep(0.005)

    async def _do_refresh(self, tokens: TokenSet) -> TokenSet:
        if not tokens.refresh_token:
            self._reconnect("the access token expired and there is no refresh token")
        assert tokens.refresh_token is not None
        last_error: Exception | None = None
        for _attempt in range(LOST_RESPONSE_RETRIES):
            try:
                body = await self._refresh(tokens.refresh_token)
            except InvalidGrant:
                self._reconnect(f"{self.service_label} no longer accepts the saved sign-in")
            except httpx.TransportError as exc:
                # The response may have been lost after the service rotated the token:
                # retrying with the same refresh token is what the grace window is for.
                last_error = exc
                continue
            self.refresh_count += 1
            fresh = TokenSet.from_response(body, now=self._clock(), previous=tokens)
            self.store.save(fresh)  # persisted before anyone uses the new access token
            if self._on_refreshed is not None:
                self._on_refreshed(fresh)
            return fresh
        raise UserError(
            f"could not reach {self.service_label} to renew the sign-in "
            f"({type(last_error).__name__}); will try again"
        )

    def _reconnect(self, reason: str) -> None:
        if self._on_reconnect_needed is not None:
            self._on_reconnect_needed(reason)
        raise ReconnectNeeded(f"{reason}; reconnect {self.service_label}")
