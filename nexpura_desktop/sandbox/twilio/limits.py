"""Throughput limits and delivery timings, all in sandbox seconds (``self.clock``).

Two separate limits, as service-apis.md §6.4 describes them:

* **REST concurrency** per account: a request beyond ``concurrency`` in flight is refused
  with 429 / 20429 ("not processed, safe to retry").  Twilio does not publish the number;
  100 is the commonly quoted default [MEM], configurable.  ``latency`` (sandbox seconds each
  API request takes) makes requests overlap so the limit can be exercised.
* **Per-sender throughput (MPS)**: messages beyond a sender's rate are *queued inside
  Twilio*, not refused: each waits for its send slot (segments ÷ MPS), and one whose slot
  falls after its ``ValidityPeriod`` (default 36000 s, per Twilio's OpenAPI document) fails
  with 30001 "Queue overflow".  The reference gives no MPS figures; the defaults are 1 MPS
  for an SMS long code and 80 MPS for a WhatsApp sender [MEM], configurable.  Setting
  ``reject_over_rate`` instead answers 429 / 20429 when a send would have to queue (a
  stricter, opt-in mode for testing a client's back-off).
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, fields
from typing import Any

DEFAULT_VALIDITY = 36000.0


@dataclass
class Limits:
    concurrency: int = 100
    latency: float = 0.0
    sms_mps: float = 1.0
    whatsapp_mps: float = 80.0
    reject_over_rate: bool = False
    whatsapp_window_hours: float = 24.0

    def update(self, data: dict[str, Any]) -> None:
        _update(self, data)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Timing:
    """How long each step takes, in sandbox seconds (Twilio's typical pace [MEM])."""

    accepted_to_queued: float = 0.5
    queued_to_sending: float = 0.5
    sending_to_sent: float = 1.0
    sent_to_delivered: float = 3.0
    whatsapp_sent_to_delivered: float = 2.0
    delivered_to_read: float = 30.0
    failure_after: float = 1.0
    template_approval: float = 300.0

    def update(self, data: dict[str, Any]) -> None:
        _update(self, data)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _update(target: Limits | Timing, data: dict[str, Any]) -> None:
    known = {f.name: f.type for f in fields(target)}
    unknown = set(data) - set(known)
    if unknown:
        raise ValueError(f"unknown settings: {sorted(unknown)}")
    for key, value in data.items():
        current = getattr(target, key)
        if isinstance(current, bool):
            setattr(target, key, bool(value))
        elif isinstance(current, int):
            setattr(target, key, int(value))
        else:
            setattr(target, key, float(value))


class ConcurrencyGate:
    """Counts the API requests in flight for the account."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._in_flight = 0

    def enter(self, limit: int) -> bool:
        with self._lock:
            if self._in_flight >= limit:
                return False
            self._in_flight += 1
            return True

    def leave(self) -> None:
        with self._lock:
            self._in_flight = max(0, self._in_flight - 1)


class SenderQueues:
    """Each sender's next free send slot (sandbox epoch seconds)."""

    def __init__(self) -> None:
        self._next_free: dict[str, float] = {}

    def backlog(self, sender: str, now: float) -> float:
        return max(0.0, self._next_free.get(sender, now) - now)

    def reserve(self, sender: str, now: float, segments: int, mps: float) -> float:
        """Book the sender's next slot; returns when the message leaves the queue."""
        slot = max(now, self._next_free.get(sender, now))
        self._next_free[sender] = slot + max(1, segments) / mps
        return slot

    def clear(self) -> None:
        self._next_free.clear()
