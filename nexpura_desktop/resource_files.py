"""Files under the top-level ``resources/`` folder (HTML pages, icons, demo seeds).

From a source checkout they sit beside the package; in a PyInstaller bundle they are
unpacked next to the executable (``sys._MEIPASS``).
"""

from __future__ import annotations

import sys
from pathlib import Path


def resource_path(name: str) -> Path:
    bundle = getattr(sys, "_MEIPASS", None)
    base = Path(bundle) if bundle else Path(__file__).resolve().parent.parent
    return base / "resources" / name


def read_text(name: str, fallback: str = "") -> str:
    path = resource_path(name)
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return fallback
