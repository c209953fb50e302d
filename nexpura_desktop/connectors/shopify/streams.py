"""The Shopify engine jobs, in the order "sync shopify" runs them.

* ``shopify.products.import`` — products/variants → ``inventory`` (:mod:`.jobs_import`);
* ``shopify.customers.import`` — customers → ``customers`` (email, then E.164 phone);
* ``shopify.orders.import`` — orders → ``sales`` + ``sale_items`` + stock movements;
* ``shopify.products.export`` — new/changed published items → products/variants
  (:mod:`.jobs_export_products`);
* ``shopify.customers.export`` — ledger customers → Shopify, merged field by field
  (:mod:`.jobs_export_customers`);
* ``shopify.inventory.export`` — ledger stock → Shopify, compare-and-set
  (:mod:`.jobs_export`).

Maintenance: ``shopify.orders.reconcile`` (daily by default, :mod:`.reconcile`).

Which of them run is the owner's per-entity choice in ``connections.config["directions"]``
(the engine filters by it).  Each job opens one client for its run and adds the HTTP
requests it made (retries included) to the run's count.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from ...engine.job import JobContext
from ...engine.registry import Registry
from ...http import new_client
from .client import ShopifyClient
from .jobs_export import export_stock
from .jobs_export_customers import export_customers
from .jobs_export_products import export_products
from .jobs_import import import_customers, import_orders, import_products
from .reconcile import SCHEDULE, reconcile_orders
from .settings import SettingsProvider, ShopifySettings, load_settings

Stream = Callable[[JobContext, ShopifyClient, ShopifySettings], Awaitable[None]]

JOBS: tuple[tuple[str, Stream, str], ...] = (
    ("shopify.products.import", import_products, "Shopify products and variants as stock items"),
    ("shopify.customers.import", import_customers, "Shopify customers, matched by email/phone"),
    ("shopify.orders.import", import_orders, "Shopify orders as sales, moving stock"),
    ("shopify.products.export", export_products, "published stock items as Shopify products"),
    ("shopify.customers.export", export_customers, "ledger customers to Shopify, merged"),
    ("shopify.inventory.export", export_stock, "ledger stock to Shopify, compare-and-set"),
)


@asynccontextmanager
async def open_client(ctx: JobContext, settings: ShopifySettings) -> AsyncIterator[ShopifyClient]:
    """The client for one run: counts requests on the run, stops on cancel."""
    async with new_client(transport=settings.transport, timeout=settings.timeout) as http:
        client = ShopifyClient(
            http,
            base_url=settings.base_url,
            token=settings.token,
            api_version=settings.api_version,
            limiter=settings.limiter,
            cancel=ctx.cancel_event,
            timeout=settings.timeout,
        )
        try:
            yield client
        finally:
            ctx.request(client.requests)


class ShopifyJob:
    """One stream run on its own event loop (the lane thread has none)."""

    def __init__(self, stream: Stream, settings: SettingsProvider) -> None:
        self._stream, self._settings = stream, settings

    def run(self, ctx: JobContext) -> None:
        async def go() -> None:
            settings = await self._settings(ctx.ledger)
            async with open_client(ctx, settings) as client:
                await self._stream(ctx, client, settings)

        asyncio.run(go())


def _factory(stream: Stream, settings: SettingsProvider) -> Callable[[], ShopifyJob]:
    return lambda: ShopifyJob(stream, settings)


def register(registry: Registry, *, settings: SettingsProvider | None = None) -> None:
    """Declare the Shopify jobs (``settings`` replaces the keyring/connection lookup)."""
    provider: SettingsProvider = settings or load_settings
    for name, stream, description in JOBS:
        registry.register(name, _factory(stream, provider), description=description)
    registry.register_maintenance(
        "shopify.orders.reconcile",
        _factory(reconcile_orders, provider),
        schedule=SCHEDULE,
        description="every Shopify order has a sale, incomplete ones retried, stock drift fixed",
    )
