"""The production settings path: calendar from the connection, tokens from the keyring.

Runs the registered job with no test overrides against a loopback sandbox: the stored
access token has expired, so the run must refresh it through Google's token endpoint with
the keyring's refresh token and client secret, then push.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from nexpura_desktop.auth.google import CLIENT_SECRET_ITEM
from nexpura_desktop.auth.tokens import TokenSet, TokenStore
from nexpura_desktop.connectors.google_calendar.streams import JOB, register
from nexpura_desktop.engine.engine import Engine
from nexpura_desktop.engine.registry import Registry
from nexpura_desktop.ledger import connections
from nexpura_desktop.ledger.db import Ledger
from nexpura_desktop.sandbox.google import GoogleEmulator
from nexpura_desktop.sandbox.google.state import Grant
from nexpura_desktop.sandbox.runner import SandboxServer
from nexpura_desktop.secrets import MemoryKeyring, SecretStore, set_default_store

SCOPES = ["https://www.googleapis.com/auth/calendar.events"]


@pytest.fixture
def store() -> Iterator[SecretStore]:
    secrets = SecretStore(service="Nexpura Desktop [gcal test]", backend=MemoryKeyring())
    set_default_store(secrets)
    yield secrets
    set_default_store(None)


def test_the_job_runs_from_the_stored_connection_and_refreshes(
    tmp_path: Path, store: SecretStore
) -> None:
    with SandboxServer(port_base=0, services=["google"]) as server:
        emu = server.sandbox["google"]
        assert isinstance(emu, GoogleEmulator)
        creds = emu.credentials()
        calendar = next(c.id for c in emu.data.calendars.values() if not c.primary)
        with emu.lock:
            emu.data.grants["g1"] = Grant("g1", str(creds["client_id"]), SCOPES, "1//rt", 0.0)
        TokenStore(store, "google_calendar").save(
            TokenSet("ya29.expired", "1//rt", expires_at=1.0, scope=" ".join(SCOPES))
        )
        store.set(CLIENT_SECRET_ITEM, str(creds["client_secret"]))
        path = tmp_path / "ledger.sqlite3"
        with Ledger(path) as ledger, ledger.transaction() as conn:
            conn.execute("INSERT INTO tenants(id, timezone) VALUES ('t1', 'Australia/Perth')")
            conn.execute(
                "INSERT INTO appointments(id, scheduled_date, scheduled_time, status) "
                "VALUES ('a1', '2026-05-01', '11:00', 'scheduled')"
            )
            connections.save_connected(
                conn,
                "google_calendar",
                account="Shop",
                config={
                    "calendar_id": calendar,
                    "client_id": creds["client_id"],
                    "sandbox": server.hub_url,
                },
                secrets=[],
            )
        registry = Registry()
        register(registry)
        engine = Engine(path, registry)
        try:
            (summary,) = engine.run_jobs("google_calendar", [JOB], trigger="manual").wait(60)
        finally:
            engine.shutdown()
        assert summary.outcome == "success", summary.message
        assert summary.counts.created == 1
        with emu.lock:
            (event,) = emu.data.events[calendar].values()
        assert event.fields["start"]["dateTime"] == "2026-05-01T11:00:00+08:00"
        refreshed = TokenStore(store, "google_calendar").load()
        assert refreshed is not None and refreshed.access_token != "ya29.expired"


def test_calendar_settings_command_stores_the_choices(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import argparse

    from nexpura_desktop.connectors.google_calendar.commands import add_cli_commands
    from nexpura_desktop.paths import resolve

    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()

    def command(name: str, handler: object, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--home")
        p.set_defaults(handler=handler)
        return p

    add_cli_commands(command)
    home = tmp_path / "home"
    paths = resolve(home).ensure()
    with Ledger(paths.ledger) as ledger:
        connections.save_connected(
            ledger.conn, "google_calendar", account="Shop", config={"calendar_id": "x"}, secrets=[]
        )
    args = parser.parse_args(
        ["calendar-settings", "--home", str(home), "--changes", "apply", "--auto-sync", "on"]
    )
    assert args.handler(args) == 0
    assert "changes made in Google: apply" in capsys.readouterr().out
    with Ledger(paths.ledger) as ledger:
        config = connections.get(ledger.conn, "google_calendar").config
    assert config["google_changes"] == "apply"
    assert config["schedule"] == {"kind": "interval", "minutes": 5}
    with pytest.raises(SystemExit):
        parser.parse_args(["calendar-settings", "--changes", "sometimes"])
