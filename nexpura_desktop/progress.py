"""Progress on stderr: a bar on a terminal, occasional plain lines otherwise.

Engines report ``(label, done, total)`` through a callback and never print; this is the
CLI's renderer of those calls (the GUI has its own).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

ProgressCallback = Callable[[str, int, "int | None"], None]


class TerminalProgress:
    """Renders progress callbacks; throttled so it never slows the work it reports.

    On a terminal: one redrawn bar per label.  Elsewhere (logs, pipes, CI): a plain line
    at most every ``quiet_interval`` seconds, so short jobs print nothing but their result.
    """

    def __init__(self, stream: TextIO | None = None, *, quiet_interval: float = 5.0) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.interval = 0.1 if self.tty else quiet_interval
        self._started = time.monotonic()
        self._last = self._started
        self._label = ""
        self._drawn = False

    def __call__(self, label: str, done: int, total: int | None) -> None:
        now = time.monotonic()
        if self.tty:
            self._draw(label, done, total, now)
        elif now - self._last >= self.interval:
            self._last = now
            suffix = f"{done:,}/{total:,}" if total is not None else f"{done:,}"
            self.stream.write(f"{label}: {suffix}\n")
            self.stream.flush()

    def _draw(self, label: str, done: int, total: int | None, now: float) -> None:
        finished = total is not None and done >= total
        if label == self._label and not finished and now - self._last < self.interval:
            return
        if label != self._label and self._drawn:
            self.stream.write("\n")
        self._label = label
        self._last = now
        self.stream.write("\r" + self._bar(label, done, total))
        self._drawn = not finished
        if finished:
            self.stream.write("\n")
        self.stream.flush()

    def close(self) -> None:
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
        self._drawn = False

    @staticmethod
    def _bar(label: str, done: int, total: int | None, width: int = 30) -> str:
        if not total:
            return f"{label[:40]:<40} {done:>10,}"
        fraction = min(1.0, done / total)
        filled = int(fraction * width)
        return (
            f"{label[:40]:<40} [{'#' * filled}{'.' * (width - filled)}] "
            f"{fraction:>4.0%} {done:,}/{total:,}"
        )
