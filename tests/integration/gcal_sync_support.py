"""Shared pieces of the Google Calendar sync tests: the sandbox, a ledger, runs."""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from nexpura_desktop.connectors.google_calendar.settings import CalendarSettings
from nexpura_desktop.connectors.google_calendar.streams import JOB, register
from nexpura_desktop.engine import runs
from nexpura_desktop.engine.engine import Engine
from nexpura_desktop.engine.job import JobContext, JobName
from nexpura_desktop.engine.registry import Registry
from nexpura_desktop.engine.runs import RunSummary
from nexpura_desktop.ledger import connections
from nexpura_desktop.ledger.db import Ledger
from nexpura_desktop.sandbox import Sandbox
from nexpura_desktop.sandbox.google import GoogleEmulator
from nexpura_desktop.sandbox.google import events as ev
from nexpura_desktop.sandbox.google.state import AccessToken, Grant
from nexpura_desktop.sandbox.google.timeutil import zone
from nexpura_desktop.sync import issues

TZ = "Australia/Sydney"
SCOPES = [
    "https://www.googleapis.com/auth/calendar.events",
    "https://www.googleapis.com/auth/calendar.readonly",
]
WAIT = 60.0


@dataclass
class World:
    """One in-process Google sandbox and one ledger with Google Calendar connected."""

    path: Path
    changes: str = "report"
    time_scale: float = 1.0
    sandbox: Sandbox = field(init=False)
    refreshes: int = 0
    token: str = ""

    def __post_init__(self) -> None:
        self.sandbox = Sandbox(services=["google"], time_scale=self.time_scale)
        self.mint()
        with Ledger(self.path) as ledger, ledger.transaction() as conn:
            conn.execute(
                "INSERT INTO tenants(id, name, timezone) VALUES ('t1', 'Larkspur Jewellers', ?)",
                (TZ,),
            )
            conn.execute(
                "INSERT INTO locations(id, tenant_id, name, address_line1, suburb, state, "
                "postcode) VALUES ('loc1', 't1', 'Larkspur', '12 King St', 'Newtown', 'NSW', "
                "'2042')"
            )
        with Ledger(self.path) as ledger:
            connections.save_connected(
                ledger.conn,
                "google_calendar",
                account="Shop appointments",
                config={"calendar_id": self.calendar_id, "google_changes": self.changes},
                secrets=[],
            )

    @property
    def emu(self) -> GoogleEmulator:
        emu = self.sandbox["google"]
        assert isinstance(emu, GoogleEmulator)
        return emu

    @property
    def calendar_id(self) -> str:
        cal = next(c for c in self.emu.data.calendars.values() if not c.primary)
        return cal.id

    def mint(self) -> str:
        """A live access token, as a sign-in would give (no browser needed here)."""
        emu = self.emu
        with emu.lock:
            client = next(c for c in emu.data.clients.values() if c.type == "desktop")
            gid = secrets.token_hex(6)
            emu.data.grants[gid] = Grant(gid, client.client_id, SCOPES, "1//r" + gid, 0.0)
            token = "ya29." + secrets.token_hex(12)
            emu.data.access_tokens[token] = AccessToken(
                token, gid, client.client_id, SCOPES, emu.clock.time() + 10**7
            )
        self.token = token
        return token

    async def token_source(self, force: bool) -> str:
        if force:
            self.refreshes += 1
            return self.mint()
        return self.token

    def settings(self, **extra: Any) -> CalendarSettings:
        mode = self.sql("SELECT config FROM connections WHERE service = 'google_calendar'")
        changes = "apply" if '"apply"' in str(mode[0][0]) else "report"
        base = str(self.emu.credentials()["base_url"])
        scale = self.sandbox.clock.time_scale

        async def sleep(seconds: float) -> None:  # pacing waits run on the sandbox's clock
            await asyncio.sleep(seconds / scale)

        values: dict[str, Any] = {"clock": self.sandbox.clock.time, "sleep": sleep, **extra}
        return CalendarSettings(
            calendar_id=self.calendar_id,
            api_origin=base,
            token=self.token_source,
            changes=changes,
            transport=self.sandbox.transport(),
            **values,
        )

    async def provider(self, _ledger: Ledger) -> CalendarSettings:
        return self.settings()

    # -- the ledger ------------------------------------------------------------------------
    def sql(self, statement: str, *params: Any) -> list[tuple[Any, ...]]:
        with Ledger(self.path) as ledger:
            return [tuple(r) for r in ledger.conn.execute(statement, params)]

    def insert(self, table: str, **values: Any) -> None:
        cols = ", ".join(f'"{c}"' for c in values)
        marks = ", ".join("?" * len(values))
        self.sql(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', *values.values())

    def appointment(self, aid: str, **values: Any) -> None:
        row: dict[str, Any] = {
            "id": aid,
            "tenant_id": "t1",
            "customer_name": "Jane Smith",
            "customer_phone": "0412 345 678",
            "scheduled_date": "2026-01-15",
            "scheduled_time": "10:30",
            "duration_minutes": 45,
            "appointment_type": "ring_consultation",
            "status": "scheduled",
            "notes": "Bring grandmother's ring",
            "location_id": "loc1",
        }
        row.update(values)
        self.insert("appointments", **row)

    def update(self, table: str, row_id: str, **values: Any) -> None:
        sets = ", ".join(f'"{k}" = ?' for k in values)
        self.sql(f'UPDATE "{table}" SET {sets} WHERE id = ?', *values.values(), row_id)

    def open_issues(self) -> list[issues.Issue]:
        with Ledger(self.path) as ledger:
            return issues.list_open(ledger.conn, "google_calendar")

    # -- the calendar ------------------------------------------------------------------------
    def events(self, *, deleted: bool = False) -> list[dict[str, Any]]:
        """Our calendar's events as Google renders them with ``timeZone=<shop zone>``."""
        emu = self.emu
        with emu.lock:
            cal = emu.data.calendars[self.calendar_id]
            return [
                ev.render(e, cal, emu.data.user.email, emu.base_url, zone(TZ))
                for e in emu.data.events.get(cal.id, {}).values()
                if deleted or not e.deleted
            ]

    def event_of(self, ref: str) -> dict[str, Any]:
        (found,) = [
            e
            for e in self.events()
            if e.get("extendedProperties", {}).get("private", {}).get("nexpura_ref") == ref
        ]
        return found

    def user_edit(self, event_id: str, body: dict[str, Any] | None) -> httpx.Response:
        """The owner moves (body) or deletes (None) an event in Google Calendar."""
        url = f"/_sandbox/google/calendars/{self.calendar_id}/events/{event_id}"
        base = str(self.emu.credentials()["base_url"])

        async def go() -> httpx.Response:
            async with httpx.AsyncClient(transport=self.sandbox.transport(), base_url=base) as c:
                if body is None:
                    return await c.delete(url)
                return await c.patch(url, json=body)

        return asyncio.run(go())

    def api_calls(self, since: int = 0) -> list[dict[str, Any]]:
        return [
            e
            for e in self.emu.log.entries(since)
            if e["path"].startswith(("/calendar/v3", "/batch/"))
        ]

    def log_seq(self) -> int:
        entries = self.emu.log.entries()
        return int(entries[-1]["seq"]) if entries else 0

    # -- running ---------------------------------------------------------------------------
    def run(self, *, full: bool = False) -> RunSummary:
        registry = Registry()
        register(registry, settings=self.provider)
        engine = Engine(self.path, registry)
        try:
            sub = engine.run_jobs("google_calendar", [JOB], trigger="manual", full=full)
            assert sub.accepted, sub.message
            (summary,) = sub.wait(WAIT)
        finally:
            engine.shutdown()
        return summary

    def run_direct(self, settings: CalendarSettings | None = None) -> JobContext:
        """The job without the engine's threads."""
        from nexpura_desktop.connectors.google_calendar.streams import sync_events

        with Ledger(self.path) as ledger:
            run_id = runs.start_run(
                ledger.conn, "google_calendar", JOB, "manual", now=datetime.now(UTC)
            )
            ctx = JobContext(ledger, JobName.parse(JOB), run_id, "manual")
            asyncio.run(sync_events(ctx, settings or self.settings()))
            return ctx
