"""Full garbage collections wait for an idle moment (they stall the window), but not forever."""

from __future__ import annotations

import gc
from collections.abc import Callable

from pytestqt.qtbot import QtBot

from nexpura_desktop.ui.backend import Backend
from nexpura_desktop.ui.gc_policy import NEVER, IdleCollector
from nexpura_desktop.ui.shell import Shell

from .conftest import connect


def test_full_collections_only_when_idle_or_overdue() -> None:
    before = gc.get_threshold()
    busy = [True]
    collector = IdleCollector(lambda: busy[0], overdue_s=3600)
    collector.install()
    try:
        assert gc.get_threshold()[2] == NEVER
        assert not collector.maybe_collect()  # a sync is running: later
        busy[0] = False
        assert collector.maybe_collect()
        busy[0] = True
        collector.overdue_s = 0  # too long without one: collect even while busy
        assert collector.maybe_collect()
        assert collector.collections == 2
    finally:
        collector.uninstall()
    assert gc.get_threshold() == before
    assert not collector.maybe_collect()  # uninstalled: the interpreter's own rules again


def test_two_collectors_restore_the_settings_after_the_last() -> None:
    before = gc.get_threshold()
    first, second = IdleCollector(lambda: False), IdleCollector(lambda: False)
    first.install()
    second.install()
    first.uninstall()
    assert gc.get_threshold()[2] == NEVER
    second.uninstall()
    assert gc.get_threshold() == before


def test_the_shell_collects_once_a_sync_has_finished(
    qtbot: QtBot, make_shell: Callable[..., Shell], backend: Backend
) -> None:
    connect(backend, "shopify")
    shell = make_shell()
    assert gc.get_threshold()[2] == NEVER
    with qtbot.waitSignal(shell.bridge.runFinished, timeout=10_000):
        shell.sync("shopify")
    qtbot.waitUntil(lambda: shell.collector.collections == 1, timeout=5_000)
