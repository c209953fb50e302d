"""The engine: runs registered jobs on their service's lane and records every run.

``Engine(ledger_path, registry)`` is used by the GUI (listeners wrapped into queued Qt
signals), the CLI (``run_sync``) and the scheduler.  Each batch of jobs runs on the
service's lane thread with its own ``Ledger``; each job gets a ``sync_runs`` row, its
exceptions are classified into an outcome and one sentence, and anything a job left
uncommitted is rolled back — so a failed or cancelled job leaves the ledger consistent.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..ledger import connections
from ..ledger.db import Ledger
from ..sync import issues as sync_issues
from . import runs
from .errors import AuthExpired, SyncCancelled, SyncError, UnknownSync, describe, service_label
from .job import TRIGGERS, JobContext
from .lanes import Lanes
from .locks import LaneLock
from .registry import JobSpec, Registry
from .runs import RunSummary
from .summary import outcome_sentence

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


class EngineListener:
    """Override what you need.  Called on lane threads: hand over to your own thread."""

    def run_started(self, run: RunSummary) -> None:
        """A job's run row was just written (outcome ``None``)."""

    def progress(self, service: str, job: str, label: str, done: int, total: int | None) -> None:
        """A job reported progress."""

    def run_finished(self, run: RunSummary) -> None:
        """A job's run ended (or was recorded as skipped)."""


@dataclass
class Submission:
    """The answer to "sync now": accepted (running on the lane) or why not."""

    service: str
    jobs: tuple[str, ...]
    accepted: bool
    message: str
    future: Future[list[RunSummary]] = field(default_factory=Future)

    @property
    def done(self) -> bool:
        return self.future.done()

    def wait(self, timeout: float | None = None) -> list[RunSummary]:
        """The runs recorded (empty when refused); raises ``TimeoutError`` on timeout."""
        return self.future.result(timeout)


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Engine:
    def __init__(
        self,
        ledger_path: Path,
        registry: Registry,
        *,
        clock: Clock = _utc_now,
        close_interrupted: bool = True,
    ) -> None:
        self.ledger_path = ledger_path
        self.registry = registry
        self.clock = clock
        self._lanes = Lanes()
        self._listeners: list[EngineListener] = []
        self._listeners_lock = threading.Lock()
        if close_interrupted:
            with Ledger(ledger_path) as ledger:
                closed = runs.close_interrupted(ledger.conn, ledger_path, now=clock())
            if closed:
                log.warning("closed %d sync run(s) interrupted by a crash", closed)

    # -- listeners -----------------------------------------------------------------------
    def subscribe(self, listener: EngineListener) -> None:
        with self._listeners_lock:
            self._listeners.append(listener)

    def unsubscribe(self, listener: EngineListener) -> None:
        with self._listeners_lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def _emit(self, method: str, *args: Any) -> None:
        with self._listeners_lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                getattr(listener, method)(*args)
            except Exception:
                log.exception("an engine listener failed in %s", method)

    # -- what to run ---------------------------------------------------------------------
    def services_to_sync(self, conn: Any) -> list[str]:
        """Services with sync jobs whose integration is connected (or not a connection)."""
        states = {c.service: c.status for c in connections.all_connections(conn)}
        return [s for s in self.registry.services() if states.get(s, "connected") != "disconnected"]

    def resolve(
        self, service: str, entity: str | None = None, direction: str | None = None
    ) -> list[JobSpec]:
        """The jobs "sync ``service``" means now, honouring the integration's directions."""
        with Ledger(self.ledger_path) as ledger:
            return self._resolve(ledger, service, entity, direction)

    def _resolve(
        self, ledger: Ledger, service: str, entity: str | None, direction: str | None
    ) -> list[JobSpec]:
        name = service_label(service)
        if service not in self.registry.services():
            known = ", ".join(self.registry.services()) or "none yet"
            raise UnknownSync(f"there is nothing to sync for {service!r} (services: {known})")
        directions: dict[str, str] = {}
        if service in connections.SERVICES:
            conn = connections.get(ledger.conn, service)
            if conn.status == "disconnected":
                raise UnknownSync(f"{name} is not connected; connect it under Integrations first")
            directions = dict(conn.config.get("directions") or {})
        try:
            jobs = self.registry.sync_jobs(service, entity, direction, directions=directions)
        except ValueError as exc:
            raise UnknownSync(str(exc)) from None
        if not jobs:
            what = " ".join(p for p in (entity, direction) if p and p != "both") or "anything"
            raise UnknownSync(f"{name} has no {what} sync turned on")
        return jobs

    # -- starting work -------------------------------------------------------------------
    def sync_now(
        self,
        service: str = "all",
        entity: str | None = None,
        direction: str | None = None,
        *,
        trigger: str = "manual",
        full: bool = False,
    ) -> list[Submission]:
        """Start syncing one service (or every connected one); never blocks on the work."""
        with Ledger(self.ledger_path) as ledger:
            if service == "all":
                services = self.services_to_sync(ledger.conn)
                if not services:
                    raise UnknownSync("no integration is connected; connect one first")
                plans = []
                for svc in services:
                    try:
                        plans.append((svc, self._resolve(ledger, svc, entity, direction)))
                    except UnknownSync:
                        if entity is None:
                            raise
                if not plans:
                    raise UnknownSync(f"no connected integration syncs {entity}")
            else:
                plans = [(service, self._resolve(ledger, service, entity, direction))]
        return [
            self.run_jobs(svc, [str(j.name) for j in jobs], trigger=trigger, full=full)
            for svc, jobs in plans
        ]

    def run_jobs(
        self, service: str, jobs: Sequence[str], *, trigger: str, full: bool = False
    ) -> Submission:
        """Run the named jobs one after another on ``service``'s lane."""
        if trigger not in TRIGGERS:
            raise ValueError(f"unknown trigger {trigger!r}")
        specs = [self.registry.get(j) for j in jobs]
        lane = specs[0].service if specs else service
        names = tuple(jobs)
        sub = Submission(service, names, True, f"{service_label(service)} sync started")

        def task(cancel: threading.Event, state: dict[str, Any]) -> None:
            self._run_batch(sub, specs, trigger, full, cancel, state)

        if not self._lanes.submit(lane, task):
            sub.accepted = False
            sub.message = f"{service_label(service)} is already syncing"
            sub.future.set_result([])
        return sub

    def retry_issue(self, issue_id: int) -> Submission:
        """Mark an issue for retry and run its job now (if the lane is free)."""
        with Ledger(self.ledger_path) as ledger:
            issue = sync_issues.retry(ledger.conn, issue_id)
        return self.run_jobs(issue.service, [issue.job], trigger="manual")

    # -- control -------------------------------------------------------------------------
    def busy(self, service: str) -> bool:
        return self._lanes.busy(service)

    def cancel(self, service: str | None = None) -> list[str]:
        return self._lanes.cancel(service)

    def wait_idle(self, timeout: float | None = None) -> bool:
        return self._lanes.wait_idle(timeout)

    def shutdown(self, timeout: float = 30.0) -> bool:
        """Cancel running jobs and wait for every lane to stop."""
        return self._lanes.shutdown(timeout)

    # -- on the lane thread --------------------------------------------------------------
    def _run_batch(
        self,
        sub: Submission,
        specs: list[JobSpec],
        trigger: str,
        full: bool,
        cancel: threading.Event,
        state: dict[str, Any],
    ) -> None:
        results: list[RunSummary] = []
        try:
            with Ledger(self.ledger_path) as ledger:
                lock = LaneLock(self.ledger_path, sub.service)
                if not lock.try_acquire():
                    reason = (
                        f"Skipped: {service_label(sub.service)} is already syncing in "
                        "another Nexpura Desktop process."
                    )
                    job = sub.jobs[0] if len(sub.jobs) == 1 else f"{sub.service}.all.sync"
                    skipped = runs.record_skipped(
                        ledger.conn, sub.service, job, trigger, reason, now=self.clock()
                    )
                    results.append(skipped)
                    self._emit("run_finished", skipped)
                else:
                    try:
                        for n, spec in enumerate(specs):
                            if cancel.is_set():
                                break
                            summary, stop = self._run_one(
                                ledger, spec, trigger, full, cancel, state
                            )
                            results.append(summary)
                            if stop:
                                break
                            if summary.outcome == "failed" and spec.name.direction == "import":
                                results.extend(
                                    self._skip_after(ledger, spec, specs[n + 1 :], trigger)
                                )
                                break
                    finally:
                        lock.release()
        except BaseException as exc:
            sub.future.set_exception(exc)
            raise
        sub.future.set_result(results)

    def _skip_after(
        self, ledger: Ledger, failed: JobSpec, rest: list[JobSpec], trigger: str
    ) -> list[RunSummary]:
        """A failed import ends the batch: the jobs after it would work from a partial
        picture of the shop (orders whose pieces were not read become incomplete sales,
        exports push what the site may already hold).  They run on the next sync."""
        name = service_label(failed.service)
        reason = (
            f"Skipped: the {name} {failed.name.entity} import did not finish, so this waits "
            "for the next sync."
        )
        skipped = []
        for spec in rest:
            run = runs.record_skipped(
                ledger.conn, spec.service, str(spec.name), trigger, reason, now=self.clock()
            )
            self._emit("run_finished", run)
            skipped.append(run)
        return skipped

    def _run_one(
        self,
        ledger: Ledger,
        spec: JobSpec,
        trigger: str,
        full: bool,
        cancel: threading.Event,
        state: dict[str, Any],
    ) -> tuple[RunSummary, bool]:
        service, name = spec.service, str(spec.name)
        conn = ledger.conn
        run_id = runs.start_run(conn, service, name, trigger, now=self.clock())
        self._emit("run_started", runs.get_run(conn, run_id))

        def progress(label: str, done: int, total: int | None) -> None:
            self._emit("progress", service, name, label, done, total)

        ctx = JobContext(
            ledger=ledger,
            job=spec.name,
            run_id=run_id,
            trigger=trigger,
            full=full,
            cancel_event=cancel,
            lane_state=state,
            _progress=progress,
        )
        stop = auth = False
        try:
            spec.factory().run(ctx)
            outcome = "partial" if ctx.counts.failed else "success"
            message = outcome_sentence(service, outcome, ctx.counts)
        except SyncCancelled as exc:
            outcome, message = "cancelled", describe(exc, service)
            stop = True
        except SyncError as exc:
            outcome, message = "failed", describe(exc, service)
            stop, auth = exc.stops_service, isinstance(exc, AuthExpired)
        except Exception as exc:
            log.exception("job %s failed", name)
            outcome, message = "failed", describe(exc, service)
        finally:
            if conn.in_transaction:  # a job must never leave half a page behind
                conn.execute("ROLLBACK")
        summary = runs.finish_run(
            conn,
            run_id,
            outcome,
            now=self.clock(),
            counts=ctx.counts,
            requests=ctx.requests,
            issues=ctx.issues,
            message=message,
        )
        if service in connections.SERVICES:
            if outcome in runs.SUCCESSFUL:
                connections.record_sync(conn, service, summary.finished_at)
                if connections.get(conn, service).status == "error":
                    connections.set_status(conn, service, "connected")  # fixed since
            elif stop and outcome == "failed":
                if auth:
                    connections.mark_reconnect_needed(conn, service, message)
                else:
                    connections.set_status(conn, service, "error", message)
        self._emit("run_finished", summary)
        return summary, stop
