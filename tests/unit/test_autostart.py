"""Start at login on each OS, with the OS-facing part (folders, winreg) faked at its edge."""

from __future__ import annotations

import plistlib
import subprocess
from pathlib import Path
from typing import Any

import pytest

from nexpura_desktop.ui import autostart

ARGV = ["/opt/Nexpura Desktop/nexpura-desktop", "--home", '/srv/shop & co/100% "data" $HOME']


def parse_desktop_exec(value: str) -> list[str]:
    """A reference reader of a Desktop Entry ``Exec`` value (string unescape, then argv)."""
    text = value.replace("\\\\", "\\")
    args: list[str] = []
    current: list[str] | None = None
    i = 0
    while i < len(text):
        c = text[i]
        if c == " ":
            if current is not None:
                args.append("".join(current))
            current = None
        elif c == '"':
            current = current if current is not None else []
            i += 1
            while text[i] != '"':
                if text[i] == "\\":
                    i += 1
                current.append(text[i])
                i += 1
        else:
            current = (current if current is not None else []) + [c]
        i += 1
    if current is not None:
        args.append("".join(current))
    return [a.replace("%%", "%") for a in args]


# -- Linux (XDG) ------------------------------------------------------------------------------
def test_xdg_entry_round_trips_an_awkward_command(tmp_path: Path) -> None:
    target = autostart.XdgAutostart(tmp_path, {"XDG_CONFIG_HOME": str(tmp_path / "cfg")})
    assert target.path == tmp_path / "cfg" / "autostart" / "nexpura-desktop.desktop"
    assert not target.is_enabled()
    target.enable(ARGV)
    assert target.is_enabled()
    fields = dict(
        line.split("=", 1) for line in target.path.read_text().splitlines() if "=" in line
    )
    assert fields["Type"] == "Application"
    assert parse_desktop_exec(fields["Exec"]) == ARGV
    target.disable()
    assert not target.is_enabled() and not target.path.exists()
    target.disable()  # already off: no error


def test_xdg_plain_arguments_stay_unquoted() -> None:
    assert autostart.desktop_exec(["/usr/bin/python3", "-m", "nexpura_desktop"]) == (
        "/usr/bin/python3 -m nexpura_desktop"
    )


def test_xdg_relative_config_home_is_ignored_and_hidden_means_off(tmp_path: Path) -> None:
    target = autostart.XdgAutostart(tmp_path, {"XDG_CONFIG_HOME": "relative/cfg"})
    assert target.path == tmp_path / ".config" / "autostart" / "nexpura-desktop.desktop"
    target.enable(["nexpura-desktop"])
    with target.path.open("a", encoding="utf-8") as f:
        f.write("Hidden=true\n")  # what a desktop's "startup applications" UI writes to turn off
    assert not target.is_enabled()


def test_public_functions_use_the_xdg_entry_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(autostart.sys, "platform", "linux")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    autostart.set_enabled(True, "/srv/shop home")
    entry = tmp_path / "autostart" / "nexpura-desktop.desktop"
    assert autostart.is_enabled()
    exec_line = next(x for x in entry.read_text().splitlines() if x.startswith("Exec="))
    argv = parse_desktop_exec(exec_line.removeprefix("Exec="))
    assert argv[-2:] == ["--home", "/srv/shop home"]
    assert argv[1:3] == ["-m", "nexpura_desktop"]
    autostart.set_enabled(False)
    assert not autostart.is_enabled()


# -- macOS (LaunchAgent) ----------------------------------------------------------------------
def test_launch_agent_plist(tmp_path: Path) -> None:
    target = autostart.for_platform("darwin", user_home=tmp_path)
    assert isinstance(target, autostart.LaunchAgent)
    assert not target.is_enabled()
    target.enable(ARGV)
    path = tmp_path / "Library" / "LaunchAgents" / "com.nexpura.desktop.plist"
    agent = plistlib.loads(path.read_bytes())
    assert agent["Label"] == "com.nexpura.desktop"
    assert agent["ProgramArguments"] == ARGV  # XML-escaped by plistlib, read back intact
    assert agent["RunAtLoad"] is True
    assert target.is_enabled()
    target.disable()
    assert not target.is_enabled() and not path.exists()


def test_launch_agent_damaged_or_disabled_reads_as_off(tmp_path: Path) -> None:
    target = autostart.LaunchAgent(tmp_path)
    target.path.parent.mkdir(parents=True)
    target.path.write_text("<plist>half writ")
    assert not target.is_enabled()
    target.path.write_bytes(plistlib.dumps({"Label": "com.nexpura.desktop", "Disabled": True}))
    assert not target.is_enabled()


# -- Windows (HKCU Run key) -------------------------------------------------------------------
class FakeWinreg:
    """An in-memory registry with winreg's calls and errors."""

    HKEY_CURRENT_USER = "HKCU"
    REG_SZ = 1

    def __init__(self) -> None:
        self.keys: dict[str, dict[str, tuple[int, str]]] = {}

    class _Key:
        def __init__(self, values: dict[str, tuple[int, str]]) -> None:
            self.values = values

        def __enter__(self) -> FakeWinreg._Key:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

    def OpenKey(self, root: str, sub_key: str) -> Any:
        if f"{root}\\{sub_key}" not in self.keys:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        return self._Key(self.keys[f"{root}\\{sub_key}"])

    def CreateKey(self, root: str, sub_key: str) -> Any:
        return self._Key(self.keys.setdefault(f"{root}\\{sub_key}", {}))

    def QueryValueEx(self, key: Any, name: str) -> tuple[str, int]:
        if name not in key.values:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        kind, value = key.values[name]
        return value, kind

    def SetValueEx(self, key: Any, name: str, reserved: int, kind: int, value: str) -> None:
        key.values[name] = (kind, value)

    def DeleteValue(self, key: Any, name: str) -> None:
        if name not in key.values:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        del key.values[name]


def test_run_key_value_is_one_quoted_command_line() -> None:
    registry = FakeWinreg()
    target = autostart.for_platform("win32", registry=registry)
    assert isinstance(target, autostart.RunKey)
    assert not target.is_enabled()  # the Run key itself does not exist yet
    argv = [r"C:\Program Files\Nexpura Desktop\nexpura-desktop.exe", "--home", r"D:\shop data"]
    target.enable(argv)
    assert target.is_enabled()
    kind, value = registry.keys[r"HKCU\Software\Microsoft\Windows\CurrentVersion\Run"][
        "NexpuraDesktop"
    ]
    assert kind == FakeWinreg.REG_SZ
    assert value == (
        r'"C:\Program Files\Nexpura Desktop\nexpura-desktop.exe" --home "D:\shop data"'
    )
    assert value == subprocess.list2cmdline(argv)
    target.disable()
    assert not target.is_enabled()
    target.disable()  # already off: no error


def test_run_key_disable_without_the_key_is_quiet() -> None:
    autostart.RunKey(FakeWinreg()).disable()


# -- the command that is started ----------------------------------------------------------------
def test_command_frozen_source_and_windowed_python(tmp_path: Path) -> None:
    assert autostart.command("/h", executable="/opt/nd/nexpura-desktop", frozen=True) == [
        "/opt/nd/nexpura-desktop",
        "--home",
        "/h",
    ]
    assert autostart.command(executable="/usr/bin/python3", frozen=False, platform="linux") == [
        "/usr/bin/python3",
        "-m",
        "nexpura_desktop",
    ]
    python = tmp_path / "python.exe"
    python.touch()
    # Without pythonw.exe beside it, python.exe it is; with it, no console window at login.
    assert autostart.command(executable=str(python), frozen=False, platform="win32")[0] == str(
        python
    )
    (tmp_path / "pythonw.exe").touch()
    assert autostart.command(executable=str(python), frozen=False, platform="win32")[0] == str(
        tmp_path / "pythonw.exe"
    )


def test_for_platform_picks_each_os() -> None:
    home = Path("/home/shop")
    assert isinstance(
        autostart.for_platform("linux", user_home=home, environ={}), autostart.XdgAutostart
    )
    assert isinstance(
        autostart.for_platform("freebsd14", user_home=home, environ={}), autostart.XdgAutostart
    )
    assert isinstance(autostart.for_platform("darwin", user_home=home), autostart.LaunchAgent)
    assert isinstance(autostart.for_platform("win32", registry=FakeWinreg()), autostart.RunKey)
