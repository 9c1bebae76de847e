"""Render the app icon (resources/icons/app.svg) into the launcher icons a bundle needs.

    python packaging/make_icons.py [--out build/icons]

Writes finetune-studio.ico (Windows: the .exe and the installer), finetune-studio.icns (macOS: the .app) and
finetune-studio-256.png; packaging/finetune-studio.spec picks up the .ico/.icns from build/icons/. Uses Qt's own
image writers (PySide6 ships the ico and icns plugins), so it runs wherever the app does, headless too.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SVG = ROOT / "resources" / "icons" / "app.svg"
NAME = "finetune-studio"


def render(size: int):
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    QSvgRenderer(str(SVG)).render(painter)
    painter.end()
    return image


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "icons")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication, QImageWriter

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # image plugins load through the app
    args.out.mkdir(parents=True, exist_ok=True)
    # One 256-pixel image each: Windows and macOS scale it down for the smaller sizes.
    for suffix, fmt in ((".ico", b"ico"), (".icns", b"icns"), ("-256.png", b"png")):
        path = args.out / f"{NAME}{suffix}"
        writer = QImageWriter(str(path), fmt)
        if not writer.write(render(256)):
            print(f"make_icons: could not write {path}: {writer.errorString()}", file=sys.stderr)
            return 1
        print(path)
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
