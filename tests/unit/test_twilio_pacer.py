"""The per-sender pacer: sends are spaced by the sender's rate from when they really go out."""

from __future__ import annotations

import asyncio
import itertools

from nexpura_desktop.connectors.twilio.client import GUARD, SenderPacer


def test_a_late_wake_up_never_squeezes_the_next_send() -> None:
    now = [0.0]
    late = [0.005]  # the first sleep wakes 5 ms late (a busy machine), later ones on time

    def clock() -> float:
        return now[0]

    async def sleep(seconds: float) -> None:
        now[0] += seconds + (late.pop() if late else 0.0)

    pacer = SenderPacer({"sms": 50.0}, clock=clock, sleep=sleep)
    sent: list[float] = []

    async def go() -> None:
        for _ in range(5):
            await pacer.wait("+61491570006")
            sent.append(now[0])

    asyncio.run(go())
    gaps = [b - a for a, b in itertools.pairwise(sent)]
    assert min(gaps) >= 1 / 50 + GUARD - 1e-9
    assert sent[-1] < 4 * (1 / 50 + GUARD) + 0.005 + 1e-9  # and no slower than that


def test_segments_take_their_share_and_unpaced_senders_do_not_wait() -> None:
    now = [0.0]

    async def sleep(seconds: float) -> None:
        now[0] += seconds

    pacer = SenderPacer({"sms": 10.0}, clock=lambda: now[0], sleep=sleep)

    async def go() -> None:
        await pacer.wait("+61491570006", units=3)
        await pacer.wait("+61491570006")
        await pacer.wait("whatsapp:+61491570156")  # no WhatsApp rate configured here

    asyncio.run(go())
    assert abs(now[0] - (3 / 10 + GUARD)) < 1e-9
