"""The Qt half of ``selftest``: plugins a frozen build must carry, and the window opening.

Kept under ``ui/`` because only the UI layer imports Qt (ARCHITECTURE.md §2); the
headless checks live in :mod:`nexpura_desktop.selftest`.  A bundle that lost a plugin
fails here with the loader's own message (e.g. the missing ``libxcb-cursor.so.0``),
instead of a window that silently never appears on the shop's PC.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QLibraryInfo, QPluginLoader

# Plugins per OS, as (folder, file-name stem without the ``lib`` prefix).  Offscreen is
# needed everywhere: CI's smoke test and ``selftest --window`` on a headless machine.
_PLATFORMS = {
    "linux": ("qxcb", "qoffscreen"),
    "win32": ("qwindows", "qoffscreen"),
    "darwin": ("qcocoa", "qoffscreen"),
}
_IMAGES = (("imageformats", "qsvg"), ("iconengines", "qsvgicon"))


def required_plugins(platform: str = sys.platform) -> list[tuple[str, str]]:
    """The ``(folder, plugin)`` pairs the app needs on ``platform``."""
    key = "linux" if platform.startswith("linux") else platform
    names = _PLATFORMS.get(key, _PLATFORMS["linux"])
    return [("platforms", name) for name in names] + list(_IMAGES)


def plugins_dir() -> Path:
    return Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath))


def find_plugin(root: Path, folder: str, name: str) -> Path | None:
    """The plugin's library in ``root/folder`` (``libqxcb.so``, ``qwindows.dll``, …)."""
    directory = root / folder
    if not directory.is_dir():
        return None
    for path in sorted(directory.iterdir()):
        stem = path.name.split(".")[0].removeprefix("lib")
        if stem == name and path.suffix in (".so", ".dll", ".dylib"):
            return path
    return None


def load_plugin(path: Path) -> str | None:
    """None when the library and everything it links against loads, else Qt's reason."""
    loader = QPluginLoader(str(path))
    if loader.load():
        return None
    return loader.errorString() or "could not be loaded"


def check_plugins(root: Path | None = None) -> tuple[bool, str]:
    """Load every required plugin; ``(all loaded, one-line detail)``."""
    base = plugins_dir() if root is None else root
    loaded: list[str] = []
    problems: list[str] = []
    for folder, name in required_plugins():
        path = find_plugin(base, folder, name)
        if path is None:
            problems.append(f"{folder}/{name} missing from {base}")
            continue
        error = load_plugin(path)
        if error is None:
            loaded.append(f"{folder}/{name}")
        else:
            problems.append(f"{folder}/{name}: {error}")
    if problems:
        return False, "; ".join(problems)
    return True, f"PySide6 {pyside_version}: " + ", ".join(loaded)


def open_window(home: Path, timeout_ms: int = 10_000) -> tuple[bool, str]:
    """Build the real window over a scratch ``home``, show it, wait until it is exposed.

    The tray is left out (CI has no tray host) and nothing is started: no scheduler tick,
    no sandbox, no keyring — this proves the bundle can draw the app, not that it syncs.
    """
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from ..app import build_registry
    from ..paths import resolve
    from ..secrets import MemoryKeyring, SecretStore
    from .backend import Backend
    from .icons import app_icon
    from .shell import Shell

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    icon = app_icon()
    if icon.isNull() or icon.pixmap(32, 32).isNull():
        return False, "the app icon (resources/icons/app.svg) did not render"
    backend = Backend(resolve(home), build_registry(), secrets=SecretStore(backend=MemoryKeyring()))
    shell = Shell(backend, tray_available=False)
    try:
        shell.window.show()
        exposed = QTest.qWaitForWindowExposed(shell.window, timeout_ms)
        size = shell.window.size()
        detail = (
            f"'{shell.window.windowTitle()}' {size.width()}x{size.height()} "
            f"on the {app.platformName()} platform"
        )
    finally:
        stopped = shell.shutdown()
        shell.deleteLater()
    if not exposed:
        return False, f"the window was not shown within {timeout_ms} ms"
    if not stopped:
        return False, f"{detail}, but it did not shut down cleanly"
    return True, detail
