"""WP_Error bodies → the engine's error classes, each with one sentence for the owner.

Every WooCommerce error is ``{"code", "message", "data": {"status"}}`` (service-apis.md
§2.2).  What the owner can do decides the class: new keys or a fixed store URL
(``ConfigurationError``), reconnecting (``AuthExpired``), nothing but wait (``Transient``),
or look at one record (``RecordError``, the rest of the sync goes on).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ...engine.errors import AuthExpired, ConfigurationError, RecordError, SyncError, Transient

KEYS_PAGE = "WooCommerce › Settings › Advanced › REST API"
_TAGS = re.compile(r"<[^>]+>")


class OutcomeUnknown(Transient):
    """A write was sent but no usable answer came back: it may or may not have happened.

    Raised instead of blindly re-sending a create (WooCommerce does not stop duplicate
    SKUs under retries, prior-art C6); the caller looks the object up before trying again.
    """


class WooRecordError(RecordError):
    """A record-level WP_Error, keeping WooCommerce's ``code`` and HTTP status for callers."""

    def __init__(self, detail: str, *, code: str = "", status: int = 0) -> None:
        super().__init__(detail)
        self.code = code
        self.status = status


def wp_error_parts(body: Any) -> tuple[str, str]:
    """``(code, message)`` of a WP_Error body; empty strings when it is not one."""
    if isinstance(body, Mapping):
        code = str(body.get("code") or "")
        message = _TAGS.sub(" ", str(body.get("message") or "")).strip()
        return code, " ".join(message.split())
    return "", ""


def from_wp_error(status: int, body: Any) -> SyncError:
    """The classified error for a 4xx answer (5xx and 429 are retried before this)."""
    code, message = wp_error_parts(body)
    lowered = message.lower()
    said = f" (the shop said: {message.rstrip('.')})" if message else ""
    if status == 401 and "write permission" in lowered:
        return ConfigurationError(
            "this key is read-only, so the app cannot change anything in the shop; create a "
            f"Read/Write key under {KEYS_PAGE} and enter it here"
        )
    if status == 401 and "read permission" in lowered:
        return ConfigurationError(
            f"this key has no read permission; create a Read/Write key under {KEYS_PAGE}"
        )
    if status == 401 and "timestamp" in lowered:
        return ConfigurationError(
            "the shop refused the request because this computer's clock is wrong; set the "
            "date and time correctly and sync again"
        )
    if status == 401 and ("consumer key" in lowered or "consumer secret" in lowered):
        return AuthExpired("the shop no longer accepts this API key; it may have been revoked")
    if status == 401 and "signature" in lowered:
        return AuthExpired("the shop did not accept the key's signature; the secret may be wrong")
    if status in (401, 403) and code.startswith("woocommerce_rest_cannot"):
        return ConfigurationError(
            "the shop did not accept the API key for this request; check that the store URL "
            f"is right and that the key's user is a shop manager or administrator{said}"
        )
    if status in (401, 403):
        return ConfigurationError(f"the shop refused access{said}")
    if status == 404 and code == "rest_no_route":
        return ConfigurationError(
            "the store URL does not lead to the WooCommerce REST API (wc/v3); check the "
            "address and that WooCommerce is active"
        )
    if status == 404 and not code:
        return ConfigurationError(
            "the store URL does not lead to a WordPress site with WooCommerce; check the address"
        )
    detail = message.rstrip(".") or f"the shop answered HTTP {status}"
    if code:
        detail = f"{detail} ({code})"
    return WooRecordError(detail, code=code, status=status)
