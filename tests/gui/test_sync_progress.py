"""Sync now from the tray: the card shows the job's progress while it runs, then the result."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest
from pytestqt.qtbot import QtBot

from nexpura_desktop.engine.job import JobContext
from nexpura_desktop.engine.registry import Registry
from nexpura_desktop.ui.backend import Backend
from nexpura_desktop.ui.shell import Shell
from nexpura_desktop.ui.strings import S, service_name

from .conftest import connect


class SteppedJob:
    """Imports 40 products, reporting each, and waits half-way until the test says go."""

    def __init__(self) -> None:
        self.half_way = threading.Event()
        self.go = threading.Event()

    def run(self, ctx: JobContext) -> None:
        for done in range(1, 41):
            ctx.progress("products", done, 40)
            if done == 20:
                self.half_way.set()
                self.go.wait(10)
        ctx.count("created", 40)


@pytest.fixture
def job() -> Iterator[SteppedJob]:
    made = SteppedJob()
    yield made
    made.go.set()


@pytest.fixture
def registry(job: SteppedJob) -> Registry:
    reg = Registry()
    reg.register("shopify.products.import", lambda: job)
    return reg


def test_sync_now_from_the_tray_shows_progress_then_the_result_card(
    qtbot: QtBot, make_shell: Callable[..., Shell], backend: Backend, job: SteppedJob
) -> None:
    connect(backend, "shopify")
    shell = make_shell()
    card = shell.window.integrations.cards["shopify"]
    assert card.progress.isHidden()
    shell.tray.menu.aboutToShow.emit()  # the person opens the tray menu…
    entry = next(
        a
        for a in shell.tray.menu.actions()
        if a.text() == S.TRAY_SYNC_SERVICE.format(service=service_name("shopify"))
    )
    assert not entry.icon().isNull()  # the service's mark beside its name
    entry.trigger()  # …and picks "Sync Shopify now"
    assert job.half_way.wait(10)
    qtbot.waitUntil(lambda: card.progress.isVisible() and card.progress.value() == 20)
    assert card.progress.maximum() == 40
    assert card.progress.format() == S.SYNC_PROGRESS_OF.format(label="products", done=20, total=40)
    assert card.badge.state == "syncing" and not card.sync_button.isEnabled()
    assert shell.tray.state == "syncing"

    with qtbot.waitSignal(shell.bridge.runFinished, timeout=10_000) as finished:
        job.go.set()
    run = finished.args[0]
    assert (run.outcome, run.counts.created) == ("success", 40)
    qtbot.waitUntil(lambda: card.badge.state == "connected")
    assert card.progress.isHidden()
    assert card.result.text() == S.LAST_RESULT.format(message=run.message)
    assert card.sync_button.isEnabled()
    assert shell.tray.state == "ok"
