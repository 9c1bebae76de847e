"""The parity report after an export: one row per artifact with its kind, folder, size and checks in plain words."""

from __future__ import annotations

import json

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from app.core.export.space import human_size
from app.ui.tone import tone_colour
from app.ui.widgets.export_plan import describe, passed

KIND_TITLES = {"merged": QT_TRANSLATE_NOOP("ParityReport", "Merged model"),
               "adapter": QT_TRANSLATE_NOOP("ParityReport", "Adapter"), "gguf": "GGUF",
               "ollama": QT_TRANSLATE_NOOP("ParityReport", "Ollama folder")}
COLUMNS = (QT_TRANSLATE_NOOP("ParityReport", "Target"), QT_TRANSLATE_NOOP("ParityReport", "Path"),
           QT_TRANSLATE_NOOP("ParityReport", "Size"), QT_TRANSLATE_NOOP("ParityReport", "Verification"))


class ParityReport(QTableWidget):
    """`show_artifacts(rows)` with the `artifacts` of `finetune-studio export --json`."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(0, len(COLUMNS), parent)
        self.setHorizontalHeaderLabels([self.tr(column) for column in COLUMNS])
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setWordWrap(True)
        self.setAlternatingRowColors(True)
        header = self.horizontalHeader()
        for column in range(3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.setMinimumHeight(110)
        self.setToolTip(self.tr("The checks run after the export: the exported files reloaded and compared "
                                "with the trained model on the same prompts."))

    def show_artifacts(self, artifacts: list[dict]) -> None:
        self.setRowCount(0)
        for art in artifacts:
            props = art.get("properties") or {}
            if isinstance(props, str):
                props = json.loads(props or "{}")
            row = self.rowCount()
            self.insertRow(row)
            ok = passed(props)
            cells = (("✓ " if ok else "✗ ") + self.tr(KIND_TITLES.get(art.get("kind"), str(art.get("kind")))),
                     str(art.get("path", "")), human_size(art.get("bytes")), describe(art.get("kind", ""), props))
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                rule = self.tr("The rule: {v0}\n\n").format(v0=props['parity_rule']) if props.get("parity_rule") else ""
                item.setToolTip(rule + json.dumps(props, indent=1, default=str) if column == 3 else text)
                if column == 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if column == 0 and not ok:
                    item.setForeground(QBrush(tone_colour("error")))
                self.setItem(row, column, item)
        self.resizeRowsToContents()

    def verification(self, row: int) -> str:
        return self.item(row, 3).text()
