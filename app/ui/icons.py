"""Icons bundled in resources/icons (small SVGs).

The line icons are drawn in one grey (LINE). `icon()` recolours that grey for the application's palette: as drawn
on a light palette, a light grey on a dark one, and the highlighted-text colour when selected (a sidebar entry on
the highlight), so an icon always stands out from what is behind it. Coloured icons (check, start, stop, app) are
left as drawn.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QByteArray, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QIconEngine, QPainter, QPalette, QPixmap

from app.core.paths import RESOURCES

ICONS = RESOURCES / "icons"
LINE = "#5b6b7f"  # the stroke of the line icons, as drawn
DISABLED_OPACITY = 0.4


def line_colours(palette: QPalette | None = None) -> tuple[str, str]:
    """(normal, selected) stroke colours of the line icons for `palette` (default: the application's)."""
    if palette is None:
        if QGuiApplication.instance() is None:
            return LINE, "#ffffff"
        palette = QGuiApplication.palette()
    window, text = palette.color(QPalette.ColorRole.Window), palette.color(QPalette.ColorRole.WindowText)
    if window.lightness() < 128:  # dark: 70% of the way from the background to the text
        normal = QColor.fromRgbF(*(w + (t - w) * 0.7 for w, t in zip(window.getRgbF()[:3], text.getRgbF()[:3],
                                                                      strict=True))).name()
    else:
        normal = LINE
    return normal, palette.color(QPalette.ColorRole.HighlightedText).name()


class _SvgIconEngine(QIconEngine):
    """Renders an SVG at any size; its own SVG for the Selected mode, faded when disabled."""

    def __init__(self, normal: bytes, selected: bytes):
        super().__init__()
        self._svg = {QIcon.Mode.Normal: normal, QIcon.Mode.Selected: selected}
        self._renderers: dict = {}

    def _renderer(self, mode: QIcon.Mode):
        from PySide6.QtSvg import QSvgRenderer

        key = QIcon.Mode.Selected if mode == QIcon.Mode.Selected else QIcon.Mode.Normal
        if key not in self._renderers:
            self._renderers[key] = QSvgRenderer(QByteArray(self._svg[key]))
        return self._renderers[key]

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        painter.save()
        if mode == QIcon.Mode.Disabled:
            painter.setOpacity(painter.opacity() * DISABLED_OPACITY)
        self._renderer(mode).render(painter, QRectF(rect))
        painter.restore()

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        pixmap = QPixmap(size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        self.paint(painter, QRect(0, 0, size.width(), size.height()), mode, state)
        painter.end()
        return pixmap

    def clone(self) -> QIconEngine:
        return _SvgIconEngine(self._svg[QIcon.Mode.Normal], self._svg[QIcon.Mode.Selected])


def icon(name: str, palette: QPalette | None = None) -> QIcon:
    """The named icon, coloured for `palette` (default: the application's)."""
    return _icon(name, *line_colours(palette))


@cache
def _icon(name: str, normal: str, selected: str) -> QIcon:
    svg = (ICONS / f"{name}.svg").read_text(encoding="utf-8")
    if LINE not in svg:  # a coloured icon: as drawn, also when selected (Qt would tint it into the highlight)
        path = str(ICONS / f"{name}.svg")
        result = QIcon(path)
        result.addFile(path, QSize(), QIcon.Mode.Selected)
        return result
    return QIcon(_SvgIconEngine(svg.replace(LINE, normal).encode(), svg.replace(LINE, selected).encode()))
