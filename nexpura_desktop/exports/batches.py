"""Finishing a chunk of fast lines into CSV bytes: quote the few cells that need it.

The chunk SELECT (``csv_cells.select_chunk``) gives each row's cells joined by a unit
separator, already formatted and neutralised, and the rows joined by a record separator.
Byte searches (memchr speed) jump from one cell holding ``,"\\r\\n`` to the next, so the
work grows with the cells to quote, not with the rows or with how many special
characters a cell holds.  Two C-level replacements then turn the separators into commas
and CRLFs.  A value holding a separator character of its own is caught by counting them;
such a chunk is rebuilt by the precise per-cell SQL.
"""

from __future__ import annotations

import re

from .csv_cells import RS, SEP

_SEP = SEP.encode()
_RS = RS.encode()
_SPECIALS = (b",", b'"', b"\n", b"\r")
_CRLF = b"\r\n"
_BOUNDARY = re.compile(b"[" + re.escape(_SEP + _RS) + b"]")


def _quote_cells(body: bytes) -> bytes:
    """``body`` with every cell holding a special character quoted (quotes doubled).

    Cells end at ``_SEP`` or ``_RS``, neither of which any value holds here.  ``ahead``
    keeps the next position of each special character, refreshed only once passed.
    """
    size = len(body)
    find = body.find
    ahead = [find(char) for char in _SPECIALS]
    ahead = [size if pos < 0 else pos for pos in ahead]
    hit = min(ahead)
    if hit == size:
        return body
    rfind = body.rfind
    boundary = _BOUNDARY.search
    parts: list[bytes] = []
    done = 0  # body[:done] is in parts; body[done] starts a cell or is a separator
    while hit < size:
        start = max(rfind(_SEP, done, hit), rfind(_RS, done, hit)) + 1
        found = boundary(body, hit)
        end = found.start() if found else size
        parts.append(body[done:start])
        parts.append(b'"' + body[start:end].replace(b'"', b'""') + b'"')
        done = end
        for i, char in enumerate(_SPECIALS):
            if ahead[i] < end:
                pos = find(char, end)
                ahead[i] = size if pos < 0 else pos
        hit = min(ahead)
    parts.append(body[done:])
    return b"".join(parts)


def intact(body: bytes, rows: int, columns: int) -> bool:
    """True when a chunk of ``rows`` fast lines holds only its own separators.

    Values can only add separators, so the counts tell; a chunk that is not intact is
    rebuilt by the precise SQL.
    """
    return body.count(_SEP) == rows * (columns - 1) and body.count(_RS) == rows - 1


def finish(body: bytes) -> tuple[bytes, ...]:
    """The CSV bytes (CRLF after every line) of an intact chunk, in pieces (appending the
    last CRLF would copy the whole chunk once more)."""
    return _quote_cells(body).replace(_SEP, b",").replace(_RS, _CRLF), _CRLF
