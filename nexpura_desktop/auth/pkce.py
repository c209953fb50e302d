"""PKCE (RFC 7636) and ``state`` values: fresh for every sign-in attempt."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass


@dataclass(frozen=True)
class Pkce:
    verifier: str
    challenge: str
    method: str = "S256"


def new_pkce() -> Pkce:
    """A 64-character verifier from the unreserved set and its S256 challenge."""
    verifier = secrets.token_urlsafe(48)  # 64 chars of A-Z a-z 0-9 - _
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    return Pkce(verifier, challenge)


def new_state() -> str:
    return secrets.token_urlsafe(32)


def same_state(expected: str, received: str | None) -> bool:
    """Constant-time comparison, so timing never hints at the expected value."""
    if received is None:
        return False
    return hmac.compare_digest(expected.encode(), received.encode())
