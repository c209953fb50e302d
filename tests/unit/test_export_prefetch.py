"""Read-ahead for exports: order kept, errors raised in the reader, bounded, stops cleanly."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from nexpura_desktop.exports import ExportCancelled, engine, export_ledger
from nexpura_desktop.exports.prefetch import prefetch

from .export_ledgers import new_ledger


def _helpers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "export-prefetch"]


def test_items_arrive_in_order_and_complete() -> None:
    assert list(prefetch(iter(range(1000)), depth=2)) == list(range(1000))
    assert _helpers() == []


def test_an_error_in_the_source_is_raised_after_the_items_before_it() -> None:
    def source() -> Iterator[int]:
        yield 1
        yield 2
        raise OSError("disk gone")

    got: list[int] = []
    with pytest.raises(OSError, match="disk gone"):
        got.extend(prefetch(source()))
    assert got == [1, 2]
    assert _helpers() == []


def test_leaving_early_stops_the_helper_closes_the_source_and_reads_little_ahead() -> None:
    made: list[int] = []
    closed = threading.Event()

    def source() -> Iterator[int]:
        try:
            for i in range(10_000):
                made.append(i)
                yield i
        finally:
            closed.set()

    with closing(prefetch(source(), depth=2)) as items:
        assert next(items) == 0
    assert closed.is_set()
    assert _helpers() == []
    assert len(made) <= 5  # the one handed over, ``depth`` waiting, and one being put


def test_a_cancelled_export_leaves_no_reader_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "BATCH_ROWS", 10)
    with new_ledger(tmp_path / "l.sqlite3") as ledger, ledger.transaction():
        ledger.conn.executemany(
            "INSERT INTO customers(id, full_name) VALUES (?, ?)",
            [(f"c{i:03d}", f"Customer {i}") for i in range(100)],
        )
    cancel = threading.Event()

    def progress(label: str, done: int, total: int | None) -> None:
        if done >= 20:
            cancel.set()

    with pytest.raises(ExportCancelled):
        export_ledger(
            tmp_path / "l.sqlite3",
            tmp_path / "out",
            tables=["customers"],
            progress=progress,
            cancel=cancel,
        )
    assert _helpers() == []
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []
