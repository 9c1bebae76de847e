"""The frame each page of the main window sits in: the page fills it, and scrolls only when the frame is smaller
than the page can be.

A QScrollArea that resizes its widget gives a page whose text wraps its *preferred* height, so a page scrolls while
its tables could still shrink; this one gives the page its *minimum* height at the frame's width, so on a small
screen the tables shrink first and the page scrolls only below its minimum size (issue #25: every page at 1024×640).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget


def minimum_height(page: QWidget, width: int) -> int:
    """The least height `page` needs at `width`: more than its minimum size where text wraps to more lines."""
    height = page.minimumSizeHint().expandedTo(page.minimumSize()).height()
    layout = page.layout()
    if layout is not None and layout.hasHeightForWidth():
        height = max(height, layout.minimumHeightForWidth(width))
    return height


class PageFrame(QScrollArea):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # not a tab stop of its own; tabbing scrolls to the focused field

    def setWidget(self, widget: QWidget) -> None:  # noqa: N802 - Qt override
        super().setWidget(widget)
        widget.installEventFilter(self)
        self.fit()

    def page_size(self) -> QSize:
        """The page's size in this frame: the room it has, or its minimum where that is larger (then a bar scrolls,
        and takes its own width or height from the room)."""
        page = self.widget()
        room = self.maximumViewportSize()
        min_width = page.minimumSizeHint().expandedTo(page.minimumSize()).width()
        bar_width = self.verticalScrollBar().sizeHint().width()
        bar_height = self.horizontalScrollBar().sizeHint().height()
        across = down = False  # which scroll bars show; each only ever turns on, so this ends in three rounds
        while True:
            width = max(room.width() - (bar_width if down else 0), min_width)
            height = minimum_height(page, width)
            room_height = room.height() - (bar_height if across else 0)
            need_across, need_down = width > room.width() - (bar_width if down else 0), height > room_height
            if (need_across or across, need_down or down) == (across, down):
                return QSize(width, max(height, room_height))
            across, down = need_across or across, need_down or down

    def fit(self) -> None:
        if self.widget() is not None:
            self.widget().resize(self.page_size())

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.fit()
        super().resizeEvent(event)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt override
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:  # the page's minimum may change
            self.fit()
        return super().eventFilter(watched, event)
