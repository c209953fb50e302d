"""The API's settings in ``app_settings``: on/off, port, extra host names, public URL.

Nothing secret is stored here (the token is in the keyring, see :mod:`.tokens`).  The bind
address is not a setting at all: the API listens on 127.0.0.1 only, and
:func:`check_bind_host` refuses anything else so no code path can expose it by mistake.
"""

from __future__ import annotations

import ipaddress
import json
import re
import sqlite3
from dataclasses import dataclass
from typing import Any

from ..errors import UserError

LOOPBACK = "127.0.0.1"
DEFAULT_PORT = 8765
KEY_ENABLED = "api.enabled"
KEY_PORT = "api.port"
KEY_HOSTS = "api.allowed_hosts"  # extra Host names, for a reverse proxy in front of us
KEY_PUBLIC_URL = "api.public_url"  # the URL Twilio calls, when that is a proxy's
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
_HOST_NAME = re.compile(r"^[A-Za-z0-9.-]{1,253}$")


class ApiConfigError(UserError):
    """A setting of the local API is not usable (one sentence, for the owner)."""


@dataclass(frozen=True)
class ApiConfig:
    enabled: bool = False
    port: int = DEFAULT_PORT
    allowed_hosts: tuple[str, ...] = ()
    public_url: str | None = None

    @property
    def hosts(self) -> tuple[str, ...]:
        """Every Host header name accepted: the loopback names and the configured extras."""
        return (*LOCAL_HOSTS, *self.allowed_hosts)


def check_port(port: Any, *, allow_ephemeral: bool = False) -> int:
    """A TCP port number (0 = any free port, only where ``allow_ephemeral``)."""
    if isinstance(port, bool) or not isinstance(port, int):
        try:
            port = int(str(port).strip())
        except ValueError:
            raise ApiConfigError(f"the API port must be a number, not {port!r}") from None
    low = 0 if allow_ephemeral else 1
    if not low <= port <= 65535:
        raise ApiConfigError(f"the API port must be between 1 and 65535, not {port}")
    return int(port)


def check_bind_host(host: str) -> str:
    """Only 127.0.0.1: the API is never bound to a network interface."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if address is None or str(address) != LOOPBACK:
        raise ApiConfigError(
            f"the local API listens on {LOOPBACK} only, not {host!r}; to reach it from "
            "another machine put a reverse proxy in front of it"
        )
    return LOOPBACK


def check_host_name(name: str) -> str:
    cleaned = name.strip().lower()
    if not _HOST_NAME.match(cleaned):
        raise ApiConfigError(f"{name!r} is not a host name")
    return cleaned


def _get(conn: sqlite3.Connection, key: str) -> Any:
    row = conn.execute("SELECT value FROM app_settings WHERE key = ?", (key,)).fetchone()
    return None if row is None else json.loads(row[0])


def _put(conn: sqlite3.Connection, key: str, value: Any) -> None:
    conn.execute(
        "INSERT INTO app_settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE "
        "SET value = excluded.value, updated_at = strftime('%Y-%m-%dT%H:%M:%f+00:00','now')",
        (key, json.dumps(value)),
    )


def load(conn: sqlite3.Connection) -> ApiConfig:
    """The saved settings; a damaged value falls back to its default (never fails)."""
    try:
        port = check_port(_get(conn, KEY_PORT) or DEFAULT_PORT)
    except ApiConfigError:
        port = DEFAULT_PORT
    raw_hosts = _get(conn, KEY_HOSTS)
    hosts: list[str] = []
    for item in raw_hosts if isinstance(raw_hosts, list) else []:
        try:
            hosts.append(check_host_name(str(item)))
        except ApiConfigError:
            continue
    public = _get(conn, KEY_PUBLIC_URL)
    return ApiConfig(
        enabled=_get(conn, KEY_ENABLED) is True,
        port=port,
        allowed_hosts=tuple(hosts),
        public_url=str(public) if isinstance(public, str) and public else None,
    )


def save(conn: sqlite3.Connection, config: ApiConfig) -> None:
    """Store ``config`` after checking it (a bad value raises and stores nothing)."""
    port = check_port(config.port)
    hosts = [check_host_name(h) for h in config.allowed_hosts]
    public = config.public_url
    if public is not None and not public.startswith(("http://", "https://")):
        raise ApiConfigError(f"the public URL must start with http:// or https://, not {public!r}")
    _put(conn, KEY_ENABLED, bool(config.enabled))
    _put(conn, KEY_PORT, port)
    _put(conn, KEY_HOSTS, hosts)
    _put(conn, KEY_PUBLIC_URL, public)
