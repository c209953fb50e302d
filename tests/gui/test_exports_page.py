"""The Exports page runs real exports on a worker thread: progress, result, Cancel, history."""

from __future__ import annotations

import csv
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from nexpura_desktop.exports import backups, export_ledger
from nexpura_desktop.ui.backend import Backend
from nexpura_desktop.ui.pages import exports as exports_page
from nexpura_desktop.ui.shell import Shell
from nexpura_desktop.ui.strings import S

from .conftest import connect


def _customers(backend: Backend, n: int) -> None:
    with backend.ledger() as ledger, ledger.transaction() as conn:
        conn.execute("INSERT INTO tenants(id, name) VALUES ('t1', 'Harbour Jewellers')")
        conn.executemany(
            "INSERT INTO customers(id, tenant_id, full_name) VALUES (?, 't1', ?)",
            [(f"c{i}", f"Customer {i}") for i in range(n)],
        )


def test_export_chosen_tables_into_a_folder(
    qtbot: QtBot, make_shell: Callable[..., Shell], backend: Backend, tmp_path: Path
) -> None:
    _customers(backend, 5)
    window = make_shell().window
    window.show_page("exports")
    page = window.exports
    page.all_tables.setChecked(False)
    for i in range(page.tables.count()):
        if page.tables.item(i).text() in ("customers", "tenants"):
            page.tables.item(i).setCheckState(Qt.CheckState.Checked)
    out = tmp_path / "out"
    page.folder.setText(str(out))
    with qtbot.waitSignal(page.exportFinished, timeout=30_000) as done:
        QTest.mouseClick(page.run_button, Qt.MouseButton.LeftButton)
        assert page.cancel_button.isEnabled()
    [folder] = out.iterdir()
    assert sorted(p.name for p in folder.iterdir()) == [
        "customers.csv", "manifest.json", "tenants.csv",
    ]  # fmt: skip
    with (folder / "customers.csv").open(newline="", encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle))) == 5
    assert done.args == [S.EXPORT_DONE.format(rows="6", tables=2, path=folder)]
    qtbot.waitUntil(lambda: page.run_button.isEnabled())
    assert page.open_button.isEnabled() and not page.cancel_button.isEnabled()
    assert page.last_path == folder
    assert page.history.count() == 1
    assert backend.export_history()[0].path == str(folder)


def test_no_table_chosen_is_refused(make_shell: Callable[..., Shell], backend: Backend) -> None:
    connect(backend, "shopify")
    page = make_shell().window.exports
    page.all_tables.setChecked(False)
    assert not page.start_export()
    assert page.result.text() == S.EXPORT_NO_TABLES


def test_cancel_leaves_nothing_behind(
    qtbot: QtBot,
    make_shell: Callable[..., Shell],
    backend: Backend,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _customers(backend, 50)
    started, release = threading.Event(), threading.Event()

    def held_export(*args: Any, progress: Any, **kwargs: Any) -> Any:
        def hold(label: str, done: int, total: int | None) -> None:
            started.set()
            release.wait(10)  # the real export waits here until the test has pressed Cancel
            progress(label, done, total)

        return export_ledger(*args, progress=hold, **kwargs)

    monkeypatch.setattr(exports_page, "export_ledger", held_export)
    page = make_shell().window.exports
    out = tmp_path / "out"
    page.folder.setText(str(out))
    QTest.mouseClick(page.run_button, Qt.MouseButton.LeftButton)
    assert started.wait(10)
    assert not page.run_button.isEnabled()
    with qtbot.waitSignal(page.exportFinished, timeout=30_000) as done:
        QTest.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
        release.set()
    assert done.args == [S.EXPORT_CANCELLED]
    assert not out.exists() or list(out.iterdir()) == []
    assert backend.export_history() == []
    qtbot.waitUntil(lambda: page.run_button.isEnabled())
    assert not page.progress.isVisible()


def test_customer_export(qtbot: QtBot, make_shell: Callable[..., Shell], backend: Backend,
                         tmp_path: Path) -> None:  # fmt: skip
    _customers(backend, 3)
    page = make_shell().window.exports
    page.folder.setText(str(tmp_path / "out"))
    with qtbot.waitSignal(page.exportFinished, timeout=30_000):
        assert page.start_customer_export("c1")
    [folder] = (tmp_path / "out").iterdir()
    assert folder.name.startswith("nexpura-customer-c1-")
    assert backend.export_history()[0].kind == "customer"


def test_backup_schedule_is_saved_and_prune_keeps_the_newest(
    make_shell: Callable[..., Shell], backend: Backend, tmp_path: Path
) -> None:
    connect(backend, "shopify")
    page = make_shell().window.exports
    page.backup_on.setChecked(True)
    page.backup_every.setCurrentIndex(page.backup_every.findData(10080))
    page.backup_keep.setValue(2)
    page.backup_save.click()
    assert backend.setting(backups.SCHEDULE_KEY) == {"kind": "interval", "minutes": 10080}
    assert backend.setting(backups.KEEP_KEY) == 2
    folder = tmp_path / "backups"
    for stamp in ("20260101-000000", "20260102-000000", "20260103-000000"):
        (folder / f"nexpura-export-{stamp}").mkdir(parents=True)
        (folder / f"nexpura-export-{stamp}" / "manifest.json").write_text("{}")
    (folder / "nexpura-export-notes").mkdir()  # not ours: never touched
    deleted = backups.prune(folder, 2)
    assert [p.name for p in deleted] == ["nexpura-export-20260101-000000"]
    assert sorted(p.name for p in folder.iterdir()) == [
        "nexpura-export-20260102-000000", "nexpura-export-20260103-000000",
        "nexpura-export-notes",
    ]  # fmt: skip
