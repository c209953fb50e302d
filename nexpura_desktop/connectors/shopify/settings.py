"""Where the Shopify jobs find their shop, token and API version.

The connect flow (:mod:`nexpura_desktop.auth.shopify`) stores ``shop``, ``api_version``
and ``directions`` in ``connections.config`` (plus ``sandbox`` when connected to the
sandbox) and the tokens in the keyring; the token is read through the connection's
:class:`~nexpura_desktop.auth.tokens.TokenManager` so an expiring one is renewed.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx

from ...auth.context import ConnectContext
from ...auth.endpoints import load_endpoints
from ...auth.service_tokens import token_manager
from ...engine.errors import ConfigurationError
from ...ledger import connections
from ...ledger.db import Ledger
from ...secrets import store_for_jobs
from .client import DEFAULT_API_VERSION, TokenSource
from .limiter import CostLimiter

SERVICE = "shopify"


@dataclass(frozen=True)
class ShopifySettings:
    base_url: str
    token: TokenSource
    api_version: str = DEFAULT_API_VERSION
    transport: httpx.AsyncBaseTransport | None = None  # tests / the in-process sandbox
    limiter: CostLimiter | None = None  # tests: a limiter on the sandbox's clock
    timeout: float = 30.0
    # Shopify's "now" in epoch seconds (the local clock; tests: the sandbox's clock).
    clock: Callable[[], float] = field(default=time.time)


SettingsProvider = Callable[[Ledger], Awaitable[ShopifySettings]]


async def load_settings(ledger: Ledger) -> ShopifySettings:
    """The connected shop; one clear sentence when something is missing."""
    conn = connections.get(ledger.conn, SERVICE)
    if conn.status == "disconnected":
        raise ConfigurationError("Shopify is not connected")
    shop = str(conn.config.get("shop") or "")
    if not shop:
        raise ConfigurationError("no Shopify shop is set; connect Shopify again")
    sandbox = conn.config.get("sandbox")
    endpoints = await load_endpoints(str(sandbox) if sandbox else None)
    context = ConnectContext(ledger=ledger, secrets=store_for_jobs(), endpoints=endpoints)
    manager = token_manager(context, SERVICE)
    return ShopifySettings(
        base_url=endpoints.shopify_base(shop),
        token=manager.access_token,
        api_version=str(conn.config.get("api_version") or DEFAULT_API_VERSION),
    )
