"""The API's bearer token: made with ``secrets.token_urlsafe``, kept only in the keyring.

The token is never logged (the secret store registers it with the log redactor) and is
compared in constant time.  A token rotated by another process (``api token --rotate``
while the window serves the API) is picked up by re-reading the keyring when a request
does not match — at most once a second, so a flood of bad tokens cannot hammer it.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections.abc import Callable

from ..secrets import SecretStore

TOKEN_ITEM = "api/token"  # noqa: S105 - the keyring item's name, not a secret
TOKEN_BYTES = 32
REREAD_SECONDS = 1.0


def current_token(store: SecretStore) -> str | None:
    return store.get(TOKEN_ITEM) or None


def ensure_token(store: SecretStore) -> str:
    """The token, created on first use."""
    return current_token(store) or rotate_token(store)


def rotate_token(store: SecretStore) -> str:
    """A new token replaces the old one at once (the old one stops working)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    store.set(TOKEN_ITEM, token)
    return token


def bearer(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header (scheme case-insensitive)."""
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


class TokenGate:
    """Checks request tokens against the keyring's, caching it between requests."""

    def __init__(
        self,
        load: Callable[[], str | None],
        *,
        clock: Callable[[], float] = time.monotonic,
        reread_seconds: float = REREAD_SECONDS,
    ) -> None:
        self._load = load
        self._clock = clock
        self._reread = reread_seconds
        self._lock = threading.Lock()
        self._token: str | None = None
        self._read_at: float | None = None

    def _expected(self, *, fresh: bool) -> str | None:
        with self._lock:
            now = self._clock()
            stale = self._read_at is None or now - self._read_at >= self._reread
            if self._read_at is None or (fresh and stale):
                self._token = self._load()
                self._read_at = now
            return self._token

    def allows(self, header: str | None) -> bool:
        given = bearer(header)
        if given is None:
            return False
        expected = self._expected(fresh=False)
        if expected is not None and same(given, expected):
            return True
        expected = self._expected(fresh=True)  # rotated elsewhere since we last read it?
        return expected is not None and same(given, expected)
