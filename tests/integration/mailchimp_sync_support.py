"""Shared pieces of the Mailchimp audience-sync tests: a sandbox, a ledger, and runs."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from nexpura_desktop.connectors.mailchimp.settings import MailchimpSettings
from nexpura_desktop.connectors.mailchimp.streams import EXPORT_JOB, VERIFY_JOB, register
from nexpura_desktop.engine import runs
from nexpura_desktop.engine.engine import Engine
from nexpura_desktop.engine.job import JobContext, JobName
from nexpura_desktop.engine.registry import Registry
from nexpura_desktop.engine.runs import RunSummary
from nexpura_desktop.ledger import connections
from nexpura_desktop.ledger.db import Ledger
from nexpura_desktop.sandbox import Sandbox
from nexpura_desktop.sandbox.mailchimp import MailchimpEmulator
from nexpura_desktop.sync import issues

DOMAIN = "larkspur-mail.com.au"  # not one of Mailchimp's "fake" domains
WAIT = 60.0


def email(n: int | str) -> str:
    return f"person{n}@{DOMAIN}"


async def no_sleep(_seconds: float) -> None:
    """Backoff without waiting (the tests count the waits instead)."""
    await asyncio.sleep(0)


@dataclass
class World:
    """One in-process Mailchimp sandbox and one ledger with Mailchimp connected."""

    path: Path
    sandbox: Sandbox = field(default_factory=lambda: Sandbox(services=["mailchimp"]))
    api_key: str | None = None
    audience: str | None = None  # overrides the sandbox's audience id
    sleeps: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        with Ledger(self.path) as ledger:
            connections.save_connected(
                ledger.conn,
                "mailchimp",
                account="Nexpura Sandbox Jewellers",
                config={"audience_id": self.list_id},
                secrets=["mailchimp/api_key"],
            )

    @property
    def emu(self) -> MailchimpEmulator:
        emu = self.sandbox["mailchimp"]
        assert isinstance(emu, MailchimpEmulator)
        return emu

    @property
    def list_id(self) -> str:
        return str(self.emu.credentials()["audience_id"])

    def settings(self, _ledger: Ledger | None = None) -> MailchimpSettings:
        creds = self.emu.credentials()
        return MailchimpSettings(
            api_key=self.api_key or str(creds["api_key"]),
            audience_id=self.audience or self.list_id,
            base_url=str(creds["api_base_url"]),
            transport=self.sandbox.transport(),
        )

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        await asyncio.sleep(0)

    # -- the ledger ------------------------------------------------------------------------
    def sql(self, statement: str, *params: Any) -> list[tuple[Any, ...]]:
        with Ledger(self.path) as ledger:
            return [tuple(r) for r in ledger.conn.execute(statement, params)]

    def add_customers(self, rows: list[dict[str, Any]]) -> None:
        with Ledger(self.path) as ledger, ledger.transaction() as conn:
            for row in rows:
                data = dict(row)
                if "tags" in data and not isinstance(data["tags"], str):
                    data["tags"] = json.dumps(data["tags"])
                if isinstance(data.get("marketing_consent"), bool):
                    data["marketing_consent"] = int(data["marketing_consent"])
                cols = ", ".join(f'"{c}"' for c in data)
                marks = ", ".join("?" * len(data))
                conn.execute(
                    f"INSERT INTO customers ({cols}) VALUES ({marks})", list(data.values())
                )

    def customer(self, cid: str, address: str | None, consent: bool | None, **extra: Any) -> None:
        self.add_customers(
            [
                {
                    "id": cid,
                    "email": address,
                    "full_name": extra.pop("full_name", f"Pat {cid.title()}"),
                    "mobile": extra.pop("mobile", "0412 345 678"),
                    "marketing_consent": consent,
                    **extra,
                }
            ]
        )

    def update(self, cid: str, **values: Any) -> None:
        sets = ", ".join(f'"{k}" = ?' for k in values)
        args = [int(v) if isinstance(v, bool) else v for v in values.values()]
        self.sql(f"UPDATE customers SET {sets} WHERE id = ?", *args, cid)

    def consent(self, cid: str) -> tuple[Any, ...]:
        return self.sql(
            "SELECT marketing_consent, marketing_consent_source, marketing_consent_reason, "
            "marketing_consent_changed_at FROM customers WHERE id = ?",
            cid,
        )[0]

    def open_issues(self) -> list[issues.Issue]:
        with Ledger(self.path) as ledger:
            return issues.list_open(ledger.conn, "mailchimp")

    # -- the audience ------------------------------------------------------------------------
    def members(self) -> dict[str, dict[str, Any]]:
        """Members of the audience by lower-cased address (archived ones included)."""
        aud = next(a for a in self.emu.state()["audiences"] if a["id"] == self.list_id)
        return {m["email_address"].lower(): m for m in aud["members"]}

    def statuses(self) -> dict[str, str]:
        return {k: m["status"] for k, m in self.members().items()}

    def event(self, address: str, status: str) -> None:
        """What the contact or Mailchimp does between syncs (unsubscribe link, bounce…)."""
        with self.emu.lock:
            aud = self.emu.account.audience(self.list_id)
            self.emu.account.contact_event(aud, address, status)

    def api_log(self) -> list[dict[str, Any]]:
        return [e for e in self.emu.log.entries() if e["path"].startswith("/3.0/")]

    def batch_bodies(self, since: int = 0) -> list[dict[str, Any]]:
        path = f"/3.0/lists/{self.list_id}"
        return [
            json.loads(e["body"])
            for e in self.emu.log.entries(since)
            if e["method"] == "POST" and e["path"] == path
        ]

    def log_seq(self) -> int:
        entries = self.emu.log.entries()
        return int(entries[-1]["seq"]) if entries else 0

    # -- running the jobs ------------------------------------------------------------------
    def registry(self) -> Registry:
        registry = Registry()
        register(registry, settings=self.settings, sleep=self.sleep)
        return registry

    def run(self, job: str = EXPORT_JOB, *, full: bool = False) -> RunSummary:
        """Run one job through the engine, as "sync mailchimp" does."""
        engine = Engine(self.path, self.registry())
        try:
            sub = engine.run_jobs("mailchimp", [job], trigger="manual", full=full)
            assert sub.accepted, sub.message
            (summary,) = sub.wait(WAIT)
        finally:
            engine.shutdown()
        return summary

    def verify(self) -> RunSummary:
        return self.run(VERIFY_JOB)

    def run_direct(self) -> JobContext:
        """The export without the engine's threads (fast; for the property test)."""
        from nexpura_desktop.connectors.mailchimp.streams import export_customers

        with Ledger(self.path) as ledger:
            run_id = runs.start_run(
                ledger.conn, "mailchimp", EXPORT_JOB, "manual", now=datetime.now(UTC)
            )
            ctx = JobContext(ledger, JobName.parse(EXPORT_JOB), run_id, "manual")
            asyncio.run(export_customers(ctx, self.settings(), sleep=self.sleep))
            return ctx
