"""The real Secret Service backend (gnome-keyring under ``dbus-run-session``).

A child process gets its own session bus and an unlocked gnome-keyring, then stores,
reads, chunks and deletes through :class:`SecretStore` with
``keyring.backends.SecretService.Keyring``.  Skips only when those programs are absent
outside CI; under CI (``CI=true``) it must run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DBUS = shutil.which("dbus-run-session")
DAEMON = shutil.which("gnome-keyring-daemon")
UNDER_CI = os.environ.get("CI", "").lower() == "true"

CHILD = r"""
import sys
from keyring.backends.SecretService import Keyring
from nexpura_desktop.secrets import CHUNK_CHARS, SecretStore

store = SecretStore(service="Nexpura Desktop [secret-service test]", backend=Keyring())
assert store.status() == "ok", store.status()
store.set("xero/refresh_token", "short-value-123")
assert store.get("xero/refresh_token") == "short-value-123"
long_value = "".join(chr(ord("a") + i % 26) for i in range(CHUNK_CHARS * 3 + 17))
store.set("google_calendar/access_token", long_value)
assert store.get("google_calendar/access_token") == long_value
backend = Keyring()
head = backend.get_password(store.service, "google_calendar/access_token")
assert head.startswith("\x00chunked:") and head.endswith("4"), head
assert backend.get_password(store.service, "google_calendar/access_token#3") is not None
store.set("google_calendar/access_token", "now-short-again")  # old chunks are removed
assert backend.get_password(store.service, "google_calendar/access_token#0") is None
assert store.get("google_calendar/access_token") == "now-short-again"
for item in ("xero/refresh_token", "google_calendar/access_token"):
    store.delete(item)
    assert store.get(item) is None
print("secret-service-ok")
"""


@pytest.mark.skipif(
    not (DBUS and DAEMON) and not UNDER_CI,
    reason="dbus-run-session and gnome-keyring-daemon are not installed (apt-get install "
    "dbus gnome-keyring); CI installs them",
)
def test_secret_store_on_real_secret_service(tmp_path: Path) -> None:
    script = tmp_path / "child.py"
    script.write_text(CHILD, encoding="utf-8")
    shell = (
        'printf "%s" "test-password" | gnome-keyring-daemon --unlock --components=secrets '
        f'--daemonize >/dev/null && exec "{sys.executable}" "{script}"'
    )
    env = {
        **os.environ,
        "HOME": str(tmp_path),  # a fresh keyring folder, never the user's
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_RUNTIME_DIR": str(tmp_path / "run"),
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    }
    (tmp_path / "run").mkdir(mode=0o700)
    result = subprocess.run(
        [str(DBUS), "--", "sh", "-c", shell],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert "secret-service-ok" in result.stdout
