"""Pieces of the window that a build may or may not have (per-service settings, local API).

They load on first use, and a missing one leaves its button or section out instead of
breaking the window.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from types import ModuleType

SERVICE_SETTINGS = "nexpura_desktop.ui.service_settings"
API_PANEL = "nexpura_desktop.ui.api_panel"


def optional_module(name: str) -> ModuleType | None:
    """The module ``name`` if it exists in this build (imported now), else ``None``."""
    loaded = sys.modules.get(name)
    if loaded is not None:
        return loaded
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    return None if spec is None else importlib.import_module(name)
