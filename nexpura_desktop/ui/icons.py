"""The app, tray and service icons: SVGs under ``resources/icons/``, sharp at any scale.

Service marks (``icons/services/<service>.svg``) are our own drawings — a monogram on the
brand's colour — never vendor artwork.  ``QIcon`` renders an SVG afresh for each size and
device-pixel ratio, so they stay crisp on HiDPI screens.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QIcon

from ..resource_files import resource_path

TRAY_STATES = ("ok", "syncing", "attention", "paused")


@cache
def _icon(name: str) -> QIcon:
    path = resource_path(f"icons/{name}.svg")
    icon = QIcon(str(path)) if path.exists() else QIcon()
    return icon


def app_icon() -> QIcon:
    return _icon("app")


def tray_icon(state: str) -> QIcon:
    """The tray icon for ``state`` (one of :data:`TRAY_STATES`)."""
    if state not in TRAY_STATES:
        raise ValueError(f"unknown tray state {state!r}")
    return _icon(f"tray-{state}")


def service_icon(service: str) -> QIcon:
    """The service's mark (a null icon for a service without one: text still says it)."""
    return _icon(f"services/{service}")
