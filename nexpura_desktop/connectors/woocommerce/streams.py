"""The WooCommerce engine jobs, in the order "sync woocommerce" runs them.

* ``woocommerce.products.import`` — products and variations → ``inventory``;
* ``woocommerce.customers.import`` — customers (content-hash change detection);
* ``woocommerce.orders.import`` — orders → ``sales`` + ``sale_items`` + stock movements;
* ``woocommerce.products.export`` — new/changed published items as products
  (:mod:`.jobs_products`);
* ``woocommerce.customers.export`` — the ledger's customer changes (:mod:`.jobs_customers`);
* ``woocommerce.inventory.export`` — ledger stock, keeping online sales (:mod:`.jobs_stock`).

Maintenance: ``woocommerce.orders.reconcile`` (daily by default, :mod:`.reconcile`).

(Imports in :mod:`.jobs_import`.)  Exports run after the imports, so an online sale is
in the ledger before stock goes out.  Which run is the owner's per-entity choice in
``connections.config["directions"]``; each job adds its HTTP requests to the run's count.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from ...engine.job import JobContext
from ...engine.registry import Registry
from .client import WooClient
from .jobs_customers import export_customers
from .jobs_import import import_orders, import_products
from .jobs_import_customers import import_customers
from .jobs_products import export_products
from .jobs_stock import export_stock
from .reconcile import SCHEDULE, reconcile_orders
from .settings import SettingsProvider, WooSettings, load_settings

Stream = Callable[[JobContext, WooClient, WooSettings], Awaitable[None]]

JOBS: tuple[tuple[str, Stream, str], ...] = (
    ("woocommerce.products.import", import_products, "WooCommerce products as stock items"),
    ("woocommerce.customers.import", import_customers, "WooCommerce customers, matched"),
    ("woocommerce.orders.import", import_orders, "WooCommerce orders as sales, moving stock"),
    ("woocommerce.products.export", export_products, "published items as WooCommerce products"),
    (
        "woocommerce.customers.export",
        export_customers,
        "the ledger's customer changes to WooCommerce",
    ),
    ("woocommerce.inventory.export", export_stock, "ledger stock to WooCommerce, keeping sales"),
)


class WooJob:
    """One stream run on its own event loop (the lane thread has none)."""

    def __init__(self, stream: Stream, settings: SettingsProvider) -> None:
        self._stream, self._settings = stream, settings

    def run(self, ctx: JobContext) -> None:
        async def go() -> None:
            s = await self._settings(ctx.ledger)
            client = WooClient(
                s.store_url,
                s.consumer_key,
                s.consumer_secret,
                transport=s.transport,
                pacer=s.pacer() if s.pacer is not None else None,
                cancel=ctx.cancel_event,
                sleep=s.sleep or asyncio.sleep,
                concurrency=s.concurrency,
                clock=s.clock,
            )
            try:
                async with client:
                    await self._stream(ctx, client, s)
            finally:
                ctx.request(client.requests)

        asyncio.run(go())


def _factory(stream: Stream, settings: SettingsProvider) -> Callable[[], WooJob]:
    return lambda: WooJob(stream, settings)


def register(registry: Registry, *, settings: SettingsProvider | None = None) -> None:
    """Declare the WooCommerce jobs (``settings`` replaces the keyring/connection lookup)."""
    provider: SettingsProvider = settings or load_settings
    for name, stream, description in JOBS:
        registry.register(name, _factory(stream, provider), description=description)
    registry.register_maintenance(
        "woocommerce.orders.reconcile",
        _factory(reconcile_orders, provider),
        schedule=SCHEDULE,
        description="every WooCommerce order has a sale; incomplete retried; stock drift fixed",
    )
