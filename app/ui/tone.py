"""Text tones the style sheet colours from the palette (resources/style.qss: `[tone="error"]`, `[tone="warning"]`),
instead of fixed colours that fall below WCAG AA contrast on one theme or another (tests/ui/test_contrast.py)."""

from __future__ import annotations

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QWidget

from app.ui.app import style_colours


def set_tone(widget: QWidget, tone: str = "") -> None:
    """Colour `widget`'s text as an error or a warning ("" for the normal text)."""
    if widget.property("tone") == tone:
        return
    widget.setProperty("tone", tone)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def tone_colour(tone: str) -> QColor:
    """The tone's colour in the current palette, for text the style sheet cannot reach (table items)."""
    return QColor(style_colours(QApplication.palette())[tone])
