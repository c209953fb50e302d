"""Where the audience sync finds its key, audience and schedule.

The connect flow stores the API key in the keyring as ``mailchimp/api_key`` and the
non-secret choices in ``connections.config``: ``audience_id``, ``auto_sync`` and, for the
sandbox, ``api_base_url``.  The scheduler only reads ``config["schedule"]``, so
:func:`apply_auto_sync` turns the owner's ``auto_sync`` toggle into that schedule.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from ...engine.errors import AuthExpired, ConfigurationError
from ...ledger import connections
from ...ledger.db import Ledger
from ...secrets import store_for_jobs
from ...sync.cursors import reset_cursors
from .. import auto_sync as _auto
from ..auto_sync import auto_sync_minutes as auto_sync_minutes
from ..auto_sync import schedule_text as schedule_text

API_KEY_ITEM = "mailchimp/api_key"
AUDIENCE_KEY = "audience_id"
AUDIENCE_NAME_KEY = "audience_name"
BASE_URL_KEY = "api_base_url"
AUTO_SYNC_MINUTES = 60  # Nexpura does not say how often; hourly is gentle on a 10-conn cap


@dataclass(frozen=True)
class MailchimpSettings:
    api_key: str
    audience_id: str
    base_url: str | None = None
    transport: httpx.AsyncBaseTransport | None = None  # tests / the in-process sandbox
    max_connections: int = 10


SettingsProvider = Callable[[Ledger], MailchimpSettings]


def load_settings(
    ledger: Ledger, *, api_key: Callable[[], str | None] | None = None
) -> MailchimpSettings:
    """The connected audience and key; one clear sentence when something is missing."""
    conn = connections.get(ledger.conn, "mailchimp")
    if conn.status == "disconnected":
        raise ConfigurationError("Mailchimp is not connected")
    audience = str(conn.config.get(AUDIENCE_KEY) or "").strip()
    if not audience:
        raise ConfigurationError("no Mailchimp audience is chosen; paste the Audience ID")
    key = api_key() if api_key is not None else store_for_jobs().get(API_KEY_ITEM)
    if not key:
        raise AuthExpired("the Mailchimp API key is missing from the keyring")
    base = conn.config.get(BASE_URL_KEY)
    return MailchimpSettings(key, audience, str(base) if base else None)


def schedule_for(auto_sync: bool, minutes: int = AUTO_SYNC_MINUTES) -> dict[str, Any]:
    """The engine schedule meaning "auto sync on/off" (hourly unless told)."""
    return _auto.schedule_for(auto_sync, minutes)


def apply_auto_sync(
    conn: sqlite3.Connection, auto_sync: bool, *, minutes: int = AUTO_SYNC_MINUTES
) -> None:
    """Store the toggle and the schedule the scheduler reads, together."""
    _auto.apply_auto_sync(conn, "mailchimp", auto_sync, minutes)


def set_audience(conn: sqlite3.Connection, audience_id: str, name: str | None = None) -> bool:
    """Point the sync at another audience; ``True`` when it changed.

    The watermarks belong to the old audience (what was pushed, which exits were pulled),
    so they are forgotten: the next run sends every consenting customer to the new one.
    """
    audience_id = audience_id.strip()
    if not audience_id:
        raise ValueError("choose an audience")
    config = connections.get(conn, "mailchimp").config
    changed = str(config.get(AUDIENCE_KEY) or "") != audience_id
    connections.update_config(
        conn, "mailchimp", **{AUDIENCE_KEY: audience_id, AUDIENCE_NAME_KEY: name or audience_id}
    )
    if changed:
        reset_cursors(conn, "mailchimp")
    return changed
