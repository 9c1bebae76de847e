"""The Data step's source row: the chosen training data and the ways to choose it (a file, a folder, a hub
dataset id) and to mix others in."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QSettings, Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QInputDialog, QLabel, QLineEdit, QPushButton, QWidget

from app.core.config import DataConfig
from app.ui.i18n import schema_text
from app.ui.icons import icon
from app.ui.settings import last_dir

# translated where a file dialog shows it (context "SourceRow")
FILE_FILTER = QT_TRANSLATE_NOOP("SourceRow", "Datasets (*.jsonl *.ndjson *.json *.csv *.tsv *.parquet *.pq *.txt);;All files (*)")


class SourceRow(QWidget):
    """`chosen(path or hub id)` when the user picks a source; `mix_requested()` for the mix editor."""

    chosen = Signal(str)
    mix_requested = Signal()

    def __init__(self, settings: QSettings, parent: QWidget | None = None):
        super().__init__(parent)
        self.settings = settings
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.path_edit = QLineEdit(readOnly=True, placeholderText=self.tr("No file chosen"))
        self.choose_button = QPushButton(icon("file"), self.tr("Choose file…"))
        self.choose_button.clicked.connect(self.choose_file)
        self.folder_button = QPushButton(self.tr("Folder…"))
        self.folder_button.setToolTip(self.tr("A folder saved by `datasets` (save_to_disk), of data files, "
                                              "or of text files (each file one document)"))
        self.folder_button.clicked.connect(self.choose_folder)
        self.hub_button = QPushButton(self.tr("Hub…"))
        self.hub_button.setToolTip(self.tr("A dataset on the Hugging Face hub (owner/name), downloaded "
                                           "with progress"))
        self.hub_button.clicked.connect(self.choose_hub_dataset)
        self.mix_button = QPushButton(self.tr("Mix…"))
        self.mix_button.setToolTip(schema_text(DataConfig.model_fields["mix"].description))
        self.mix_button.clicked.connect(self.mix_requested)
        row.addWidget(QLabel(schema_text(DataConfig.model_fields["train"].title)))
        row.addWidget(self.path_edit, 1)
        for button in (self.choose_button, self.folder_button, self.hub_button, self.mix_button):
            row.addWidget(button)

    def show_mix_count(self, count: int) -> None:
        self.mix_button.setText(self.tr("Mix ({count})…").format(count=count) if count else self.tr("Mix…"))

    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Choose training data"), last_dir(self.settings, "data"),
                                              self.tr(FILE_FILTER))
        if path:
            self.chosen.emit(path)

    def choose_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, self.tr("Choose a dataset folder"), last_dir(self.settings, "data"))
        if path:
            self.chosen.emit(path)

    def choose_hub_dataset(self) -> None:
        repo, ok = QInputDialog.getText(self, self.tr("Hub dataset"), self.tr("Dataset id (owner/name):"))
        if ok and repo.strip():
            self.chosen.emit(repo.strip())
