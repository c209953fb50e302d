"""Where the notification jobs find Twilio: the connection's config and the keyring.

The connect flow (:mod:`nexpura_desktop.auth.twilio`) stores ``account_sid``, ``auth``
(``auth_token`` | ``api_key``), ``api_key_sid`` and the senders ``whatsapp_from`` /
``sms_from`` (a number or a Messaging Service) in ``connections.config``; the secret is in
the keyring as ``twilio/auth_token`` or ``twilio/api_key_secret``.  A sandbox connection
also carries the sandbox's base URL (``api_base_url``) in the config.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx

from ...auth.twilio import KEY_SECRET_ITEM, TOKEN_ITEM
from ...engine.errors import AuthExpired, ConfigurationError
from ...ledger import connections
from ...ledger.db import Ledger
from ...secrets import store_for_jobs

DEFAULT_MPS = {"sms": 1.0, "whatsapp": 80.0}  # Twilio's usual per-sender rates [MEM]


@dataclass(frozen=True)
class TwilioSettings:
    account_sid: str
    username: str
    password: str
    whatsapp_from: str | None
    sms_from: str | None
    base_url: str = "https://api.twilio.com"
    content_base_url: str = "https://content.twilio.com"
    transport: httpx.AsyncBaseTransport | None = None
    mps: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_MPS))
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    sandbox_url: str | None = None  # resolved to the sandbox's Twilio base URL when opened


SettingsProvider = Callable[[Ledger], TwilioSettings]


def load_settings(ledger: Ledger) -> TwilioSettings:
    conn = connections.get(ledger.conn, "twilio")
    if conn.status == "disconnected":
        raise ConfigurationError("Twilio is not connected")
    cfg = conn.config
    sid = str(cfg.get("account_sid") or "")
    using_key = cfg.get("auth") == "api_key"
    secret = store_for_jobs().get(KEY_SECRET_ITEM if using_key else TOKEN_ITEM)
    if not secret:
        raise AuthExpired("the Twilio token is missing from the keyring; connect Twilio again")
    base = str(cfg.get("api_base_url") or "https://api.twilio.com")
    mps = dict(DEFAULT_MPS)
    mps.update({str(k): float(v) for k, v in dict(cfg.get("mps") or {}).items()})
    return TwilioSettings(
        account_sid=sid,
        username=str(cfg.get("api_key_sid")) if using_key else sid,
        password=secret,
        whatsapp_from=cfg.get("whatsapp_from"),
        sms_from=cfg.get("sms_from"),
        base_url=base,
        content_base_url=str(
            cfg.get("content_base_url") or cfg.get("api_base_url") or "https://content.twilio.com"
        ),
        mps=mps,
        sandbox_url=str(cfg["sandbox"]) if cfg.get("sandbox") else None,
    )
