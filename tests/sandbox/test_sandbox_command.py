"""`nexpura-desktop sandbox`: one line per service, the directory, stops on Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import httpx

from nexpura_desktop.sandbox.world import EMULATORS


def test_sandbox_command_serves_every_service_until_interrupted() -> None:
    command = [sys.executable, "-m", "nexpura_desktop", "sandbox", "--port-base", "0"]
    with subprocess.Popen(
        [*command, "--time-scale", "60"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    ) as proc:
        _exercise(proc)
    assert proc.returncode == 0


def _exercise(proc: subprocess.Popen[str]) -> None:
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline().strip() for _ in range(len(EMULATORS) + 1)]
        directory = lines[0].split()[-1]
        assert lines[0].startswith("directory") and directory.endswith("/_sandbox/services")
        printed = {line.split()[0]: line.split()[-1] for line in lines[1:]}
        assert set(printed) == set(EMULATORS)
        services = httpx.get(directory, timeout=10).json()["services"]
        assert services == printed
        assert all(url.startswith("http://127.0.0.1:") for url in services.values())
        creds = httpx.get(directory.replace("services", "credentials"), timeout=10).json()
        assert set(creds["credentials"]) == set(EMULATORS)
        for url in services.values():  # every emulator answers its control surface
            assert httpx.get(f"{url}/_sandbox/requests", timeout=10).status_code == 200
        clock = httpx.get(directory.replace("services", "clock"), timeout=10).json()
        assert clock["time_scale"] == 60
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        finally:
            if proc.poll() is None:
                proc.kill()


def test_busy_port_is_a_one_line_error() -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "nexpura_desktop", "sandbox", "--port-base", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert f"127.0.0.1:{port}" in result.stderr
