"""Help ▸ Keyboard shortcuts: every shortcut of the window, read from its actions when the dialog opens, so the list
cannot go stale when a shortcut is added or changed."""

from __future__ import annotations

import re

from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMenu,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

HOW_TO_MOVE = QT_TRANSLATE_NOOP("ShortcutsDialog", "Tab and Shift+Tab go through the fields of a page in the order they show; the arrow keys move inside "
               "a list or table. Alt with a menu's underlined letter opens that menu.")


def plain(text: str) -> str:
    """A menu text without its mnemonic marks ('&Quit' → 'Quit', '&&' → '&')."""
    return re.sub(r"&(.)", r"\1", text)


def shortcut_rows(window: QMainWindow) -> list[tuple[str, str, str]]:
    """(menu, command, keys) for each action of `window` that has a shortcut: the menus' in their order, then any
    other action of the window."""
    rows: list[tuple[str, str, str]] = []
    listed: set[QAction] = set()

    def add(place: str, action: QAction) -> None:
        keys = [key.toString(QKeySequence.SequenceFormat.NativeText) for key in action.shortcuts() if not key.isEmpty()]
        if keys and action not in listed:
            listed.add(action)
            rows.append((place, plain(action.text()), ", ".join(keys)))

    for entry in window.menuBar().actions():
        menu = entry.menu()
        if isinstance(menu, QMenu):
            for action in menu.actions():
                add(plain(menu.title()), action)
    for action in window.findChildren(QAction):
        add("Window", action)
    return rows


class ShortcutsDialog(QDialog):
    def __init__(self, window: QMainWindow, parent: QWidget | None = None):
        super().__init__(parent or window)
        self.setWindowTitle(self.tr("Keyboard shortcuts"))
        rows = shortcut_rows(window)
        self.table = QTableWidget(len(rows), 3)
        self.table.setHorizontalHeaderLabels([self.tr("Menu"), self.tr("Command"), self.tr("Shortcut")])
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 6)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        for row, values in enumerate(rows):
            for column, text in enumerate(values):
                self.table.setItem(row, column, QTableWidgetItem(text))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        note = QLabel(self.tr(HOW_TO_MOVE))
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(note)
        layout.addWidget(buttons)
        rows_height = self.table.horizontalHeader().height() + len(rows) * (self.table.fontMetrics().height() + 6)
        self.resize(480, min(rows_height + 130, 600))  # every row without scrolling, where the screen allows

    def rows(self) -> list[tuple[str, str, str]]:
        return [tuple(self.table.item(row, column).text() for column in range(3))
                for row in range(self.table.rowCount())]
