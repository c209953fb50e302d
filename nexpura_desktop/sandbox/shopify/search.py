"""Shopify's ``query:`` search syntax, for the subset the sync needs.

Supported: ``field:value``, ``field:>value`` / ``>=`` / ``<`` / ``<=``, quoted values
(``'…'`` or ``"…"``), a trailing ``*`` for a prefix match, ``-field:value`` and ``NOT`` for
negation, ``AND`` (also implicit between terms) and ``OR`` (lower precedence), and bare
words matched against the resource's default text.  Dates compare as instants, ids as
numbers, everything else case-insensitively.  Unknown fields are ignored and reported as
a search warning, as Shopify does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .ids import parse_time

TOKEN_RE = re.compile(
    r"""\s*(?:(?P<paren>[()])|(?P<neg>-)?(?:(?P<field>[A-Za-z_][\w.]*):(?P<op>>=|<=|>|<|=)?)?"""
    r"""(?P<value>'[^']*'|"[^"]*"|[^\s()]+))"""
)

Getter = Callable[[Any], Any]


@dataclass(frozen=True)
class Term:
    field: str | None
    op: str
    value: str
    negate: bool


@dataclass
class Fields:
    """How one resource answers search fields: getters plus which ones are dates/numbers."""

    getters: dict[str, Getter]
    dates: frozenset[str] = frozenset({"updated_at", "created_at", "processed_at"})
    numbers: frozenset[str] = frozenset({"id"})
    default: str | None = None


@dataclass
class Query:
    groups: list[list[Term]]  # OR of ANDs
    warnings: list[dict[str, str]]

    def matches(self, row: Any, fields: Fields) -> bool:
        if not self.groups:
            return True
        return any(all(_term(row, t, fields) for t in group) for group in self.groups)


def parse(text: str | None, fields: Fields) -> Query:
    groups: list[list[Term]] = [[]]
    warnings: list[dict[str, str]] = []
    negate_next = False
    for match in TOKEN_RE.finditer(text or ""):
        if match.group("paren"):
            continue  # grouping is flattened: the sync's queries do not need it
        value = match.group("value")
        field = match.group("field")
        if field is None and value in ("AND", "OR", "NOT"):
            if value == "OR":
                groups.append([])
            negate_next = value == "NOT"
            continue
        if value[:1] in "'\"":
            value = value[1:-1]
        if field is not None:
            field = field.lower()
            if field not in fields.getters:
                warnings.append({"field": field, "message": "Invalid search field for this query."})
                negate_next = False
                continue
        elif fields.default is None:
            negate_next = False
            continue
        term = Term(field, match.group("op") or ":", value, bool(match.group("neg")) or negate_next)
        groups[-1].append(term)
        negate_next = False
    return Query([g for g in groups if g], warnings)


def _values(row: Any, getter: Getter) -> Iterable[Any]:
    value = getter(row)
    if isinstance(value, list | tuple | set):
        return value
    return [value]


def _term(row: Any, term: Term, fields: Fields) -> bool:
    name = term.field or fields.default
    assert name is not None
    hit = any(_compare(v, term, name, fields) for v in _values(row, fields.getters[name]))
    return hit != term.negate


def _compare(actual: Any, term: Term, name: str, fields: Fields) -> bool:
    if actual is None:
        return False
    wanted: Any
    if name in fields.dates:
        wanted = parse_time(term.value)
        if wanted is None:
            return False
    elif name in fields.numbers:
        try:
            wanted = int(term.value.rsplit("/", 1)[-1])
        except ValueError:
            return False
        actual = int(actual)
    else:
        actual = str(actual).lower()
        wanted = term.value.lower()
        if term.op == ":":
            if term.field is None:
                return wanted.rstrip("*") in actual
            if wanted.endswith("*"):
                return bool(actual.startswith(wanted[:-1]))
            return bool(actual == wanted)
    if term.op in (":", "="):
        return bool(actual == wanted)
    if term.op == ">":
        return bool(actual > wanted)
    if term.op == ">=":
        return bool(actual >= wanted)
    if term.op == "<":
        return bool(actual < wanted)
    return bool(actual <= wanted)
