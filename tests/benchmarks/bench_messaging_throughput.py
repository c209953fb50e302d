"""``messaging_throughput``: 2 000 "ready for pickup" SMS through the in-process sandbox.

The bound is Twilio's per-sender rate: the sandbox's SMS sender takes ``MPS`` messages a
second and, in its strict mode (``reject_over_rate``), refuses with 429 any send that
would have to queue.  2 000 messages therefore need at least 2 000 / MPS seconds.
Reported: the run's seconds (events found, sends, log writes), that bound, their ratio
(goal ≤ 1.25), messages/s, the 429s the sandbox answered, and that every event was sent
exactly once.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

NOTIFICATIONS = int(__import__("os").environ.get("BENCH_N", "2000"))
MPS = float(__import__("os").environ.get("BENCH_MPS", "50"))


def _ledger(path: Path) -> None:
    from nexpura_desktop.ledger.db import Ledger
    from nexpura_desktop.messaging import settings

    with Ledger(path) as ledger, ledger.transaction() as c:
        c.execute(
            "INSERT INTO tenants(id, name, timezone, country) "
            "VALUES ('t', 'Bench Jewellers', 'Australia/Sydney', 'Australia')"
        )
        settings.set_setting(c, "quiet_start", "00:00")  # quiet hours off for the bench
        settings.set_setting(c, "quiet_end", "00:00")
        c.executemany(
            "INSERT INTO customers(id, tenant_id, first_name, mobile, communication_preference) "
            "VALUES (?, 't', ?, ?, 'sms')",
            (
                (f"c{i}", f"Person{i}", f"0491 {570000 + i % 160:06d}"[:4] + f" {i:06d}")
                for i in range(NOTIFICATIONS)
            ),
        )
        c.executemany(
            "INSERT INTO repairs(id, tenant_id, customer_id, stage, item_description, "
            "tracking_id) VALUES (?, 't', ?, 'in_progress', 'ring', ?)",
            ((f"r{i}", f"c{i}", f"RPR-{i:012X}") for i in range(NOTIFICATIONS)),
        )


def run() -> dict[str, Any]:
    from nexpura_desktop.connectors.twilio.settings import TwilioSettings
    from nexpura_desktop.connectors.twilio.streams import SEND_JOB, send_notifications
    from nexpura_desktop.engine import runs
    from nexpura_desktop.engine.job import JobContext, JobName
    from nexpura_desktop.ledger.db import Ledger
    from nexpura_desktop.messaging import delivery
    from nexpura_desktop.sandbox import Sandbox
    from nexpura_desktop.sandbox.twilio import TwilioEmulator

    sandbox = Sandbox(services=["twilio"])
    emu = sandbox["twilio"]
    assert isinstance(emu, TwilioEmulator)
    emu.seed({"limits": {"sms_mps": MPS, "reject_over_rate": True}})
    creds = emu.credentials()
    settings = TwilioSettings(
        account_sid=str(creds["account_sid"]),
        username=str(creds["account_sid"]),
        password=str(creds["auth_token"]),
        whatsapp_from=str(creds["whatsapp_from"]),
        sms_from=str(creds["sms_from"]),
        base_url=str(creds["base_url"]),
        content_base_url=str(creds["content_base_url"]),
        transport=sandbox.transport(),
        mps={"sms": MPS, "whatsapp": 80.0},
    )

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ledger.sqlite3"
        _ledger(path)

        def one_run() -> delivery.Outcome:
            with Ledger(path) as ledger:
                run_id = runs.start_run(
                    ledger.conn, "twilio", SEND_JOB, "manual", now=datetime.now(UTC)
                )
                ctx = JobContext(ledger, JobName.parse(SEND_JOB), run_id, "manual")
                return asyncio.run(send_notifications(ctx, replace(settings)))

        one_run()  # baseline scan
        with Ledger(path) as ledger, ledger.transaction() as c:
            c.execute("UPDATE repairs SET stage = 'ready'")
        started = time.perf_counter()
        out = one_run()
        seconds = time.perf_counter() - started
        one_run()  # a retry run sends nothing more
        with Ledger(path) as ledger:
            logged = ledger.conn.execute("SELECT COUNT(*) FROM sms_sends").fetchone()[0]
    outbound = [m for m in emu.data.messages.values() if m.direction == "outbound-api"]
    posts = [e for e in emu.log.entries() if e["method"] == "POST"]
    refused = sum(1 for e in posts if int(e.get("status", 0)) == 429)
    segments = sum(m.num_segments for m in outbound)
    bound = segments / MPS
    return {
        "name": "messaging_throughput",
        "notifications": NOTIFICATIONS,
        "sent": out.sent,
        "twilio_messages": len(outbound),
        "logged": logged,
        "exactly_once": len(outbound) == NOTIFICATIONS == logged,
        "segments": segments,
        "sender_mps": MPS,
        "bound_seconds": round(bound, 2),
        "seconds": round(seconds, 2),
        "ratio": round(seconds / bound, 3),
        "goal_ratio": 1.25,
        "messages_per_s": round(NOTIFICATIONS / seconds, 1),
        "refused_429": refused,
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run()))
