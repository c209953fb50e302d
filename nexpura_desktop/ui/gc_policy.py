"""Full garbage collections while the app is idle, not in the middle of a big sync.

A full (oldest-generation) collection holds the GIL while it walks every object, and a
large import or the in-process sandbox makes millions: 100–200 ms during which the
window cannot paint, whichever thread triggered it.  So while the app runs:

* everything built at start-up (modules, registry, widgets) is frozen out of the
  collector's sight (``gc.freeze``) — it lives as long as the app anyway;
* automatic full collections are off; young generations still collect as usual, so
  short-lived cycles go at once;
* the shell calls :meth:`IdleCollector.maybe_collect` when work finishes and on each
  scheduler tick: a full collection runs when nothing is busy, or regardless once
  ``overdue_s`` has passed, so memory held by old cycles stays bounded.

``uninstall`` puts the interpreter's settings back (tests build many shells).
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable

log = logging.getLogger(__name__)
NEVER = 1_000_000_000  # gen-2 threshold: no automatic full collection
OVERDUE_S = 600.0


_installed: list[IdleCollector] = []  # several shells at once (tests): restore after the last
_original: tuple[int, int, int] | None = None


class IdleCollector:
    def __init__(self, busy: Callable[[], bool], overdue_s: float = OVERDUE_S) -> None:
        self.busy = busy
        self.overdue_s = overdue_s
        self.last = time.monotonic()
        self.collections = 0

    @property
    def installed(self) -> bool:
        return self in _installed

    def install(self) -> None:
        global _original
        if self.installed:
            return
        if not _installed:
            _original = gc.get_threshold()
            young, middle, _old = _original
            gc.set_threshold(young, middle, NEVER)
        _installed.append(self)
        gc.freeze()

    def uninstall(self) -> None:
        if not self.installed:
            return
        _installed.remove(self)
        if not _installed and _original is not None:
            gc.set_threshold(*_original)
            gc.unfreeze()

    def maybe_collect(self) -> bool:
        """One full collection if idle (or overdue); True when it ran."""
        if not self.installed:
            return False
        now = time.monotonic()
        if self.busy() and now - self.last < self.overdue_s:
            return False
        started = time.perf_counter()
        found = gc.collect()
        self.last = time.monotonic()
        self.collections += 1
        log.debug(
            "full collection: %d unreachable, %.0f ms",
            found,
            1000 * (time.perf_counter() - started),
        )
        return True
