"""``selftest``: each check passes on a working install and says why when it does not."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import keyring
import keyring.backends.chainer
import keyring.backends.fail
import pytest

from nexpura_desktop import cli, selftest
from nexpura_desktop.paths import resolve
from nexpura_desktop.secrets import MemoryKeyring


def context(home: Path) -> selftest.Context:
    return selftest.Context(paths=resolve(home))


@pytest.fixture
def with_selftest_command(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command as the lead wires it: through cli.CLI_EXTENSIONS."""
    extensions = (*cli.CLI_EXTENSIONS, "nexpura_desktop.selftest_commands")
    if "nexpura_desktop.selftest_commands" not in cli.CLI_EXTENSIONS:
        monkeypatch.setattr(cli, "CLI_EXTENSIONS", extensions)


# -- keyring ----------------------------------------------------------------------------------
def test_keyring_ok_names_the_backend(isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEXPURA_DESKTOP_KEYRING", "memory")
    result = selftest.check_keyring(context(isolated_home))
    assert result.ok
    assert "MemoryKeyring is usable" in result.detail


def test_keyring_missing_fails_with_the_advice(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A frozen build that lost its backends ends up on keyring's fail backend."""
    monkeypatch.delenv("NEXPURA_DESKTOP_KEYRING", raising=False)
    monkeypatch.setattr(keyring, "get_keyring", keyring.backends.fail.Keyring)
    result = selftest.check_keyring(context(isolated_home))
    assert not result.ok
    assert result.detail.startswith("keyring.backends.fail.Keyring: no system keyring")
    assert "gnome-keyring" in result.detail


def test_backend_name_lists_what_a_chainer_chains(monkeypatch: pytest.MonkeyPatch) -> None:
    chainer_class = keyring.backends.chainer.ChainerBackend
    monkeypatch.setattr(chainer_class, "backends", [MemoryKeyring()])
    chainer = chainer_class.__new__(chainer_class)
    assert selftest.backend_name(chainer) == (
        "keyring.backends.chainer.ChainerBackend(nexpura_desktop.secrets.MemoryKeyring)"
    )


# -- Qt ---------------------------------------------------------------------------------------
def test_qt_plugins_load(isolated_home: Path) -> None:
    result = selftest.check_qt(context(isolated_home))
    assert result.ok, result.detail
    assert "platforms/qoffscreen" in result.detail
    assert "iconengines/qsvgicon" in result.detail


def test_qt_missing_and_broken_plugins_are_named(tmp_path: Path) -> None:
    from nexpura_desktop.ui import selftest_qt

    (tmp_path / "platforms").mkdir()
    (tmp_path / "platforms" / "libqoffscreen.so").write_bytes(b"not a library")
    ok, detail = selftest_qt.check_plugins(tmp_path)
    assert not ok
    assert "platforms/qoffscreen: " in detail  # found, but the loader refused it
    assert f"imageformats/qsvg missing from {tmp_path}" in detail


@pytest.mark.parametrize(
    ("platform", "expected"),
    [("linux", "qxcb"), ("win32", "qwindows"), ("darwin", "qcocoa")],
)
def test_each_os_needs_its_own_platform_plugin(platform: str, expected: str) -> None:
    from nexpura_desktop.ui import selftest_qt

    needed = selftest_qt.required_plugins(platform)
    assert ("platforms", expected) in needed
    assert ("platforms", "qoffscreen") in needed
    assert ("imageformats", "qsvg") in needed


def test_window_opens_offscreen(isolated_home: Path) -> None:
    result = selftest.check_window(context(isolated_home))
    assert result.ok, result.detail
    assert result.detail.startswith("'Nexpura Desktop' ")
    assert result.detail.endswith("on the offscreen platform")


# -- TLS, folders, SQLite, parser ---------------------------------------------------------------
def test_tls_finds_roots(isolated_home: Path) -> None:
    result = selftest.check_tls(context(isolated_home))
    assert result.ok, result.detail
    assert "truststore" in result.detail and "certifi bundle" in result.detail


def test_tls_without_system_roots_fails(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selftest, "system_ca_source", lambda: None)
    result = selftest.check_tls(context(isolated_home))
    assert not result.ok
    assert "no system CA certificates" in result.detail


def test_folders_ok_leave_nothing_behind(isolated_home: Path) -> None:
    ctx = context(isolated_home)
    result = selftest.check_folders(ctx)
    assert result.ok, result.detail
    assert list(ctx.paths.data.iterdir()) == []
    assert not ctx.paths.exports.exists()  # checked at its parent, not created


def test_folders_unwritable_data_fails(isolated_home: Path) -> None:
    isolated_home.mkdir(parents=True)
    (isolated_home / "data").write_text("a file where the folder should be")
    result = selftest.check_folders(context(isolated_home))
    assert not result.ok
    assert str(isolated_home / "data") in result.detail


def test_sqlite_features(isolated_home: Path) -> None:
    ctx = context(isolated_home)
    result = selftest.check_sqlite(ctx)
    assert result.ok, result.detail
    assert result.detail == f"SQLite {sqlite3.sqlite_version}: strict, upsert, returning, json, wal"
    assert list(ctx.paths.data.iterdir()) == []  # the WAL probe is gone


def test_old_sqlite_fails(isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(selftest.sqlite3, "sqlite_version_info", (3, 31, 1))
    result = selftest.check_sqlite(context(isolated_home))
    assert not result.ok
    assert "older than the 3.37.0 needed" in result.detail


def test_parser_has_the_c_backend(isolated_home: Path) -> None:
    result = selftest.check_parser(context(isolated_home))
    assert result.ok and "yajl2_c (C)" in result.detail


# -- running and reporting ----------------------------------------------------------------------
def test_a_crashing_check_is_one_failed_line_and_the_rest_still_run(isolated_home: Path) -> None:
    def check_boom(_ctx: selftest.Context) -> selftest.Check:
        raise RuntimeError("kaput")

    results = selftest.run_checks(context(isolated_home), [check_boom, selftest.check_sqlite])
    assert [(r.name, r.ok) for r in results] == [("boom", False), ("sqlite", True)]
    assert results[0].detail == "RuntimeError: kaput"
    lines: list[str] = []
    assert selftest.report(results, lines.append) == 1
    assert lines[0] == "FAIL  boom        RuntimeError: kaput"
    assert lines[1].startswith("ok    sqlite      SQLite ")


def test_command_prints_one_line_per_check_and_exits_0(
    with_selftest_command: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("NEXPURA_DESKTOP_KEYRING", "memory")
    assert cli.run(["selftest"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[:2] for line in lines] == [
        ["ok", name] for name in ("keyring", "qt", "tls", "folders", "sqlite", "parser")
    ]


def test_command_json_and_failure_exit_status(
    with_selftest_command: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("NEXPURA_DESKTOP_KEYRING", raising=False)
    monkeypatch.setattr(keyring, "get_keyring", keyring.backends.fail.Keyring)
    assert cli.run(["selftest", "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False and report["frozen"] is False
    by_name = {c["name"]: c for c in report["checks"]}
    assert by_name["keyring"]["ok"] is False
    assert by_name["sqlite"]["ok"] is True
