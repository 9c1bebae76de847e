"""Step 2, Model: the demo model, a local folder, a .gguf file or a hub id; what it is and whether it fits."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QSettings, QTimer
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QWidget,
)

from app.core.config import ModelConfig
from app.core.errors import StudioError
from app.ui.i18n import core_text, error_texts, schema_text
from app.ui.icons import icon
from app.ui.settings import last_dir, remember_dir
from app.ui.state import StudioState
from app.ui.steps.base import StepPage
from app.ui.widgets.config_form import ConfigForm
from app.ui.widgets.memory import MemoryEstimate

log = logging.getLogger(__name__)

INFO_ROWS = (("name", QT_TRANSLATE_NOOP("ModelStep", "Name")), ("architecture", QT_TRANSLATE_NOOP("ModelStep", "Architecture")), ("num_parameters", QT_TRANSLATE_NOOP("ModelStep", "Parameters")),
             ("num_layers", QT_TRANSLATE_NOOP("ModelStep", "Layers")), ("hidden_size", QT_TRANSLATE_NOOP("ModelStep", "Hidden size")), ("vocab_size", QT_TRANSLATE_NOOP("ModelStep", "Vocabulary")),
             ("context_length", QT_TRANSLATE_NOOP("ModelStep", "Context length")), ("has_chat_template", QT_TRANSLATE_NOOP("ModelStep", "Chat template")))


def human_count(n: int) -> str:
    for unit, size in (("B", 1e9), ("M", 1e6), ("K", 1e3)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return str(n)


class ModelStep(StepPage):
    key = "model"
    title = QT_TRANSLATE_NOOP("ModelStep", "Model")
    help = QT_TRANSLATE_NOOP("ModelStep", "The model to fine-tune. The demo model (SmolLM2-135M-Instruct) trains on any computer; "
                                          "you can also use a model folder, a .gguf file or a Hugging Face hub id.")

    def __init__(self, state: StudioState, settings: QSettings | None = None, parent: QWidget | None = None):
        super().__init__(state, settings, parent)
        self.problem_text = ""
        self.trusted = False  # trust_remote_code of the last description
        self.consented: set[tuple[str, tuple[str, ...]]] = set()  # (model, its code files) allowed to run
        field = ModelConfig.model_fields["source"]
        row = QHBoxLayout()
        self.source_edit = QLineEdit(toolTip=schema_text(field.description))
        self.source_edit.editingFinished.connect(lambda: self.set_source(self.source_edit.text().strip()))
        self.demo_button = QPushButton(self.tr("Demo model"))
        self.demo_button.clicked.connect(lambda: self.set_source("demo"))
        self.folder_button = QPushButton(icon("folder"), self.tr("Folder…"))
        self.folder_button.clicked.connect(self.choose_folder)
        self.gguf_button = QPushButton(icon("file"), self.tr(".gguf file…"))
        self.gguf_button.clicked.connect(self.choose_gguf)
        row.addWidget(QLabel(schema_text(field.title)))
        row.addWidget(self.source_edit, 1)
        for button in (self.demo_button, self.folder_button, self.gguf_button):
            row.addWidget(button)
        self.layout_.addLayout(row)

        hub = QHBoxLayout()
        self.hub_edit = QLineEdit(placeholderText=self.tr("e.g. HuggingFaceTB/SmolLM2-360M-Instruct"))
        self.download_button = QPushButton(icon("download"), self.tr("Download"))
        self.download_button.clicked.connect(self.download)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.clicked.connect(lambda: self.tasks.cancel("download") or self._download_ended())
        self.cancel_button.hide()
        hub.addWidget(QLabel(self.tr("Hub id")))
        hub.addWidget(self.hub_edit, 1)
        hub.addWidget(self.download_button)
        hub.addWidget(self.cancel_button)
        self.layout_.addLayout(hub)

        status = QHBoxLayout()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(260)
        self.progress.hide()
        status.addWidget(self.status, 1)
        status.addWidget(self.progress)
        self.layout_.addLayout(status)

        columns = QHBoxLayout()
        box = QGroupBox(self.tr("About this model"))
        info_form = QFormLayout(box)
        self.info_labels: dict[str, QLabel] = {}
        for key, title in INFO_ROWS:
            self.info_labels[key] = QLabel("—")
            info_form.addRow(self.tr(title), self.info_labels[key])
        columns.addWidget(box, 1)
        self.memory = MemoryEstimate(state)
        columns.addWidget(self.memory, 1)
        self.layout_.addLayout(columns)
        self.layout_.addWidget(ConfigForm(state, ["model"], exclude={"model": ["source"]}, section_titles=False))
        self.layout_.addStretch(1)

        state.config_replaced.connect(lambda cfg: self.describe())
        state.config_changed.connect(self._trust_changed)
        self.source_edit.setText(state.config.model.source)


    def begin(self) -> None:
        self.describe()

    def is_valid(self) -> bool:
        return self.state.model_info is not None and self.state.model_info.source == self.state.config.model.source

    def problem(self) -> str:
        return "" if self.is_valid() else (self.problem_text or self.tr("Choose a model."))

    # ---- choosing ----
    def choose_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, self.tr("Choose a model folder"), last_dir(self.settings, "model"))
        if path:
            remember_dir(self.settings, "model", path)
            self.set_source(path)

    def choose_gguf(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Choose a GGUF model"), last_dir(self.settings, "model"),
                                              self.tr("GGUF models (*.gguf)"))
        if path:
            remember_dir(self.settings, "model", path)
            self.set_source(path)

    def set_source(self, source: str) -> None:
        if not source or source == self.state.config.model.source and self.state.model_info is not None:
            self.source_edit.setText(self.state.config.model.source)
            return
        problems = self.state.try_update("model", source=source)
        if problems:
            self._show_problem("; ".join(core_text(problem) for problem in problems))
            return
        self.describe()

    # ---- describing ----
    def describe(self) -> None:
        config = self.state.config.model
        self.trusted = config.trust_remote_code
        if config.trust_remote_code and not self.allow_remote_code(config.source):
            self.trusted = False
            config = config.model_copy(update={"trust_remote_code": False})
            # untick once the signal that brought us here has reached every listener (the form shows the last one)
            QTimer.singleShot(0, lambda: self.state.update("model", trust_remote_code=False))
        self.source_edit.setText(config.source)
        for label in self.info_labels.values():
            label.setText("—")
        self.state.set_model_info(None)
        self.problem_text = ""
        self.validity_changed.emit(False)

        def work(progress, stop):
            from app.core.models import describe_model

            return describe_model(config.source, config.revision,
                                  progress=lambda message, done, total: progress(done, total, message),
                                  trust_remote_code=config.trust_remote_code)

        first = self.tr(" (the first time, the demo model is converted once: about 20 s)") if config.source == "demo" else ""
        self.status.setText(self.tr("Reading {source}{first}…").format(source=config.source, first=first))
        self._busy(True)
        self.tasks.start("describe", work, done=self._described, error=self._describe_failed,
                         progress=self._progress)

    def _trust_changed(self, _config) -> None:
        """Ticking 'Trust remote code' asks first (describe), and the model is read again either way."""
        if self.state.config.model.trust_remote_code != self.trusted:
            self.describe()

    def allow_remote_code(self, source: str) -> bool:
        """Whether the user lets the model's own code run: asked once per model and set of code files, naming the
        files (a model without code files runs none, and is not asked about)."""
        from app.core.models import remote_code_files, resolve_source

        try:
            kind, value = resolve_source(source)
        except StudioError:
            return True  # describing says what is wrong with the source
        if kind in ("demo", "gguf"):
            return True
        files = tuple(remote_code_files(Path(value))) if kind == "local" else ()
        if kind == "local" and not files:
            return True
        if (value, files) in self.consented:
            return True
        what = (self.tr("these Python files from {value}:\n\n").format(value=value) + "\n".join(f"  • {name}" for name in files)
                + self.tr("\n\n(and whatever they import)")) if files else self.tr("the Python code of the hub repository "
                                                                          "{value}").format(value=value)
        answer = QMessageBox.question(
            self, self.tr("Run the model's own code?"),
            self.tr("Trusting remote code runs {what}\n\nwith your user's rights, every "
                    "time the model is loaded (the Data step's token counts, training, chat, evaluation). "
                    "Allow it only for a model whose author you trust.").format(what=what),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return False
        self.consented.add((value, files))
        return True

    def _busy(self, busy: bool) -> None:
        self.progress.setRange(0, 0)
        self.progress.setVisible(busy)

    def _progress(self, done: int, total: int, message: str) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        if message:
            self.status.setText(message)

    def _described(self, info) -> None:
        self._busy(False)
        self.status.setText(self.tr("Ready: {name} ({kind}).").format(name=info.name, kind=info.kind))
        values = {**info.to_dict(), "num_parameters": f"{human_count(info.num_parameters)} "
                  f"({info.num_parameters:,})", "has_chat_template": self.tr("yes") if info.has_chat_template else
                  self.tr("no (a default template is added)")}
        for key, label in self.info_labels.items():
            value = values[key]
            label.setText(f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value))
        self.state.set_model_info(info)
        self.validity_changed.emit(True)

    def _describe_failed(self, exc: Exception) -> None:
        self._busy(False)
        self._show_problem(*error_texts(exc))

    def _show_problem(self, message: str, hint: str = "") -> None:
        self.problem_text = message
        self.status.setText(f"⚠ {message}" + (self.tr("<br><i>{hint}</i>").format(hint=hint) if hint else ""))
        self.validity_changed.emit(False)

    # ---- downloading ----
    def download(self) -> None:
        repo_id = self.hub_edit.text().strip()
        if not repo_id:
            return
        revision = self.state.config.model.revision

        def work(progress, stop):
            from app.core.models import download_model

            download_model(repo_id, revision, stop=stop,
                           progress=lambda message, done, total: progress(done, total, message))
            return repo_id

        self.status.setText(self.tr("Downloading {repo_id}…").format(repo_id=repo_id))
        self._busy(True)
        self.download_button.setEnabled(False)
        self.cancel_button.show()
        self.tasks.start("download", work, done=self._downloaded, error=self._download_failed,
                         progress=self._progress)

    def _download_ended(self) -> None:
        self._busy(False)
        self.download_button.setEnabled(True)
        self.cancel_button.hide()
        if not self.tasks.is_running("describe"):
            self.status.setText(self.tr("Download cancelled.") if not self.problem_text else self.status.text())

    def _downloaded(self, repo_id: str) -> None:
        self._download_ended()
        self.set_source(repo_id)

    def _download_failed(self, exc: Exception) -> None:
        self._download_ended()
        self._show_problem(*error_texts(exc))


if __name__ == "__main__":
    from app.ui.preview import preview

    raise SystemExit(preview(ModelStep))
