"""Exactly once with a real process kill: SIGKILL between Twilio's answer and the log write.

The sandbox is served over HTTP by this test process; a child process runs the Twilio
notifications job and kills itself (SIGKILL: no clean-up, no commit) the moment Twilio
has accepted the message.  A fresh child then runs the job again ("restart"): the event
is reconciled with Twilio's message list, never sent a second time.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from nexpura_desktop.sandbox.runner import SandboxServer

from .messaging_support import World

ALICE = "+61491570110"
CHILD = """
import asyncio, json, os, signal, sys
from pathlib import Path
from datetime import UTC, datetime
from nexpura_desktop.connectors.twilio.settings import TwilioSettings
from nexpura_desktop.connectors.twilio.streams import SEND_JOB, send_notifications
from nexpura_desktop.engine import runs
from nexpura_desktop.engine.job import JobContext, JobName
from nexpura_desktop.ledger.db import Ledger

ledger_path, raw, kill = Path(sys.argv[1]), sys.argv[2], sys.argv[3] == "kill"
c = json.loads(raw)
settings = TwilioSettings(
    account_sid=c["account_sid"], username=c["account_sid"], password=c["auth_token"],
    whatsapp_from=c["whatsapp_from"], sms_from=c["sms_from"], base_url=c["base_url"],
    content_base_url=c["content_base_url"], mps={"sms": 1000.0, "whatsapp": 1000.0},
)
hook = (lambda _row: os.kill(os.getpid(), signal.SIGKILL)) if kill else None
with Ledger(ledger_path) as ledger:
    run_id = runs.start_run(ledger.conn, "twilio", SEND_JOB, "manual", now=datetime.now(UTC))
    ctx = JobContext(ledger, JobName.parse(SEND_JOB), run_id, "manual")
    out = asyncio.run(send_notifications(ctx, settings, after_send=hook))
print(json.dumps({"sent": out.sent}))
"""


@pytest.fixture
def served() -> Iterator[SandboxServer]:
    with SandboxServer(port_base=0, services=["twilio"]) as server:
        yield server


def child(world: World, *, kill: bool) -> subprocess.CompletedProcess[str]:
    creds = {k: v for k, v in world.emu.credentials().items() if isinstance(v, str)}
    return subprocess.run(
        [sys.executable, "-c", CHILD, str(world.path), json.dumps(creds), "kill" if kill else "-"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("preference", ["sms", "whatsapp"])
def test_sigkill_after_twilio_accepted_never_sends_twice(
    tmp_path: Path, served: SandboxServer, preference: str
) -> None:
    world = World(tmp_path / "ledger.db", sandbox=served.sandbox)
    world.run()  # baseline
    world.customer("1", "0491 570 110", preference)
    world.repair("r1", "1")
    world.stage("repairs", "r1", "ready")

    killed = child(world, kill=True)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert len(world.sent_to(ALICE)) == 1  # Twilio has it …
    assert world.sql("SELECT twilio_sid, status FROM messaging_messages") == [(None, "claimed")]

    restarted = child(world, kill=False)  # … and the restarted job adopts it
    assert restarted.returncode == 0, restarted.stderr
    assert json.loads(restarted.stdout.splitlines()[-1]) == {"sent": 1}
    (sent,) = world.sent_to(ALICE)
    assert world.sql("SELECT twilio_sid FROM messaging_messages") == [(sent["sid"],)]
    assert world.event_state("job_ready:repairs:r1")[0] == "sent"
    table = "whatsapp_sends" if preference == "whatsapp" else "sms_sends"
    assert world.sql(f"SELECT twilio_sid FROM {table}") == [(sent["sid"],)]
    assert child(world, kill=False).returncode == 0
    assert len(world.sent_to(ALICE)) == 1
