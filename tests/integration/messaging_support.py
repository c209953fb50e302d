"""Shared pieces of the messaging tests: a Twilio sandbox, a small shop ledger, runs."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from nexpura_desktop.connectors.twilio.settings import TwilioSettings
from nexpura_desktop.connectors.twilio.streams import (
    SEND_JOB,
    open_client,
    send_notifications,
)
from nexpura_desktop.engine import runs
from nexpura_desktop.engine.job import JobContext, JobName
from nexpura_desktop.ledger.db import Ledger
from nexpura_desktop.messaging import delivery, settings
from nexpura_desktop.sandbox import Sandbox
from nexpura_desktop.sandbox.twilio import TwilioEmulator

TENANT = "t-1"
NOON_SYDNEY = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 12:00 in Sydney


@dataclass
class World:
    path: Path
    sandbox: Sandbox = field(default_factory=lambda: Sandbox(services=["twilio"]))
    now: datetime | None = None  # None: the sandbox clock

    def __post_init__(self) -> None:
        with Ledger(self.path) as ledger, ledger.transaction() as c:
            c.execute(
                "INSERT INTO tenants(id, name, timezone, country, notification_settings) "
                "VALUES (?, 'Larkspur Jewellers', 'Australia/Sydney', 'Australia', '{}')",
                (TENANT,),
            )
            c.execute(
                "INSERT INTO locations(id, tenant_id, name, is_active) "
                "VALUES ('loc-1', ?, 'The Strand Arcade', 1)",
                (TENANT,),
            )
            c.execute(
                "INSERT INTO team_members(id, tenant_id, user_id, name, phone_number, "
                "whatsapp_notifications_enabled) VALUES "
                "('tm-1', ?, 'u-1', 'Sam Setter', '0491 570 200', 1)",
                (TENANT,),
            )
            # quiet hours off unless a test turns them on (the sandbox clock is real time)
            settings.set_setting(c, "quiet_start", "00:00")
            settings.set_setting(c, "quiet_end", "00:00")

    @property
    def emu(self) -> TwilioEmulator:
        emu = self.sandbox["twilio"]
        assert isinstance(emu, TwilioEmulator)
        return emu

    def seed(self, data: dict[str, Any]) -> None:
        with self.emu.lock:
            self.emu.seed(data)

    def inbound(self, sender: str, body: str) -> None:
        from nexpura_desktop.sandbox.twilio.inbound import receive

        with self.emu.lock:
            receive(self.emu.data, sender, None, body, self.emu.clock.time())

    def settings(self, **changes: Any) -> TwilioSettings:
        creds = self.emu.credentials()
        base = TwilioSettings(
            account_sid=str(creds["account_sid"]),
            username=str(creds["account_sid"]),
            password=str(creds["auth_token"]),
            whatsapp_from=str(creds["whatsapp_from"]),
            sms_from=str(creds["sms_from"]),
            base_url=str(creds["base_url"]),
            content_base_url=str(creds["content_base_url"]),
            transport=self.sandbox.transport(),
            mps={"sms": 1000.0, "whatsapp": 1000.0},
            clock=self.clock_now,
        )
        return replace(base, **changes)

    def clock_now(self) -> datetime:
        return self.now if self.now is not None else self.sandbox.clock.now()

    # -- the ledger ------------------------------------------------------------------------
    def sql(self, statement: str, *params: Any) -> list[tuple[Any, ...]]:
        with Ledger(self.path) as ledger:
            return [tuple(r) for r in ledger.conn.execute(statement, params)]

    def insert(self, table: str, **row: Any) -> None:
        cols = ", ".join(f'"{c}"' for c in row)
        with Ledger(self.path) as ledger, ledger.transaction() as c:
            c.execute(
                f'INSERT INTO "{table}" ({cols}) VALUES ({", ".join("?" * len(row))})',
                list(row.values()),
            )

    def customer(self, cid: str, mobile: str | None, preference: str | None = None) -> None:
        self.insert(
            "customers",
            id=cid,
            tenant_id=TENANT,
            first_name=f"Pat{cid}",
            full_name=f"Pat{cid} Lee",
            mobile=mobile,
            communication_preference=preference,
        )

    def repair(self, rid: str, customer: str, stage: str = "in_progress") -> None:
        self.insert(
            "repairs",
            id=rid,
            tenant_id=TENANT,
            customer_id=customer,
            stage=stage,
            item_description="gold ring",
            tracking_id=f"RPR-{rid.upper():0>12}",
        )

    def stage(self, table: str, rid: str, stage: str) -> None:
        self.sql(f'UPDATE "{table}" SET stage = ? WHERE id = ?', stage, rid)

    def flags(self, **values: bool) -> None:
        self.sql("UPDATE tenants SET notification_settings = ?", json.dumps(values))

    def messages(self) -> list[dict[str, Any]]:
        from nexpura_desktop.messaging.commands import list_messages

        with Ledger(self.path) as ledger:
            return list_messages(ledger.conn, limit=1000)

    def event_state(self, event_id: str) -> tuple[str, str | None]:
        state, detail = self.sql(
            "SELECT state, detail FROM messaging_events WHERE id = ?", event_id
        )[0]
        return str(state), detail

    # -- the sandbox -----------------------------------------------------------------------
    def sent_to(self, number: str) -> list[dict[str, Any]]:
        now = self.emu.clock.time()
        return [
            m.resource(now)
            for m in self.emu.data.messages.values()
            if m.direction == "outbound-api" and m.to.removeprefix("whatsapp:") == number
        ]

    def all_sent(self) -> int:
        return sum(1 for m in self.emu.data.messages.values() if m.direction == "outbound-api")

    # -- running ---------------------------------------------------------------------------
    def run(
        self, settings: TwilioSettings | None = None, after_send: delivery.Hook | None = None
    ) -> delivery.Outcome:
        with Ledger(self.path) as ledger:
            run_id = runs.start_run(
                ledger.conn, "twilio", SEND_JOB, "manual", now=datetime.now(UTC)
            )
            ctx = JobContext(ledger, JobName.parse(SEND_JOB), run_id, "manual")
            return asyncio.run(
                send_notifications(ctx, settings or self.settings(), after_send=after_send)
            )

    def poll(self) -> int:
        async def go() -> int:
            with Ledger(self.path) as ledger:
                async with await open_client(None, self.settings()) as client:
                    return await delivery.poll_statuses(ledger, client, clock=self.clock_now)

        return asyncio.run(go())

    def advance(self, seconds: float) -> None:
        self.sandbox.clock.advance(seconds)
