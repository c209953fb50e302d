"""All-or-nothing export destinations: a folder or a zip that appears only when complete.

Everything is written under a temporary name inside the destination (same file system, so
the final step is a rename), each file is fsynced before its rename, and any failure —
an OSError, Ctrl-C, a cancel — removes every temporary file and any folder we created.
An existing export is never overwritten: the final name gets a ``-2``, ``-3``… suffix.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
import zipfile
from datetime import datetime
from pathlib import Path
from typing import IO, Protocol

from ..errors import UserError


class ExportError(UserError):
    """An export could not be written (one sentence; nothing was left behind)."""


class ExportCancelled(ExportError):
    """The export was cancelled before it finished."""


_MAX_SUFFIX = 1000


def os_error_message(exc: OSError, out_dir: Path) -> str:
    """One sentence for an OS error while writing to ``out_dir``."""
    code = exc.errno
    tail = "; nothing was saved"
    if code in (errno.ENOSPC, errno.EDQUOT):
        return f"not enough disk space in {out_dir} to finish the export{tail}"
    if code == errno.EROFS:
        return f"cannot write to {out_dir}: the disk is read-only{tail}"
    if code in (errno.EACCES, errno.EPERM):
        return f"cannot write to {out_dir}: permission denied{tail}"
    if code in (errno.ENOTDIR, errno.EEXIST):
        return f"cannot export to {out_dir}: it is not a folder{tail}"
    if code == errno.ENOENT:
        return f"cannot create the folder {out_dir}{tail}"
    reason = exc.strerror or str(exc)
    return f"cannot write the export to {out_dir}: {reason}{tail}"


def _fsync_dir(folder: Path) -> None:
    """Make a rename durable (POSIX); Windows cannot open folders, and needs no such step."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _candidates(out_dir: Path, stem: str, suffix: str) -> list[Path]:
    first = [out_dir / f"{stem}{suffix}"]
    return first + [out_dir / f"{stem}-{n}{suffix}" for n in range(2, _MAX_SUFFIX)]


def _free_name(out_dir: Path, stem: str, suffix: str) -> Path:
    for candidate in _candidates(out_dir, stem, suffix):
        if not os.path.lexists(candidate):
            return candidate
    raise ExportError(f"too many exports named {stem} in {out_dir}; choose another folder")


class Destination(Protocol):
    """Where an export's files go: open one file at a time, then commit or abort."""

    def open_file(self, name: str) -> IO[bytes]: ...
    def close_file(self, name: str, handle: IO[bytes]) -> None: ...
    def commit(self) -> Path: ...
    def abort(self) -> None: ...


class _Base:
    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self._created: list[Path] = []
        self._make_out_dir()
        self._token = secrets.token_hex(4)

    def _make_out_dir(self) -> None:
        """Create ``out_dir`` (and parents), remembering which we created, for ``abort``."""
        missing: list[Path] = []
        folder = self.out_dir
        while not folder.exists() and folder.parent != folder:
            missing.append(folder)
            folder = folder.parent
        try:
            for path in reversed(missing):
                path.mkdir()
                self._created.append(path)
            if not self.out_dir.is_dir():
                raise NotADirectoryError(errno.ENOTDIR, "not a folder", str(self.out_dir))
        except BaseException:
            self._remove_created()
            raise

    def _remove_created(self) -> None:
        for path in reversed(self._created):
            with contextlib.suppress(OSError):
                path.rmdir()  # only if still empty


class FolderDestination(_Base):
    """A folder ``<stem>/`` built as ``.<stem>.partial-XXXX/`` and renamed when complete."""

    def __init__(self, out_dir: Path, stem: str) -> None:
        super().__init__(out_dir)
        self.stem = stem
        self.staging = out_dir / f".{stem}.partial-{self._token}"
        try:
            self.staging.mkdir()
        except BaseException:
            self._remove_created()
            raise

    def open_file(self, name: str) -> IO[bytes]:
        return (self.staging / f"{name}.partial").open("wb")

    def close_file(self, name: str, handle: IO[bytes]) -> None:
        handle.flush()
        os.fsync(handle.fileno())
        handle.close()
        (self.staging / f"{name}.partial").rename(self.staging / name)

    def commit(self) -> Path:
        _fsync_dir(self.staging)
        for candidate in _candidates(self.out_dir, self.stem, ""):
            if os.path.lexists(candidate):
                continue
            try:
                self.staging.rename(candidate)
            except OSError as exc:
                # Someone created that name meanwhile (Windows: exists; POSIX: not empty).
                if isinstance(exc, FileExistsError) or exc.errno == errno.ENOTEMPTY:
                    continue
                raise
            _fsync_dir(self.out_dir)
            return candidate
        raise ExportError(f"too many exports named {self.stem} in {self.out_dir}")

    def abort(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)
        self._remove_created()


class ZipDestination(_Base):
    """One ``<stem>.zip`` (entries under ``<stem>/``) written as a hidden partial file."""

    def __init__(self, out_dir: Path, stem: str, when: datetime) -> None:
        super().__init__(out_dir)
        self.stem = _free_name(out_dir, stem, ".zip").name.removesuffix(".zip")
        self.partial = out_dir / f".{self.stem}.zip.partial-{self._token}"
        self._date_time = (when.year, when.month, when.day, when.hour, when.minute, when.second)
        try:
            self._raw = self.partial.open("wb")
            self._zip = zipfile.ZipFile(self._raw, "w", zipfile.ZIP_DEFLATED, compresslevel=6)
        except BaseException:
            self.abort()
            raise

    def open_file(self, name: str) -> IO[bytes]:
        info = zipfile.ZipInfo(f"{self.stem}/{name}", date_time=self._date_time)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        return self._zip.open(info, "w", force_zip64=True)

    def close_file(self, name: str, handle: IO[bytes]) -> None:
        handle.close()

    def commit(self) -> Path:
        self._zip.close()
        self._raw.flush()
        os.fsync(self._raw.fileno())
        self._raw.close()
        for candidate in _candidates(self.out_dir, self.stem, ".zip"):
            if os.path.lexists(candidate):
                continue
            if _place_without_replacing(self.partial, candidate):
                _fsync_dir(self.out_dir)
                return candidate
        raise ExportError(f"too many exports named {self.stem} in {self.out_dir}")

    def abort(self) -> None:
        with contextlib.suppress(Exception):
            self._zip.close()
        with contextlib.suppress(Exception):
            self._raw.close()
        with contextlib.suppress(OSError):
            self.partial.unlink()
        self._remove_created()


def _place_without_replacing(source: Path, target: Path) -> bool:
    """Move ``source`` to ``target`` unless ``target`` exists; False if it does."""
    try:
        os.link(source, target)  # fails atomically if target exists
    except FileExistsError:
        return False
    except OSError:
        # No hard links here (FAT/exFAT USB sticks…): check, then rename.
        if os.path.lexists(target):
            return False
        source.rename(target)
        return True
    source.unlink()
    return True
