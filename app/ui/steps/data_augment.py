"""The Data step's augmentation dialog: a local instruct model grows candidate examples from the file's examples
in a worker process (`data augment --request FILE --events jsonl`, app/ui/worker.py); the user ticks the ones to keep, and only those go into a new
dataset version."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import ConfigError
from app.core.paths import data_home
from app.core.requests import AugmentRequest, save_request
from app.ui.i18n import core_text, event_text, event_texts
from app.ui.widgets.request_form import RequestForm
from app.ui.worker import WorkerProcess


def augment_command(request_file: Path) -> list[str]:
    """The worker process: `python -m app data augment --request FILE` (a model never loads in the GUI process)."""
    return [sys.executable, "-m", "app", "data", "augment", "--request", str(request_file)]


def save_work(path: str, config, model_key: str, kept: list):
    """A TaskGroup job: the file's rows plus the kept candidates as a new version; the result has its `path`."""
    data = config.data

    def work(progress, stop):
        from app.core.data.augment import save_augmented

        target, _sidecar = save_augmented(path, kept, model_key, data.format, dict(data.columns) or None)
        return SimpleNamespace(path=target)

    return work


class AugmentDialog(QDialog):
    """Generate, review, keep: `keep_requested(model_key, candidates)` carries the ticked candidates."""

    keep_requested = Signal(str, list)

    def __init__(self, path: str, config, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Augment: new examples from yours"))
        self.setMinimumSize(640, 460)
        self.path, self.config = path, config
        self.process = WorkerProcess(self)
        self.process.phase_changed.connect(self._phase)
        self.process.result_received.connect(lambda event: self._generated(event["data"]["items"]))
        self.process.run_finished.connect(self._ended)
        self.candidates: list = []
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr("A local instruct model rephrases your questions (keeping their answers) "
                               "and writes new questions in their style (with its own answers). Nothing is "
                               "added until you tick what to keep; the kept examples go into a new version "
                               "of the dataset."))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        row = QHBoxLayout()
        self.options = RequestForm(AugmentRequest, ["model", "n", "kinds"], {"model": config.model.source})
        self.generate_button = QPushButton(self.tr("Generate"))
        self.generate_button.clicked.connect(self.generate)
        row.addWidget(self.options, 1)
        row.addWidget(self.generate_button, 0, Qt.AlignmentFlag.AlignBottom)
        layout.addLayout(row)
        self.progress = QProgressBar()
        self.progress.hide()
        self.status = QLabel()
        self.status.setObjectName("detail")
        self.status.setWordWrap(True)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        self.list = QListWidget()
        self.list.setWordWrap(True)
        layout.addWidget(self.list, 1)
        buttons = QHBoxLayout()
        self.keep_button = QPushButton(self.tr("Add ticked examples as a new version"))
        self.keep_button.setEnabled(False)
        self.keep_button.clicked.connect(self.keep)
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.clicked.connect(self.reject)
        buttons.addStretch(1)
        buttons.addWidget(self.keep_button)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        self.finished.connect(lambda _code: self.stop())

    def running(self) -> bool:
        return self.process.is_running()

    def stop(self) -> None:
        if self.running():
            self.status.setText(self.tr("Stopped: nothing to review."))
            self.process.shutdown()  # the worker writes nothing until it has finished
            self.progress.hide()
            self.generate_button.setText(self.tr("Generate"))

    def generate(self) -> None:
        if self.running():
            self.stop()
            return
        data = self.config.data
        try:
            request = self.options.request(file=self.path, format=data.format, columns=dict(data.columns) or None,
                                           seed=data.seed)
        except ConfigError as exc:
            self.status.setText("⚠ " + core_text(exc.message))
            return
        self.list.clear()
        self.candidates = []
        self.keep_button.setEnabled(False)
        self.progress.setRange(0, 0)
        self.progress.show()
        self.status.setText(self.tr("Loading the model…"))
        self.generate_button.setText(self.tr("Stop"))
        self.process.start(augment_command(save_request(request, data_home() / "requests")))

    def _phase(self, event: dict) -> None:
        if event.get("current"):
            self.progress.setRange(0, int(event.get("total") or 0))
            self.progress.setValue(int(event["current"]))
        self.status.setText(event_text(event, "message"))

    def _ended(self, event: dict) -> None:
        self.progress.hide()
        self.generate_button.setText(self.tr("Generate"))
        if self.candidates or self.status.text() in (self.tr("Stopped: nothing to review."), self.tr(
                "The model wrote nothing usable; try again or another model.")):
            return
        words = [part for part in event_texts(event) if part]
        self.status.setText("⚠ " + (" ".join(words) or self.tr("The worker stopped before it was done.")))

    def _generated(self, items: list) -> None:
        from app.core.data.augment import Candidate

        self.candidates = [Candidate(c["kind"], c["seed_line"], c["messages"]) for c in items]
        self.status.setText(self.tr("{n} candidates: tick the ones worth keeping.").format(n=len(items)) if items else
                            self.tr("The model wrote nothing usable; try again or another model."))
        for candidate in self.candidates:
            item = QListWidgetItem(self.tr("[{kind}, from line {seed_line}]\nQ: "
                                           "{question}\nA: {answer}").format(kind=candidate.kind, seed_line=candidate.seed_line, question=candidate.question, answer=candidate.answer))
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.list.addItem(item)
        self.keep_button.setEnabled(bool(items))

    def ticked(self) -> list:
        return [c for i, c in enumerate(self.candidates) if self.list.item(i).checkState() == Qt.CheckState.Checked]

    def keep(self) -> None:
        kept = self.ticked()
        if not kept:
            self.status.setText(self.tr("Tick the examples to keep first."))
            return
        self.keep_requested.emit(self.options.values()["model"] or "demo", kept)
        self.accept()
