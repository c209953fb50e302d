"""End to end: Twilio connected through the real connect flow, jobs run by the engine."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

from nexpura_desktop.auth.twilio import TwilioOptions, connect_twilio
from nexpura_desktop.connectors.twilio.settings import TwilioSettings, load_settings
from nexpura_desktop.connectors.twilio.streams import SEND_JOB, STATUS_JOB, register
from nexpura_desktop.engine.engine import Engine
from nexpura_desktop.engine.registry import Registry
from nexpura_desktop.ledger.db import Ledger
from nexpura_desktop.messaging import settings as shop_settings
from nexpura_desktop.sandbox import Sandbox
from nexpura_desktop.secrets import set_default_store

from .connect_support import make_world


def test_connected_shop_notifies_through_the_engine(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    sandbox = Sandbox(services=["twilio"])
    with Ledger(path) as ledger:

        async def connect() -> None:
            world = await make_world(ledger, sandbox)
            await connect_twilio(world.ctx, TwilioOptions())
            set_default_store(world.ctx.secrets)

        asyncio.run(connect())
        with ledger.transaction() as c:
            c.execute("INSERT INTO tenants(id, name, country) VALUES ('t', 'Shop', 'Australia')")
            shop_settings.set_setting(c, "quiet_start", "00:00")
            shop_settings.set_setting(c, "quiet_end", "00:00")
            c.execute(
                "INSERT INTO customers(id, first_name, mobile, communication_preference) "
                "VALUES ('c1', 'Ada', '0491 570 110', 'sms')"
            )
            c.execute("INSERT INTO repairs(id, customer_id, stage) VALUES ('r1', 'c1', 'intake')")

    def provider(led: Ledger) -> TwilioSettings:
        return replace(load_settings(led), transport=sandbox.transport())

    registry = Registry()
    register(registry, settings=provider)
    engine = Engine(path, registry)
    try:
        (first,) = engine.run_jobs("twilio", [SEND_JOB], trigger="manual").wait(30)
        assert first.outcome == "success", first
        with Ledger(path) as ledger:
            ledger.conn.execute("UPDATE repairs SET stage = 'ready'")
        (second,) = engine.run_jobs("twilio", [SEND_JOB], trigger="manual").wait(30)
        assert second.counts.created == 1, second
        sandbox.clock.advance(30)
        (poll,) = engine.run_jobs("twilio", [STATUS_JOB], trigger="manual").wait(30)
        assert poll.counts.updated == 1
    finally:
        engine.shutdown()
        set_default_store(None)
    with Ledger(path) as ledger:
        rows = ledger.conn.execute("SELECT phone, status FROM sms_sends").fetchall()
    assert [tuple(r) for r in rows] == [("+61491570110", "delivered")]
