"""``calendar_push``: 5 000 events pushed to the in-process Google sandbox.

Two bounds, both Google's own.  Requests: a batch carries at most 50 calls (Google's
advice; the hard cap is 1000), so 5 000 events need at least 100 batch requests.  Time:
every call in a batch counts against the per-user quota of 600 calls a minute, so 5 000
events need at least 500 s of Google's time.  The sandbox runs at ``TIME_SCALE`` (its
quota windows and our pacer's clock both on the sandbox clock), so that bound costs a few
real seconds.  Reported: requests (every API call of the run, the listing included), the
minimum, their ratio; sandbox seconds, the quota-time bound, their ratio (goals ≤ 1.25);
wall seconds, events/s, and how many calls the quota refused (0 when pacing is right).
"""

from __future__ import annotations

import asyncio
import math
import secrets
import tempfile
import time
from pathlib import Path
from typing import Any

APPOINTMENTS = 4_000
REPAIRS = 500
BESPOKE = 500
EVENTS = APPOINTMENTS + REPAIRS + BESPOKE
BATCH = 50
QUOTA_PER_MINUTE = 600
TIME_SCALE = 120.0
TZ = "Australia/Sydney"
SCOPES = ["https://www.googleapis.com/auth/calendar.events"]


def _ledger(path: Path, calendar_id: str) -> None:
    from nexpura_desktop.ledger import connections
    from nexpura_desktop.ledger.db import Ledger

    with Ledger(path) as ledger:
        connections.save_connected(
            ledger.conn,
            "google_calendar",
            account="bench",
            config={"calendar_id": calendar_id},
            secrets=[],
        )
        with ledger.transaction() as conn:
            conn.execute("INSERT INTO tenants(id, name, timezone) VALUES ('t1', 'Bench', ?)", (TZ,))
            conn.executemany(
                "INSERT INTO appointments(id, customer_name, scheduled_date, scheduled_time, "
                "duration_minutes, appointment_type, status, notes) "
                "VALUES (?, ?, ?, ?, 30, 'consultation', 'scheduled', ?)",
                (
                    (
                        f"a{i}",
                        f"Customer {i}",
                        f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}",
                        f"{9 + i % 8:02d}:{(i % 4) * 15:02d}",
                        f"Appointment note {i}",
                    )
                    for i in range(APPOINTMENTS)
                ),
            )
            for table, count in (("repairs", REPAIRS), ("bespoke_jobs", BESPOKE)):
                conn.executemany(
                    f"INSERT INTO {table}(id, customer_name, due_date, stage) "
                    "VALUES (?, ?, ?, 'in_progress')",
                    (
                        (f"{table[0]}{i}", f"Customer {i}", f"2026-{1 + i % 12:02d}-15")
                        for i in range(count)
                    ),
                )


def run() -> dict[str, Any]:
    from nexpura_desktop.connectors.google_calendar.settings import CalendarSettings
    from nexpura_desktop.connectors.google_calendar.streams import JOB, register
    from nexpura_desktop.engine.engine import Engine
    from nexpura_desktop.engine.registry import Registry
    from nexpura_desktop.ledger.db import Ledger
    from nexpura_desktop.sandbox import Sandbox
    from nexpura_desktop.sandbox.google import GoogleEmulator
    from nexpura_desktop.sandbox.google.errors import ApiError
    from nexpura_desktop.sandbox.google.state import AccessToken, Grant

    sandbox = Sandbox(services=["google"], time_scale=TIME_SCALE)
    emu = sandbox["google"]
    assert isinstance(emu, GoogleEmulator)
    emu.quota.settings.user_per_minute = QUOTA_PER_MINUTE
    refusals = [0]
    hit = emu.quota.hit

    def counted(user: str) -> None:  # calls refused inside batches never reach the log
        try:
            hit(user)
        except ApiError:
            refusals[0] += 1
            raise

    setattr(emu.quota, "hit", counted)  # noqa: B010 - instrumenting the emulator
    calendar_id = next(c.id for c in emu.data.calendars.values() if not c.primary)
    client = next(c for c in emu.data.clients.values() if c.type == "desktop")
    emu.data.grants["g"] = Grant("g", client.client_id, SCOPES, "1//bench", 0.0)
    token = "ya29." + secrets.token_hex(12)
    emu.data.access_tokens[token] = AccessToken(
        token, "g", client.client_id, SCOPES, emu.clock.time() + 10**8
    )

    async def access(_force: bool) -> str:
        return token

    async def sleep(seconds: float) -> None:
        await asyncio.sleep(seconds / TIME_SCALE)

    async def settings(_ledger: Ledger) -> CalendarSettings:
        return CalendarSettings(
            calendar_id,
            str(emu.credentials()["base_url"]),
            access,
            transport=sandbox.transport(),
            clock=sandbox.clock.time,
            sleep=sleep,
        )

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ledger.sqlite3"
        _ledger(path, calendar_id)
        registry = Registry()
        register(registry, settings=settings)
        engine = Engine(path, registry)
        try:
            started, sandbox_started = time.perf_counter(), sandbox.clock.time()
            (summary,) = engine.run_jobs("google_calendar", [JOB], trigger="manual").wait(900)
            seconds = time.perf_counter() - started
            sandbox_seconds = sandbox.clock.time() - sandbox_started
        finally:
            engine.shutdown()
    with emu.lock:
        stored = sum(1 for e in emu.data.events.get(calendar_id, {}).values() if not e.deleted)
    refused = refusals[0] + sum(1 for e in emu.log.entries() if e["status"] in (403, 429))
    min_requests = math.ceil(EVENTS / BATCH)
    min_seconds = EVENTS / QUOTA_PER_MINUTE * 60
    return {
        "name": "calendar_push",
        "outcome": summary.outcome,
        "events": EVENTS,
        "stored": stored,
        "requests": summary.requests,
        "min_requests": min_requests,
        "ratio": round(summary.requests / min_requests, 3),
        "sandbox_seconds": round(sandbox_seconds, 1),
        "min_sandbox_seconds": round(min_seconds, 1),
        "time_ratio": round(sandbox_seconds / min_seconds, 3),
        "goal_ratio": 1.25,
        "seconds": round(seconds, 2),
        "events_per_s": round(EVENTS / seconds),
        "quota_refusals": refused,
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run()))
