"""Read ahead in a helper thread: SQLite builds the next chunk while Python finishes this one.

SQLite lets go of the GIL while it steps, and one step builds a whole chunk, so the two
run on two cores.  At most ``depth`` items wait, so memory stays flat.  Leaving early
(an error, a cancel, Ctrl-C) stops the helper and waits for it, so nothing touches the
connection once the caller has moved on.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Generator, Iterator
from contextlib import suppress
from typing import Any, TypeVar

T = TypeVar("T")

_ITEM, _END, _ERROR = "item", "end", "error"


def prefetch(source: Iterator[T], depth: int = 2) -> Generator[T, None, None]:
    """``source``'s items, made in a helper thread; its exceptions are raised here."""
    waiting: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(entry: tuple[str, Any]) -> None:
        # Once ``stop`` is set nothing more is queued; a put already waiting is freed by
        # the consumer, which drains the queue until this thread has ended.
        if not stop.is_set():
            waiting.put(entry)

    def run() -> None:
        try:
            for item in source:
                put((_ITEM, item))
                if stop.is_set():
                    return
            put((_END, None))
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, which raises it
            put((_ERROR, exc))
        finally:
            close = getattr(source, "close", None)
            if close is not None:
                close()

    helper = threading.Thread(target=run, name="export-prefetch", daemon=True)
    helper.start()
    try:
        while True:
            kind, value = waiting.get()
            if kind == _ITEM:
                yield value
            elif kind == _ERROR:
                raise value
            else:
                return
    finally:
        stop.set()
        while helper.is_alive():  # unblock a put the helper may be waiting in
            with suppress(queue.Empty):
                waiting.get(timeout=0.05)
        helper.join()
