"""Every user-visible string comes from ui/strings.py (so the UI can be translated)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication

from nexpura_desktop.ui import strings
from nexpura_desktop.ui.strings import S

UI = Path(strings.__file__).resolve().parent
# Calls whose string arguments are shown to the user.
TEXT_CALLS = {
    "setText", "setWindowTitle", "setToolTip", "setPlaceholderText", "addAction", "addMenu",
    "setAccessibleName", "setAccessibleDescription", "showMessage", "setStatusTip", "addItem",
    "addItems", "setTitle", "setHeaderLabels", "setHorizontalHeaderLabels", "setLabelText",
    "setWhatsThis", "addTab", "setTabText", "setItemText", "information", "warning", "critical",
    "question", "getText", "getOpenFileName", "getExistingDirectory", "addRow", "addButton",
    "emit", "QLabel", "QPushButton", "QCheckBox", "QRadioButton", "QGroupBox", "QAction",
    "heading", "note", "QMessageBox", "notify",
}  # fmt: skip


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _literal_text(node: ast.expr) -> bool:
    """A string literal (or f-string) with letters in it: text someone typed into a widget."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return any(ch.isalpha() for ch in node.value)
    if isinstance(node, ast.JoinedStr):
        return any(_literal_text(v) for v in node.values if isinstance(v, ast.Constant))
    return False


def offenders(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and _name(node.func) in TEXT_CALLS:
            receiver = node.func.value if isinstance(node.func, ast.Attribute) else None
            if isinstance(receiver, ast.Name) and receiver.id in ("log", "logging"):
                continue  # log lines are for the log file, not the owner
            args = [*node.args, *(k.value for k in node.keywords)]
            if _name(node.func) == "addItem":
                args = args[:1]  # addItem(text, data): the data is not shown
            for arg in args:
                if _literal_text(arg):
                    found.append(f"{path.relative_to(UI)}:{node.lineno}: {ast.unparse(arg)}")
    return found


def test_no_widget_text_is_written_outside_strings_py() -> None:
    files = [p for p in UI.rglob("*.py") if p.name != "strings.py"]
    assert len(files) > 10
    assert [o for p in files for o in offenders(p)] == []


def test_the_check_catches_a_literal(tmp_path: Path) -> None:
    bad = UI / "_probe_for_test.py"
    try:
        bad.write_text('label.setText("Sync now")\nb = QPushButton(f"Sync {x}")\nc.setText("")\n')
        assert len(offenders(bad)) == 2
    finally:
        bad.unlink()


def test_strings_go_through_the_translator(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = S.source_texts()
    assert texts["TRAY_QUIT"] == "&Quit" and len(texts) > 100
    seen: list[tuple[str, str]] = []

    def translate(context: str, text: str, *args: object) -> str:
        seen.append((context, text))
        return text.upper()

    monkeypatch.setattr(QCoreApplication, "translate", translate)
    assert S.TRAY_QUIT == "&QUIT"
    assert seen == [(strings.CONTEXT, "&Quit")]
    assert strings.service_name("google_calendar") == "GOOGLE CALENDAR"


def test_placeholders_survive_formatting() -> None:
    for name, text in S.source_texts().items():
        fields = {part.split("}")[0] for part in text.split("{")[1:]}
        assert text.format(**dict.fromkeys(fields, "x")), name
