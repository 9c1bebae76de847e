"""Export: save a finished run as a merged model or an adapter, by running `finetune-studio export`."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QButtonGroup,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QWidget,
)

from app.core.paths import data_home
from app.ui.icons import icon
from app.ui.settings import last_dir, open_settings, remember_dir
from app.ui.steps.base import page_layout
from app.ui.widgets.process_output import ProcessOutput
from app.ui.widgets.run_picker import RunPicker

TARGETS = (("merged", "Merged model", "The base with the adapter merged in: a plain transformers model folder."),
           ("adapter", "Adapter only", "Only the trained adapter (PEFT format): small; needs the base model."))


class ExportPage(QWidget):
    def __init__(self, settings: QSettings | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.settings = settings or open_settings()
        layout = page_layout(self, "Export", "Save a trained run as a model you can use elsewhere.")

        form = QFormLayout()
        self.runs = RunPicker(self.settings, statuses=("completed", "cancelled"))
        self.runs.currentIndexChanged.connect(self._suggest_folder)
        self.runs.refreshed.connect(self._suggest_folder)
        form.addRow("Run", self.runs)
        kinds = QHBoxLayout()
        self.kind_group = QButtonGroup(self)
        self.kind_buttons: dict[str, QRadioButton] = {}
        for key, text, tip in TARGETS:
            button = QRadioButton(text, toolTip=tip)
            self.kind_group.addButton(button)
            self.kind_buttons[key] = button
            kinds.addWidget(button)
            button.toggled.connect(self._suggest_folder)
        kinds.addStretch(1)
        self.kind_buttons[str(self.settings.value("export/kind", "merged"))].setChecked(True)
        form.addRow("Save as", kinds)
        folder_row = QHBoxLayout()
        self.folder_edit = QLineEdit()
        browse = QPushButton(icon("folder"), "Choose…")
        browse.clicked.connect(self._choose_folder)
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(browse)
        form.addRow("Folder", folder_row)
        layout.addLayout(form)

        buttons = QHBoxLayout()
        self.export_button = QPushButton(icon("export"), "Export")
        self.export_button.clicked.connect(self.export)
        self.stop_button = QPushButton(icon("stop"), "Stop")
        self.stop_button.setEnabled(False)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.stop_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.output = ProcessOutput()
        self.stop_button.clicked.connect(self.output.stop)
        self.output.started.connect(lambda: self._running(True))
        self.output.finished.connect(lambda _code: self._running(False))
        layout.addWidget(self.output, 1)
        self._suggest_folder()

    def kind(self) -> str:
        return next(key for key, button in self.kind_buttons.items() if button.isChecked())

    def _suggest_folder(self, *_args) -> None:
        run = self.runs.value()
        if run and not self.output.is_running():
            self.folder_edit.setText(str(Path(last_dir(self.settings, "export")) / f"{Path(run).name}-{self.kind()}"
                                         if self.settings.contains("paths/export") else
                                         data_home() / "exports" / f"{Path(run).name}-{self.kind()}"))

    def _choose_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Export into", last_dir(self.settings, "export"))
        if path:
            self.folder_edit.setText(path)

    def export_args(self) -> list[str]:
        return ["export", str(self.runs.value()), f"--{self.kind()}", self.folder_edit.text().strip()]

    def export(self) -> None:
        if not self.runs.value() or not self.folder_edit.text().strip():
            self.output.text.setPlainText("Choose a run and a folder first.")
            return
        self.settings.setValue("export/kind", self.kind())
        remember_dir(self.settings, "export", Path(self.folder_edit.text().strip()).parent)
        self.output.run(self.export_args())

    def _running(self, running: bool) -> None:
        self.export_button.setEnabled(not running)
        self.stop_button.setEnabled(running)
        if not running:
            self.runs.refresh()

    def refresh(self) -> None:
        self.runs.refresh()

    def shutdown(self) -> None:
        self.output.stop()


if __name__ == "__main__":
    from app.ui.preview import preview

    raise SystemExit(preview(lambda _state: ExportPage()))
