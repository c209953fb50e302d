"""Exactly once under crash and retry, quiet hours, staff events, statuses, the JSON list."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from nexpura_desktop.connectors.registry import build_registry
from nexpura_desktop.connectors.twilio.streams import INBOUND_JOB, SEND_JOB, STATUS_JOB
from nexpura_desktop.ledger.db import Ledger
from nexpura_desktop.messaging import settings
from nexpura_desktop.messaging.commands import notify

from .messaging_support import World

ALICE = "+61491570110"
SAM = "+61491570200"


class Crash(BaseException):
    """The process dies here (nothing after this point runs, nothing is committed)."""


def crash(_row_id: str) -> None:
    raise Crash


@pytest.fixture
def world(tmp_path: Path) -> World:
    w = World(tmp_path / "ledger.db")
    w.run()
    return w


def make_ready(world: World, preference: str = "sms") -> str:
    world.customer("1", "0491 570 110", preference)
    world.repair("r1", "1")
    world.stage("repairs", "r1", "ready")
    return "job_ready:repairs:r1"


@pytest.mark.parametrize("preference", ["sms", "whatsapp"])
def test_crash_between_twilio_call_and_log_write_does_not_resend(
    world: World, preference: str
) -> None:
    event = make_ready(world, preference)
    with pytest.raises(Crash):
        world.run(after_send=crash)
    assert len(world.sent_to(ALICE)) == 1  # Twilio has it; the ledger has only the claim
    assert world.sql("SELECT twilio_sid FROM messaging_messages") == [(None,)]
    out = world.run()  # restart
    assert out.sent == 1
    sent = world.sent_to(ALICE)
    assert len(sent) == 1
    assert world.sql("SELECT twilio_sid FROM messaging_messages") == [(sent[0]["sid"],)]
    assert world.event_state(event)[0] == "sent"
    world.run()
    assert len(world.sent_to(ALICE)) == 1


def test_claim_without_a_twilio_message_is_sent_on_restart(world: World) -> None:
    make_ready(world)

    def lost(_row: str) -> None:
        with world.emu.lock:  # the request never reached Twilio (e.g. the network dropped)
            world.emu.data.messages.clear()
        raise Crash

    with pytest.raises(Crash):
        world.run(after_send=lost)
    assert world.all_sent() == 0
    world.run()
    assert len(world.sent_to(ALICE)) == 1
    assert world.event_state("job_ready:repairs:r1")[0] == "sent"


def test_reimport_and_repeat_changes_never_send_twice(world: World) -> None:
    make_ready(world)
    world.run()
    world.stage("repairs", "r1", "collected")
    world.stage("repairs", "r1", "ready")
    world.sql("UPDATE repairs SET notes = 'touched by a re-import' WHERE id = 'r1'")
    world.run()
    world.run()
    assert len(world.sent_to(ALICE)) == 1


def test_quiet_hours_hold_customer_messages_until_morning(tmp_path: Path) -> None:
    night = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)  # 22:00 in Sydney
    w = World(tmp_path / "q.db", now=night)
    with Ledger(w.path) as ledger, ledger.transaction() as c:
        settings.set_setting(c, "quiet_start", "20:00")
        settings.set_setting(c, "quiet_end", "08:00")
    w.run()
    make_ready(w)
    out = w.run()
    assert out.waiting == 1 and w.all_sent() == 0
    assert w.event_state("job_ready:repairs:r1")[0] == "waiting"
    # staff messages are not held
    w.insert(
        "tasks", id="k1", tenant_id="t-1", title="Polish", assigned_to="u-1", priority="urgent"
    )
    w.run()
    assert len(w.sent_to(SAM)) >= 1
    w.now = datetime(2026, 3, 2, 20, 30, tzinfo=UTC)  # 07:30 next morning: still quiet
    w.run()
    assert w.sent_to(ALICE) == []
    w.now = datetime(2026, 3, 2, 21, 1, tzinfo=UTC)  # 08:01
    w.run()
    assert len(w.sent_to(ALICE)) == 1


def test_task_events_assignment_status_and_urgent(world: World) -> None:
    world.insert(
        "tasks", id="k1", tenant_id="t-1", title="Set the stone", status="todo", assigned_to="u-1"
    )
    world.run()
    world.sql("UPDATE tasks SET status = 'in_progress' WHERE id = 'k1'")
    world.run()
    world.sql("UPDATE tasks SET priority = 'urgent' WHERE id = 'k1'")
    world.run()
    world.sql("UPDATE tasks SET title = 'Set the stone (again)' WHERE id = 'k1'")
    world.run()
    cats = sorted(m["category"] for m in world.messages())
    assert cats == ["task_assigned", "task_status", "task_urgent"]
    bodies = sorted(m["body"] for m in world.sent_to(SAM))
    assert any("now in progress" in b for b in bodies)
    assert any(b.startswith("URGENT") for b in bodies)


def test_staff_with_notifications_off_get_nothing(world: World) -> None:
    world.sql("UPDATE team_members SET whatsapp_notifications_enabled = 0")
    world.insert("tasks", id="k1", tenant_id="t-1", title="x", assigned_to="u-1")
    world.run()
    assert world.all_sent() == 0


def test_status_never_moves_backwards_and_stops_at_terminal(world: World) -> None:
    make_ready(world)
    world.run()
    world.advance(30)
    assert world.poll() == 1
    (msg,) = world.messages()
    assert msg["status"] == "delivered"
    assert world.sql("SELECT status, delivered_at IS NOT NULL FROM sms_sends") == [("delivered", 1)]
    world.sql("UPDATE messaging_messages SET status = 'sent'")  # pretend an older view
    world.poll()
    world.sql("UPDATE messaging_messages SET status = 'read'")
    assert world.poll() == 0  # final: not fetched again
    assert world.messages()[0]["status"] == "read"


def test_messages_json_shape(world: World) -> None:
    make_ready(world)
    world.run()
    (msg,) = world.messages()
    assert set(msg) == {
        "id",
        "category",
        "channel",
        "to",
        "status",
        "error_code",
        "reason",
        "created_at",
    }
    assert msg["to"] == ALICE and msg["category"] == "job_ready" and msg["channel"] == "sms"


def test_notify_by_hand_marks_ready_and_is_idempotent(world: World) -> None:
    world.customer("1", "0491 570 110", "sms")
    world.repair("r1", "1")
    with Ledger(world.path) as ledger:
        assert notify(ledger, "repair", "r1") == ("job_ready:repairs:r1", "queued")
    assert world.sql("SELECT stage FROM repairs") == [("ready",)]
    world.run()
    with Ledger(world.path) as ledger:
        assert notify(ledger, "repair", "r1")[1] == "already sent: not sent again"
        with pytest.raises(LookupError):
            notify(ledger, "bespoke", "nope")
    world.run()
    assert len(world.sent_to(ALICE)) == 1


def test_jobs_are_registered() -> None:
    registry = build_registry()
    assert SEND_JOB in registry
    assert {str(s.name) for s in registry.maintenance_jobs()} >= {STATUS_JOB, INBOUND_JOB}


def test_cli_commands_print_messages_json(
    world: World, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import argparse
    import json

    from nexpura_desktop.messaging.commands import Handler, add_cli_commands

    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()

    def command(name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text)
        p.set_defaults(handler=handler)
        return p

    add_cli_commands(command)
    home = tmp_path / "home"
    args = parser.parse_args(["messages", "--json"])
    args.home = str(home)
    assert args.handler(args) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_settings_come_from_the_connection_and_keyring(tmp_path: Path) -> None:
    from nexpura_desktop.connectors.twilio.settings import load_settings
    from nexpura_desktop.ledger import connections
    from nexpura_desktop.secrets import MemoryKeyring, SecretStore, set_default_store

    store = SecretStore(service="Nexpura Desktop [messaging test]", backend=MemoryKeyring())
    store.set("twilio/auth_token", "f" * 32)
    set_default_store(store)
    try:
        with Ledger(tmp_path / "s.db") as ledger:
            connections.save_connected(
                ledger.conn,
                "twilio",
                account="Shop",
                config={
                    "account_sid": "AC" + "0" * 32,
                    "auth": "auth_token",
                    "sms_from": "+61491570006",
                    "whatsapp_from": "whatsapp:+61491570156",
                    "sandbox": "http://127.0.0.1:9",
                },
                secrets=["twilio/auth_token"],
            )
            s = load_settings(ledger)
    finally:
        set_default_store(None)
    assert (s.username, s.password) == ("AC" + "0" * 32, "f" * 32)
    assert s.sms_from == "+61491570006" and s.sandbox_url == "http://127.0.0.1:9"
