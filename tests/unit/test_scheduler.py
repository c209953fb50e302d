"""The cron-runner with injected time: due from last success, catch-up, busy-skip, run_due."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from nexpura_desktop.engine import runs
from nexpura_desktop.engine.engine import Engine
from nexpura_desktop.engine.errors import Transient
from nexpura_desktop.engine.job import JobContext
from nexpura_desktop.engine.registry import Registry
from nexpura_desktop.engine.run_due import run_due
from nexpura_desktop.engine.schedule import Schedule
from nexpura_desktop.engine.scheduler import Scheduler, TickAction, set_paused
from nexpura_desktop.ledger import connections
from nexpura_desktop.ledger.db import Ledger

from .engine_fakes import WAIT, Gate, job, make_ledger, rows

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
def registry() -> Registry:
    reg = Registry()
    reg.register("shopify.products.import", job(lambda ctx: ctx.count("unchanged")))
    reg.register("shopify.orders.import", job(lambda ctx: None))
    return reg


def setup(
    tmp_path: Path, registry: Registry, clock: Clock, schedule: dict[str, object]
) -> tuple[Path, Engine, Scheduler]:
    path = make_ledger(tmp_path, "shopify", config={"schedule": schedule})
    engine = Engine(path, registry, clock=clock)
    return path, engine, Scheduler(engine, tz=UTC)


@pytest.fixture
def cleanup() -> Iterator[list[Engine]]:
    engines: list[Engine] = []
    yield engines
    for engine in engines:
        assert engine.shutdown(WAIT)


def tick(scheduler: Scheduler, clock: Clock, at: datetime) -> list[TickAction]:
    clock.now = at
    actions = scheduler.tick(at)
    for action in actions:
        if action.submission is not None:
            action.submission.wait(WAIT)
    return actions


def seed_success(path: Path, job_name: str, at: datetime) -> None:
    with Ledger(path) as ledger:
        run_id = runs.start_run(ledger.conn, "shopify", job_name, "manual", now=at)
        runs.finish_run(ledger.conn, run_id, "success", now=at + timedelta(seconds=5))


def test_interval_is_counted_from_the_last_success(
    tmp_path: Path, registry: Registry, clock: Clock, cleanup: list[Engine]
) -> None:
    path, engine, scheduler = setup(tmp_path, registry, clock, {"kind": "interval", "minutes": 60})
    cleanup.append(engine)
    [first] = tick(scheduler, clock, T0)  # never synced: due at once
    assert first.trigger == "schedule" and first.entry.jobs == (
        "shopify.products.import",
        "shopify.orders.import",
    )
    assert tick(scheduler, clock, T0 + timedelta(minutes=59)) == []
    [second] = tick(scheduler, clock, T0 + timedelta(minutes=60))
    assert second.trigger == "schedule"
    assert second.due == T0 + timedelta(minutes=60)
    # A manual sync counts as a success too: the next slot moves with it.
    seed_success(path, "shopify.products.import", T0 + timedelta(minutes=100))
    assert tick(scheduler, clock, T0 + timedelta(minutes=121)) == []
    assert [a.trigger for a in tick(scheduler, clock, T0 + timedelta(minutes=160))] == ["schedule"]
    assert rows(path, "SELECT trigger, COUNT(*) FROM sync_runs GROUP BY trigger") == [
        ("manual", 1),
        ("schedule", 6),
    ]


def test_missed_runs_catch_up_once_after_a_sleep(
    tmp_path: Path, registry: Registry, clock: Clock, cleanup: list[Engine]
) -> None:
    path, engine, scheduler = setup(tmp_path, registry, clock, {"kind": "interval", "minutes": 30})
    cleanup.append(engine)
    seed_success(path, "shopify.orders.import", T0)
    woke = T0 + timedelta(hours=7)  # slept through 13 slots
    [action] = tick(scheduler, clock, woke)
    assert action.trigger == "catch-up" and action.due == T0 + timedelta(minutes=30)
    assert tick(scheduler, clock, woke + timedelta(minutes=1)) == []
    assert tick(scheduler, clock, woke + timedelta(minutes=29)) == []
    assert rows(path, "SELECT COUNT(*) FROM sync_runs WHERE trigger = 'catch-up'") == [(2,)]


def test_cron_schedule_next_slot_and_catch_up(
    tmp_path: Path, registry: Registry, clock: Clock, cleanup: list[Engine]
) -> None:
    path, engine, scheduler = setup(
        tmp_path, registry, clock, {"kind": "cron", "cron": "0 2 * * *"}
    )
    cleanup.append(engine)
    last = datetime(2025, 1, 1, 2, 0, 5, tzinfo=UTC)
    seed_success(path, "shopify.products.import", last)
    assert tick(scheduler, clock, datetime(2025, 1, 2, 1, 59, tzinfo=UTC)) == []
    [on_time] = tick(scheduler, clock, datetime(2025, 1, 2, 2, 0, 30, tzinfo=UTC))
    assert on_time.trigger == "schedule" and on_time.due == datetime(2025, 1, 2, 2, tzinfo=UTC)
    # Off for three days: one catch-up, then back to the nightly slot.
    back = datetime(2025, 1, 5, 10, 0, tzinfo=UTC)
    [late] = tick(scheduler, clock, back)
    assert late.trigger == "catch-up" and late.due == datetime(2025, 1, 3, 2, tzinfo=UTC)
    assert tick(scheduler, clock, back + timedelta(hours=12)) == []
    [nightly] = tick(scheduler, clock, back + timedelta(hours=16, minutes=1))
    assert nightly.due == datetime(2025, 1, 6, 2, tzinfo=UTC) and nightly.trigger == "schedule"


def test_a_busy_lane_skips_once_with_the_reason_then_runs(
    tmp_path: Path, clock: Clock, cleanup: list[Engine]
) -> None:
    gate = Gate()
    registry = Registry()
    registry.register("shopify.products.import", job(gate.arrive))
    path, engine, scheduler = setup(tmp_path, registry, clock, {"kind": "interval", "minutes": 10})
    cleanup.append(engine)
    seed_success(path, "shopify.products.import", T0 - timedelta(minutes=10))
    [manual] = engine.sync_now("shopify")
    gate.wait_reached()
    [skip] = tick(scheduler, clock, T0 + timedelta(seconds=30))
    assert skip.submission is None and skip.skipped is not None
    assert skip.skipped.outcome == "skipped"
    assert skip.skipped.message == "Skipped: Shopify was already syncing."
    assert tick(scheduler, clock, T0 + timedelta(minutes=1)) == []  # not one skip per tick
    gate.release.set()
    manual.wait(WAIT)
    # The manual sync succeeded (at T0), so the schedule waits for the next slot.
    assert tick(scheduler, clock, T0 + timedelta(minutes=2)) == []
    gate.reached.clear()
    [ran] = tick(scheduler, clock, T0 + timedelta(minutes=10))
    assert ran.submission is not None and ran.trigger == "schedule"


def test_a_failed_run_is_retried_after_a_pause_not_every_tick(
    tmp_path: Path, clock: Clock, cleanup: list[Engine]
) -> None:
    outcomes = ["fail", "fail", "ok"]

    def body(ctx: JobContext) -> None:
        if outcomes.pop(0) == "fail":
            raise Transient("HTTP 503")

    registry = Registry()
    registry.register("shopify.products.import", job(body))
    path, engine, scheduler = setup(tmp_path, registry, clock, {"kind": "interval", "minutes": 60})
    cleanup.append(engine)
    assert len(tick(scheduler, clock, T0)) == 1
    assert tick(scheduler, clock, T0 + timedelta(minutes=1)) == []
    assert tick(scheduler, clock, T0 + timedelta(minutes=14)) == []
    assert len(tick(scheduler, clock, T0 + timedelta(minutes=15))) == 1
    assert len(tick(scheduler, clock, T0 + timedelta(minutes=30))) == 1
    assert rows(path, "SELECT outcome FROM sync_runs ORDER BY id") == [
        ("failed",),
        ("failed",),
        ("success",),
    ]
    assert tick(scheduler, clock, T0 + timedelta(minutes=31)) == []


def test_maintenance_jobs_run_on_their_own_schedule_and_not_with_sync_now(
    tmp_path: Path, clock: Clock, cleanup: list[Engine]
) -> None:
    registry = Registry()
    registry.register("shopify.products.import", job(lambda ctx: None))
    registry.register_maintenance(
        "shopify.orders.reconcile",
        job(lambda ctx: ctx.count("unchanged", 3)),
        schedule={"kind": "cron", "cron": "30 3 * * *"},
    )
    registry.register_maintenance(
        "exports.backup.export", job(lambda ctx: None), schedule=Schedule("off")
    )
    path, engine, scheduler = setup(tmp_path, registry, clock, {"kind": "off"})
    cleanup.append(engine)
    [sub] = engine.sync_now("shopify")
    assert sub.jobs == ("shopify.products.import",)
    sub.wait(WAIT)
    [first] = tick(scheduler, clock, T0)  # the reconcile has never run; the backup is off
    assert first.entry.key == "shopify.orders.reconcile"
    assert tick(scheduler, clock, T0 + timedelta(hours=17)) == []  # 02:00 next day
    [nightly] = tick(scheduler, clock, T0 + timedelta(hours=18, minutes=30))
    assert nightly.due == datetime(2025, 3, 4, 3, 30, tzinfo=UTC)
    # The owner turns on weekly backups (not an integration: kept in app settings).
    with Ledger(path) as ledger:
        ledger.conn.execute(
            "INSERT INTO app_settings(key, value) VALUES "
            '(\'schedule.exports.backup.export\', \'{"kind": "interval", "minutes": 10080}\')'
        )
    [backup] = tick(scheduler, clock, T0 + timedelta(hours=19))
    assert backup.entry.service == "exports" and backup.entry.jobs == ("exports.backup.export",)
    assert rows(path, "SELECT job, outcome FROM sync_runs WHERE service = 'exports'") == [
        ("exports.backup.export", "success")
    ]


def test_paused_disconnected_and_invalid_schedules_start_nothing(
    tmp_path: Path, registry: Registry, clock: Clock, cleanup: list[Engine]
) -> None:
    path, engine, scheduler = setup(tmp_path, registry, clock, {"kind": "interval", "minutes": 5})
    cleanup.append(engine)
    with Ledger(path) as ledger:
        set_paused(ledger.conn, True)
    assert tick(scheduler, clock, T0) == []
    with Ledger(path) as ledger:
        set_paused(ledger.conn, False)
        connections.update_config(ledger.conn, "shopify", schedule={"kind": "cron", "cron": "nope"})
    assert tick(scheduler, clock, T0) == []  # logged and ignored, never fatal
    with Ledger(path) as ledger:
        connections.update_config(
            ledger.conn, "shopify", schedule={"kind": "interval", "minutes": 5}
        )
        connections.mark_disconnected(ledger.conn, "shopify")
    assert tick(scheduler, clock, T0) == []
    assert rows(path, "SELECT COUNT(*) FROM sync_runs") == [(0,)]


def test_run_due_runs_what_is_due_once_and_returns_the_runs(
    tmp_path: Path, registry: Registry
) -> None:
    path = make_ledger(
        tmp_path, "shopify", config={"schedule": {"kind": "interval", "minutes": 60}}
    )
    first = run_due(path, registry, now=T0)
    assert [(r.job, r.outcome, r.trigger) for r in first] == [
        ("shopify.products.import", "success", "schedule"),
        ("shopify.orders.import", "success", "schedule"),
    ]
    assert run_due(path, registry, now=T0 + timedelta(minutes=30)) == []
    later = run_due(path, registry, now=T0 + timedelta(hours=5))
    assert [r.trigger for r in later] == ["catch-up", "catch-up"]


def test_schedule_config_is_validated() -> None:
    from nexpura_desktop.engine.errors import ConfigurationError

    assert Schedule.from_config(None) == Schedule("off")
    assert Schedule.from_config({"kind": "interval", "minutes": 15}).to_config() == {
        "kind": "interval",
        "minutes": 15,
    }
    for bad in (
        {"kind": "interval", "minutes": 0},
        {"kind": "cron", "cron": "61 * * * *"},
        {"kind": "hourly"},
        {"kind": "interval", "minutes": True},
    ):
        with pytest.raises(ConfigurationError):
            Schedule.from_config(bad)
