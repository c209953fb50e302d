"""Headless entry points the CLI wires up: ``run-due`` and ``sync``.

Both start an ``Engine``, do their work on its lanes, wait for it, and always shut the
engine down (Ctrl-C cancels the running jobs cooperatively first, so the ledger stays
consistent and the interrupted runs are recorded as ``cancelled``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from .engine import Engine, EngineListener, Submission
from .errors import service_label
from .registry import Registry
from .runs import RunSummary
from .scheduler import Scheduler
from .summary import SyncResult, combine

Progress = Callable[[str, int, "int | None"], None]


class _ProgressRelay(EngineListener):
    def __init__(self, progress: Progress) -> None:
        self._progress = progress

    def progress(self, service: str, job: str, label: str, done: int, total: int | None) -> None:
        entity, direction = job.split(".")[1:3]
        self._progress(f"{service_label(service)} {entity} {direction}: {label}", done, total)


def _wait_all(engine: Engine, subs: list[Submission]) -> list[list[RunSummary]]:
    try:
        return [s.wait() for s in subs]
    except KeyboardInterrupt:
        engine.cancel()
        engine.wait_idle(30)
        raise


def run_due(
    ledger_path: Path,
    registry: Registry,
    now: datetime | None = None,
    *,
    progress: Progress | None = None,
) -> list[RunSummary]:
    """Run whatever the schedules say is due (once), wait for it, and return the runs.

    Skipped entries (lane busy, another process syncing) are included with outcome
    ``skipped``; nothing due returns an empty list.  ``now`` is for tests.
    """

    def clock() -> datetime:
        return now if now is not None else datetime.now(UTC)

    engine = Engine(ledger_path, registry, clock=clock)
    try:
        if progress is not None:
            engine.subscribe(_ProgressRelay(progress))
        actions = Scheduler(engine).tick(clock())
        results = [a.skipped for a in actions if a.skipped is not None]
        subs = [a.submission for a in actions if a.submission is not None]
        for found in _wait_all(engine, subs):
            results.extend(found)
        return results
    finally:
        engine.shutdown()


def run_sync(
    ledger_path: Path,
    registry: Registry,
    service: str = "all",
    *,
    entity: str | None = None,
    direction: str | None = None,
    full: bool = False,
    trigger: str = "manual",
    progress: Progress | None = None,
) -> list[SyncResult]:
    """``nexpura-desktop sync``: sync one service (or all connected ones) and wait.

    Returns one ``SyncResult`` per service (``sync_summary_json`` gives the ``--json``
    object).  Raises ``UnknownSync`` (a ``UserError``) for an unknown or unconnected
    service or an entity with no sync.
    """
    engine = Engine(ledger_path, registry)
    try:
        if progress is not None:
            engine.subscribe(_ProgressRelay(progress))
        subs = engine.sync_now(service, entity, direction, trigger=trigger, full=full)
        found = _wait_all(engine, subs)
        return [
            combine(s.service, r, message="" if s.accepted else s.message)
            for s, r in zip(subs, found, strict=True)
        ]
    finally:
        engine.shutdown()
