"""Routing, every combination: preference × WhatsApp window × failure, against the sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest

from .messaging_support import World

ALICE = "+61491570110"
PREFERENCES = ["whatsapp", "sms", None, "none"]  # None: the shop's default (WhatsApp, then SMS)
FAILURES = {
    "ok": {},
    "no_whatsapp": {"whatsapp": False},  # 63024: falls back to SMS
    "unreachable": {"outcome": "undelivered:30003"},  # the phone is off: no fallback
}


def expected(preference: str | None, failure: str) -> list[tuple[str, str]]:
    """(channel, final status) of each message, in the order they were sent."""
    if preference == "none":
        return []
    first = "sms" if preference == "sms" else "whatsapp"
    if failure == "unreachable":
        return [(first, "undelivered")]
    if failure == "no_whatsapp" and first == "whatsapp":
        return [("whatsapp", "undelivered"), ("sms", "delivered")]
    return [(first, "read" if first == "whatsapp" else "delivered")]


@pytest.mark.parametrize("failure", list(FAILURES))
@pytest.mark.parametrize("window", ["open", "closed"])
@pytest.mark.parametrize("preference", PREFERENCES)
def test_routing_matrix(tmp_path: Path, preference: str | None, window: str, failure: str) -> None:
    world = World(tmp_path / "ledger.db")
    world.run()
    world.seed({"recipients": {ALICE: FAILURES[failure]}})
    if window == "open":
        world.inbound(f"whatsapp:{ALICE}", "Hi, is my ring done?")
    world.customer("1", "0491 570 110", preference)
    world.repair("r1", "1")
    world.stage("repairs", "r1", "ready")
    for _ in range(3):  # send, learn the outcome, fall back if need be
        world.run()
        world.advance(60)
        world.poll()
    want = expected(preference, failure)
    sent = sorted(
        (m for m in world.emu.data.messages.values() if m.direction == "outbound-api"),
        key=lambda m: m.seq,
    )
    now = world.emu.clock.time()
    assert [(m.channel, m.current(now).status) for m in sent] == want
    for m in sent:
        if m.channel == "whatsapp":  # outside the window only the approved template may go
            assert (m.content_sid is not None) == (window == "closed")
    logged = sorted(world.messages(), key=lambda m: m["created_at"])
    assert [(m["channel"], m["status"]) for m in logged] == want
    state = world.event_state("job_ready:repairs:r1")[0]
    if not want:
        assert state == "skipped"
    else:
        assert state == ("failed" if failure == "unreachable" else "sent")
    world.run()
    world.poll()
    assert len(sent) == world.all_sent()  # nothing more goes out, ever
