"""``nexpura-desktop api`` serves until Ctrl-C; ``api token`` shows and rotates the token."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from nexpura_desktop import cli

SCRIPT = "import sys\nfrom nexpura_desktop import cli\nsys.exit(cli.run(sys.argv[1:]))\n"
# A file keyring shared by the processes (allowed only with --sandbox; no sandbox is used).
SANDBOX = ["--sandbox", "http://127.0.0.1:9"]


def _env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(NEXPURA_DESKTOP_HOME=str(home), NEXPURA_DESKTOP_KEYRING="sandbox-file")
    env.pop("NEXPURA_DESKTOP_SANDBOX", None)
    return env


def _run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", SCRIPT, *args], env=_env(home), capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip


def test_token_is_shown_then_rotated(isolated_home: Path) -> None:
    first = _run(isolated_home, "api", "token", *SANDBOX)
    assert first.returncode == 0, first.stderr
    again = _run(isolated_home, "api", "token", *SANDBOX)
    rotated = _run(isolated_home, "api", "token", "--rotate", *SANDBOX)
    assert first.stdout == again.stdout and len(first.stdout.strip()) >= 40
    assert rotated.stdout.strip() != first.stdout.strip()
    assert "replaces the old one" in rotated.stderr


def test_api_serves_until_interrupted(isolated_home: Path) -> None:
    token = _run(isolated_home, "api", "token", *SANDBOX).stdout.strip()
    proc = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, "api", "--port", "0", "--no-schedule", *SANDBOX],
        env=_env(isolated_home), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("local API on http://127.0.0.1:"), line
        base = line.split()[3].removesuffix("/api")
        ok = httpx.get(f"{base}/api/integrations", headers={"Authorization": f"Bearer {token}"})
        assert ok.status_code == 200
        assert httpx.get(f"{base}/api/integrations").status_code == 401
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert token not in err


def test_a_port_out_of_range_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NEXPURA_DESKTOP_KEYRING", "memory")
    assert cli.run(["api", "--port", "70000"]) == 1
    assert "between 1 and 65535" in capsys.readouterr().err
