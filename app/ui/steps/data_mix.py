"""The Data step's mix editor: more datasets mixed into the training data, each with a weight, its max examples
and its format (`data.mix`; the fields' titles, descriptions and bounds come from MixSource)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.config import DataConfig, MixSource
from app.ui.i18n import schema_text

FIELDS = MixSource.model_fields
COLUMNS = ("path", "weight", "max_samples", "format")


class MixDialog(QDialog):
    """`mix()` gives the rows as dicts for `data.mix` (the column mapping of each entry is kept as it was)."""

    def __init__(self, mix: list[MixSource], file_filter: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(schema_text(DataConfig.model_fields["mix"].title))
        self.setMinimumSize(720, 320)
        self.file_filter = file_filter
        layout = QVBoxLayout(self)
        intro = QLabel(schema_text(DataConfig.model_fields["mix"].description) + self.tr(" The training file counts with weight "
                                                                            "1."))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([schema_text(FIELDS[c].title) for c in COLUMNS])
        for i, column in enumerate(COLUMNS):
            self.table.horizontalHeaderItem(i).setToolTip(schema_text(FIELDS[column].description))
        self.table.horizontalHeader().setStretchLastSection(True)
        for column, width in enumerate((330, 90, 110)):
            self.table.setColumnWidth(column, width)
        layout.addWidget(self.table, 1)
        self.columns: list[dict] = []
        for source in mix:
            self.add_row(source.path, source.weight, source.max_samples, source.format, source.columns)
        row = QHBoxLayout()
        add, remove = QPushButton(self.tr("Add file…")), QPushButton(self.tr("Remove"))
        add.clicked.connect(self.choose_file)
        remove.clicked.connect(self.remove_row)
        row.addWidget(add)
        row.addWidget(remove)
        row.addStretch(1)
        layout.addLayout(row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def add_row(self, path: str, weight: float = 1.0, max_samples: int | None = None, fmt: str = "auto",
                columns: dict | None = None) -> None:
        r = self.table.rowCount()
        self.table.insertRow(r)
        self.table.setItem(r, 0, QTableWidgetItem(path))
        spin = QDoubleSpinBox(minimum=0.01, maximum=1000.0, decimals=2, singleStep=0.1, value=weight)
        spin.setToolTip(schema_text(FIELDS["weight"].description))
        self.table.setCellWidget(r, 1, spin)
        count = QSpinBox(minimum=0, maximum=10**9, specialValueText=self.tr("all"), value=max_samples or 0)
        count.setToolTip(schema_text(FIELDS["max_samples"].description))
        self.table.setCellWidget(r, 2, count)
        combo = QComboBox()
        combo.addItems(list(FIELDS["format"].annotation.__args__))
        combo.setCurrentText(fmt)
        self.table.setCellWidget(r, 3, combo)
        self.columns.append(dict(columns or {}))

    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Mix in a dataset"), "", self.file_filter)
        if path:
            self.add_row(path)

    def remove_row(self) -> None:
        r = self.table.currentRow()
        if r >= 0:
            self.table.removeRow(r)
            del self.columns[r]

    def mix(self) -> list[dict]:
        out = []
        for r in range(self.table.rowCount()):
            path = self.table.item(r, 0).text().strip()
            if path:
                out.append({"path": path, "weight": self.table.cellWidget(r, 1).value(),
                            "max_samples": self.table.cellWidget(r, 2).value() or None,
                            "format": self.table.cellWidget(r, 3).currentText(), "columns": self.columns[r]})
        return out
