"""The cron-runner: starts whatever is due, from the last successful run in the ledger.

``tick(now)`` is the whole API: the GUI calls it from a timer (and after a wake from
sleep), ``run_due`` calls it once headless.  Each connected integration's schedule lives
in ``connections.config["schedule"]``; maintenance jobs declared by connectors have their
own default schedule, overridable in ``connections.config["maintenance"][job]`` (or the
``schedule.<job>`` app setting for lanes that are not integrations, such as exports).

A due entry whose lane is busy is not queued: a ``skipped`` run records why (once per
due slot, not once per tick).  Pausing (the tray's "Pause schedules") is stored in
``app_settings`` so it survives a restart and also stops headless ``run-due``.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from ..ledger import connections
from ..ledger.db import Ledger
from . import runs
from .engine import Engine, Submission
from .errors import ConfigurationError, service_label
from .runs import RunSummary
from .schedule import Schedule, next_due, trigger_for

log = logging.getLogger(__name__)
PAUSED_KEY = "scheduler.paused"


@dataclass(frozen=True)
class Entry:
    """Something with a schedule: a service's sync, or one maintenance job."""

    key: str  # the job name runs are recorded under (``<service>.all.sync`` for a sync)
    service: str
    jobs: tuple[str, ...]
    schedule: Schedule


@dataclass(frozen=True)
class TickAction:
    entry: Entry
    due: datetime
    trigger: str
    submission: Submission | None  # started
    skipped: RunSummary | None  # or recorded as skipped


def sync_key(service: str) -> str:
    return f"{service}.all.sync"


def is_paused(conn: sqlite3.Connection) -> bool:
    row = conn.execute("SELECT value FROM app_settings WHERE key = ?", (PAUSED_KEY,)).fetchone()
    return bool(row and json.loads(row[0]))


def set_paused(conn: sqlite3.Connection, paused: bool) -> None:
    conn.execute(
        "INSERT INTO app_settings(key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (PAUSED_KEY, json.dumps(paused)),
    )


def _setting(conn: sqlite3.Connection, key: str) -> object:
    row = conn.execute("SELECT value FROM app_settings WHERE key = ?", (key,)).fetchone()
    return None if row is None else json.loads(row[0])


class Scheduler:
    def __init__(self, engine: Engine, *, tz: tzinfo | None = None) -> None:
        self.engine = engine
        self.tz = tz or datetime.now().astimezone().tzinfo or UTC
        self._inflight: dict[str, Submission] = {}

    # -- what is scheduled ---------------------------------------------------------------
    def entries(self, ledger: Ledger) -> list[Entry]:
        """Every schedule currently on (bad ones are logged and left out, never fatal)."""
        conn = ledger.conn
        found: list[Entry] = []
        states = {c.service: c for c in connections.all_connections(conn)}
        for service in self.engine.registry.services():
            info = states.get(service)
            if info is None or info.status != "connected":
                continue
            try:
                schedule = Schedule.from_config(info.config.get("schedule"))
                if schedule.kind == "off":
                    continue
                jobs = self.engine.registry.sync_jobs(
                    service, directions=info.config.get("directions") or {}
                )
            except ConfigurationError as exc:
                log.warning("%s schedule ignored: %s", service, exc)
                continue
            if jobs:
                found.append(
                    Entry(sync_key(service), service, tuple(str(j.name) for j in jobs), schedule)
                )
        for spec in self.engine.registry.maintenance_jobs():
            name, service = str(spec.name), spec.service
            info = states.get(service)
            if info is not None and info.status != "connected":
                continue
            override = (
                (info.config.get("maintenance") or {}).get(name)
                if info is not None
                else _setting(conn, f"schedule.{name}")
            )
            try:
                chosen = (
                    Schedule.from_config(override) if isinstance(override, dict) else spec.schedule
                )
            except ConfigurationError as exc:
                log.warning("%s schedule ignored: %s", name, exc)
                continue
            if chosen is not None and chosen.kind != "off":
                found.append(Entry(name, service, (name,), chosen))
        return found

    def due_at(self, ledger: Ledger, entry: Entry, now: datetime) -> datetime | None:
        conn = ledger.conn
        return next_due(
            entry.schedule,
            last_success=runs.last_success(conn, entry.service, entry.jobs),
            last_attempt=runs.last_attempt(conn, entry.service, entry.jobs),
            now=now,
            tz=self.tz,
        )

    def upcoming(self, now: datetime | None = None) -> list[tuple[Entry, datetime | None]]:
        """Each entry and when it is next due (for "Next sync at …" in the window/tray)."""
        now = now or self.engine.clock()
        with Ledger(self.engine.ledger_path) as ledger:
            return [(e, self.due_at(ledger, e, now)) for e in self.entries(ledger)]

    # -- the tick ------------------------------------------------------------------------
    def tick(self, now: datetime | None = None) -> list[TickAction]:
        """Start every entry that is due at ``now``; returns what was started or skipped."""
        now = now or self.engine.clock()
        self._inflight = {k: s for k, s in self._inflight.items() if not s.done}
        actions: list[TickAction] = []
        with Ledger(self.engine.ledger_path) as ledger:
            if is_paused(ledger.conn):
                return []
            for entry in self.entries(ledger):
                if entry.key in self._inflight:
                    continue  # we started it and it is still running
                due = self.due_at(ledger, entry, now)
                if due is None or due > now:
                    continue
                trigger = trigger_for(due, now)
                if self.engine.busy(entry.service):
                    if runs.skipped_since(ledger.conn, entry.service, entry.key, due):
                        continue
                    reason = f"Skipped: {service_label(entry.service)} was already syncing."
                    skipped = runs.record_skipped(
                        ledger.conn, entry.service, entry.key, trigger, reason, now=now
                    )
                    actions.append(TickAction(entry, due, trigger, None, skipped))
                    continue
                sub = self.engine.run_jobs(entry.service, entry.jobs, trigger=trigger)
                if sub.accepted:
                    self._inflight[entry.key] = sub
                    actions.append(TickAction(entry, due, trigger, sub, None))
        return actions
