"""Event identity over time: returns to ready, urgent flags, read receipts, asking again."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from nexpura_desktop.ledger.db import Ledger
from nexpura_desktop.messaging import events
from nexpura_desktop.messaging.commands import notify

from .messaging_support import World

ALICE = "+61491570110"
SAM = "+61491570200"


@pytest.fixture
def world(tmp_path: Path) -> World:
    w = World(tmp_path / "ledger.db")
    w.run()
    return w


def ready_job(world: World, preference: str = "sms") -> None:
    world.customer("1", "0491 570 110", preference)
    world.repair("r1", "1")
    world.stage("repairs", "r1", "ready")


def test_leaving_ready_and_returning_is_a_new_event(world: World) -> None:
    ready_job(world)
    world.run()
    world.stage("repairs", "r1", "in_progress")  # back to the bench (e.g. a stone came loose)
    world.run()
    world.stage("repairs", "r1", "ready")
    world.run()
    ids = [r[0] for r in world.sql("SELECT id FROM messaging_events ORDER BY created_at")]
    assert ids == ["job_ready:repairs:r1", "job_ready:repairs:r1#2"]
    assert len(world.sent_to(ALICE)) == 2
    # the same state seen again — a re-import, a restart, another run — sends nothing
    world.sql("UPDATE repairs SET notes = 're-imported', stage = 'ready' WHERE id = 'r1'")
    world.run()
    world.run()
    assert len(world.sent_to(ALICE)) == 2
    with Ledger(world.path) as ledger:
        assert notify(ledger, "repair", "r1") == (
            "job_ready:repairs:r1#2",
            "already sent: not sent again",
        )


def test_mark_ready_by_hand_after_an_unscanned_stage_change_notifies(world: World) -> None:
    ready_job(world)
    world.run()
    world.stage("repairs", "r1", "collected")  # no run in between: the hand trigger notices
    with Ledger(world.path) as ledger:
        assert notify(ledger, "repair", "r1") == ("job_ready:repairs:r1#2", "queued")
    world.run()
    assert len(world.sent_to(ALICE)) == 2


def test_first_scan_of_a_ready_job_is_history_even_after_it_cycles(tmp_path: Path) -> None:
    w = World(tmp_path / "h.db")
    w.customer("1", "0491 570 110", "sms")
    w.repair("r1", "1", stage="ready")
    w.run()  # baseline: episode 1 is history
    assert w.all_sent() == 0
    w.stage("repairs", "r1", "collected")
    w.run()
    w.stage("repairs", "r1", "ready")
    w.run()
    assert len(w.sent_to(ALICE)) == 1
    assert w.event_state("job_ready:repairs:r1#2")[0] == "sent"


def urgent_repair(world: World, assignee: str | None = "u-1") -> None:
    world.customer("1", "0491 570 110", "sms")
    world.insert(
        "repairs",
        id="r9",
        tenant_id="t-1",
        customer_id="1",
        stage="in_progress",
        item_description="platinum band",
        tracking_id="RPR-00000000AB12",
        assigned_to=assignee,
    )
    world.run()
    world.sql("UPDATE repairs SET is_urgent = 1 WHERE id = 'r9'")
    world.run()


def test_urgent_repair_sends_the_assignee_an_sms(world: World) -> None:
    urgent_repair(world)
    (sent,) = world.sent_to(SAM)
    assert sent["to"] == SAM  # employee urgent alerts go by SMS
    assert "platinum band" in sent["body"] and "RPR-00000000AB12" in sent["body"]
    assert world.event_state("job_urgent:repairs:r9")[0] == "sent"
    assert world.sent_to(ALICE) == []  # the customer is not told
    world.sql("UPDATE repairs SET notes = 'still urgent' WHERE id = 'r9'")
    world.run()
    assert len(world.sent_to(SAM)) == 1
    world.sql("UPDATE repairs SET is_urgent = 0 WHERE id = 'r9'")
    world.run()
    world.sql("UPDATE repairs SET is_urgent = 'true' WHERE id = 'r9'")  # flagged again
    world.run()
    assert len(world.sent_to(SAM)) == 2
    assert world.event_state("job_urgent:repairs:r9#2")[0] == "sent"


def test_urgent_flag_setting_off_and_no_assignee(world: World) -> None:
    world.flags(notify_on_urgent_flagged=False)
    urgent_repair(world)
    assert world.all_sent() == 0
    assert world.event_state("job_urgent:repairs:r9")[0] == "disabled"
    world.flags()
    world.insert(
        "bespoke_jobs", id="b1", tenant_id="t-1", customer_id="1", stage="design", is_urgent=1
    )
    world.run()
    assert world.all_sent() == 0  # nobody assigned: nobody to tell
    world.sql("UPDATE bespoke_jobs SET assigned_to = 'u-1' WHERE id = 'b1'")
    world.run()
    assert len(world.sent_to(SAM)) == 1
    assert world.event_state("job_urgent:bespoke_jobs:b1")[0] == "sent"


def test_whatsapp_read_after_delivered_is_polled_for_a_bounded_time(world: World) -> None:
    ready_job(world, "whatsapp")
    world.run()
    world.advance(10)
    assert world.poll() == 1
    assert world.messages()[0]["status"] == "delivered"
    world.advance(60)  # the customer opens it (read receipts on)
    assert world.poll() == 1
    assert world.messages()[0]["status"] == "read"
    assert world.sql("SELECT status, read_at IS NOT NULL FROM whatsapp_sends") == [("read", 1)]
    assert world.poll() == 0  # read is final


def test_a_delivered_whatsapp_is_left_alone_after_the_read_window(world: World) -> None:
    ready_job(world, "whatsapp")
    world.run()
    world.advance(10)
    world.poll()
    world.now = world.clock_now() + timedelta(hours=25)  # a day later, nobody read it yet
    world.advance(60)
    assert world.poll() == 0
    assert world.messages()[0]["status"] == "delivered"


def test_sms_is_not_polled_past_delivered(world: World) -> None:
    ready_job(world, "sms")
    world.run()
    world.advance(30)
    assert world.poll() == 1
    world.advance(60)
    assert world.poll() == 0


def test_asking_again_resends_only_what_did_not_get_through(world: World) -> None:
    world.customer("1", "12345", "sms")
    world.repair("r1", "1")
    world.stage("repairs", "r1", "ready")
    world.run()
    event = "job_ready:repairs:r1"
    assert world.event_state(event)[0] == "failed"  # the number is not valid
    world.sql("UPDATE customers SET mobile = '0491 570 110' WHERE id = '1'")
    with Ledger(world.path) as ledger, ledger.transaction() as c:
        events.requeue(c, event)
    world.run()
    assert len(world.sent_to(ALICE)) == 1
    assert world.event_state(event)[0] == "sent"
    assert sorted(m["status"] for m in world.messages()) == ["failed", "queued"]
    with Ledger(world.path) as ledger, ledger.transaction() as c:
        with pytest.raises(ValueError, match="sent"):
            events.requeue(c, event)
        with pytest.raises(LookupError):
            events.requeue(c, "job_ready:repairs:nope")
    world.run()
    assert len(world.sent_to(ALICE)) == 1


def test_notify_and_send_is_the_shared_path_and_again_respects_the_rules(world: World) -> None:
    from nexpura_desktop.messaging.commands import notify_and_send

    runs: list[int] = []

    def send() -> object:
        runs.append(1)
        return world.run()

    world.customer("1", "0491 570 110", "sms")
    world.repair("r1", "1")
    first = notify_and_send(world.path, "repair", "r1", send)
    assert (first.state, first.ok) == ("sent", True)
    again = notify_and_send(world.path, "repair", "r1", send, again=True)
    assert again.state is None and "already sent" in again.queued and again.ok
    assert len(runs) == 1 and len(world.sent_to(ALICE)) == 1
    world.stage("repairs", "r1", "in_progress")
    world.run()
    world.sql("UPDATE customers SET communication_preference = 'none'")
    skipped = notify_and_send(world.path, "repair", "r1", send)
    assert skipped.state == "skipped" and not skipped.ok
    world.sql("UPDATE customers SET communication_preference = 'sms'")
    retried = notify_and_send(world.path, "repair", "r1", send, again=True)
    assert retried.event_id == "job_ready:repairs:r1#2" and retried.state == "sent"
    assert len(world.sent_to(ALICE)) == 2
