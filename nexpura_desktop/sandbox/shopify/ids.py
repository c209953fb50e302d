"""Shopify's identifier, cursor and timestamp formats.

Global ids look like ``gid://shopify/Product/8000000001``; cursors are opaque base64 of a
small JSON object (``last_id``/``last_value``), like the real ones; ``DateTime`` values are
ISO 8601 in UTC with second precision and a ``Z``.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import UTC, datetime
from typing import Any

GID_RE = re.compile(r"^gid://shopify/(?P<kind>[A-Za-z]+)/(?P<num>\d+)(?:\?.*)?$")


def gid(kind: str, number: int) -> str:
    return f"gid://shopify/{kind}/{number}"


def parse_gid(value: Any, kind: str | None = None) -> int | None:
    """The numeric id in a gid (``None`` if it is not a gid of ``kind``)."""
    if not isinstance(value, str):
        return None
    match = GID_RE.match(value)
    if match is None or (kind is not None and match.group("kind") != kind):
        return None
    return int(match.group("num"))


def gid_kind(value: str) -> str | None:
    match = GID_RE.match(value)
    return match.group("kind") if match else None


def iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return datetime.fromtimestamp(int(ts), tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(value: str) -> float | None:
    """ISO 8601 date or date-time (``Z`` or offset; naive means UTC) as epoch seconds."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def encode_cursor(last_id: int, last_value: Any) -> str:
    raw = json.dumps({"last_id": last_id, "last_value": last_value}, separators=(",", ":"))
    return base64.b64encode(raw.encode()).decode()


def decode_cursor(cursor: str) -> tuple[int, Any] | None:
    try:
        data = json.loads(base64.b64decode(cursor.encode(), validate=True))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("last_id"), int):
        return None
    return data["last_id"], data.get("last_value")
