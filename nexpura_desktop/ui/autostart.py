"""Start at login, the way each OS expects: an XDG autostart entry, a Run key, a LaunchAgent.

The command started is the one running now (``sys.executable -m nexpura_desktop`` from
a checkout, or the frozen executable), with ``--home`` when the home was relocated.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import sys
from pathlib import Path

ENTRY = "nexpura-desktop"
RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"


def command(home: str | None = None) -> list[str]:
    base = (
        [sys.executable]
        if getattr(sys, "frozen", False)
        else [sys.executable, "-m", ENTRY.replace("-", "_")]
    )
    return [*base, "--home", home] if home else base


def _xdg_file() -> Path:
    root = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(root) / "autostart" / f"{ENTRY}.desktop"


def _mac_file() -> Path:
    return Path.home() / "Library" / "LaunchAgents" / "com.nexpura.desktop.plist"


def is_enabled() -> bool:
    if sys.platform == "win32":
        import winreg

        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY) as key:
                winreg.QueryValueEx(key, "NexpuraDesktop")
            return True
        except OSError:
            return False
    path = _mac_file() if sys.platform == "darwin" else _xdg_file()
    return path.exists()


def set_enabled(enabled: bool, home: str | None = None) -> None:
    """Turn start-at-login on or off (``OSError`` if the OS refuses)."""
    cmd = command(home)
    if sys.platform == "win32":
        import winreg

        with winreg.CreateKey(winreg.HKEY_CURRENT_USER, RUN_KEY) as key:
            if enabled:
                line = " ".join(f'"{c}"' for c in cmd)
                winreg.SetValueEx(key, "NexpuraDesktop", 0, winreg.REG_SZ, line)
            else:
                with contextlib.suppress(FileNotFoundError):
                    winreg.DeleteValue(key, "NexpuraDesktop")
        return
    if sys.platform == "darwin":
        path = _mac_file()
        args = "".join(f"<string>{c}</string>" for c in cmd)
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0"><dict>'
            "<key>Label</key><string>com.nexpura.desktop</string>"
            f"<key>ProgramArguments</key><array>{args}</array>"
            "<key>RunAtLoad</key><true/></dict></plist>\n"
        )
    else:
        path = _xdg_file()
        body = (
            "[Desktop Entry]\nType=Application\nName=Nexpura Desktop\n"
            f"Exec={shlex.join(cmd)}\nX-GNOME-Autostart-enabled=true\n"
        )
    if enabled:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
    else:
        path.unlink(missing_ok=True)
