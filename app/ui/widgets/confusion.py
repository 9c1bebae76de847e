"""A confusion matrix as a table: a row per true class, a column per predicted class, each cell's count shaded by
the share of its row (the diagonal, right answers, in green; the rest, mistakes, in red), with each row's recall in
the tooltip."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

RIGHT, WRONG = QColor("#2e9d5b"), QColor("#d64545")


class ConfusionMatrix(QTableWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(0, 0, parent)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.setToolTip(self.tr("Rows: the true class; columns: the class the model predicted"))

    def load(self, confusion: dict) -> None:
        """`confusion`: {"labels": row classes, "columns": predicted classes, "matrix": counts} (metrics.py)."""
        labels, columns, matrix = confusion["labels"], confusion["columns"], confusion["matrix"]
        self.clear()
        self.setRowCount(len(labels))
        self.setColumnCount(len(columns))
        self.setHorizontalHeaderLabels([f"→ {c}" for c in columns])
        self.setVerticalHeaderLabels(labels)
        for r, (label, row) in enumerate(zip(labels, matrix, strict=True)):
            total = sum(row)
            for c, count in enumerate(row):
                item = QTableWidgetItem(str(count))
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                share = count / total if total else 0.0
                if count:
                    colour = QColor(RIGHT if columns[c] == label else WRONG)
                    colour.setAlphaF(0.15 + 0.6 * share)
                    item.setBackground(colour)
                item.setToolTip(self.tr("{count} of {total} '{label}' texts "
                                        "predicted '{v3}' ({share:.0%})").format(count=count, total=total, label=label, v3=columns[c], share=share))
                self.setItem(r, c, item)
