"""Xero's ``where`` filter: a small .NET-LINQ-like expression language.

Supports what clients of the Accounting API use: ``Field == "text"`` (also ``!=``, ``<``,
``<=``, ``>``, ``>=``), dotted paths (``Contact.ContactID``), ``AND``/``OR``/``&&``/``||``,
parentheses, ``Guid("…")``, ``DateTime(2026,01,31)`` / ``DateTime(2026,01,31,10,0,0)``,
``null``, ``true``/``false``, numbers, and the string methods ``.Contains("…")``,
``.StartsWith("…")``, ``.EndsWith("…")``.  Text compares case-insensitively, as Xero's
database collation does.  Anything else is a :class:`QueryError` (Xero answers 400
``QueryParseException``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any

TOKEN = re.compile(
    r'\s*(?:(?P<str>"(?:[^"\\]|\\.)*")|(?P<num>-?\d+(?:\.\d+)?)|(?P<op>==|!=|<=|>=|<|>|&&|\|\|)'
    r"|(?P<punct>[().,])|(?P<word>[A-Za-z_][A-Za-z0-9_]*))"
)
Predicate = Callable[[Mapping[str, Any]], bool]


class QueryError(ValueError):
    pass


def _tokens(text: str) -> list[tuple[str, str]]:
    pos, out = 0, []
    text = text.strip()
    while pos < len(text):
        match = TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise QueryError(f"Unexpected character at position {pos} in where clause")
        kind = match.lastgroup or ""
        out.append((kind, match.group(kind)))
        pos = match.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return out


def _norm(value: Any) -> Any:
    if isinstance(value, str):
        return value.casefold()
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    return value


class _Parser:
    def __init__(self, text: str) -> None:
        self.toks = _tokens(text)
        self.i = 0

    def peek(self) -> tuple[str, str] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        tok = self.peek()
        if tok is None or (value is not None and tok[1].upper() != value.upper()):
            raise QueryError(f"Expected {value or 'more input'} in where clause")
        self.i += 1
        return tok

    def parse(self) -> Predicate:
        pred = self.disjunction()
        if self.peek() is not None:
            raise QueryError(f"Unexpected '{self.peek()[1]}' in where clause")  # type: ignore[index]
        return pred

    def disjunction(self) -> Predicate:
        left = self.conjunction()
        while (tok := self.peek()) and tok[1].upper() in ("OR", "||"):
            self.take()
            right, prev = self.conjunction(), left
            left = _either(prev, right)
        return left

    def conjunction(self) -> Predicate:
        left = self.atom()
        while (tok := self.peek()) and tok[1].upper() in ("AND", "&&"):
            self.take()
            right, prev = self.atom(), left
            left = _both(prev, right)
        return left

    def atom(self) -> Predicate:
        if (tok := self.peek()) and tok[1] == "(":
            self.take("(")
            inner = self.disjunction()
            self.take(")")
            return inner
        kind, word = self.take()
        if kind != "word":
            raise QueryError(f"Expected a field name, got '{word}'")
        path = [word]
        while (tok := self.peek()) and tok[1] == ".":
            self.take(".")
            path.append(self.take()[1])
        if path[-1] in ("Contains", "StartsWith", "EndsWith"):
            method = path.pop()
            self.take("(")
            needle = self.literal()
            self.take(")")
            return _method(path, method, needle)
        kind, op = self.take()
        if kind != "op" or op in ("&&", "||"):
            raise QueryError(f"Expected a comparison after {'.'.join(path)}")
        return _compare(path, op, self.literal())

    def literal(self) -> Any:
        kind, value = self.take()
        if kind == "str":
            return bytes(value[1:-1], "utf-8").decode("unicode_escape")
        if kind == "num":
            return float(value)
        word = value.lower()
        if word == "null":
            return None
        if word in ("true", "false"):
            return word == "true"
        if word in ("guid", "datetime"):
            self.take("(")
            args = [self.literal()]
            while (tok := self.peek()) and tok[1] == ",":
                self.take(",")
                args.append(self.literal())
            self.take(")")
            if word == "guid":
                return str(args[0]).lower()
            try:
                nums = [int(a) for a in args]
                year, month, day, *rest = nums
                hour, minute, second = ([*rest, 0, 0, 0])[:3]
                return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
            except (TypeError, ValueError) as exc:
                raise QueryError(f"Invalid DateTime in where clause: {exc}") from exc
        raise QueryError(f"Unexpected '{value}' in where clause")


def _either(a: Predicate, b: Predicate) -> Predicate:
    return lambda r: a(r) or b(r)


def _both(a: Predicate, b: Predicate) -> Predicate:
    return lambda r: a(r) and b(r)


def _get(record: Mapping[str, Any], path: list[str]) -> Any:
    value: Any = record
    for part in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _compare(path: list[str], op: str, literal: Any) -> Predicate:
    def check(record: Mapping[str, Any]) -> bool:
        value = _get(record, path)
        if literal is None or value is None:
            same = value in (None, "") and literal is None
            return same if op == "==" else (not same if op == "!=" else False)
        left, right = _norm(value), _norm(literal)
        if isinstance(right, float) and isinstance(left, int | float):
            left = float(left)
        try:
            return bool(
                {
                    "==": lambda: left == right,
                    "!=": lambda: left != right,
                    "<": lambda: left < right,
                    "<=": lambda: left <= right,
                    ">": lambda: left > right,
                    ">=": lambda: left >= right,
                }[op]()
            )
        except TypeError:
            return False

    return check


def _method(path: list[str], method: str, needle: Any) -> Predicate:
    folded = str(needle).casefold()

    def check(record: Mapping[str, Any]) -> bool:
        value = _get(record, path)
        if not isinstance(value, str):
            return False
        text = value.casefold()
        if method == "Contains":
            return folded in text
        return text.startswith(folded) if method == "StartsWith" else text.endswith(folded)

    return check


def compile_where(text: str) -> Predicate:
    """The predicate for a ``where`` parameter; raises :class:`QueryError`."""
    return _Parser(text).parse()
