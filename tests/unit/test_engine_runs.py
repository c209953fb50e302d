"""The engine: lanes, runs, cancel, crash recovery, counts, issues and error sentences."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from nexpura_desktop.engine import runs
from nexpura_desktop.engine.engine import Engine, EngineListener
from nexpura_desktop.engine.errors import (
    AuthExpired,
    ConfigurationError,
    Throttled,
    UnknownSync,
)
from nexpura_desktop.engine.job import JobContext
from nexpura_desktop.engine.registry import Registry
from nexpura_desktop.engine.run_due import run_sync
from nexpura_desktop.engine.runs import RunSummary
from nexpura_desktop.engine.summary import sync_summary_json
from nexpura_desktop.ledger import connections
from nexpura_desktop.ledger.db import Ledger
from nexpura_desktop.sync import issues

from .engine_fakes import WAIT, Gate, job, make_ledger, paged_import, rows

PAGES = [["a1", "a2"], ["b1", "b2"], ["c1", "c2"]]


@pytest.fixture
def engines() -> Iterator[list[Engine]]:
    made: list[Engine] = []
    yield made
    for engine in made:
        assert engine.shutdown(WAIT)


class Recorder(EngineListener):
    def __init__(self) -> None:
        self.started: list[RunSummary] = []
        self.finished: list[RunSummary] = []
        self.progress_calls: list[tuple[str, str, str, int, int | None]] = []
        self.threads: set[str] = set()

    def run_started(self, run: RunSummary) -> None:
        self.threads.add(threading.current_thread().name)
        self.started.append(run)

    def progress(self, service: str, job: str, label: str, done: int, total: int | None) -> None:
        self.progress_calls.append((service, job, label, done, total))

    def run_finished(self, run: RunSummary) -> None:
        self.finished.append(run)


def test_a_sync_runs_off_the_callers_thread_and_records_its_run(
    tmp_path: Path, engines: list[Engine]
) -> None:
    path = make_ledger(tmp_path, "shopify")
    registry = Registry()
    registry.register("shopify.items.import", job(paged_import(PAGES)))
    engine = Engine(path, registry)
    engines.append(engine)
    recorder = Recorder()
    engine.subscribe(recorder)

    [sub] = engine.sync_now("shopify")
    [run] = sub.wait(WAIT)

    assert sub.accepted
    assert recorder.threads == {"lane-shopify"} != {threading.current_thread().name}
    assert run.outcome == "success" and run.trigger == "manual"
    assert run.counts.created == 6 and run.requests == 3 and run.finished_at is not None
    assert [r.id for r in recorder.started] == [run.id] == [r.id for r in recorder.finished]
    assert recorder.progress_calls[-1] == ("shopify", "shopify.items.import", "pages", 3, 3)
    assert rows(path, "SELECT COUNT(*) FROM fake_items") == [(6,)]
    assert rows(path, "SELECT value FROM sync_cursors") == [("3",)]
    assert connections.get(Ledger(path).conn, "shopify").last_sync_at == run.finished_at
    # A second sync resumes from the cursor: nothing left to do.
    [again] = engine.sync_now("shopify")[0].wait(WAIT)
    assert (
        again.counts.as_dict()
        == {"created": 0, "updated": 0, "unchanged": 0, "skipped": 0, "failed": 0}
        and again.requests == 0
    )


def test_one_service_is_serial_and_different_services_run_side_by_side(
    tmp_path: Path, engines: list[Engine]
) -> None:
    path = make_ledger(tmp_path, "shopify", "woocommerce")
    shop_gate, woo_gate = Gate(), Gate()
    registry = Registry()
    registry.register("shopify.items.import", job(shop_gate.arrive))
    registry.register("woocommerce.items.import", job(woo_gate.arrive))
    engine = Engine(path, registry)
    engines.append(engine)

    [shop] = engine.sync_now("shopify")
    shop_gate.wait_reached()
    # Shopify is held inside its job, yet WooCommerce reaches its own job: side by side.
    [woo] = engine.sync_now("woocommerce")
    woo_gate.wait_reached()
    assert shop_gate.thread is not woo_gate.thread
    # A second Shopify sync while the first runs is refused, not queued.
    [dup] = engine.sync_now("shopify")
    assert not dup.accepted and dup.message == "Shopify is already syncing"
    assert dup.wait(WAIT) == []
    assert engine.busy("shopify") and engine.busy("woocommerce")
    shop_gate.release.set()
    woo_gate.release.set()
    assert [r.outcome for r in shop.wait(WAIT) + woo.wait(WAIT)] == ["success", "success"]
    assert rows(path, "SELECT COUNT(*) FROM sync_runs") == [(2,)]


def test_jobs_of_one_service_run_in_order_one_at_a_time(
    tmp_path: Path, engines: list[Engine]
) -> None:
    path = make_ledger(tmp_path, "shopify")
    active: list[str] = []
    log: list[str] = []
    lock = threading.Lock()

    def step(name: str) -> object:
        def body(ctx: JobContext) -> None:
            with lock:
                active.append(name)
                log.append(f"{name}:{len(active)}")
            with lock:
                active.remove(name)

        return job(body)

    registry = Registry()
    for entity in ("products", "customers", "orders"):
        registry.register(f"shopify.{entity}.import", step(entity))  # type: ignore[arg-type]
    registry.register("shopify.products.export", step("push"))  # type: ignore[arg-type]
    engine = Engine(path, registry)
    engines.append(engine)
    runs_ = engine.sync_now("shopify")[0].wait(WAIT)
    assert log == ["products:1", "customers:1", "orders:1", "push:1"]
    assert [r.job for r in runs_] == [
        "shopify.products.import",
        "shopify.customers.import",
        "shopify.orders.import",
        "shopify.products.export",
    ]
    only = engine.sync_now("shopify", entity="products", direction="import")[0].wait(WAIT)
    assert [r.job for r in only] == ["shopify.products.import"]


def test_cancel_mid_job_keeps_committed_pages_and_records_cancelled(
    tmp_path: Path, engines: list[Engine]
) -> None:
    path = make_ledger(tmp_path, "shopify")
    gate = Gate()
    registry = Registry()
    registry.register(
        "shopify.items.import",
        job(paged_import(PAGES, after_page=lambda n, ctx: gate.arrive() if n == 2 else None)),
    )
    registry.register("shopify.other.import", job(lambda ctx: None))
    engine = Engine(path, registry)
    engines.append(engine)

    [sub] = engine.sync_now("shopify")
    gate.wait_reached()
    assert engine.cancel("shopify") == ["shopify"]
    gate.release.set()
    results = sub.wait(WAIT)

    assert [r.outcome for r in results] == ["cancelled"]  # the next job never started
    assert "cancelled" in (results[0].message or "")
    assert results[0].counts.created == 4
    assert rows(path, "SELECT id FROM fake_items ORDER BY id") == [
        ("a1",),
        ("a2",),
        ("b1",),
        ("b2",),
    ]
    assert rows(path, "SELECT value FROM sync_cursors") == [("2",)]
    # The next sync carries on from the committed page.
    [done, _] = engine.sync_now("shopify")[0].wait(WAIT)
    assert done.outcome == "success" and done.counts.created == 2


def test_a_job_failing_inside_a_transaction_leaves_nothing_half_written(
    tmp_path: Path, engines: list[Engine]
) -> None:
    path = make_ledger(tmp_path, "shopify")

    def body(ctx: JobContext) -> None:
        ctx.ledger.conn.execute("BEGIN IMMEDIATE")  # a job that forgot its context manager
        ctx.ledger.conn.execute("INSERT INTO fake_items VALUES ('x', 'X')")
        raise RuntimeError("boom")

    registry = Registry()
    registry.register("shopify.items.import", job(body))
    engine = Engine(path, registry)
    engines.append(engine)
    [run] = engine.sync_now("shopify")[0].wait(WAIT)
    assert run.outcome == "failed"
    assert run.message == (
        "Shopify sync failed unexpectedly (RuntimeError); the details are in the log file."
    )
    assert rows(path, "SELECT COUNT(*) FROM fake_items") == [(0,)]


def test_a_run_cut_short_by_a_crash_is_closed_at_the_next_start(tmp_path: Path) -> None:
    path = make_ledger(tmp_path, "shopify")
    with Ledger(path) as ledger:
        from datetime import UTC, datetime

        stale = runs.start_run(
            ledger.conn, "shopify", "shopify.items.import", "manual", now=datetime.now(UTC)
        )
    engine = Engine(path, Registry())
    engine.shutdown()
    with Ledger(path) as ledger:
        run = runs.get_run(ledger.conn, stale)
    assert run.outcome == "failed" and run.finished_at is not None
    assert run.message == runs.INTERRUPTED


def test_an_open_run_of_a_live_lane_is_not_closed_by_another_start(
    tmp_path: Path, engines: list[Engine]
) -> None:
    path = make_ledger(tmp_path, "shopify")
    gate = Gate()
    registry = Registry()
    registry.register("shopify.items.import", job(gate.arrive))
    first = Engine(path, registry)
    engines.append(first)
    [sub] = first.sync_now("shopify")
    gate.wait_reached()
    # Another process (here: a second engine) starting up must leave that run alone,
    # and its own sync of the same service is skipped with a reason.
    second = Engine(path, registry)
    engines.append(second)
    [other] = second.sync_now("shopify")[0].wait(WAIT)
    assert other.outcome == "skipped"
    assert other.message is not None and "another Nexpura Desktop process" in other.message
    gate.release.set()
    [run] = sub.wait(WAIT)
    assert run.outcome == "success"


def test_counts_issues_and_partial_outcome_and_retry(tmp_path: Path, engines: list[Engine]) -> None:
    path = make_ledger(tmp_path, "shopify")
    broken = {"r2"}
    seen_retries: list[list[str]] = []

    def body(ctx: JobContext) -> None:
        seen_retries.append([str(i.remote_id) for i in ctx.issues_to_retry()])
        for remote in ("r1", "r2", "r3"):
            if remote in broken:
                ctx.record_issue("the product has no SKU", remote_id=remote)
            else:
                ctx.count("created")
                ctx.resolve_issue(remote_id=remote)
        ctx.count("skipped")

    registry = Registry()
    registry.register("shopify.products.import", job(body))
    engine = Engine(path, registry)
    engines.append(engine)

    [first] = engine.sync_now("shopify")[0].wait(WAIT)
    assert first.outcome == "partial" and first.issues == 1
    assert first.counts.as_dict() == {
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "skipped": 1,
        "failed": 1,
    }
    assert "1 failed (see Activity › Issues)" in (first.message or "")
    [second] = engine.sync_now("shopify")[0].wait(WAIT)
    with Ledger(path) as ledger:
        [issue] = issues.list_open(ledger.conn, "shopify")
    assert (
        issue.attempts == 2
        and issue.run_id == second.id
        and issue.reason == ("the product has no SKU")
    )
    broken.clear()  # the owner fixed the product; Retry runs the job again
    [retried] = engine.retry_issue(issue.id).wait(WAIT)
    assert seen_retries[-1] == ["r2"]
    assert retried.outcome == "success" and retried.trigger == "manual"
    with Ledger(path) as ledger:
        assert issues.list_open(ledger.conn, "shopify") == []
        fixed = issues.get(ledger.conn, issue.id)
    assert fixed is not None and fixed.state == "resolved"
    summary = sync_summary_json(first)
    assert summary == {
        "service": "shopify",
        "outcome": "partial",
        "counts": {"created": 2, "updated": 0, "unchanged": 0, "skipped": 1, "failed": 1},
        "requests": 0,
        "duration_s": first.duration_s,
        "issues": 1,
    }


def test_errors_become_one_sentence_and_auth_expiry_asks_to_reconnect(
    tmp_path: Path, engines: list[Engine]
) -> None:
    path = make_ledger(tmp_path, "shopify", "woocommerce")
    after: list[str] = []

    def expired(ctx: JobContext) -> None:
        raise AuthExpired("the access token was revoked")

    def bad_config(ctx: JobContext) -> None:
        raise ConfigurationError("the store URL does not answer as a WooCommerce shop")

    registry = Registry()
    registry.register("shopify.products.import", job(expired))
    registry.register("shopify.orders.import", job(lambda ctx: after.append("ran")))
    registry.register("woocommerce.products.import", job(bad_config))
    engine = Engine(path, registry)
    engines.append(engine)

    shop, woo = engine.sync_now("all")
    [s] = shop.wait(WAIT)
    [w] = woo.wait(WAIT)
    assert after == []  # nothing else of Shopify was attempted with dead credentials
    assert s.outcome == "failed" and s.message == (
        "Shopify needs you to reconnect (the access token was revoked): "
        "open Integrations and click Reconnect."
    )
    assert w.message == (
        "WooCommerce needs attention: the store URL does not answer as a WooCommerce shop. "
        "Fix it under Integrations › WooCommerce."
    )
    with Ledger(path) as ledger:
        assert connections.get(ledger.conn, "shopify").reconnect_needed
        assert connections.get(ledger.conn, "woocommerce").status == "error"


def test_throttled_sentence_names_the_resume_time() -> None:
    from datetime import UTC, datetime

    when = datetime(2025, 3, 1, 9, 30, 5, tzinfo=UTC)
    text = Throttled("wait", resume_at=when).sentence("xero")
    assert text == (
        "Xero is limiting requests (throttled); the sync will resume at "
        f"{when.astimezone():%H:%M:%S}."
    )


def test_unknown_and_unconnected_services_are_one_line_errors(
    tmp_path: Path, engines: list[Engine]
) -> None:
    path = make_ledger(tmp_path, "shopify", config={"directions": {"orders": "off"}})
    registry = Registry()
    registry.register("shopify.orders.import", job(lambda ctx: None))
    registry.register("shopify.products.import", job(lambda ctx: None))
    registry.register("xero.invoices.export", job(lambda ctx: None))
    engine = Engine(path, registry)
    engines.append(engine)
    with pytest.raises(UnknownSync, match="nothing to sync for 'mailchimp'"):
        engine.sync_now("mailchimp")
    with pytest.raises(UnknownSync, match=r"^Xero is not connected; connect it under"):
        engine.sync_now("xero")
    with pytest.raises(UnknownSync, match=r"^Shopify has no orders sync turned on$"):
        engine.sync_now("shopify", entity="orders")
    # "all" covers only connected services, and directions turned off are left out.
    [sub] = engine.sync_now("all")
    assert sub.service == "shopify" and sub.jobs == ("shopify.products.import",)
    sub.wait(WAIT)


def test_shutdown_cancels_and_joins_running_lanes(tmp_path: Path) -> None:
    path = make_ledger(tmp_path, "shopify")
    started = threading.Event()

    def body(ctx: JobContext) -> None:
        started.set()
        while not ctx.cancelled():
            ctx.cancel_event.wait(0.01)
        ctx.raise_if_cancelled()

    registry = Registry()
    registry.register("shopify.items.import", job(body))
    engine = Engine(path, registry)
    [sub] = engine.sync_now("shopify")
    assert started.wait(WAIT)
    assert engine.shutdown(WAIT)
    assert [r.outcome for r in sub.wait(0)] == ["cancelled"]
    from nexpura_desktop.engine.lanes import LaneClosed

    with pytest.raises(LaneClosed):
        engine.sync_now("shopify")


def test_run_sync_returns_one_summary_per_service_with_progress(tmp_path: Path) -> None:
    path = make_ledger(tmp_path, "shopify", "woocommerce")
    registry = Registry()
    registry.register("shopify.items.import", job(paged_import(PAGES)))
    registry.register("shopify.items.export", job(lambda ctx: ctx.count("updated", 2)))
    registry.register("woocommerce.items.import", job(paged_import([["w1", "w2"]])))
    seen: list[tuple[str, int, int | None]] = []
    results = run_sync(path, registry, "all", progress=lambda *a: seen.append(a))
    assert [sync_summary_json(r) | {"duration_s": 0} for r in results] == [
        {
            "service": "shopify",
            "outcome": "success",
            "counts": {"created": 6, "updated": 2, "unchanged": 0, "skipped": 0, "failed": 0},
            "requests": 3,
            "duration_s": 0,
            "issues": 0,
        },
        {
            "service": "woocommerce",
            "outcome": "success",
            "counts": {"created": 2, "updated": 0, "unchanged": 0, "skipped": 0, "failed": 0},
            "requests": 1,
            "duration_s": 0,
            "issues": 0,
        },
    ]
    assert ("Shopify items import: pages", 3, 3) in seen
    assert ("WooCommerce items import: pages", 1, 1) in seen
    assert all(r.duration_s >= 0 for r in results)
