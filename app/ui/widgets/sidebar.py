"""The left sidebar: the five steps (each with a check mark once its part of the config is valid), then pages."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QRect, QSize, Qt, Signal
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QStyle, QStyledItemDelegate, QWidget

from app.ui.icons import icon

KEY_ROLE = Qt.ItemDataRole.UserRole
DONE_ROLE = Qt.ItemDataRole.UserRole + 1
IS_STEP_ROLE = Qt.ItemDataRole.UserRole + 2
MARKS = {True: "check", False: "pending"}  # a step's done / not-yet mark: no entry's own icon may look like one


class _Delegate(QStyledItemDelegate):
    """Draws the item as usual, then a check (done) or an empty circle (not yet) on the right of each step."""

    MARK = 16

    def initStyleOption(self, option, index) -> None:
        super().initStyleOption(option, index)
        option.state &= ~QStyle.StateFlag.State_HasFocus  # the selection already shows where you are

    def paint(self, painter, option, index) -> None:
        super().paint(painter, option, index)
        if not index.data(IS_STEP_ROLE):
            return
        name = MARKS[bool(index.data(DONE_ROLE))]
        rect = option.rect
        box = QRect(rect.right() - self.MARK - 10, rect.center().y() - self.MARK // 2, self.MARK, self.MARK)
        icon(name).paint(painter, box)

    def sizeHint(self, option, index) -> QSize:
        size = super().sizeHint(option, index)
        return QSize(size.width() + self.MARK + 16, max(size.height(), 34))


class Sidebar(QListWidget):
    """`page_selected(key)` when the user picks an entry; `set_done(key, bool)` toggles a step's check mark."""

    page_selected = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("sidebar")
        self.setItemDelegate(_Delegate(self))
        self.setIconSize(QSize(20, 20))
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QListWidget.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._items: dict[str, QListWidgetItem] = {}
        self._icons: dict[str, str] = {}  # key → icon name, to recolour on a palette change
        self.currentItemChanged.connect(self._changed)

    def add_entry(self, key: str, title: str, icon_name: str, step: bool) -> None:
        item = QListWidgetItem(icon(icon_name, self.palette()), title)
        self._icons[key] = icon_name
        item.setData(KEY_ROLE, key)
        item.setData(IS_STEP_ROLE, step)
        item.setData(DONE_ROLE, False)
        item.setToolTip(title)
        self.addItem(item)
        self._items[key] = item

    def add_separator(self) -> None:
        item = QListWidgetItem()
        item.setFlags(Qt.ItemFlag.NoItemFlags)
        item.setSizeHint(QSize(0, 12))
        self.addItem(item)

    def set_done(self, key: str, done: bool) -> None:
        self._items[key].setData(DONE_ROLE, bool(done))

    def is_done(self, key: str) -> bool:
        return bool(self._items[key].data(DONE_ROLE))

    def title(self, key: str) -> str:
        return self._items[key].text()

    def select(self, key: str) -> None:
        if key in self._items:
            self.setCurrentItem(self._items[key])

    def current_key(self) -> str | None:
        item = self.currentItem()
        return item.data(KEY_ROLE) if item else None

    def keys(self) -> list[str]:
        return list(self._items)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.PaletteChange:  # e.g. the system switched to dark: recolour the icons
            for key, name in self._icons.items():
                self._items[key].setIcon(icon(name, self.palette()))
        super().changeEvent(event)

    def _changed(self, current: QListWidgetItem | None, _previous) -> None:
        if current is not None and current.data(KEY_ROLE):
            self.page_selected.emit(current.data(KEY_ROLE))
