"""Render resources/icons/app.svg into the icon files each OS's bundle wants.

    python packaging/make_icons.py [OUT_DIR]     # default: build/icons

app.png (256 px: the Linux .desktop icon), app.ico (Windows exe and installer) and
app.icns (macOS .app), all through Qt's own image writers, so no extra tool is needed.
The SVG stays the one source: nothing generated is committed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "resources" / "icons" / "app.svg"


def render(out_dir: Path) -> list[Path]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        raise SystemExit(f"cannot read {SOURCE}")
    image = QImage(256, 256, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for suffix, fmt in (("png", "PNG"), ("ico", "ICO"), ("icns", "ICNS")):
        target = out_dir / f"app.{suffix}"
        if image.save(str(target), fmt):
            written.append(target)
        else:
            print(f"note: this Qt cannot write {fmt}; {target.name} skipped", file=sys.stderr)
    return written


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "build" / "icons"
    for path in render(out):
        print(path)
