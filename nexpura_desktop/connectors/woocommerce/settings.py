"""Where the WooCommerce jobs find their shop and keys.

The connect flow (:mod:`nexpura_desktop.auth.woocommerce`) stores ``store_url`` and
``directions`` in ``connections.config`` and the consumer key/secret in the keyring as
``woocommerce/consumer_key`` and ``woocommerce/consumer_secret``.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx

from ...auth.woocommerce import KEY_ITEM, SECRET_ITEM
from ...engine.errors import AuthExpired, ConfigurationError
from ...ledger import connections
from ...ledger.db import Ledger
from ...secrets import store_for_jobs
from ...sync.pacing import Pacer
from .client import AsyncSleeper

SERVICE = "woocommerce"


@dataclass(frozen=True)
class WooSettings:
    store_url: str
    consumer_key: str
    consumer_secret: str
    transport: httpx.AsyncBaseTransport | None = None  # tests / the in-process sandbox
    pacer: Callable[[], Pacer] | None = None  # tests: a pacer on a fake clock
    sleep: AsyncSleeper | None = None
    # The shop's "now" in epoch seconds (local clock; tests: the sandbox's clock).
    clock: Callable[[], float] = field(default=time.time)
    concurrency: int = 4  # requests in flight at once (a small site has a few PHP workers)


SettingsProvider = Callable[[Ledger], Awaitable[WooSettings]]


async def load_settings(ledger: Ledger) -> WooSettings:
    """The connected shop; one clear sentence when something is missing."""
    conn = connections.get(ledger.conn, SERVICE)
    if conn.status == "disconnected":
        raise ConfigurationError("WooCommerce is not connected")
    url = str(conn.config.get("store_url") or "")
    if not url:
        raise ConfigurationError("no WooCommerce shop address is set; connect WooCommerce again")
    store = store_for_jobs()
    key, secret = store.get(KEY_ITEM), store.get(SECRET_ITEM)
    if not key or not secret:
        raise AuthExpired("the WooCommerce API keys are missing from the keyring")
    return WooSettings(url, key, secret)
