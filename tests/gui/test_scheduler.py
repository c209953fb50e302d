"""The window's scheduler: catch-up after the PC slept, and skip-when-busy, through the shell.

The engine's clock is the test's: "sleeping" is moving it (and the shell's last-tick
moment) three hours on, as a laptop lid closed over lunch would.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from pytestqt.qtbot import QtBot

from nexpura_desktop.engine.runs import RunSummary
from nexpura_desktop.ui.backend import Backend
from nexpura_desktop.ui.shell import Shell

from .conftest import FakeJobs, connect

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(backend: Backend) -> Clock:
    made = Clock()
    backend.engine.clock = made
    return made


def _hourly(backend: Backend, service: str) -> None:
    connect(backend, service)
    backend.set_schedule(service, {"kind": "interval", "minutes": 60})


def _tick(qtbot: QtBot, shell: Shell) -> None:
    """One scheduler tick (it runs on a worker), waited for."""
    task = shell.tick()
    qtbot.waitUntil(lambda: not task.running)
    qtbot.wait(10)  # its finished signal reaches the GUI thread


def _tick_and_finish(qtbot: QtBot, shell: Shell) -> RunSummary:
    with qtbot.waitSignal(shell.bridge.runFinished, timeout=10_000) as finished:
        shell.tick()
    run: RunSummary = finished.args[0]
    qtbot.waitUntil(lambda: not shell.backend.busy(run.service))
    return run


def test_catch_up_after_a_simulated_sleep(
    qtbot: QtBot,
    make_shell: Callable[..., Shell],
    backend: Backend,
    fake_jobs: FakeJobs,
    clock: Clock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    _hourly(backend, "shopify")
    shell = make_shell()
    first = _tick_and_finish(qtbot, shell)  # never synced: due at once, on schedule
    assert (first.trigger, first.outcome) == ("schedule", "success")

    clock.now = START + timedelta(minutes=30)
    _tick(qtbot, shell)  # awake, not due yet: nothing starts
    assert not backend.busy("shopify") and fake_jobs.runs == ["shopify.products.import"]

    # the PC sleeps three hours: the timer's next tick comes late, the hourly slot was missed
    clock.now = START + timedelta(hours=3)
    shell._last_tick = time.monotonic() - 3 * 3600
    with caplog.at_level(logging.INFO, logger="nexpura_desktop.ui.shell"):
        caught_up = _tick_and_finish(qtbot, shell)
    assert (caught_up.trigger, caught_up.outcome) == ("catch-up", "success")
    assert any("catching up" in r.getMessage() for r in caplog.records)
    assert fake_jobs.runs == ["shopify.products.import"] * 2  # one catch-up, not three

    _tick(qtbot, shell)  # just caught up: the next slot is an hour away
    assert not backend.busy("shopify")


def test_a_due_sync_on_a_busy_lane_is_skipped_once_not_queued(
    qtbot: QtBot,
    make_shell: Callable[..., Shell],
    backend: Backend,
    fake_jobs: FakeJobs,
    clock: Clock,
) -> None:
    _hourly(backend, "xero")
    fake_jobs.hold = threading.Event()
    shell = make_shell()
    try:
        backend.sync_now("xero")  # a manual sync holds the lane
        qtbot.waitUntil(lambda: fake_jobs.runs == ["xero.products.import"])
        _tick(qtbot, shell)  # the schedule is due, but the lane is busy
        [run] = backend.recent_runs("xero", "skipped")
        assert run.trigger == "schedule"
        assert "already syncing" in (run.message or "")
        assert shell.tray.state == "syncing"
        _tick(qtbot, shell)  # same due slot: not recorded twice
        assert len(backend.recent_runs("xero", "skipped")) == 1
    finally:
        fake_jobs.hold.set()
    qtbot.waitUntil(lambda: not backend.busy("xero"))
    assert fake_jobs.runs == ["xero.products.import"]  # nothing was queued behind it
    shell.window.show_page("activity")
    assert shell.window.activity.runs.rowCount() == 2  # the manual run and the skipped slot


def test_a_tick_never_blocks_the_window_while_a_sync_holds_the_ledger(
    qtbot: QtBot, make_shell: Callable[..., Shell], backend: Backend, fake_jobs: FakeJobs
) -> None:
    _hourly(backend, "xero")
    fake_jobs.hold = threading.Event()
    shell = make_shell()
    try:
        backend.sync_now("xero")  # busy lane: a due slot will be recorded as skipped
        qtbot.waitUntil(lambda: fake_jobs.runs == ["xero.products.import"])
        with backend.ledger() as writer:
            writer.conn.execute("BEGIN IMMEDIATE")  # a big import's write transaction
            started = time.monotonic()
            task = shell.tick()
            assert time.monotonic() - started < 1.0  # the window went straight back to work
            qtbot.wait(300)
            assert task.running  # the skip record waits for the ledger…
            writer.conn.execute("COMMIT")
        qtbot.waitUntil(lambda: not task.running, timeout=10_000)
        assert len(backend.recent_runs("xero", "skipped")) == 1  # …and is written after
    finally:
        fake_jobs.hold.set()
    qtbot.waitUntil(lambda: not backend.busy("xero"))
