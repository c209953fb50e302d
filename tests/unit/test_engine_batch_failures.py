"""A failed import ends its service's batch: later jobs would work from a partial picture of
the shop (found by the e-commerce fault test: WooCommerce orders read while the products
import had been throttled became incomplete sales that the next sync did not mend)."""

from __future__ import annotations

from pathlib import Path

from nexpura_desktop.engine.errors import Throttled, Transient
from nexpura_desktop.engine.job import JobContext
from nexpura_desktop.engine.registry import Registry
from nexpura_desktop.engine.run_due import run_sync
from nexpura_desktop.engine.summary import sync_summary_json

from .engine_fakes import job, make_ledger, rows


def test_a_failed_import_skips_the_rest_of_the_batch_until_the_next_sync(tmp_path: Path) -> None:
    path = make_ledger(tmp_path, "shopify")
    ran: list[str] = []
    throttled = [True]

    def products(ctx: JobContext) -> None:
        ran.append("products")
        if throttled[0]:
            raise Throttled("429 for a minute")

    registry = Registry()
    registry.register("shopify.products.import", job(products))
    registry.register("shopify.orders.import", job(lambda ctx: ran.append("orders")))
    registry.register("shopify.inventory.export", job(lambda ctx: ran.append("stock")))

    (first,) = run_sync(path, registry, "shopify")
    assert ran == ["products"]
    assert [(r.job, r.outcome) for r in first.runs] == [
        ("shopify.products.import", "failed"),
        ("shopify.orders.import", "skipped"),
        ("shopify.inventory.export", "skipped"),
    ]
    assert first.outcome == "failed"
    assert sync_summary_json(first)["outcome"] == "failed"
    assert "products import did not finish" in str(first.runs[1].message)
    recorded = rows(path, "SELECT job, outcome FROM sync_runs ORDER BY id")
    assert recorded == [(r.job, r.outcome) for r in first.runs]

    throttled[0] = False
    (second,) = run_sync(path, registry, "shopify")
    assert ran == ["products", "products", "orders", "stock"]
    assert second.outcome == "success"


def test_a_failed_export_does_not_hold_back_the_jobs_after_it(tmp_path: Path) -> None:
    path = make_ledger(tmp_path, "shopify")
    ran: list[str] = []

    def customers(ctx: JobContext) -> None:
        ran.append("customers")
        raise Transient("503")

    registry = Registry()
    registry.register("shopify.customers.export", job(customers))
    registry.register("shopify.inventory.export", job(lambda ctx: ran.append("stock")))

    (result,) = run_sync(path, registry, "shopify")
    assert ran == ["customers", "stock"]
    assert [r.outcome for r in result.runs] == ["failed", "success"]
    assert result.outcome == "partial"
