"""The ``connections`` table: one row per service, its status and non-secret settings.

Secrets are never stored here: ``secrets`` lists the *names* of the keyring items that
hold them, so the app knows what to clear on disconnect.  A failed refresh marks the row
"reconnect needed" (status ``error``) and keeps everything else — credentials are never
deleted automatically (reference/prior-art.md C2).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

SERVICES = ("shopify", "woocommerce", "mailchimp", "xero", "google_calendar", "twilio")
RECONNECT_PREFIX = "reconnect needed"


@dataclass
class Connection:
    service: str
    status: str
    account: str | None = None
    config: dict[str, Any] = field(default_factory=dict)
    secrets: list[str] = field(default_factory=list)
    last_error: str | None = None
    last_sync_at: str | None = None
    connected_at: str | None = None

    @property
    def reconnect_needed(self) -> bool:
        return self.status == "error" and (self.last_error or "").startswith(RECONNECT_PREFIX)

    def status_json(self) -> dict[str, Any]:
        """The entry of ``status --json`` (no secret ever appears in config)."""
        return {
            "service": self.service,
            "status": self.status,
            "account": self.account,
            "scopes": list(self.config.get("scopes", [])),
            "token_expires_at": self.config.get("token_expires_at"),
            "last_sync_at": self.last_sync_at,
            "last_error": self.last_error,
        }


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _check(service: str) -> str:
    if service not in SERVICES:
        raise ValueError(f"unknown service {service!r}; one of {', '.join(SERVICES)}")
    return service


def _row(row: sqlite3.Row | tuple[Any, ...]) -> Connection:
    return Connection(
        service=str(row[0]),
        status=str(row[1]),
        account=row[2],
        config=json.loads(row[3] or "{}"),
        secrets=json.loads(row[4] or "[]"),
        last_error=row[5],
        last_sync_at=row[6],
        connected_at=row[7],
    )


_COLUMNS = "service, status, account, config, secrets, last_error, last_sync_at, connected_at"


def get(conn: sqlite3.Connection, service: str) -> Connection:
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM connections WHERE service = ?", (_check(service),)
    ).fetchone()
    return _row(row)


def all_connections(conn: sqlite3.Connection) -> list[Connection]:
    rows = conn.execute(f"SELECT {_COLUMNS} FROM connections").fetchall()
    found = {r[0]: _row(r) for r in rows}
    return [found[s] for s in SERVICES if s in found]


def save_connected(
    conn: sqlite3.Connection,
    service: str,
    *,
    account: str | None,
    config: dict[str, Any],
    secrets: list[str],
) -> Connection:
    now = _now()
    conn.execute(
        "UPDATE connections SET status = 'connected', account = ?, config = ?, secrets = ?, "
        "last_error = NULL, connected_at = ?, updated_at = ? WHERE service = ?",
        (account, json.dumps(config), json.dumps(secrets), now, now, _check(service)),
    )
    return get(conn, service)


def update_config(conn: sqlite3.Connection, service: str, **changes: Any) -> Connection:
    current = get(conn, service)
    current.config.update(changes)
    conn.execute(
        "UPDATE connections SET config = ?, updated_at = ? WHERE service = ?",
        (json.dumps(current.config), _now(), service),
    )
    return get(conn, service)


def set_status(
    conn: sqlite3.Connection, service: str, status: str, last_error: str | None = None
) -> None:
    conn.execute(
        "UPDATE connections SET status = ?, last_error = ?, updated_at = ? WHERE service = ?",
        (status, last_error, _now(), _check(service)),
    )


def mark_reconnect_needed(conn: sqlite3.Connection, service: str, reason: str) -> None:
    set_status(conn, service, "error", f"{RECONNECT_PREFIX}: {reason}")


def mark_disconnected(conn: sqlite3.Connection, service: str) -> None:
    """Keep the row for the record; forget secrets' names and per-connection tokens' data."""
    current = get(conn, service)
    config = {k: v for k, v in current.config.items() if k not in ("token_expires_at",)}
    conn.execute(
        "UPDATE connections SET status = 'disconnected', secrets = '[]', config = ?, "
        "last_error = NULL, updated_at = ? WHERE service = ?",
        (json.dumps(config), _now(), service),
    )


def record_sync(conn: sqlite3.Connection, service: str, when: str | None = None) -> None:
    conn.execute(
        "UPDATE connections SET last_sync_at = ?, updated_at = ? WHERE service = ?",
        (when or _now(), _now(), _check(service)),
    )
