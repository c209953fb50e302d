"""Streaming reader of a Nexpura data-export file (format 2.0).

The file is one JSON object: ``exported_at``, ``tenant`` (an object), one array of row
objects per table, ``_storage_manifest`` and ``_meta`` (last).  Files reach hundreds of
megabytes, so the reader walks ijson events and builds one row at a time: memory stays
flat whatever the file size.  Each top-level entry is yielded in file order; a table's rows
come as an iterator that must be consumed before the next entry (the reader drains any
rows the caller left).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

import ijson

from ..errors import UserError

try:
    _BACKEND = ijson.get_backend("yajl2_c")
except Exception:  # noqa: BLE001 - any failure to load the C backend means "use the default"
    _BACKEND = ijson

_CONTAINER_START = frozenset({"start_map", "start_array"})
_CONTAINER_END = frozenset({"end_map", "end_array"})


class ExportFileError(UserError):
    """The file is not a readable Nexpura data export."""


class Rows:
    """The rows of one table array, read lazily from the event stream."""

    def __init__(self, table: str, events: Iterator[tuple[str, str, Any]]) -> None:
        self.table = table
        self._events = events
        self._done = False

    def __iter__(self) -> Iterator[Any]:
        while not self._done:
            _prefix, event, value = _next(self._events)
            if event == "end_array":
                self._done = True
                return
            yield _build(event, value, self._events)

    def drain(self) -> None:
        for _ in self:
            pass


def _build(event: str, value: Any, events: Iterator[tuple[str, str, Any]]) -> Any:
    """One complete JSON value starting with ``event``."""
    if event not in _CONTAINER_START:
        return value
    builder = ijson.ObjectBuilder()
    builder.event(event, value)
    depth = 1
    for _prefix, ev, val in events:
        builder.event(ev, val)
        if ev in _CONTAINER_START:
            depth += 1
        elif ev in _CONTAINER_END:
            depth -= 1
            if depth == 0:
                break
    return builder.value


TRUNCATED = "the file ends early (it looks truncated); download the export again"


def _next(events: Iterator[tuple[str, str, Any]]) -> tuple[str, str, Any]:
    try:
        return next(events)
    except StopIteration:
        raise ExportFileError(TRUNCATED) from None


def _checked(events: Iterator[tuple[str, str, Any]]) -> Iterator[tuple[str, str, Any]]:
    """ijson's events with its parse errors turned into one-line user errors."""
    try:
        yield from events
    except ijson.IncompleteJSONError as exc:
        text = str(exc).lower()
        if "incomplete" in text or "premature" in text:
            raise ExportFileError(TRUNCATED) from None
        raise ExportFileError(f"the file is not valid JSON ({_short(exc)})") from None
    except ijson.JSONError as exc:
        raise ExportFileError(f"the file is not valid JSON ({_short(exc)})") from None


def read_entries(stream: IO[bytes]) -> Iterator[tuple[str, Any]]:
    """``(key, value)`` for each top-level entry; arrays come as :class:`Rows`."""
    events = _checked(iter(_BACKEND.parse(stream, use_float=True)))
    first = next(events, None)
    if first is None:
        raise ExportFileError("the file is empty; choose the .json file Nexpura's export gave you")
    if first[1] != "start_map":
        raise ExportFileError(
            "the file is JSON but not a Nexpura data export (no top-level object)"
        )
    for _prefix, event, value in events:
        if event == "end_map":
            for _extra in events:  # anything after the object is an error ijson reports
                raise ExportFileError("the file has data after the export object")
            return
        if event != "map_key":  # pragma: no cover - ijson only yields keys at this level
            continue
        key = str(value)
        _p, ev, val = _next(events)
        if ev == "start_array":
            rows = Rows(key, events)
            yield key, rows
            rows.drain()
        else:
            yield key, _build(ev, val, events)
    raise ExportFileError(TRUNCATED)


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:120]
