"""A combo of the runs in the store (newest first), plus extra fixed choices and "Choose folder…".

The store is read when the combo is first shown, not at start-up.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QSettings, Signal
from PySide6.QtWidgets import QComboBox, QFileDialog, QWidget

from app.ui.settings import last_dir, remember_dir
from app.ui.widgets.runs_table import status_text

BROWSE = QT_TRANSLATE_NOOP("RunPicker", "Choose a model folder…")


class RunPicker(QComboBox):
    """`value()` is a run id, a fixed choice (e.g. 'demo') or a folder path."""

    chosen = Signal(str)
    refreshed = Signal()

    def __init__(self, settings: QSettings, extra: tuple[tuple[str, str], ...] = (), statuses=("completed",),
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.settings = settings
        self.extra = extra
        self.statuses = statuses
        self.setMinimumContentsLength(24)
        # as wide as 24 characters at least, whatever the runs are named: a long name or folder path is elided, it
        # does not widen the page past a laptop's screen
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.activated.connect(self._activated)
        for label, value in extra:
            self.addItem(label, value)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.refresh()

    def refresh(self) -> None:
        from app.core.store import Store

        current = self.value()
        self.blockSignals(True)
        self.clear()
        for label, value in self.extra:  # the labels are marked for translation where they are written
            self.addItem(QCoreApplication.translate("RunPicker", label), value)
        for run in Store().list_runs():
            if not self.statuses or run["status"] in self.statuses:
                label = f"{run['name'] or run['id']}  ·  {run['model']} · {run['method']} · {status_text(run['status'])}"
                self.addItem(label, run["id"])
        self.addItem(self.tr(BROWSE), None)
        index = self.findData(current) if current else -1
        self.setCurrentIndex(index if index >= 0 else 0)
        self.blockSignals(False)
        self.refreshed.emit()

    def value(self) -> str | None:
        return self.currentData()

    def _activated(self, index: int) -> None:
        if self.itemText(index) == self.tr(BROWSE):
            path = QFileDialog.getExistingDirectory(self, self.tr("Choose a model folder"), last_dir(self.settings, "model"))
            if not path:
                self.setCurrentIndex(0)
                return
            remember_dir(self.settings, "model", path)
            self.insertItem(index, path, path)
            self.setCurrentIndex(index)
        if self.value():
            self.chosen.emit(self.value())
