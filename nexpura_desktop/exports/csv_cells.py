"""The CSV cell rules, compiled into SQLite expressions per table.

SQLite formats every cell in C (booleans, number text, formula neutralising) with cheap
byte comparisons rather than function calls where it can, and joins a chunk of rows into
one value, so Python only finishes big batches (``batches``): that is what keeps an export
near the ``sqlite3`` shell's speed.  ``select_lines`` is the precise, slower all-SQL form
(one-column tables, chunks whose values hold a separator).
The rules (RFC 4180):

* header row of column names; lines end in CRLF; UTF-8;
* a cell is quoted only when it holds a comma, a double quote, CR or LF (quotes doubled);
* NULL → empty; numbers as plain numbers (reals as SQLite's 15-digit text when that
  reads back as the same float, else 17 digits);
  BOOLEAN columns' 0/1 → ``false``/``true``; everything else as stored (TIMESTAMPTZ is
  ISO-8601 with an offset and JSONB compact JSON because every writer stores them so);
* formula injection (OWASP): a *text* value starting with ``=``, ``+``, ``-``, ``@``, tab or
  CR gets a leading ``'`` — unless it is numeric-looking (a sign followed only by digits,
  spaces and ``.,()-``, e.g. ``+61 412 345 678`` or ``-12.50``, or a bare ``-``), or it is
  valid JSON in a JSONB column (JSON cannot start a formula; a leading ``-`` is a number).
  Values stored as numbers are never altered, whatever the column.  A value stored as
  *text* is a text cell in any column (writers keep values that do not fit a column's type
  as text, and such text is exactly as dangerous there).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..ledger.db import Column

# First characters that make a spreadsheet read a cell as a formula (OWASP CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMERIC_REST = frozenset("0123456789 .,()-")
_NEEDS_QUOTES = (",", '"', "\r", "\n")


@dataclass(frozen=True)
class CellRules:
    """How cells are written: ``neutralise`` formula starts in text cells (off for --raw)."""

    neutralise: bool = True


def is_dangerous(text: str) -> bool:
    """True when ``text`` would start a spreadsheet formula and is not numeric-looking."""
    if not text.startswith(FORMULA_STARTS):
        return False
    return not (text[0] in "+-" and all(ch in _NUMERIC_REST for ch in text[1:]))


def text_cell(text: str, rules: CellRules) -> str:
    """One text cell in Python (used for header names; the same rules as the SQL)."""
    if rules.neutralise and is_dangerous(text):
        text = "'" + text
    if any(ch in text for ch in _NEEDS_QUOTES):
        return '"' + text.replace('"', '""') + '"'
    return text


def header_line(columns: Sequence[Column], rules: CellRules) -> str:
    line = ",".join(text_cell(c.name, rules) for c in columns)
    return (line or '""') + "\r\n"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _affinity(declared: str) -> str:
    """SQLite's column affinity for a declared type (which kinds a column can hold)."""
    if "INT" in declared:
        return "INTEGER"
    if any(word in declared for word in ("CHAR", "CLOB", "TEXT")):
        return "TEXT"
    return "NUMERIC"


def _needs_quotes(x: str) -> str:
    # instr works on bytes (GLOB and substr stop at a NUL), so embedded NULs stay safe.
    return f"(instr({x}, ',') OR instr({x}, '\"') OR instr({x}, char(10)) OR instr({x}, char(13)))"


def _dangerous(x: str, json_column: bool) -> str:
    # 61 '=', 43 '+', 45 '-', 64 '@', 9 tab, 13 CR: unicode() reads just the first character.
    sql = (
        f"unicode({x}) IN (61, 43, 45, 64, 9, 13) AND NOT "
        f"(unicode({x}) IN (43, 45) AND NOT {x} GLOB '?*[^0-9 .,()-]*' "
        f"AND NOT instr({x}, X'00'))"
    )
    if json_column:
        sql += f" AND NOT json_valid({x})"
    return f"({sql})"


def _text_expr(x: str, rules: CellRules, json_column: bool) -> str:
    escaped = f"replace({x}, '\"', '\"\"')"
    quoted = f"'\"' || {escaped} || '\"'"
    if not rules.neutralise:
        return f"CASE WHEN {_needs_quotes(x)} THEN {quoted} ELSE {x} END"
    return (
        f"CASE WHEN {_dangerous(x, json_column)} THEN "
        f"(CASE WHEN {_needs_quotes(x)} THEN '\"''' || {escaped} || '\"' ELSE '''' || {x} END) "
        f"WHEN {_needs_quotes(x)} THEN {quoted} ELSE {x} END"
    )


def _real_expr(x: str) -> str:
    # SQLite's own text is 15 digits (lossy); fall back to 17 when it does not round-trip.
    return (
        f"CASE WHEN CAST(CAST({x} AS TEXT) AS REAL) = {x} THEN CAST({x} AS TEXT) "
        f"ELSE printf('%!.17g', {x}) END"
    )


def cell_expr(column: Column, rules: CellRules) -> str:
    """SQL giving the CSV text of one cell of ``column`` (NULL for an empty cell).

    Dispatches on what is actually stored: a TEXT column holds only text (its affinity
    turns numbers into text), other columns may hold text, integers or reals.
    """
    x = _ident(column.name)
    text = _text_expr(x, rules, column.type == "JSONB")
    if _affinity(column.type) == "TEXT":
        return text  # NULL stays NULL: printf's %s writes it as nothing
    general = (
        f"CASE typeof({x}) WHEN 'real' THEN {_real_expr(x)} WHEN 'text' THEN {text} ELSE {x} END"
    )
    if column.type == "BOOLEAN":
        return f"CASE {x} WHEN 1 THEN 'true' WHEN 0 THEN 'false' ELSE {general} END"
    return general


_PRINTF_ARGS = 100  # below SQLite's default limit of 127 function arguments


def _join(cells: list[str]) -> str:
    if len(cells) <= _PRINTF_ARGS:
        return f"printf('{','.join(['%s'] * len(cells))}', {', '.join(cells)})"
    chunks = [cells[i : i + _PRINTF_ARGS] for i in range(0, len(cells), _PRINTF_ARGS)]
    return " || ',' || ".join(_join(chunk) for chunk in chunks)


def line_expr(columns: Sequence[Column], rules: CellRules) -> str:
    """SQL giving one whole CSV line (CRLF included) per row.

    One printf joins the cells: chained ``||`` would copy the growing line once per cell.
    """
    if not columns:
        return "'\"\"' || char(13, 10)"
    cells = [f"({cell_expr(c, rules)})" for c in columns]
    line = _join(cells)
    if len(columns) == 1:
        # A lone empty cell would be a blank line, which CSV readers skip: quote it.
        line = f"(CASE WHEN ifnull({cells[0]}, '') = '' THEN '\"\"' ELSE {line} END)"
    return f"{line} || char(13, 10)"


SEP = "\x1f"  # unit separator between the cells of a fast line
RS = "\x1e"  # record separator between the fast lines of a chunk


def _bare(x: str) -> str:
    """``x`` without its column affinity: comparisons then convert neither side."""
    return f"+{x}"


def _fast_text(x: str, rules: CellRules, json_column: bool) -> str:
    if not rules.neutralise:
        return x
    # Byte comparisons (no function call) let almost every value skip the precise test:
    # only values starting below '.' or in '='..'@' can start a formula.  Testing 'A'
    # first settles values starting with a letter in one comparison.
    y = _bare(x)
    maybe = f"({y} < 'A' AND ({y} < '.' OR {y} >= '='))"
    return f"CASE WHEN {maybe} AND {_dangerous(x, json_column)} THEN '''' || {x} ELSE {x} END"


def _fast_number(x: str) -> str:
    """Integers, and reals whose 15-digit text round-trips, pass as they are (printf
    writes them); other reals get 17 digits.

    A real equal to ``round(x * 100) / 100.0`` is the double nearest a decimal of at most
    15 digits (below 1e13), so its 15-digit text round-trips: amounts skip the costly
    text round trip, which settles the rest.
    """
    y = _bare(x)
    return (
        f"CASE WHEN {y} = CAST({x} AS INTEGER) "
        f"OR (abs({y}) < 1e13 AND round({y} * 100) / 100.0 = {y}) "
        f"OR CAST(CAST({x} AS TEXT) AS REAL) = {y} "
        f"THEN {x} ELSE printf('%!.17g', {x}) END"
    )


def _fast_cell(column: Column, rules: CellRules) -> str:
    x = _ident(column.name)
    text = _fast_text(x, rules, column.type == "JSONB")
    if _affinity(column.type) == "TEXT":
        return text
    # Numbers sort before text.
    general = f"CASE WHEN {_bare(x)} < '' THEN ({_fast_number(x)}) ELSE ({text}) END"
    if column.type == "BOOLEAN":
        return f"CASE {x} WHEN 1 THEN 'true' WHEN 0 THEN 'false' ELSE ({general}) END"
    return general


def _after(where: str) -> str:
    """``where`` narrowed to the rows from a rowid on (the chunk's first parameter)."""
    return f"({where}) AND rowid >= ?" if where else "rowid >= ?"


def select_chunk(table: str, columns: Sequence[Column], rules: CellRules, where: str = "") -> str:
    """``(rows, last rowid, fast lines joined by RS)`` for the next chunk of rows.

    Parameters: ``where``'s, then the first rowid and the most rows.  Cells are
    formatted and neutralised but not quoted: finding cells to quote needs a scan of
    every value, which SQL functions make slow; ``batches.finish`` does it with C-speed
    byte searches over the whole chunk.  SQLite joins the chunk's lines itself, so
    Python handles one value per chunk rather than one tuple per row; the ordered,
    limited subquery runs as a co-routine, which feeds ``group_concat`` in rowid order.
    """
    cells = [f"({_fast_cell(c, rules)})" for c in columns]
    chunks = [cells[i : i + _PRINTF_ARGS] for i in range(0, len(cells), _PRINTF_ARGS)]
    line = f" || '{SEP}' || ".join(
        f"printf('{SEP.join(['%s'] * len(chunk))}', {', '.join(chunk)})" for chunk in chunks
    )
    rows = (
        f"SELECT rowid AS r, {line} AS line FROM {_ident(table)} "
        f"WHERE {_after(where)} ORDER BY rowid LIMIT ?"
    )
    return f"SELECT count(*), max(r), CAST(group_concat(line, '{RS}') AS BLOB) FROM ({rows})"


def select_lines(table: str, columns: Sequence[Column], rules: CellRules, where: str = "") -> str:
    """The SELECT streaming ``table`` as finished CSV lines (UTF-8 bytes) in rowid order.

    CAST AS BLOB hands Python the bytes SQLite built, with no decode and re-encode.
    """
    sql = f"SELECT CAST(({line_expr(columns, rules)}) AS BLOB) FROM {_ident(table)}"
    if where:
        sql += f" WHERE {where}"
    return sql + " ORDER BY rowid"


def select_lines_chunk(
    table: str, columns: Sequence[Column], rules: CellRules, where: str = ""
) -> str:
    """``select_lines`` for the chunk ``select_chunk`` reads (same parameters)."""
    return select_lines(table, columns, rules, _after(where)) + " LIMIT ?"
