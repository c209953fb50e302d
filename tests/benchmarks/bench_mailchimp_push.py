"""``mailchimp_push``: 20 000 consenting customers pushed to the in-process sandbox.

The bound is Mailchimp's own: batch subscribe takes at most 500 members per call, so
20 000 members need at least 40 requests.  Reported: requests made (every API call of the
run, the audience-side pulls included), that minimum, their ratio (goal ≤ 1.25), wall
seconds, members/s, and the peak connections the sandbox saw (cap 10).
"""

from __future__ import annotations

import math
import tempfile
import time
from pathlib import Path
from typing import Any

CUSTOMERS = 20_000
BATCH = 500


def _ledger(path: Path, list_id: str) -> None:
    from nexpura_desktop.ledger import connections
    from nexpura_desktop.ledger.db import Ledger

    with Ledger(path) as ledger:
        connections.save_connected(
            ledger.conn, "mailchimp", account="bench", config={"audience_id": list_id}, secrets=[]
        )
        with ledger.transaction() as conn:
            conn.executemany(
                "INSERT INTO customers(id, email, full_name, mobile, tags, marketing_consent) "
                "VALUES (?, ?, ?, ?, ?, 1)",
                (
                    (
                        f"c{i}",
                        f"customer{i}@larkspur-mail.com.au",
                        f"Customer Number{i}",
                        f"04{i:08d}",
                        '["VIP"]' if i % 7 == 0 else "[]",
                    )
                    for i in range(CUSTOMERS)
                ),
            )


def run() -> dict[str, Any]:
    from nexpura_desktop.connectors.mailchimp.settings import MailchimpSettings
    from nexpura_desktop.connectors.mailchimp.streams import EXPORT_JOB, register
    from nexpura_desktop.engine.engine import Engine
    from nexpura_desktop.engine.registry import Registry
    from nexpura_desktop.ledger.db import Ledger
    from nexpura_desktop.sandbox import Sandbox
    from nexpura_desktop.sandbox.mailchimp import MailchimpEmulator

    sandbox = Sandbox(services=["mailchimp"])
    emu = sandbox["mailchimp"]
    assert isinstance(emu, MailchimpEmulator)
    creds = emu.credentials()

    def settings(_ledger: Ledger) -> MailchimpSettings:
        return MailchimpSettings(
            str(creds["api_key"]),
            str(creds["audience_id"]),
            str(creds["api_base_url"]),
            sandbox.transport(),
        )

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ledger.sqlite3"
        _ledger(path, str(creds["audience_id"]))
        registry = Registry()
        register(registry, settings=settings)
        engine = Engine(path, registry)
        try:
            started = time.perf_counter()
            (summary,) = engine.run_jobs("mailchimp", [EXPORT_JOB], trigger="manual").wait(600)
            seconds = time.perf_counter() - started
        finally:
            engine.shutdown()
    state = emu.state()
    members = sum(
        1 for a in state["audiences"] for m in a["members"] if m["status"] == "subscribed"
    )
    minimum = math.ceil(CUSTOMERS / BATCH)
    return {
        "name": "mailchimp_push",
        "outcome": summary.outcome,
        "customers": CUSTOMERS,
        "subscribed": members,
        "requests": summary.requests,
        "min_requests": minimum,
        "ratio": round(summary.requests / minimum, 3),
        "goal_ratio": 1.25,
        "seconds": round(seconds, 2),
        "members_per_s": round(CUSTOMERS / seconds),
        "peak_connections": state["connections"]["peak"],
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run()))
