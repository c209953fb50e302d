"""`make run` on a machine with no display: one line saying so, then the whole demo headless."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path


def test_no_display_runs_the_demo_end_to_end(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["QT_QPA_PLATFORM"] = ""
    env["NEXPURA_DESKTOP_HOME"] = str(tmp_path / "home")
    result = subprocess.run(
        [sys.executable, "-m", "nexpura_desktop"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "no display here" in result.stderr
    out = result.stdout
    # every integration, the browser sign-ins too (the demo clicks Allow on the sandbox)
    for service in ("Shopify", "WooCommerce", "Mailchimp", "Twilio", "Xero", "Google Calendar"):
        assert f"{service} connected" in out, out
    assert "could not connect" not in out
    assert "synced mailchimp: success" in out
    folder = Path(out.strip().splitlines()[-1].split("written to: ")[1])
    assert (folder / "manifest.json").is_file()
    with (folder / "customers.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) >= 150
    # nothing of the sandbox's keys reaches the export or the log
    logs = b"".join(p.read_bytes() for p in (tmp_path / "home" / "logs").glob("*.log"))
    exported = b"".join(p.read_bytes() for p in folder.iterdir())
    for secret in (b"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", b"3f9c2b7a5e1d4c8b9a6f0e2d1c3b5a79"):
        assert secret not in logs and secret not in exported
