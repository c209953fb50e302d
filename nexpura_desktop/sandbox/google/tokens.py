"""Opaque page and sync tokens (base64url JSON, so they survive a restart of a test only).

A sync token names a calendar, the token generation (bumped by the control surface to
expire every token, §5.3) and the change counter at the time of the full sync.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from .errors import ApiError


def _encode(prefix: str, payload: dict[str, Any]) -> str:
    raw = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    return prefix + base64.urlsafe_b64encode(raw).decode("ascii")


def _decode(prefix: str, token: str) -> dict[str, Any] | None:
    if not token.startswith(prefix):
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(token[len(prefix) :].encode("ascii")))
    except (ValueError, binascii.Error, UnicodeEncodeError):
        return None
    return payload if isinstance(payload, dict) else None


def page_token(kind: str, offset: int, snapshot: int) -> str:
    return _encode("EjQK", {"k": kind, "o": offset, "s": snapshot})


def read_page_token(kind: str, token: str) -> tuple[int, int]:
    """(offset, snapshot) or 400 for a token that is not one of ours."""
    payload = _decode("EjQK", token)
    if (
        payload is None
        or payload.get("k") != kind
        or not isinstance(payload.get("o"), int)
        or not isinstance(payload.get("s"), int)
    ):
        raise ApiError(
            400, "invalid", "Invalid Value", location="pageToken", location_type="parameter"
        )
    return payload["o"], payload["s"]


def sync_token(scope: str, generation: int, seq: int) -> str:
    return _encode("CP", {"c": scope, "g": generation, "s": seq})


def full_sync_required() -> ApiError:
    """410 ``fullSyncRequired`` for an expired or invalid sync token (§5.3)."""
    return ApiError(
        410,
        "fullSyncRequired",
        "Sync token is no longer valid, a full sync is required.",
        domain="calendar",
    )


def read_sync_token(scope: str, generation: int, token: str) -> int:
    payload = _decode("CP", token)
    if (
        payload is None
        or payload.get("c") != scope
        or payload.get("g") != generation
        or not isinstance(payload.get("s"), int)
    ):
        raise full_sync_required()
    seq: int = payload["s"]
    return seq
