"""Finishing a batch of fast lines into CSV bytes: quote the few cells that need it.

The fast SELECT (``csv_cells.select_fast``) gives each row's cells joined by a unit
separator, already formatted and neutralised.  Whole-batch byte searches (memchr speed)
find the lines holding ``,"\\r\\n``; only those are split and quoted, the rest are finished
by two C-level replacements.  A line whose values hold a separator of their own is
rebuilt by the precise per-cell SQL (``refetch``).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from itertools import accumulate

from .csv_cells import SEP

_SEP = SEP.encode()
_SPECIALS = (b",", b'"', b"\n", b"\r")
_SPECIAL = re.compile(rb'[,"\r\n]')
_CRLF = b"\r\n"

Refetch = Callable[[int], bytes]


def _plain(lines: Sequence[bytes]) -> bytes:
    return _CRLF.join(lines).replace(_SEP, b",") + _CRLF


def _quoted(line: bytes) -> bytes:
    """The line's cells joined by commas, quoting only those holding a special character."""
    cells = line.split(_SEP)
    for i in {line.count(_SEP, 0, m.start()) for m in _SPECIAL.finditer(line)}:
        cells[i] = b'"' + cells[i].replace(b'"', b'""') + b'"'
    return b",".join(cells) + _CRLF


def _dirty(joined: bytes, lines: Sequence[bytes]) -> list[int]:
    """Indexes of the lines holding a special character (one find per hit, not per line)."""
    ends = list(accumulate([len(line) + 1 for line in lines]))
    found: set[int] = set()
    for char in _SPECIALS:
        pos = joined.find(char)
        while pos != -1:
            index = bisect_right(ends, pos)
            found.add(index)
            pos = joined.find(char, ends[index])
    return sorted(found)


def _line_by_line(batch: Sequence[tuple[int, bytes]], columns: int, refetch: Refetch) -> bytes:
    """Slow path for a batch where some value holds a separator character itself."""
    parts = []
    for rowid, line in batch:
        parts.append(_quoted(line) if line.count(_SEP) == columns - 1 else refetch(rowid))
    return b"".join(parts)


def finish(batch: Sequence[tuple[int, bytes]], columns: int, refetch: Refetch) -> bytes:
    """CSV bytes (CRLF after every line) for ``batch`` rows of ``columns`` cells."""
    lines = [row[1] for row in batch]
    joined = _SEP.join(lines)
    if joined.count(_SEP) != len(lines) * columns - 1:
        return _line_by_line(batch, columns, refetch)
    parts: list[bytes] = []
    start = 0
    for index in _dirty(joined, lines):
        if index > start:
            parts.append(_plain(lines[start:index]))
        parts.append(_quoted(lines[index]))
        start = index + 1
    if start < len(lines):
        parts.append(_plain(lines[start:]))
    return b"".join(parts)
