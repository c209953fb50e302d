"""How a value is stored in a ledger column of each declared type.

One set of rules for every writer (import, demo shop, syncs) so that the export can
turn every stored value back into the same text:

* BOOLEAN → 0/1; JSONB → compact JSON text; TIMESTAMPTZ → ISO-8601 with an offset
  (naive times are UTC, as PostgREST writes them); NUMERIC → int/float; INTEGER → int;
* a value whose kind does not fit the column (a dict in a TEXT column, a bool in an
  INTEGER column, a number in a DATE column) is stored as its JSON text, so nothing is lost
  and the CSV shows what the file held.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

Stored = str | int | float | None


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def _text(value: Any) -> Stored:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    return _json(value)


def _boolean(value: Any) -> Stored:
    if value is None:
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("true", "t", "1", "yes"):
            return 1
        if lowered in ("false", "f", "0", "no"):
            return 0
    return _text(value)


def _integer(value: Any) -> Stored:
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    if isinstance(value, float | Decimal) and value == int(value):
        return int(value)
    return _text(value)


def _numeric(value: Any) -> Stored:
    if value is None or (isinstance(value, int | float) and not isinstance(value, bool)):
        return value
    if isinstance(value, Decimal):
        return (
            int(value)
            if value == value.to_integral_value() and "." not in str(value)
            else float(value)
        )
    return _text(value)


def normalise_timestamp(value: str) -> str:
    """ISO-8601 with an explicit offset; text that is not a timestamp is kept as is."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return value
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.isoformat()


def _timestamp(value: Any) -> Stored:
    if isinstance(value, str):
        return normalise_timestamp(value)
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    return _text(value)


def _jsonb(value: Any) -> Stored:
    return None if value is None else _json(value)


CONVERTERS: dict[str, Callable[[Any], Stored]] = {
    "TEXT": _text,
    "DATE": _text,
    "BOOLEAN": _boolean,
    "INTEGER": _integer,
    "NUMERIC": _numeric,
    "TIMESTAMPTZ": _timestamp,
    "JSONB": _jsonb,
}


def converter(declared_type: str) -> Callable[[Any], Stored]:
    return CONVERTERS.get(declared_type.upper(), _text)


def type_for_value(value: Any) -> str:
    """The column type a generic table gets for the first non-null value seen."""
    if isinstance(value, bool):
        return "BOOLEAN"
    if isinstance(value, int):
        return "INTEGER"
    if isinstance(value, float | Decimal):
        return "NUMERIC"
    if isinstance(value, dict | list):
        return "JSONB"
    if isinstance(value, str) and len(value) >= 20 and value[4:5] == "-" and value[10:11] in "T ":
        try:
            datetime.fromisoformat(value)
        except ValueError:
            return "TEXT"
        return "TIMESTAMPTZ"
    return "TEXT"


def row_values(
    row: Mapping[str, Any], columns: Sequence[str], converters: Sequence[Callable[[Any], Stored]]
) -> list[Stored]:
    return [conv(row.get(col)) for col, conv in zip(columns, converters, strict=True)]
