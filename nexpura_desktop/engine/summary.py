"""One service's sync, summed over its jobs' runs — what ``sync`` prints and returns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..sync._util import parse_utc
from .errors import service_label
from .job import Counts
from .runs import RunSummary


@dataclass(frozen=True)
class SyncResult:
    service: str
    outcome: str  # success | partial | failed | cancelled | skipped
    counts: Counts
    requests: int
    duration_s: float
    issues: int
    message: str
    runs: tuple[RunSummary, ...] = ()


def combine(service: str, runs: Sequence[RunSummary], *, message: str = "") -> SyncResult:
    """Sum a service's runs; the outcome is the most serious one among them."""
    counts = Counts()
    for run in runs:
        counts.add(run.counts)
    ran = [r for r in runs if r.outcome != "skipped"]
    outcomes = {r.outcome for r in ran}
    if not ran:
        outcome = "skipped"
    elif "cancelled" in outcomes:
        outcome = "cancelled"
    elif outcomes == {"failed"}:
        outcome = "failed"
    elif outcomes & {"failed", "partial"}:
        outcome = "partial"
    else:
        outcome = "success"
    duration = 0.0
    finished = [r for r in runs if r.finished_at]
    if finished:
        start = min(parse_utc(r.started_at) for r in finished)
        end = max(parse_utc(str(r.finished_at)) for r in finished)
        duration = round(max((end - start).total_seconds(), 0.0), 3)
    if not message:
        notes = [r.message for r in runs if r.message and r.outcome != "success"]
        message = notes[0] if notes else outcome_sentence(service, outcome, counts)
    return SyncResult(
        service=service,
        outcome=outcome,
        counts=counts,
        requests=sum(r.requests for r in runs),
        duration_s=duration,
        issues=sum(r.issues for r in runs),
        message=message,
        runs=tuple(runs),
    )


def outcome_sentence(service: str, outcome: str, counts: Counts) -> str:
    c = counts
    done = f"{c.created} created, {c.updated} updated, {c.unchanged} unchanged"
    if c.skipped:
        done += f", {c.skipped} skipped"
    if c.failed:
        done += f", {c.failed} failed (see Activity › Issues)"
    return f"{service_label(service)} {outcome}: {done}."


def sync_summary_json(run: SyncResult | RunSummary) -> dict[str, Any]:
    """The object ``sync --json`` prints per service (a single run gives the same shape).

    ``issues`` is the number of record problems (failures and conflicts) the sync reported.
    """
    return {
        "service": run.service,
        "outcome": run.outcome,
        "counts": run.counts.as_dict(),
        "requests": run.requests,
        "duration_s": run.duration_s,
        "issues": run.issues,
    }
