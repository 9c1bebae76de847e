"""Samples timeline: a run's answers to its fixed prompts at each checkpoint, one row per step, one column per
prompt, so the user sees the answers change as training goes on (samples come from `Store.samples`)."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget


class SamplesTimeline(QTableWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(0, 0, parent)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setWordWrap(True)
        self.setAlternatingRowColors(True)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)

    def load(self, samples: list[dict]) -> None:
        """`samples`: rows with step, prompt and output, in step order."""
        prompts = list(dict.fromkeys(s["prompt"] for s in samples))
        steps = list(dict.fromkeys(s["step"] for s in samples))
        self.clear()
        self.setColumnCount(len(prompts))
        self.setRowCount(len(steps))
        self.setHorizontalHeaderLabels(prompts)
        self.setVerticalHeaderLabels([f"step {step}" for step in steps])
        for col, prompt in enumerate(prompts):
            self.horizontalHeaderItem(col).setToolTip(prompt)
        for sample in samples:
            item = QTableWidgetItem(sample["output"])
            item.setToolTip(sample["output"])
            self.setItem(steps.index(sample["step"]), prompts.index(sample["prompt"]), item)
        self.resizeRowsToContents()
