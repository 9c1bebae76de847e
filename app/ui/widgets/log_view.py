"""A read-only log pane that keeps the newest lines and follows the end unless the user scrolled up."""

from __future__ import annotations

import logging

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QPlainTextEdit, QWidget

log = logging.getLogger(__name__)


class LogView(QPlainTextEdit):
    """`append_text(text)` adds one or more lines; only the last `max_lines` are kept."""

    def __init__(self, parent: QWidget | None = None, max_lines: int = 5000):
        super().__init__(parent)
        self.setReadOnly(True)
        self.setMaximumBlockCount(max_lines)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setPlaceholderText(self.tr("The worker's log appears here."))

    def append_text(self, text: str) -> None:
        bar = self.verticalScrollBar()
        at_end = bar.value() >= bar.maximum() - 4
        self.appendPlainText(text.rstrip("\n"))
        if at_end:
            bar.setValue(bar.maximum())
