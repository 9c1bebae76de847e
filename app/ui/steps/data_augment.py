"""The Data step's augmentation dialog: a local instruct model grows candidate examples from the file's examples
in the background; the user ticks the ones to keep, and only those go into a new dataset version."""

from __future__ import annotations

from types import SimpleNamespace

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.ui.tasks import TaskGroup


def generate_work(path: str, config, model_key: str, n: int, kinds: tuple[str, ...]):
    """A TaskGroup job: candidates grown from the first examples of `path` (read with `config.data`)."""
    data = config.data

    def work(progress, stop):
        from app.core.data.augment import generate_candidates, seed_examples

        seeds = seed_examples(path, data.format, dict(data.columns) or None)
        return generate_candidates(seeds, model_key, n, kinds, seed=data.seed, stop=stop,
                                   progress=lambda done, total: progress(done, total, "Generating"))

    return work


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
        self.setWindowTitle("Augment: new examples from yours")
        self.setMinimumSize(640, 460)
        self.path, self.config = path, config
        self.tasks = TaskGroup(self)
        self.candidates: list = []
        layout = QVBoxLayout(self)
        intro = QLabel("A local instruct model rephrases your questions (keeping their answers) and writes new "
                       "questions in their style (with its own answers). Nothing is added until you tick what to "
                       "keep; the kept examples go into a new version of the dataset.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        row = QHBoxLayout()
        self.model_edit = QLineEdit(config.model.source)
        self.model_edit.setToolTip("'demo', a model folder or a run: small models write weak examples")
        self.count = QSpinBox(minimum=1, maximum=100, value=6)
        self.rephrase = QCheckBox("Rephrased questions", checked=True)
        self.new = QCheckBox("New questions", checked=True)
        self.generate_button = QPushButton("Generate")
        self.generate_button.clicked.connect(self.generate)
        for widget in (QLabel("Model"), self.model_edit, QLabel("How many"), self.count, self.rephrase, self.new,
                       self.generate_button):
            row.addWidget(widget)
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
        self.keep_button = QPushButton("Add ticked examples as a new version")
        self.keep_button.setEnabled(False)
        self.keep_button.clicked.connect(self.keep)
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.reject)
        buttons.addStretch(1)
        buttons.addWidget(self.keep_button)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        self.finished.connect(lambda _code: self.tasks.shutdown())

    def generate(self) -> None:
        if self.tasks.is_running("generate"):
            self.tasks.cancel("generate")
            return
        kinds = tuple(k for k, box in (("rephrase", self.rephrase), ("new", self.new)) if box.isChecked())
        if not kinds:
            self.status.setText("Tick at least one kind of example.")
            return
        work = generate_work(self.path, self.config, self.model_edit.text().strip() or "demo", self.count.value(),
                             kinds)
        self.list.clear()
        self.keep_button.setEnabled(False)
        self.progress.setRange(0, 0)
        self.progress.show()
        self.status.setText("Loading the model…")
        self.generate_button.setText("Stop")
        self.tasks.start("generate", work, done=self._generated, error=self._failed, progress=self._progress)

    def _progress(self, done: int, total: int, message: str) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        self.status.setText(f"{message}: {done} of {total}")

    def _failed(self, exc: Exception) -> None:
        self.progress.hide()
        self.generate_button.setText("Generate")
        self.status.setText(f"⚠ {getattr(exc, 'message', None) or exc}")

    def _generated(self, candidates: list) -> None:
        self.progress.hide()
        self.generate_button.setText("Generate")
        self.candidates = candidates
        self.status.setText(f"{len(candidates)} candidates: tick the ones worth keeping." if candidates else
                            "The model wrote nothing usable; try again or another model.")
        for candidate in candidates:
            item = QListWidgetItem(f"[{candidate.kind}, from line {candidate.seed_line}]\nQ: {candidate.question}\n"
                                   f"A: {candidate.answer}")
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.list.addItem(item)
        self.keep_button.setEnabled(bool(candidates))

    def ticked(self) -> list:
        return [c for i, c in enumerate(self.candidates) if self.list.item(i).checkState() == Qt.CheckState.Checked]

    def keep(self) -> None:
        kept = self.ticked()
        if not kept:
            self.status.setText("Tick the examples to keep first.")
            return
        self.keep_requested.emit(self.model_edit.text().strip() or "demo", kept)
        self.accept()
