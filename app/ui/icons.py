"""Icons bundled in resources/icons (small SVGs)."""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QIcon

from app.core.paths import RESOURCES

ICONS = RESOURCES / "icons"


@cache
def icon(name: str) -> QIcon:
    return QIcon(str(ICONS / f"{name}.svg"))
