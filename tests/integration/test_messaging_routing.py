"""Routing against the Twilio sandbox: preference × window × failure, fallback, opt-outs."""

from __future__ import annotations

from pathlib import Path

import pytest

from .messaging_support import World

ALICE = "+61491570110"


@pytest.fixture
def world(tmp_path: Path) -> World:
    w = World(tmp_path / "ledger.db")
    w.run()  # the first scan records a baseline (history is never messaged)
    return w


def ready(world: World, cid: str, mobile: str, preference: str | None) -> str:
    world.customer(cid, mobile, preference)
    world.repair(f"r{cid}", cid)
    world.stage("repairs", f"r{cid}", "ready")
    return f"job_ready:repairs:r{cid}"


def test_whatsapp_outside_window_uses_the_approved_template(world: World) -> None:
    event = ready(world, "1", "0491 570 110", "whatsapp")
    out = world.run()
    assert out.sent == 1
    (sent,) = world.sent_to(ALICE)
    assert sent["to"] == f"whatsapp:{ALICE}"
    assert "Pat1" in sent["body"] and "gold ring" in sent["body"]
    assert "RPR-" in sent["body"]  # the Content template's {{3}} tracking id
    assert world.event_state(event)[0] == "sent"
    world.advance(10)
    world.poll()
    (msg,) = world.messages()
    assert msg["status"] in ("delivered", "read") and msg["channel"] == "whatsapp"
    assert world.sql("SELECT status, message_type FROM whatsapp_sends") == [
        (msg["status"], "job_ready")
    ]


def test_whatsapp_inside_window_sends_free_text(world: World) -> None:
    world.inbound(f"whatsapp:{ALICE}", "Is my ring ready?")
    ready(world, "1", "0491570110", "whatsapp")
    world.run()
    (sent,) = world.sent_to(ALICE)
    assert "Reply STOP" in sent["body"]  # our own free text, not the Content template
    assert "Larkspur" in sent["body"]


def test_sms_preference_sends_sms(world: World) -> None:
    ready(world, "1", "0491 570 110", "sms")
    world.run()
    (sent,) = world.sent_to(ALICE)
    assert sent["to"] == ALICE and sent["from"].startswith("+")
    assert world.sql("SELECT status, context FROM sms_sends")[0][1] == "job_ready"


def test_preference_none_sends_nothing(world: World) -> None:
    event = ready(world, "1", "0491 570 110", "none")
    world.run()
    assert world.sent_to(ALICE) == []
    assert world.event_state(event)[0] == "skipped"


def test_no_whatsapp_account_falls_back_to_sms_after_63024(world: World) -> None:
    world.seed({"recipients": {ALICE: {"whatsapp": False}}})
    event = ready(world, "1", "0491 570 110", "whatsapp")
    world.run()
    world.advance(10)
    world.poll()  # the async 63024 arrives; an SMS attempt is queued
    world.run()
    sent = world.sent_to(ALICE)
    assert sorted(m["to"] for m in sent) == [ALICE, f"whatsapp:{ALICE}"]
    by_channel = {m["channel"]: m for m in world.messages()}
    assert by_channel["whatsapp"]["error_code"] == 63024
    assert by_channel["whatsapp"]["status"] == "undelivered"
    assert world.event_state(event)[0] == "sent"
    world.run()
    world.poll()
    assert len(world.sent_to(ALICE)) == 2  # retries never re-send


def test_no_template_outside_window_goes_straight_to_sms(world: World) -> None:
    world.insert("tasks", id="k1", tenant_id="t-1", title="Size the band", status="todo")
    world.run()
    world.sql("UPDATE tasks SET assigned_to = 'u-1' WHERE id = 'k1'")
    world.run()
    sam = "+61491570200"
    (sent,) = world.sent_to(sam)  # no Content template for staff: WhatsApp would be 63016
    assert sent["to"] == sam and "Size the band" in sent["body"]


def test_63016_failure_falls_back_to_sms(world: World) -> None:
    # a template that is still pending approval fails asynchronously with 63016
    with world.emu.lock:
        for t in world.emu.data.templates.values():
            t.whatsapp_status = "pending"
    ready(world, "1", "0491 570 110", "whatsapp")
    world.run()
    world.advance(10)
    world.poll()
    world.run()
    codes = {m["channel"]: m["error_code"] for m in world.messages()}
    assert codes == {"whatsapp": 63016, "sms": None}


def test_stop_reply_opts_out_of_that_channel_only(world: World) -> None:
    world.inbound(ALICE, "STOP")  # replied STOP to the shop's SMS number
    event = ready(world, "1", "0491 570 110", "sms")
    world.run()
    (sent,) = world.sent_to(ALICE)
    assert sent["to"] == f"whatsapp:{ALICE}"  # SMS is opted out; WhatsApp still allowed
    assert world.sql("SELECT channel, source FROM messaging_opt_outs") == [("sms", "stop_reply")]
    assert world.event_state(event)[0] == "sent"


def test_start_reply_opts_back_in(world: World) -> None:
    world.inbound(ALICE, "STOP")
    world.run()
    world.inbound(ALICE, "START")
    world.run()
    assert world.sql("SELECT * FROM messaging_opt_outs") == []


def test_21610_marks_opt_out_and_falls_back(world: World) -> None:
    world.seed({"opt_outs": [{"recipient": ALICE}]})  # Twilio knows; the ledger does not
    ready(world, "1", "0491 570 110", "sms")
    world.run()
    world.run()
    (sent,) = world.sent_to(ALICE)
    assert sent["to"] == f"whatsapp:{ALICE}"
    assert world.sql("SELECT channel, source FROM messaging_opt_outs") == [("sms", "twilio_21610")]
    sms = next(m for m in world.messages() if m["channel"] == "sms")
    assert sms["error_code"] == 21610 and "STOP" in sms["reason"]
    ready(world, "2", "0491 570 110", "sms")  # the next event never tries SMS again
    world.run()
    assert all(m["to"].startswith("whatsapp:") for m in world.sent_to(ALICE))


def test_invalid_number_is_reported_not_sent(world: World) -> None:
    event = ready(world, "1", "12345", "sms")
    out = world.run()
    assert world.all_sent() == 0
    assert out.failed == 1
    state, detail = world.event_state(event)
    assert state == "failed" and detail is not None and "12345" in detail
    (msg,) = world.messages()
    assert msg["status"] == "failed" and "not sent" in str(msg["reason"])


def test_disabled_category_sends_nothing(world: World) -> None:
    world.flags(whatsapp_job_ready_enabled=False)
    event = ready(world, "1", "0491 570 110", "whatsapp")
    world.run()
    assert world.all_sent() == 0
    assert world.event_state(event)[0] == "disabled"


def test_history_is_not_messaged_on_the_first_scan(tmp_path: Path) -> None:
    w = World(tmp_path / "l.db")
    w.customer("1", "0491 570 110", "sms")
    w.repair("r1", "1", stage="ready")
    w.run()
    assert w.all_sent() == 0
