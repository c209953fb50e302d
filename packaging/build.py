"""Build the one-folder bundle for this OS: ``python packaging/build.py`` (``make package``).

1. icons from resources/icons/app.svg (packaging/make_icons.py) into build/icons;
2. PyInstaller with packaging/nexpura-desktop.spec into dist/ (work files in build/);
3. Linux: the .desktop entry, icon and install.sh beside the executable;
   Windows: the Inno Setup installer when ``iscc`` is on PATH (else the command is shown);
   macOS: dist/Nexpura Desktop.app is the BUNDLE from the spec.
Prints the build time and the bundle's size.  Needs the ``package`` extra
(``pip install -e '.[gui,package]'``).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "nexpura-desktop.spec"
DIST = ROOT / "dist"
WORK = ROOT / "build" / "pyinstaller"
NAME = "nexpura-desktop"


def size_mb(folder: Path) -> float:
    files = (p for p in folder.rglob("*") if p.is_file() and not p.is_symlink())
    return sum(p.stat().st_size for p in files) / 1e6


def linux_extras(bundle: Path) -> None:
    shutil.copy2(ROOT / "packaging" / "linux" / f"{NAME}.desktop", bundle / f"{NAME}.desktop")
    shutil.copy2(ROOT / "packaging" / "linux" / "install.sh", bundle / "install.sh")
    icon = ROOT / "build" / "icons" / "app.png"
    if icon.exists():
        shutil.copy2(icon, bundle / f"{NAME}.png")


def version() -> str:
    sys.path.insert(0, str(ROOT))
    from nexpura_desktop import __version__

    return __version__


def windows_installer() -> None:
    iss = ROOT / "packaging" / "windows" / f"{NAME}.iss"
    iscc = shutil.which("iscc") or shutil.which("ISCC")
    if iscc is None:
        print(
            f"Inno Setup not found; to make the installer run: iscc /DAppVersion={version()} {iss}"
        )
        return
    subprocess.run([iscc, f"/DAppVersion={version()}", str(iss)], check=True)  # noqa: S603 - our own fixed argv


def main() -> int:
    started = time.monotonic()
    subprocess.run(  # noqa: S603 - our own fixed argv
        [sys.executable, str(ROOT / "packaging" / "make_icons.py"), str(ROOT / "build" / "icons")],
        check=True,
    )
    subprocess.run(  # noqa: S603 - our own fixed argv
        [
            sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
            "--distpath", str(DIST), "--workpath", str(WORK), str(SPEC),
        ],
        check=True,
        cwd=ROOT,
    )  # fmt: skip
    bundle = DIST / NAME
    if sys.platform.startswith("linux"):
        linux_extras(bundle)
    elif sys.platform == "win32":
        windows_installer()
    if sys.platform == "darwin":
        bundle = DIST / "Nexpura Desktop.app"
    print(
        f"built {bundle} in {time.monotonic() - started:.0f} s, {size_mb(bundle):.0f} MB",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
