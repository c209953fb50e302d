"""What a job is, and what the engine hands it while it runs (``JobContext``).

A job is named ``<service>.<entity>.<direction>`` (``shopify.products.import``) and is any
object with ``run(ctx)``.  It runs on its service's lane thread with its own ``Ledger``
(SQLite connections are per thread), reports progress, counts what it did, records
per-record problems, and checks ``raise_if_cancelled()`` between pages or batches — the
only places a cancel may stop it, so the ledger is always consistent.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..ledger.db import Ledger
from ..sync import issues as sync_issues
from .errors import SyncCancelled

TRIGGERS = ("manual", "schedule", "catch-up", "startup", "api")
COUNT_NAMES = ("created", "updated", "unchanged", "skipped", "failed")


@dataclass(frozen=True)
class JobName:
    service: str
    entity: str
    direction: str

    @classmethod
    def parse(cls, name: str) -> JobName:
        parts = name.split(".")
        if len(parts) != 3 or not all(p and p.replace("_", "").isalnum() for p in parts):
            raise ValueError(f"a job is named <service>.<entity>.<direction>, not {name!r}")
        return cls(*parts)

    def __str__(self) -> str:
        return f"{self.service}.{self.entity}.{self.direction}"


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    failed: int = 0

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in COUNT_NAMES}

    def add(self, other: Counts) -> None:
        for name in COUNT_NAMES:
            setattr(self, name, getattr(self, name) + getattr(other, name))


class Job(Protocol):
    def run(self, ctx: JobContext) -> None: ...


JobFactory = Callable[[], Job]
ProgressFn = Callable[[str, int, "int | None"], None]


@dataclass
class JobContext:
    """Everything a running job may use; counters are read by the engine afterwards."""

    ledger: Ledger
    job: JobName
    run_id: int
    trigger: str
    full: bool = False
    cancel_event: threading.Event = field(default_factory=threading.Event)
    lane_state: dict[str, Any] = field(default_factory=dict)  # survives runs on one lane
    counts: Counts = field(default_factory=Counts)
    requests: int = 0
    issues: int = 0
    _progress: ProgressFn | None = None

    @property
    def service(self) -> str:
        return self.job.service

    @property
    def name(self) -> str:
        return str(self.job)

    def progress(self, label: str, done: int, total: int | None = None) -> None:
        if self._progress is not None:
            self._progress(label, done, total)

    def cancelled(self) -> bool:
        return self.cancel_event.is_set()

    def raise_if_cancelled(self) -> None:
        """Call between pages/batches (after committing), never inside a transaction."""
        if self.cancel_event.is_set():
            raise SyncCancelled

    def count(self, outcome: str, n: int = 1) -> None:
        if outcome not in COUNT_NAMES:
            raise ValueError(f"unknown count {outcome!r}")
        setattr(self.counts, outcome, getattr(self.counts, outcome) + n)

    def request(self, n: int = 1) -> None:
        self.requests += n

    def record_issue(
        self,
        reason: str,
        *,
        local_table: str | None = None,
        local_id: object = None,
        remote_id: object = None,
        detail: str | None = None,
        kind: str = "record",
        count_failed: bool = True,
    ) -> sync_issues.Issue:
        """Record a per-record problem (joins the job's open transaction, if any)."""
        issue = sync_issues.record(
            self.ledger.conn,
            self.service,
            self.name,
            reason,
            kind=kind,
            local_table=local_table,
            local_id=local_id,
            remote_id=remote_id,
            detail=detail,
            run_id=self.run_id,
        )
        self.issues += 1
        if count_failed and kind == "record":
            self.counts.failed += 1
        return issue

    def resolve_issue(
        self, *, local_table: str | None = None, local_id: object = None, remote_id: object = None
    ) -> None:
        """The record synced this time: close any open issue about it."""
        sync_issues.resolve_record(
            self.ledger.conn,
            self.service,
            self.name,
            local_table=local_table,
            local_id=local_id,
            remote_id=remote_id,
        )

    def issues_to_retry(self) -> list[sync_issues.Issue]:
        return sync_issues.to_retry(self.ledger.conn, self.service, self.name)
