"""``mailchimp-settings``: the audience (checked against the account) and automatic sync.

The window's settings dialog writes through the same functions; these pin what the
command line sees and that a new audience starts the push over (its watermarks are
forgotten, so every consenting customer reaches the new audience).
"""

from __future__ import annotations

import argparse
import contextlib
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from nexpura_desktop.connectors.mailchimp.commands import add_cli_commands
from nexpura_desktop.connectors.mailchimp.settings import API_KEY_ITEM, set_audience
from nexpura_desktop.errors import UserError
from nexpura_desktop.ledger import connections
from nexpura_desktop.ledger.db import Ledger
from nexpura_desktop.paths import resolve
from nexpura_desktop.sandbox.runner import SandboxServer
from nexpura_desktop.secrets import MemoryKeyring, SecretStore, default_store, set_default_store
from nexpura_desktop.sync.cursors import get_cursor, set_cursor


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    server = SandboxServer(port_base=0, services=["mailchimp"]).start_in_thread()
    yield server
    server.close()


@pytest.fixture
def home(tmp_path: Path, sandbox: SandboxServer) -> Iterator[Path]:
    creds = sandbox.sandbox["mailchimp"].credentials()
    folder = tmp_path / "home"
    with Ledger(resolve(folder).ensure().ledger) as ledger:
        connections.save_connected(
            ledger.conn,
            "mailchimp",
            account="Shop",
            config={
                "audience_id": creds["audience_id"],
                "audience_name": "Main",
                "api_base_url": creds["api_base_url"],
            },
            secrets=[],
        )
    store = SecretStore(service="Nexpura Desktop [mc cli test]", backend=MemoryKeyring())
    store.set(API_KEY_ITEM, str(creds["api_key"]))
    previous = default_store()
    set_default_store(store)
    yield folder
    set_default_store(previous)


def run(home: Path, *argv: str) -> str:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()

    def command(name: str, handler: Any, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--home")
        p.set_defaults(handler=handler)
        return p

    add_cli_commands(command)
    args = parser.parse_args(["mailchimp-settings", "--home", str(home), *argv])
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert args.handler(args) == 0
    return out.getvalue()


def config(home: Path) -> dict[str, Any]:
    with Ledger(resolve(home).ledger) as ledger:
        return connections.get(ledger.conn, "mailchimp").config


def test_show_change_audience_and_schedule(home: Path, sandbox: SandboxServer) -> None:
    audiences = sandbox.sandbox["mailchimp"].credentials()["audiences"]
    assert "automatic sync: off" in run(home)
    other = next(a for a in audiences if a["id"] != config(home)["audience_id"])
    shown = run(home, "--audience", other["id"], "--auto-sync", "on", "--every", "45")
    assert f"audience: {other['name']} ({other['id']})" in shown
    assert "automatic sync: every 45 minutes" in shown
    assert config(home)["schedule"] == {"kind": "interval", "minutes": 45}
    assert "automatic sync: off" in run(home, "--auto-sync", "off")
    assert "every 60 minutes" in run(home, "--auto-sync", "on")  # hourly unless told


def test_unknown_audience_is_refused_and_nothing_changes(home: Path) -> None:
    before = config(home)
    with pytest.raises(UserError, match="has no audience nope"):
        run(home, "--audience", "nope")
    assert config(home) == before
    with pytest.raises(SystemExit):
        run(home, "--every", "0")


def test_a_new_audience_forgets_the_old_watermarks(home: Path) -> None:
    with Ledger(resolve(home).ledger) as ledger, ledger.transaction() as conn:
        set_cursor(conn, "mailchimp", "customers.export", "42")
        current = connections.get(conn, "mailchimp").config["audience_id"]
        assert not set_audience(conn, current, "Main")  # the same one: kept
        assert get_cursor(conn, "mailchimp", "customers.export") == "42"
        assert set_audience(conn, "another", "Other")
        assert get_cursor(conn, "mailchimp", "customers.export") is None
        with pytest.raises(ValueError):
            set_audience(conn, "  ")
