"""Layer rules of ARCHITECTURE.md §2, checked on the source (so they cannot drift)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "nexpura_desktop"


def imports_of(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = path.relative_to(PACKAGE.parent).with_suffix("").parts[: -node.level]
                base = ".".join([*parts, base] if base else parts)
            found.add(base)
    return found


def test_only_ui_imports_qt() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] == "ui" or rel.name == "app.py":
            continue
        if any(m.split(".")[0] in ("PySide6", "qasync") for m in imports_of(path)):
            offenders.append(str(rel))
    assert offenders == []


def test_sandbox_imports_nothing_from_the_app_but_the_demo_shop() -> None:
    offenders = []
    for path in (PACKAGE / "sandbox").rglob("*.py"):
        for module in imports_of(path):
            if module.startswith("nexpura_desktop") and not (
                module.startswith("nexpura_desktop.sandbox")
                or module in ("nexpura_desktop.ledger", "nexpura_desktop.ledger.demo")
            ):
                offenders.append(f"{path.relative_to(PACKAGE)}: {module}")
    assert offenders == []


def test_mapping_modules_are_pure() -> None:
    io_modules = {"httpx", "sqlite3", "socket", "requests", "keyring"}
    offenders = []
    for path in (PACKAGE / "connectors").rglob("mapping.py"):
        if {m.split(".")[0] for m in imports_of(path)} & io_modules:
            offenders.append(str(path.relative_to(PACKAGE)))
    assert offenders == []
