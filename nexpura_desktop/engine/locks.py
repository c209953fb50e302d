"""Cross-process lane locks: one OS file lock per lane next to the ledger.

Lanes keep one process's syncs of a service serial; this keeps the GUI and a headless
``run-due`` (driven by the OS scheduler) from syncing the same service at once.  The OS
drops the lock when a process dies, so "a run is open but nobody holds its lock" is the
reliable sign of a crash (a recorded pid could have been reused).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import IO


class LaneLock:
    """A non-blocking exclusive lock on ``<ledger dir>/locks/<lane>.lock``."""

    def __init__(self, ledger_path: Path, lane: str) -> None:
        self.path = ledger_path.parent / "locks" / f"{lane}.lock"
        self._file: IO[bytes] | None = None

    @property
    def held(self) -> bool:
        return self._file is not None

    def try_acquire(self) -> bool:
        if self._file is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+b")
        try:
            if sys.platform == "win32":
                import msvcrt

                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self._file = handle
        return True

    def release(self) -> None:
        handle, self._file = self._file, None
        if handle is None:
            return
        try:
            if sys.platform == "win32":
                import msvcrt

                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
            else:
                import fcntl

                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        finally:
            handle.close()


def owner_token() -> str:
    """What ``sync_runs.owner`` records: the process that ran it (for diagnostics)."""
    return f"pid:{os.getpid()}"
