"""Connect WooCommerce: store URL plus a REST API key pair.

HTTPS sites get HTTP Basic; plain-HTTP sites ignore Basic, so requests are signed with
OAuth 1.0a (:mod:`.oauth1`).  ``system_status`` proves the key works; an empty batch
request (which changes nothing) tells a read-only key from a read/write one, and a
read-only key limits every direction to import.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from ..ledger import connections
from .context import (
    ConnectContext,
    ConnectError,
    ConnectResult,
    fail_for,
    json_body,
    network_error,
    remember,
)
from .oauth1 import OAuth1

SERVICE = "woocommerce"
LABEL = "WooCommerce"
KEY_ITEM = f"{SERVICE}/consumer_key"
SECRET_ITEM = f"{SERVICE}/consumer_secret"
DEFAULT_DIRECTIONS = {"products": "both", "customers": "both", "orders": "import",
                      "inventory": "export"}  # fmt: skip
_CK = re.compile(r"^ck_[0-9a-f]{40}$")
_CS = re.compile(r"^cs_[0-9a-f]{40}$")


@dataclass(frozen=True)
class WooOptions:
    url: str | None = None
    key: str | None = None
    secret: str | None = None
    directions: Mapping[str, str] | None = None


def normalise_store_url(text: str) -> str:
    raw = text.strip()
    if "://" not in raw:
        raw = f"https://{raw}"
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConnectError(f"{text!r} is not a web address; give the shop's address")
    path = parts.path.split("/wp-json", 1)[0].split("/wp-admin", 1)[0].rstrip("/")
    return f"{parts.scheme}://{parts.netloc}{path}"


def auth_for(store_url: str, key: str, secret: str) -> httpx.Auth:
    """Basic over HTTPS; OAuth 1.0a signatures over plain HTTP."""
    if store_url.startswith("https://"):
        return httpx.BasicAuth(key, secret)
    return OAuth1(key, secret)


async def connect_woocommerce(ctx: ConnectContext, options: WooOptions) -> ConnectResult:
    remember(options.key, options.secret)
    sandbox = ctx.endpoints.sandbox_credentials(SERVICE)
    url_text = options.url or sandbox.get("store_url")
    pair = dict(sandbox.get("read_write") or {})
    key = options.key or pair.get("consumer_key")
    secret = options.secret or pair.get("consumer_secret")
    if not url_text or not key or not secret:
        raise ConnectError("give the shop's address and the REST API key (--url, --key, --secret)")
    key, secret = key.strip(), secret.strip()
    if not _CK.match(key) or not _CS.match(secret):
        raise ConnectError(
            "a WooCommerce REST API key looks like ck_… and its secret cs_… (40 letters and "
            "digits each); create one under WooCommerce > Settings > Advanced > REST API"
        )
    store_url = normalise_store_url(url_text)
    api = f"{store_url}/wp-json/wc/v3"
    auth = auth_for(store_url, key, secret)
    async with ctx.client(auth=auth) as client:
        try:
            status = await client.get(f"{api}/system_status")
            if status.status_code == 401 and "read permission" in _message(status):
                raise ConnectError(
                    "that WooCommerce key is write-only; give it Read or Read/Write permission"
                )
            if status.status_code in (401, 403):
                raise ConnectError(
                    f"WooCommerce refused the key: {_message(status) or 'not allowed'}; check "
                    "the key and secret, and that the key's user is a shop manager"
                )
            if status.status_code == 404:
                raise ConnectError(
                    f"{store_url} does not answer like a WooCommerce shop (no REST API at "
                    "/wp-json/wc/v3); check the address and that permalinks are on"
                )
            if status.status_code != 200:
                raise fail_for(status, LABEL, "checking the shop")
            info = json_body(status, LABEL)
            probe = await client.post(f"{api}/products/batch", json={})
        except httpx.HTTPError as exc:
            raise network_error(exc, LABEL) from None
    read_only = probe.status_code == 401 and "write permission" in _message(probe)
    directions = dict(options.directions or _previous(ctx) or DEFAULT_DIRECTIONS)
    notes: list[str] = []
    if read_only:
        directions = {k: ("off" if v == "export" else "import" if v == "both" else v)
                      for k, v in directions.items()}  # fmt: skip
        notes.append(
            "this key is read-only, so Nexpura Desktop will only import from WooCommerce; "
            "give the key Read/Write permission to send changes to the shop"
        )
    environment = dict(info.get("environment") or {}) if isinstance(info, dict) else {}
    config: dict[str, Any] = {
        "store_url": store_url,
        "auth": "basic" if store_url.startswith("https://") else "oauth1",
        "permissions": "read" if read_only else "read_write",
        "directions": directions,
        "wc_version": environment.get("version"),
        "scopes": ["read"] if read_only else ["read", "write"],
    }
    account = urlsplit(store_url).netloc
    ctx.save(SERVICE, account=account, config=config,
             secrets={KEY_ITEM: key, SECRET_ITEM: secret})  # fmt: skip
    return ConnectResult(SERVICE, account, config, notes)


def _previous(ctx: ConnectContext) -> dict[str, str] | None:
    previous = connections.get(ctx.ledger.conn, SERVICE).config.get("directions")
    return dict(previous) if isinstance(previous, dict) else None


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    return str(body.get("message", "")) if isinstance(body, dict) else ""
