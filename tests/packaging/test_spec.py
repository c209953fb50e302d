"""The PyInstaller spec and its companions name things that exist (fast: nothing is built).

A frozen build only carries what the spec lists or the analysis sees, so a renamed module,
a moved resource folder or a new runtime dependency on an excluded package must fail
here, not on a shop's PC.  The real build and its smoke test run in CI (.ci/run).
"""

from __future__ import annotations

import ast
import configparser
import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from nexpura_desktop import __version__, resource_files

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
SPEC = PACKAGING / "nexpura-desktop.spec"
PACKAGE = ROOT / "nexpura_desktop"


def spec_constants() -> dict[str, Any]:
    """The spec's top-level literal assignments (lists of strings, dicts of lists)."""
    found: dict[str, Any] = {}
    for node in ast.parse(SPEC.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            value = node.value
            if isinstance(value, ast.List):
                found[node.targets[0].id] = [
                    e.value for e in value.elts if isinstance(e, ast.Constant)
                ]
            elif isinstance(value, ast.Dict):
                found[node.targets[0].id] = {
                    k.value: [e.value for e in v.elts if isinstance(e, ast.Constant)]
                    for k, v in zip(value.keys, value.values, strict=True)
                    if isinstance(k, ast.Constant) and isinstance(v, ast.List)
                }
            elif isinstance(value, ast.Constant):
                found[node.targets[0].id] = value.value
    return found


def test_hidden_imports_exist() -> None:
    constants = spec_constants()
    names = [*constants["HIDDEN_IMPORTS"], *constants["KEYRING_BACKENDS"]["linux"]]
    assert "keyring.backends.SecretService" in names
    assert "nexpura_desktop.secrets" in names and "nexpura_desktop.auth.keyring_choice" in names
    missing = [name for name in names if importlib.util.find_spec(name) is None]
    assert missing == []


def test_other_oses_keyring_backends_exist_in_keyring() -> None:
    """Windows' and macOS' backend modules ship with keyring everywhere; their OS-only
    helpers (win32ctypes) can only be checked on that OS."""
    backends = spec_constants()["KEYRING_BACKENDS"]
    assert set(backends) == {"linux", "win32", "darwin"}
    for name in backends["win32"] + backends["darwin"]:
        if name.startswith("keyring."):
            assert importlib.util.find_spec(name) is not None, name


def test_spec_names_the_files_it_uses() -> None:
    text = SPEC.read_text(encoding="utf-8")
    for relative in re.findall(r'ROOT / "packaging"(?: / "[^"]+")+', text):
        parts = re.findall(r'"([^"]+)"', relative)
        assert ROOT.joinpath(*parts).exists(), parts
    assert (ROOT / "resources" / "icons" / "app.svg").exists()
    assert (ROOT / "resources" / "oauth_result.html").exists()
    assert spec_constants()["BUNDLE_ID"] == "com.nexpura.desktop"


def test_package_data_files_are_collected() -> None:
    """The spec ships every non-Python file in the package; the ones read at run time are there."""
    data = [
        p
        for p in PACKAGE.rglob("*")
        if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts
    ]
    names = {p.relative_to(PACKAGE).as_posix() for p in data}
    assert "sandbox/shopify/schema.graphql" in names
    assert any(n.startswith("ledger/migrations/") and n.endswith(".sql") for n in names)


def imports_of(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return found


def test_nothing_the_app_imports_is_excluded() -> None:
    excluded = spec_constants()["EXCLUDES"]
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        for module in imports_of(path):
            if any(module == x or module.startswith(x + ".") for x in excluded):
                offenders.append(f"{path.relative_to(ROOT)}: {module}")
    assert offenders == []


def test_resources_are_found_in_a_bundle(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resource_files.resource_path("icons/app.svg") == tmp_path / "resources/icons/app.svg"
    monkeypatch.delattr(sys, "_MEIPASS")
    assert resource_files.resource_path("icons/app.svg").exists()


def test_runtime_hook_registers_this_os_keyring_backend() -> None:
    hook = PACKAGING / "rthooks" / "pyi_rth_nexpura_keyring.py"
    script = (
        f"import runpy; runpy.run_path({str(hook)!r}); "
        "import keyring.backend as b; "
        "print(sorted(c.__module__ for c in b.KeyringBackend._classes))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    assert "keyring.backends.SecretService" in out
    assert "keyring.backends.chainer" in out


def test_linux_desktop_entry() -> None:
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[method-assign]  # keep the keys' case
    entry.read(PACKAGING / "linux" / "nexpura-desktop.desktop", encoding="utf-8")
    section = entry["Desktop Entry"]
    assert section["Type"] == "Application"
    assert section["Exec"] == "nexpura-desktop"
    assert section["Icon"] == "nexpura-desktop"
    assert section["StartupWMClass"] == "nexpura-desktop"  # app.setDesktopFileName
    assert section["Categories"].endswith(";")
    validator = shutil.which("desktop-file-validate")
    if validator:
        subprocess.run(
            [validator, str(PACKAGING / "linux" / "nexpura-desktop.desktop")], check=True
        )


def test_inno_setup_script_matches_the_app() -> None:
    iss = (PACKAGING / "windows" / "nexpura-desktop.iss").read_text(encoding="utf-8")
    assert f'#define AppVersion "{__version__}"' in iss
    assert 'ValueName: "NexpuraDesktop"' in iss  # ui/autostart.py RUN_VALUE
    assert r"Software\Microsoft\Windows\CurrentVersion\Run" in iss
    assert '#define Bundle "..\\..\\dist\\nexpura-desktop"' in iss


def test_shell_scripts_parse() -> None:
    for script in (PACKAGING / "smoke_test.sh", PACKAGING / "linux" / "install.sh"):
        subprocess.run(["bash", "-n", str(script)], check=True, timeout=30)
