"""``xero_push``: 1 000 sent invoices (200 customers) pushed to the in-process Xero sandbox.

The bound is Xero's: invoices and new contacts go ≤ 50 per call, so the run needs at least
``ceil(1000/50) + ceil(200/50)`` = 24 writes, and at 60 calls per minute those take at
least 24 s of Xero time when paced evenly.  The sandbox clock runs ``TIME_SCALE`` times
faster than real time (its limiter and our pacer both read it), every Accounting call takes
``LATENCY`` real seconds and holds one of the 5 concurrency slots.  Reported: every request
of the run (settings and contact reads included), that minimum, their ratio (goal ≤ 1.25),
the Xero-time seconds against the 60/min bound, real seconds, 429s seen, peak in flight;
then a second run with nothing changed in the ledger (it reads the change feed: only the
organisation's settings are requested, no invoice is read or sent).
"""

from __future__ import annotations

import asyncio
import math
import tempfile
import time
from pathlib import Path
from typing import Any

INVOICES = 1000
CUSTOMERS = 200
BATCH = 50
PER_MINUTE = 60
TIME_SCALE = 60.0  # one real second is one Xero minute
LATENCY = 0.02  # real seconds per Accounting call


def _ledger(path: Path, tenant: str) -> None:
    from nexpura_desktop.ledger import connections
    from nexpura_desktop.ledger.db import Ledger

    with Ledger(path) as ledger:
        connections.save_connected(
            ledger.conn, "xero", account="bench", config={"tenant_id": tenant}, secrets=[]
        )
        with ledger.transaction() as conn:
            conn.execute("INSERT INTO tenants(id, tax_inclusive, tax_rate) VALUES ('t', 1, 0.1)")
            conn.executemany(
                "INSERT INTO customers(id, full_name, email) VALUES (?, ?, ?)",
                ((f"c{i}", f"Customer Number{i}", f"c{i}@larkspur.test") for i in range(CUSTOMERS)),
            )
            conn.executemany(
                "INSERT INTO invoices(id, invoice_number, customer_id, invoice_date, due_date, "
                "status, currency) VALUES (?, ?, ?, '2026-03-02', '2026-03-16', 'sent', 'AUD')",
                ((f"i{n}", f"INV-{n:05d}", f"c{n % CUSTOMERS}") for n in range(INVOICES)),
            )
            conn.executemany(
                "INSERT INTO invoice_line_items(id, invoice_id, description, quantity, "
                "unit_price, discount_pct, sort_order) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    (f"i{n}-{k}", f"i{n}", f"Item {k}", 1 + k, 99.5 + n % 7, 5 * (k % 2), k)
                    for n in range(INVOICES)
                    for k in range(3)
                ),
            )


def run() -> dict[str, Any]:
    import httpx

    from nexpura_desktop.connectors.xero.settings import XeroSettings
    from nexpura_desktop.connectors.xero.streams import EXPORT_JOB, register
    from nexpura_desktop.engine.engine import Engine
    from nexpura_desktop.engine.registry import Registry
    from nexpura_desktop.ledger.db import Ledger
    from nexpura_desktop.sandbox import Sandbox
    from nexpura_desktop.sandbox.xero import XeroEmulator
    from nexpura_desktop.sync.pacing import Pacer
    from tests.sandbox.xero_support import ORIGIN, login

    sandbox = Sandbox(services=["xero"], time_scale=TIME_SCALE)
    emu = sandbox["xero"]
    assert isinstance(emu, XeroEmulator)
    emu.seed({"settings": {"latency": LATENCY}})
    clock = sandbox.clock

    async def sign_in() -> dict[str, Any]:
        async with httpx.AsyncClient(transport=sandbox.transport(), base_url=ORIGIN) as client:
            return await login(client)

    tokens = asyncio.run(sign_in())
    tenant = str(tokens["tenants"][0])

    async def provide(*, force_refresh: bool = False) -> str:
        return str(tokens["access_token"])

    async def scaled_sleep(seconds: float) -> None:
        await asyncio.sleep(seconds / TIME_SCALE)

    async def settings(_ledger: Ledger) -> XeroSettings:
        pacer = Pacer(
            "xero",
            rate=PER_MINUTE / 60.0,
            burst=float(PER_MINUTE),
            clock=clock.time,
            wall=clock.now,
        )
        return XeroSettings(
            api_base=ORIGIN + "/api.xro/2.0",
            tenant_id=tenant,
            tokens=provide,
            transport=sandbox.transport(),
            pacer=pacer,
            sleep=scaled_sleep,
        )

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ledger.sqlite3"
        _ledger(path, tenant)
        registry = Registry()
        register(registry, settings=settings)
        engine = Engine(path, registry)
        try:
            started, xero_started = time.perf_counter(), clock.time()
            cpu_started = time.process_time()
            (summary,) = engine.run_jobs("xero", [EXPORT_JOB], trigger="manual").wait(600)
            seconds, xero_seconds = time.perf_counter() - started, clock.time() - xero_started
            cpu_seconds = time.process_time() - cpu_started
            # the next run reads the change feed: nothing changed, so no invoice is read
            rerun_started = time.perf_counter()
            (rerun,) = engine.run_jobs("xero", [EXPORT_JOB], trigger="manual").wait(600)
            rerun_seconds = time.perf_counter() - rerun_started
        finally:
            engine.shutdown()
    books = emu.state()["organisations"][tenant]
    throttled = sum(1 for e in emu.log.entries() if e.get("status") == 429)
    minimum = math.ceil(INVOICES / BATCH) + math.ceil(CUSTOMERS / BATCH)
    bound_seconds = minimum * 60.0 / PER_MINUTE
    return {
        "name": "xero_push",
        "outcome": summary.outcome,
        "invoices": INVOICES,
        "xero_invoices": len(books["invoices"]),
        "xero_contacts": len(books["contacts"]),
        "requests": summary.requests,
        "min_requests": minimum,
        "ratio": round(summary.requests / minimum, 3),
        "goal_ratio": 1.25,
        "xero_seconds": round(xero_seconds, 1),
        "bound_seconds_at_60_per_min": bound_seconds,
        "time_ratio": round(xero_seconds / bound_seconds, 3),
        "seconds": round(seconds, 2),
        # CPU seconds of the whole process (app + emulator) during the push: on a busy
        # machine wall time (and so Xero time, scaled ×60) grows while this does not
        "cpu_seconds": round(cpu_seconds, 2),
        "rerun_requests": rerun.requests,
        "rerun_unchanged": rerun.counts.unchanged,
        "rerun_seconds": round(rerun_seconds, 2),
        "throttled_429": throttled,
        "time_scale": TIME_SCALE,
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run()))
