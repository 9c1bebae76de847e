"""Step 4, Hyperparameters: the rest of the RunConfig as a form generated from its schema, plus presets and files."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QSettings
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.core.config import RunConfig, load_config, presets
from app.core.errors import StudioError
from app.core.runs.names import default_name
from app.ui.i18n import error_texts, schema_text
from app.ui.icons import icon
from app.ui.settings import last_dir, remember_dir
from app.ui.state import StudioState
from app.ui.steps.base import StepPage
from app.ui.widgets.auto_settings import AutoSettingsPanel
from app.ui.widgets.config_form import ConfigForm
from app.ui.widgets.devices import DevicePicker
from app.ui.widgets.memory import MemoryEstimate

log = logging.getLogger(__name__)

CONFIG_FILTER = QT_TRANSLATE_NOOP("HyperparametersStep", "Run configs (*.yaml *.yml);;All files (*)")
PRESET_PROMPT = QT_TRANSLATE_NOOP("HyperparametersStep", "Start from a preset…")


def command_text(config: RunConfig, filename: str = "run.yaml") -> str:
    """What "Copy as command" puts on the clipboard: the command line, then the YAML it reads."""
    return f"finetune-studio train {filename}\n\n# {filename}\n{config.to_yaml()}"


class HyperparametersStep(StepPage):
    key = "hyperparameters"
    title = QT_TRANSLATE_NOOP("HyperparametersStep", "Hyperparameters")
    help = QT_TRANSLATE_NOOP("HyperparametersStep", "How long and how fast to train. The defaults suit a first run; hover a name for what it does. "
                                                    "Save the config to rerun it from the command line.")

    def __init__(self, state: StudioState, settings: QSettings | None = None, parent: QWidget | None = None):
        super().__init__(state, settings, parent)
        bar = QHBoxLayout()
        self.preset_combo = QComboBox()
        self.preset_combo.addItem(self.tr(PRESET_PROMPT))
        self._presets: dict[str, RunConfig] | None = None
        self.preset_combo.activated.connect(self._preset_chosen)
        self.open_button = QPushButton(icon("file"), self.tr("Open config…"))
        self.open_button.clicked.connect(self.open_config)
        self.save_button = QPushButton(icon("save"), self.tr("Save config…"))
        self.save_button.clicked.connect(self.save_config)
        self.copy_button = QPushButton(icon("copy"), self.tr("Copy as command"))
        self.copy_button.setToolTip(self.tr("Copy the `finetune-studio train run.yaml` line and the YAML "
                                            "to the clipboard."))
        self.copy_button.clicked.connect(self.copy_command)
        self.tune_button = QPushButton(icon("start"), self.tr("Find good settings…"))
        self.tune_button.setToolTip(self.tr("Train a few runs with other learning rates, epochs, ranks and dropouts, "
                                            "score each on the validation rows and keep the best (finetune-studio "
                                            "tune)."))
        self.tune_button.clicked.connect(self.open_tune)
        bar.addWidget(self.preset_combo)
        bar.addStretch(1)
        for button in (self.tune_button, self.open_button, self.save_button, self.copy_button):
            bar.addWidget(button)
        self.layout_.addLayout(bar)

        self.form = ConfigForm(state, [None, "training", "evaluation", "export", "distributed"], columns=2,
                               # the Method step chooses the stage; the GPUs are picked from the detected ones
                               # the automatic settings are ticked in the panel above the form
                               exclude={"training": ["stage", "auto"], "distributed": ["devices"]},
                               advanced_expanded=self.settings.value("hyperparameters/advanced", False, bool))
        self.form.advanced.toggled.connect(lambda on: self.settings.setValue("hyperparameters/advanced", on))
        self.devices = DevicePicker(state)  # the Devices row, first in the Devices group
        self.form.rows[("distributed", "processes")].form.insertRow(0, QLabel(self.tr("Devices")), self.devices)
        self.devices.problems.connect(lambda problems: self.message.setText("; ".join(problems)))
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        holder = QWidget()
        holder_layout = QVBoxLayout(holder)
        holder_layout.setContentsMargins(0, 0, 8, 0)
        self.auto = AutoSettingsPanel(state, self.tasks)
        self.auto.chosen.connect(self._show_chosen)
        holder_layout.addWidget(self.auto)
        holder_layout.addWidget(self.form)
        holder_layout.addStretch(1)
        scroll.setWidget(holder)
        self.layout_.addWidget(scroll, 1)
        self.memory = MemoryEstimate(state)  # batch, max length and checkpointing are set here: fits or not, fixes
        self.layout_.addWidget(self.memory)
        for signal in (state.config_changed, state.model_info_changed, state.chosen_changed):
            signal.connect(self._show_checkpointing)  # after the form's and the estimate's own refresh
        self._show_checkpointing()
        self.message = QLabel()
        self.message.setObjectName("detail")
        self.layout_.addWidget(self.message)
        self.form.problems_changed.connect(lambda bad: self.validity_changed.emit(not bad))
        self._name_edit = self.form.editor(None, "name").inner
        state.config_changed.connect(self._show_default_name)
        self._show_default_name(state.config)
        self._begun = False  # the window has asked for background work (begin)

    def _show_chosen(self, chosen: dict) -> None:
        """An automatic setting's editor shows the value the rule chose and is read-only until it is unticked."""
        config = self.state.config
        for setting in config.training.AUTO:
            row = self.form.rows.get(("training", setting))
            if row is None:
                continue
            automatic = setting in config.training.auto
            row.editor.setEnabled(not automatic)
            if automatic and ("training", setting) in chosen:
                row.editor.inner.blockSignals(True)
                row.editor.set_value(chosen[("training", setting)])
                row.editor.inner.blockSignals(False)

    def _show_checkpointing(self, *_args) -> None:
        """While gradient checkpointing is "auto", Checkpointed layers is read-only and shows what the memory planner
        will choose for the free memory or the budget ("auto: 20 of 30"; "auto: off")."""
        row = self.form.rows.get(("training", "checkpoint_layers"))
        if row is None:
            return
        box, automatic = row.editor.inner, self.state.config.training.gradient_checkpointing == "auto"
        row.editor.setEnabled(not automatic)
        k, layers = self.memory.checkpointed or (0, 0)
        box.blockSignals(True)
        box.setPrefix(self.tr("auto: ") if automatic and k else "")
        box.setSuffix(self.tr(" of {layers}").format(layers=layers) if automatic and k else "")
        box.setSpecialValueText(schema_text("all") if not automatic else self.tr("auto: off") if layers else
                                self.tr("auto"))
        if automatic:
            box.setValue(k or box.minimum())
        else:
            row.editor.set_value(self.state.config.training.checkpoint_layers)
        box.blockSignals(False)

    def open_tune(self) -> None:
        from app.ui.widgets.tune_dialog import TuneDialog

        dialog = TuneDialog(self.state, parent=self)
        dialog.open()
        self.tune_dialog = dialog

    def _show_default_name(self, config: RunConfig) -> None:
        """An empty run name is not "(empty)": the run is named for its data and method (with a number when a run
        has that name already)."""
        self._name_edit.setPlaceholderText(self.tr("automatic: {default_name}").format(default_name=default_name(config)))

    def is_valid(self) -> bool:
        return not self.form.has_errors()

    def problem(self) -> str:
        return "" if self.is_valid() else self.tr("Fix the fields marked in red.")

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._presets is None:
            self._load_presets()
        if self._begun and not self.auto.active:
            self.auto.activate()

    def begin(self) -> None:
        """The rows are measured once the window is on screen and this step is seen: a start-up on another page
        loads no tokenizer (transformers) and leaves no thread running when the window closes soon after."""
        self._begun = True
        if self.isVisible():
            self.auto.activate()

    def _load_presets(self) -> None:
        try:
            self._presets = presets()
        except StudioError as exc:
            log.warning("presets could not be read: %s", exc)
            self._presets = {}
        self._presets.update(self._recipe_presets())
        self.preset_combo.addItems(list(self._presets))

    def _recipe_presets(self) -> dict[str, RunConfig]:
        """Each recipe's first step on its sample data, as a preset (File ▸ New from recipe shows their cards)."""
        from app.core.recipes import recipes

        try:
            return {self.tr("Recipe: {title}").format(title=schema_text(r.title)): r.run_config(0)
                    for r in recipes().values()}
        except StudioError as exc:
            log.warning("recipes could not be read: %s", exc)
            return {}

    def _preset_chosen(self, index: int) -> None:
        name = self.preset_combo.itemText(index)
        if self._presets and name in self._presets:
            self.settings.setValue("hyperparameters/preset", name)
            self.state.set_config(self._presets[name])
            self.message.setText(self.tr("Loaded the preset '{name}'.").format(name=name))
        self.preset_combo.setCurrentIndex(0)

    # ---- files ----
    def open_config(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Open a run config"), last_dir(self.settings, "config"),
                                              self.tr(CONFIG_FILTER))
        if path:
            self.open_path(path)

    def open_path(self, path: str) -> bool:
        try:
            config = load_config(path)
        except StudioError as exc:
            QMessageBox.warning(self, self.tr("Cannot open the config"), "\n".join(filter(None, error_texts(exc))))
            return False
        remember_dir(self.settings, "config", path)
        self.state.set_config(config)
        self.message.setText(self.tr("Opened {path}.").format(path=path))
        return True

    def save_config(self) -> None:
        start = str(Path(last_dir(self.settings, "config")) / f"{self.state.config.name or 'run'}.yaml")
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save the run config"), start, self.tr(CONFIG_FILTER))
        if path:
            self.save_path(path)

    def save_path(self, path: str) -> None:
        self.state.config.save(path)
        remember_dir(self.settings, "config", path)
        self.message.setText(self.tr("Saved {path}. Run it with: finetune-studio train "
                                     "{path}").format(path=path))

    def copy_command(self) -> None:
        QGuiApplication.clipboard().setText(command_text(self.state.config))
        self.message.setText(self.tr("Copied the command and the YAML to the clipboard."))


if __name__ == "__main__":
    from app.ui.preview import preview

    raise SystemExit(preview(HyperparametersStep))
