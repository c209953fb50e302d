"""Fault injection for the emulators: by rule (next N matching requests) or by rate.

A rule is a JSON object posted to ``/_sandbox/faults``::

    {"kind": "status", "status": 429, "rate": 0.1, "path": "/admin/.*", "method": "POST",
     "count": 3, "delay": 2.0, "retry_after": 1}

``kind`` is one of ``status`` (answer with that HTTP status and the service's own error
body), ``timeout`` (hold the request for ``delay`` seconds, default 60, and then drop it),
``drop`` (close the connection without a response), ``truncate`` (send only the first half
of the real body), ``malformed`` (replace the body with something that is not the JSON the
client expects) and ``slow`` (answer normally after ``delay`` seconds).  A rule applies to
requests whose path matches ``path`` (a regular expression, searched) and whose method
matches ``method``; ``rate`` (0..1, default 1) is the probability per matching request;
``count`` limits how many times it fires.  Control paths (``/_sandbox/``) are never faulted.
"""

from __future__ import annotations

import random
import re
import threading
from dataclasses import dataclass, field
from typing import Any

KINDS = frozenset({"status", "timeout", "drop", "truncate", "malformed", "slow"})


class FaultRuleError(ValueError):
    """A fault rule that cannot be understood."""


@dataclass
class FaultRule:
    kind: str
    status: int = 500
    rate: float = 1.0
    path: str = ""
    method: str = ""
    count: int | None = None
    delay: float | None = None
    retry_after: float | None = None
    fired: int = 0
    _pattern: re.Pattern[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise FaultRuleError(f"unknown fault kind {self.kind!r}; use one of {sorted(KINDS)}")
        if not 0.0 <= self.rate <= 1.0:
            raise FaultRuleError("rate must be between 0 and 1")
        try:
            self._pattern = re.compile(self.path)
        except re.error as exc:
            raise FaultRuleError(f"bad path pattern: {exc}") from exc

    @classmethod
    def from_json(cls, data: Any) -> FaultRule:
        if not isinstance(data, dict) or "kind" not in data:
            raise FaultRuleError('a fault rule is an object with at least "kind"')
        allowed = {"kind", "status", "rate", "path", "method", "count", "delay", "retry_after"}
        unknown = set(data) - allowed
        if unknown:
            raise FaultRuleError(f"unknown fault rule keys: {sorted(unknown)}")
        return cls(**data)

    def matches(self, method: str, path: str) -> bool:
        if self.count is not None and self.fired >= self.count:
            return False
        if self.method and self.method.upper() != method.upper():
            return False
        return bool(self._pattern.search(path))

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "status": self.status,
            "rate": self.rate,
            "path": self.path,
            "method": self.method,
            "count": self.count,
            "delay": self.delay,
            "retry_after": self.retry_after,
            "fired": self.fired,
        }


class FaultInjector:
    """Thread-safe list of fault rules; picks the rule (if any) for one request."""

    def __init__(self, seed: int | None = None) -> None:
        self._rules: list[FaultRule] = []
        self._lock = threading.Lock()
        self._random = random.Random(seed)

    def add(self, rule: FaultRule) -> None:
        with self._lock:
            self._rules.append(rule)

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def rules(self) -> list[FaultRule]:
        with self._lock:
            return list(self._rules)

    def pick(self, method: str, path: str) -> FaultRule | None:
        with self._lock:
            for rule in self._rules:
                if rule.matches(method, path) and self._random.random() < rule.rate:
                    rule.fired += 1
                    return rule
        return None
