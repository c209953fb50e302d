"""Start at login, the way each OS expects: an XDG autostart entry, a Run key, a LaunchAgent.

The command started is the one running now (``sys.executable -m nexpura_desktop`` from
a checkout — ``pythonw.exe`` on Windows so no console opens — or the frozen executable),
with ``--home`` when the home was relocated.  Each OS's mechanism is a small class whose
OS-facing part (the user's folders, the ``winreg`` module) is passed in, so all three are
tested on any OS; :func:`is_enabled` and :func:`set_enabled` pick the one for this PC.
"""

from __future__ import annotations

import contextlib
import os
import plistlib
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol
from xml.parsers.expat import ExpatError

ENTRY = "nexpura-desktop"
RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
RUN_VALUE = "NexpuraDesktop"
AGENT_LABEL = "com.nexpura.desktop"  # also the macOS bundle identifier (packaging/)


def command(
    home: str | None = None,
    *,
    executable: str | None = None,
    frozen: bool | None = None,
    platform: str | None = None,
) -> list[str]:
    """The argv that starts this app again (defaults: the running interpreter/bundle)."""
    exe = executable or sys.executable
    is_frozen = bool(getattr(sys, "frozen", False)) if frozen is None else frozen
    if is_frozen:
        base = [exe]
    else:
        if (platform or sys.platform) == "win32" and Path(exe).name.lower() == "python.exe":
            windowed = Path(exe).with_name("pythonw.exe")
            exe = str(windowed) if windowed.exists() else exe
        base = [exe, "-m", ENTRY.replace("-", "_")]
    return [*base, "--home", home] if home else base


# -- Linux and other XDG desktops ------------------------------------------------------------
def desktop_exec(argv: list[str]) -> str:
    """``argv`` as a Desktop Entry ``Exec`` value (its own quoting rules, not the shell's)."""
    parts = []
    for arg in argv:
        arg = arg.replace("%", "%%")
        if arg and not any(c in arg for c in " \t\n\"'\\><~|&;$*?#()`="):
            parts.append(arg)
            continue
        inner = "".join("\\" + c if c in '"`$\\' else c for c in arg)
        parts.append(f'"{inner}"')
    # A string value escapes backslashes once more (Desktop Entry spec, "Exec" key).
    return " ".join(parts).replace("\\", "\\\\")


class XdgAutostart:
    """``$XDG_CONFIG_HOME/autostart/nexpura-desktop.desktop`` (freedesktop Autostart spec)."""

    def __init__(self, user_home: Path, environ: Mapping[str, str]) -> None:
        root = environ.get("XDG_CONFIG_HOME", "")
        config = Path(root) if root and Path(root).is_absolute() else user_home / ".config"
        self.path = config / "autostart" / f"{ENTRY}.desktop"

    def is_enabled(self) -> bool:
        try:
            text = self.path.read_text(encoding="utf-8")
        except OSError:
            return False
        lines = {line.strip().replace(" ", "") for line in text.splitlines()}
        return not ({"Hidden=true", "X-GNOME-Autostart-enabled=false"} & lines)

    def enable(self, argv: list[str]) -> None:
        body = (
            "[Desktop Entry]\nType=Application\nName=Nexpura Desktop\n"
            "Comment=Keeps the shop's data in sync in the background\n"
            f"Exec={desktop_exec(argv)}\nIcon={ENTRY}\nTerminal=false\n"
            "X-GNOME-Autostart-enabled=true\n"
        )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(body, encoding="utf-8")
        tmp.replace(self.path)

    def disable(self) -> None:
        self.path.unlink(missing_ok=True)


# -- macOS -----------------------------------------------------------------------------------
class LaunchAgent:
    """``~/Library/LaunchAgents/com.nexpura.desktop.plist``, loaded by launchd at login."""

    def __init__(self, user_home: Path) -> None:
        self.path = user_home / "Library" / "LaunchAgents" / f"{AGENT_LABEL}.plist"

    def is_enabled(self) -> bool:
        try:
            with self.path.open("rb") as f:
                agent = plistlib.load(f)
        except (OSError, ValueError, ExpatError):  # missing, or not a plist (hand-edited)
            return False
        return isinstance(agent, dict) and not agent.get("Disabled", False)

    def enable(self, argv: list[str]) -> None:
        agent = {
            "Label": AGENT_LABEL,
            "ProgramArguments": argv,
            "RunAtLoad": True,
            "ProcessType": "Interactive",
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_bytes(plistlib.dumps(agent))
        tmp.replace(self.path)

    def disable(self) -> None:
        self.path.unlink(missing_ok=True)


# -- Windows ---------------------------------------------------------------------------------
class WinRegistry(Protocol):
    """The part of ``winreg`` used here (tests pass an in-memory fake)."""

    HKEY_CURRENT_USER: Any
    REG_SZ: int

    def OpenKey(self, key: Any, sub_key: str) -> Any: ...
    def CreateKey(self, key: Any, sub_key: str) -> Any: ...
    def QueryValueEx(self, key: Any, name: str) -> tuple[Any, int]: ...
    def SetValueEx(self, key: Any, name: str, reserved: int, kind: int, value: str) -> None: ...
    def DeleteValue(self, key: Any, name: str) -> None: ...


class RunKey:
    """The ``NexpuraDesktop`` value under HKCU's ``...\\CurrentVersion\\Run`` key."""

    def __init__(self, registry: WinRegistry) -> None:
        self.registry = registry

    def value(self) -> str | None:
        reg = self.registry
        try:
            with reg.OpenKey(reg.HKEY_CURRENT_USER, RUN_KEY) as key:
                return str(reg.QueryValueEx(key, RUN_VALUE)[0])
        except OSError:
            return None

    def is_enabled(self) -> bool:
        return self.value() is not None

    def enable(self, argv: list[str]) -> None:
        reg = self.registry
        with reg.CreateKey(reg.HKEY_CURRENT_USER, RUN_KEY) as key:
            # Windows' own argv quoting, so a path with spaces stays one argument.
            reg.SetValueEx(key, RUN_VALUE, 0, reg.REG_SZ, subprocess.list2cmdline(argv))

    def disable(self) -> None:
        reg = self.registry
        with (
            contextlib.suppress(FileNotFoundError),
            reg.OpenKey(reg.HKEY_CURRENT_USER, RUN_KEY) as key,
        ):
            reg.DeleteValue(key, RUN_VALUE)


class Autostart(Protocol):
    def is_enabled(self) -> bool: ...
    def enable(self, argv: list[str]) -> None: ...
    def disable(self) -> None: ...


def for_platform(
    platform: str | None = None,
    *,
    user_home: Path | None = None,
    environ: Mapping[str, str] | None = None,
    registry: WinRegistry | None = None,
) -> Autostart:
    """The mechanism for ``platform`` (default: this PC)."""
    chosen = platform or sys.platform
    if chosen == "win32":
        if registry is None:
            import winreg

            registry = winreg  # type: ignore[assignment]
        assert registry is not None
        return RunKey(registry)
    home = user_home if user_home is not None else Path.home()
    if chosen == "darwin":
        return LaunchAgent(home)
    return XdgAutostart(home, os.environ if environ is None else environ)


def is_enabled() -> bool:
    """Whether this user's login starts the app."""
    return for_platform().is_enabled()


def set_enabled(enabled: bool, home: str | None = None) -> None:
    """Turn start-at-login on or off (``OSError`` if the OS refuses)."""
    target = for_platform()
    if enabled:
        target.enable(command(home))
    else:
        target.disable()
