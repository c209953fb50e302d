"""All-or-nothing exports: failures, Ctrl-C and cancel leave nothing; errors are one line."""

from __future__ import annotations

import errno
import os
import threading
import zipfile
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import pytest

from nexpura_desktop.errors import UserError
from nexpura_desktop.exports import ExportCancelled, atomic, export_ledger

from .export_ledgers import new_ledger

NOW = datetime(2026, 3, 4, 5, 6, 7).astimezone()


@pytest.fixture
def ledger_path(tmp_path: Path) -> Path:
    path = tmp_path / "l.sqlite3"
    with new_ledger(path) as ledger, ledger.transaction():
        ledger.conn.executemany(
            "INSERT INTO customers(id, full_name) VALUES (?, ?)",
            [(f"c{i:05d}", f"Customer {i}") for i in range(5000)],
        )
    return path


def everything_under(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*")) if folder.exists() else []


class FailingFile:
    """A file object that fails with ``error`` once ``limit`` bytes have been written."""

    def __init__(self, inner: IO[bytes], limit: int, error: BaseException) -> None:
        self.inner, self.limit, self.error, self.written = inner, limit, error, 0

    def write(self, data: bytes) -> int:
        self.written += len(data)
        if self.written > self.limit:
            raise self.error
        return self.inner.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def fail_writes(
    monkeypatch: pytest.MonkeyPatch, error: BaseException, *, as_zip: bool = False
) -> None:
    """Make the destination's files fail with ``error`` partway through the export."""
    kind: Any = atomic.ZipDestination if as_zip else atomic.FolderDestination
    original = kind.open_file

    def open_file(self: Any, name: str) -> Any:
        return FailingFile(original(self, name), 10_000, error)

    monkeypatch.setattr(kind, "open_file", open_file)


@pytest.mark.parametrize(
    ("code", "phrase"),
    [
        (errno.ENOSPC, "not enough disk space"),
        (errno.EROFS, "read-only"),
        (errno.EACCES, "permission denied"),
        (errno.EIO, "Input/output error"),
    ],
)
@pytest.mark.parametrize("as_zip", [False, True])
def test_write_errors_give_one_line_and_leave_nothing(
    ledger_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    code: int,
    phrase: str,
    as_zip: bool,
) -> None:
    out = tmp_path / "exports"
    fail_writes(monkeypatch, OSError(code, os.strerror(code)), as_zip=as_zip)
    with pytest.raises(UserError) as caught:
        export_ledger(ledger_path, out, as_zip=as_zip, now=NOW)
    message = str(caught.value)
    assert "\n" not in message and phrase in message and str(out) in message
    assert not out.exists()  # the folder we created for the export is gone too


def test_ctrl_c_midway_leaves_nothing(
    ledger_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "exports"
    out.mkdir()
    fail_writes(monkeypatch, KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        export_ledger(ledger_path, out, now=NOW)
    assert everything_under(out) == []


@pytest.mark.parametrize("as_zip", [False, True])
def test_cancel_leaves_nothing(ledger_path: Path, tmp_path: Path, as_zip: bool) -> None:
    out = tmp_path / "exports"
    out.mkdir()
    cancel = threading.Event()
    seen: list[int] = []

    def progress(label: str, done: int, total: int | None) -> None:
        seen.append(done)
        if done >= 2000:
            cancel.set()

    with pytest.raises(ExportCancelled):
        export_ledger(ledger_path, out, as_zip=as_zip, progress=progress, cancel=cancel, now=NOW)
    assert seen and everything_under(out) == []


def test_unwritable_and_uncreatable_destinations_give_one_line(
    ledger_path: Path, tmp_path: Path
) -> None:
    a_file = tmp_path / "not-a-folder"
    a_file.write_text("x")
    for dest in (a_file, a_file / "sub"):
        with pytest.raises(UserError) as caught:
            export_ledger(ledger_path, dest, now=NOW)
        assert "\n" not in str(caught.value) and "nothing was saved" in str(caught.value)
    if os.geteuid() == 0:
        pytest.skip("root can write to read-only folders")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(UserError, match="permission denied"):
            export_ledger(ledger_path, locked, now=NOW)
        assert everything_under(locked) == []
    finally:
        locked.chmod(0o700)


def test_files_appear_complete_under_final_names_and_existing_exports_survive(
    ledger_path: Path, tmp_path: Path
) -> None:
    out = tmp_path / "exports"
    first = export_ledger(ledger_path, out, tables=["customers"], now=NOW)
    second = export_ledger(ledger_path, out, tables=["customers"], now=NOW)
    assert first.path.name == "nexpura-export-20260304-050607"
    assert second.path.name == "nexpura-export-20260304-050607-2"
    assert sorted(p.name for p in out.iterdir()) == [first.path.name, second.path.name]
    assert sorted(p.name for p in first.path.iterdir()) == ["customers.csv", "manifest.json"]


def test_zip_holds_the_same_files_as_the_folder(ledger_path: Path, tmp_path: Path) -> None:
    folder = export_ledger(ledger_path, tmp_path / "a", now=NOW)
    zipped = export_ledger(ledger_path, tmp_path / "b", as_zip=True, now=NOW)
    assert zipped.path.name == "nexpura-export-20260304-050607.zip"
    assert [p.name for p in (tmp_path / "b").iterdir()] == [zipped.path.name]
    with zipfile.ZipFile(zipped.path) as zf:
        names = sorted(zf.namelist())
        assert names == sorted(f"{folder.path.name}/{p.name}" for p in folder.path.iterdir())
        for table in folder.tables:
            assert (
                zf.read(f"{folder.path.name}/{table.file}")
                == (folder.path / table.file).read_bytes()
            )
    assert [t.sha256 for t in zipped.tables] == [t.sha256 for t in folder.tables]
