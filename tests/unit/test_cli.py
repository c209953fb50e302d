"""The command-line contract: exit codes, one-line errors, --home, --version, tables."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from nexpura_desktop import __version__

from .export_files import export_document, write_export


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nexpura_desktop", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
        check=False,
    )


def test_version() -> None:
    result = cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"nexpura-desktop {__version__}"


def test_usage_error_exits_2_with_one_line() -> None:
    result = cli("tables", "--bogus")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_expected_failure_exits_1_with_one_line(tmp_path: Path) -> None:
    result = cli("--home", str(tmp_path / "h"), "import", str(tmp_path / "missing.json"))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"nexpura-desktop: no file at {tmp_path / 'missing.json'}"
    ]


def test_home_option_and_env_relocate_everything(tmp_path: Path) -> None:
    export = write_export(tmp_path / "e.json", export_document({"customers": []}))
    assert cli("import", str(export), "--home", str(tmp_path / "a")).returncode == 0
    assert (tmp_path / "a" / "data" / "ledger.sqlite3").is_file()
    assert (tmp_path / "a" / "logs").is_dir()
    env_home = tmp_path / "b"
    assert cli("import", str(export), env={"NEXPURA_DESKTOP_HOME": str(env_home)}).returncode == 0
    assert (env_home / "data" / "ledger.sqlite3").is_file()


def test_tables_json_lists_counts(tmp_path: Path) -> None:
    export = write_export(
        tmp_path / "e.json",
        export_document({"customers": [{"id": "c1", "full_name": "A"}], "wishlists": []}),
    )
    home = str(tmp_path / "h")
    assert cli("--home", home, "import", str(export)).returncode == 0
    result = cli("--home", home, "tables", "--json")
    assert result.returncode == 0
    tables = {t["name"]: t for t in json.loads(result.stdout)["tables"]}
    assert tables["customers"]["rows"] == 1
    assert tables["wishlists"] == {"name": "wishlists", "kind": "generic", "rows": 0}
    assert tables["tenants"]["rows"] == 1


def test_import_bad_file_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"tenant": {"id": "x"}, "customers": [', encoding="utf-8")
    result = cli("--home", str(tmp_path / "h"), "import", str(bad))
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "truncated" in result.stderr


def test_run_due_with_nothing_configured(tmp_path: Path) -> None:
    result = cli("--home", str(tmp_path / "h"), "run-due")
    assert result.returncode == 0
    assert result.stdout.strip() == "nothing is due"


def test_sync_of_a_service_that_is_not_connected_is_one_line(tmp_path: Path) -> None:
    result = cli("--home", str(tmp_path / "h"), "sync", "xero", "--json")
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
