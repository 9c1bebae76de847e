"""Icons bundled in resources/icons (small SVGs)."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon

from app.core.paths import RESOURCES

ICONS = RESOURCES / "icons"


@cache
def icon(name: str) -> QIcon:
    """The named icon; selected items show it as drawn (Qt would tint it into the highlight)."""
    path = str(ICONS / f"{name}.svg")
    result = QIcon(path)
    result.addFile(path, QSize(), QIcon.Mode.Selected)
    return result
