"""The tray: menu rebuilt on open, Sync now from it, state icon, one notification per problem."""

from __future__ import annotations

import threading
from collections.abc import Callable

from pytestqt.qtbot import QtBot

from nexpura_desktop.engine.errors import AuthExpired, Transient
from nexpura_desktop.ui.backend import Backend
from nexpura_desktop.ui.shell import Shell
from nexpura_desktop.ui.strings import S, service_name

from .conftest import FakeJobs, connect


def _action(shell: Shell, text: str) -> object:
    return next(a for a in shell.tray.menu.actions() if a.text() == text)


def test_menu_is_rebuilt_on_open_with_each_connected_service(
    make_shell: Callable[..., Shell], backend: Backend
) -> None:
    connect(backend, "shopify")
    shell = make_shell()
    shell.tray.menu.aboutToShow.emit()
    sync_shopify = S.TRAY_SYNC_SERVICE.format(service=service_name("shopify"))
    sync_xero = S.TRAY_SYNC_SERVICE.format(service=service_name("xero"))
    texts = shell.tray.action_texts()
    assert texts[:2] == [S.TRAY_SYNC_ALL, sync_shopify]
    assert sync_xero not in texts
    assert S.TRAY_NO_RESULT in texts
    assert texts[-4:] == [S.TRAY_EXPORT_NOW, S.TRAY_PAUSE, S.TRAY_OPEN, S.TRAY_QUIT]

    connect(backend, "xero")
    shell.tray.menu.aboutToShow.emit()  # opened again: now lists Xero too
    assert shell.tray.action_texts()[:3] == [S.TRAY_SYNC_ALL, sync_shopify, sync_xero]


def test_sync_now_from_the_tray_runs_and_shows_the_result(
    qtbot: QtBot, make_shell: Callable[..., Shell], backend: Backend, fake_jobs: FakeJobs
) -> None:
    connect(backend, "shopify")
    shell = make_shell()
    shell.tray.menu.aboutToShow.emit()
    action = _action(shell, S.TRAY_SYNC_SERVICE.format(service=service_name("shopify")))
    with qtbot.waitSignal(shell.bridge.runFinished, timeout=10_000) as finished:
        action.trigger()  # type: ignore[attr-defined]
    run = finished.args[0]
    assert (run.service, run.outcome, run.counts.created) == ("shopify", "success", 2)
    assert fake_jobs.runs == ["shopify.products.import"]
    card = shell.window.integrations.cards["shopify"]
    qtbot.waitUntil(lambda: card.badge.state == "connected")
    assert run.message in card.result.text()
    shell.tray.menu.aboutToShow.emit()
    assert S.TRAY_LAST_RESULT.format(message=run.message) in shell.tray.action_texts()
    assert shell.tray.state == "ok"
    assert run.message in shell.tray.icon.toolTip()


def test_a_failure_notifies_once_until_the_service_recovers(
    qtbot: QtBot, make_shell: Callable[..., Shell], backend: Backend, fake_jobs: FakeJobs
) -> None:
    connect(backend, "mailchimp")
    shell = make_shell()

    def sync_once() -> None:
        with qtbot.waitSignal(shell.bridge.runFinished, timeout=10_000):
            shell.sync("mailchimp")
        qtbot.waitUntil(lambda: not backend.busy("mailchimp"))

    fake_jobs.fail_with = Transient("502 from the server")
    sync_once()
    sync_once()  # the retry fails again: no second notification
    assert [t for t, _ in shell.tray.notifications] == [
        S.NOTIFY_FAILED_TITLE.format(service=service_name("mailchimp"))
    ]
    assert shell.tray.state == "attention"

    fake_jobs.fail_with = AuthExpired("invalid_grant")
    sync_once()  # a different problem: reconnect needed gets its own notification
    assert shell.tray.notifications[-1][0] == S.NOTIFY_RECONNECT_TITLE.format(
        service=service_name("mailchimp")
    )
    badge = shell.window.integrations.cards["mailchimp"].badge
    qtbot.waitUntil(lambda: badge.text() == S.STATUS_RECONNECT, timeout=5_000)
    assert len(shell.tray.notifications) == 2


def test_pause_and_resume_schedules_from_the_tray(
    make_shell: Callable[..., Shell], backend: Backend
) -> None:
    connect(backend, "shopify")
    shell = make_shell()
    shell.tray.menu.aboutToShow.emit()
    _action(shell, S.TRAY_PAUSE).trigger()  # type: ignore[attr-defined]
    assert backend.paused()
    assert shell.tray.state == "paused"
    assert shell.window.paused_banner.isVisible()
    shell.tray.menu.aboutToShow.emit()
    _action(shell, S.TRAY_RESUME).trigger()  # type: ignore[attr-defined]
    assert not backend.paused()
    assert not shell.window.paused_banner.isVisible()


def test_busy_lane_says_already_syncing(
    qtbot: QtBot, make_shell: Callable[..., Shell], backend: Backend, fake_jobs: FakeJobs
) -> None:
    connect(backend, "xero")
    fake_jobs.hold = threading.Event()
    shell = make_shell()
    try:
        first = backend.sync_now("xero")
        qtbot.waitUntil(lambda: fake_jobs.runs == ["xero.products.import"])
        shell.sync("xero")
        assert shell.window.statusBar().currentMessage() == "Xero is already syncing"
        assert first[0].accepted
        shell.tray.menu.aboutToShow.emit()
        entry = _action(shell, S.TRAY_SYNC_SERVICE.format(service=service_name("xero")))
        assert not entry.isEnabled()  # type: ignore[attr-defined]
        assert shell.tray.compute_state() == "syncing"
    finally:
        fake_jobs.hold.set()
    qtbot.waitUntil(lambda: not backend.busy("xero"))
    assert fake_jobs.runs == ["xero.products.import"]  # never queued a duplicate
