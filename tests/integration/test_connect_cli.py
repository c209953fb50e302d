"""The connect/disconnect/status commands as a script or support person runs them.

A real sandbox on loopback ports, the real CLI in a child process, ``--no-browser``
printing the authorize URL on stdout, and an httpx "browser" answering it.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from nexpura_desktop import cli
from nexpura_desktop.sandbox.runner import SandboxServer

from .connect_support import Browser

SERVICES = ["shopify", "woocommerce", "mailchimp", "xero", "google_calendar", "twilio"]
KEYS = {"service", "status", "account", "scopes", "token_expires_at", "last_sync_at",
        "last_error"}  # fmt: skip


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(port_base=0) as server:
        yield server


def run_cli(
    home: Path, *args: str, keyring: str = "sandbox-file"
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NEXPURA_DESKTOP_HOME": str(home), "NEXPURA_DESKTOP_KEYRING": keyring}
    return subprocess.run(
        [sys.executable, "-m", "nexpura_desktop", *args],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )  # fmt: skip


def test_status_json_lists_all_six(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run(["status", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [e["service"] for e in doc["integrations"]] == SERVICES
    for entry in doc["integrations"]:
        assert set(entry) == KEYS and entry["status"] == "disconnected"
        assert entry["scopes"] == []


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run(["connect", "mailchimp"]) == 2
    assert "--api-key" in capsys.readouterr().err
    assert cli.run(["connect", "shopify", "--shop", "x", "--token", "t", "--client-id", "c"]) == 2
    assert cli.run(["connect", "nosuch"]) == 2
    assert cli.run(["disconnect", "nosuch"]) == 2


def test_sandbox_file_keyring_is_refused_without_sandbox(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NEXPURA_DESKTOP_KEYRING", "sandbox-file")
    key = "3f9c2b7a5e1d4c8b9a6f0e2d1c3b5a79-us21"
    assert cli.run(["connect", "mailchimp", "--api-key", key]) == 1
    assert "only allowed with --sandbox" in capsys.readouterr().err


def test_google_no_browser_then_status_then_disconnect(
    tmp_path: Path, sandbox: SandboxServer
) -> None:
    home = tmp_path / "home"
    env = {**os.environ, "NEXPURA_DESKTOP_HOME": str(home),
           "NEXPURA_DESKTOP_KEYRING": "sandbox-file"}  # fmt: skip
    proc = subprocess.Popen(
        [sys.executable, "-m", "nexpura_desktop", "connect", "google", "--no-browser",
         "--sandbox", f"{sandbox.hub_url}/_sandbox/services"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith(sandbox.sandbox.origins["google"]) and "state=" in url
        page = asyncio.run(
            Browser(httpx.AsyncHTTPTransport()).consent(url, "submit_approve_access")
        )
        assert page.status_code == 200
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "Google Calendar connected" in out

    status = run_cli(home, "status", "--json")
    entries = {e["service"]: e for e in json.loads(status.stdout)["integrations"]}
    google = entries["google_calendar"]
    assert google["status"] == "connected" and google["token_expires_at"]
    assert "https://www.googleapis.com/auth/calendar.events" in google["scopes"]

    plain = run_cli(home, "status")
    assert "Google Calendar" in plain.stdout and "connected" in plain.stdout

    # disconnect remembers the sandbox it was connected to and revokes there
    gone = run_cli(home, "disconnect", "google")
    assert gone.returncode == 0, gone.stderr
    assert "revoked" in gone.stdout
    grants = sandbox.sandbox["google"].data.grants.values()  # type: ignore[attr-defined]
    assert grants and all(g.revoked for g in grants)
    keyring_file = home / "data" / "sandbox-keyring-NOT-ENCRYPTED.json"
    assert json.loads(keyring_file.read_text())["items"] == {}
    again = run_cli(home, "status", "--json")
    entries = {e["service"]: e for e in json.loads(again.stdout)["integrations"]}
    assert entries["google_calendar"]["status"] == "disconnected"


def test_mailchimp_choice_error_lists_audiences(tmp_path: Path, sandbox: SandboxServer) -> None:
    result = run_cli(tmp_path / "h", "connect", "mailchimp", "--sandbox", sandbox.hub_url)
    assert result.returncode == 1
    assert "--audience" in result.stderr and "b7a1c3d5e9" in result.stderr
    assert "Traceback" not in result.stderr
    ok = run_cli(
        tmp_path / "h", "connect", "mailchimp", "--sandbox", sandbox.hub_url,
        "--audience", "b7a1c3d5e9",
    )  # fmt: skip
    assert ok.returncode == 0 and "Mailchimp connected" in ok.stdout
