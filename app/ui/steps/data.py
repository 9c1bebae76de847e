"""Step 1, Data: pick a file, see how it reads (format, rows, problems) and what the model will be trained on."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.core.config import DataConfig
from app.ui.icons import icon
from app.ui.settings import last_dir, remember_dir
from app.ui.state import StudioState
from app.ui.steps.base import StepPage
from app.ui.steps.data_preview import ColumnMapping, fill_rows_table, first_rows, render_example, tokens_html
from app.ui.widgets.config_form import ConfigForm

log = logging.getLogger(__name__)

FILE_FILTER = "Datasets (*.jsonl *.ndjson *.json *.csv *.tsv *.parquet *.pq *.txt);;All files (*)"


class DataStep(StepPage):
    key = "data"
    title = "Data"
    help = ("Choose the examples the model should learn from: a JSONL, JSON, CSV or Parquet file. "
            "Drop a file here or pick one; the format is detected and every row is checked.")

    def __init__(self, state: StudioState, settings: QSettings | None = None, parent: QWidget | None = None):
        super().__init__(state, settings, parent)
        self.report = None
        self.rows: list = []
        self.tokenizer = None
        self.tokenizer_source: str | None = None
        self.setAcceptDrops(True)

        file_row = QHBoxLayout()
        self.path_edit = QLineEdit(readOnly=True, placeholderText="No file chosen")
        self.choose_button = QPushButton(icon("file"), "Choose file…")
        self.choose_button.clicked.connect(self.choose_file)
        file_row.addWidget(QLabel(DataConfig.model_fields["train"].title))
        file_row.addWidget(self.path_edit, 1)
        file_row.addWidget(self.choose_button)
        self.layout_.addLayout(file_row)

        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        self.format_combo = QComboBox()
        fmt_field = DataConfig.model_fields["format"]
        self.format_choices = list(fmt_field.annotation.__args__)
        self.format_combo.addItems(self.format_choices)
        self.format_combo.setToolTip(fmt_field.description)
        self.format_combo.currentIndexChanged.connect(self._format_chosen)
        self.detected = QLabel()
        self.detected.setWordWrap(True)
        self.detected.setObjectName("detail")
        grid.addWidget(QLabel(fmt_field.title), 0, 0)
        grid.addWidget(self.format_combo, 0, 1)
        grid.addWidget(self.detected, 0, 2)
        grid.setColumnStretch(2, 1)
        self.mapping = ColumnMapping()
        self.mapping.setToolTip(DataConfig.model_fields["columns"].description)
        self.mapping.changed.connect(self._mapping_changed)
        grid.addWidget(QLabel(DataConfig.model_fields["columns"].title), 1, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.mapping, 1, 1, 1, 2)
        self.layout_.addLayout(grid)

        self.form = ConfigForm(state, ["data"], exclude={"data": ["train", "format", "columns", "mix"]}, columns=1,
                               section_titles=False)
        self.layout_.addWidget(self.form)

        status_row = QHBoxLayout()
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(260)
        self.progress.hide()
        self.summary = QLabel()
        self.summary.setObjectName("summary")
        status_row.addWidget(self.summary, 1)
        status_row.addWidget(self.progress)
        self.layout_.addLayout(status_row)

        self.tabs = QTabWidget()
        self.table = QTableWidget()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.tabs.addTab(self.table, "Rows")
        self.render_tab = self._render_tab()
        self.tabs.addTab(self.render_tab, "Rendered example")
        self.tabs.currentChanged.connect(lambda _i: self.render_example())
        self.problems = QListWidget()
        self.tabs.addTab(self.problems, "Problems")
        self.layout_.addWidget(self.tabs, 1)

        state.config_replaced.connect(lambda _cfg: self.load(self.state.config.data.train))
        self.path_edit.setText(state.config.data.train)


    def _render_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        top = QHBoxLayout()
        self.example_spin = QSpinBox(minimum=1, maximum=1)
        self.example_spin.setPrefix("Example ")
        self.example_spin.valueChanged.connect(self.render_example)
        legend = QLabel("Highlighted tokens are the ones the model is trained on (loss); the rest is context.")
        legend.setObjectName("detail")
        top.addWidget(self.example_spin)
        top.addWidget(legend, 1)
        layout.addLayout(top)
        self.rendered = QTextBrowser()
        layout.addWidget(self.rendered, 1)
        return tab

    def begin(self) -> None:
        self.load(self.state.config.data.train)

    # ---- validity ----
    def is_valid(self) -> bool:
        return not self.problem()

    def problem(self) -> str:
        if not Path(self.state.config.data.train).is_file():
            return "Choose a training file."
        if self.tasks.is_running("inspect"):
            return "Checking the file…"
        if self.report is not None and self.report.valid_rows == 0:
            return "No usable rows in the file."
        return ""

    # ---- choosing a file ----
    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose training data", last_dir(self.settings, "data"),
                                              FILE_FILTER)
        if path:
            self.set_file(path)

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls() and event.mimeData().urls()[0].isLocalFile():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        self.set_file(event.mimeData().urls()[0].toLocalFile())
        event.acceptProposedAction()

    def set_file(self, path: str) -> None:
        remember_dir(self.settings, "data", path)
        self.state.update("data", train=str(path), columns={})
        self.load(str(path))

    # ---- inspecting ----
    def load(self, path: str) -> None:
        """Read the first rows and check the whole file in the background."""
        self.path_edit.setText(path)
        self._sync_format()
        self.report, self.rows = None, []
        self.problems.clear()
        self.table.clear()
        self.table.setRowCount(0)
        self.rendered.clear()
        if not Path(path).is_file():
            self.summary.setText(f"File not found: {path}")
            self.validity_changed.emit(False)
            return
        data = self.state.config.data
        fmt, columns, system_prompt = data.format, dict(data.columns), data.system_prompt

        def work(progress, stop):
            from app.core.data import inspect_file

            rows = first_rows(path)
            report = inspect_file(path, fmt=fmt, columns=columns or None, system_prompt=system_prompt,
                                  progress=lambda done, total: progress(done, total, "Checking rows"))
            return rows, report

        self.summary.setText("Reading…")
        self.progress.setRange(0, 0)
        self.progress.show()
        self.tasks.start("inspect", work, done=self._inspected, error=self._failed, progress=self._progress)
        self.validity_changed.emit(False)

    def _progress(self, done: int, total: int, _message: str) -> None:
        self.progress.setRange(0, total)  # total 0 (unknown): a busy bar
        self.progress.setValue(done)

    def _failed(self, exc: Exception) -> None:
        self.progress.hide()
        self.summary.setText(f"⚠ {getattr(exc, 'message', None) or exc}")
        hint = getattr(exc, "hint", "")
        self.summary.setToolTip(hint)
        self.validity_changed.emit(False)

    def _inspected(self, result) -> None:
        self.rows, self.report = result
        report = self.report
        self.progress.hide()
        fill_rows_table(self.table, self.rows)
        self.summary.setText(f"{report.rows:,} rows · {report.valid_rows:,} usable · "
                             f"{report.problem_count:,} with problems")
        self.detected.setText(f"Detected: <b>{report.format}</b> ({report.confidence:.0%})")
        self.detected.setToolTip(getattr(report, "reason", "") or "")
        self.problems.clear()
        for problem in report.problems:
            where = f"Line {problem.line}: " if problem.line else ""
            self.problems.addItem(f"{where}{problem.message}")
        if report.problem_count > len(report.problems):
            self.problems.addItem(f"… and {report.problem_count - len(report.problems):,} more")
        self.tabs.setTabText(2, f"Problems ({report.problem_count:,})")
        self.mapping.set_columns(list(report.columns), self._format(), self.state.config.data.columns)
        usable = [row for row in self.rows if row.data is not None]
        self.example_spin.setMaximum(max(1, len(usable)))
        self.validity_changed.emit(self.is_valid())
        self.render_example()

    def _format(self) -> str:
        chosen = self.state.config.data.format
        return self.report.format if chosen == "auto" and self.report is not None else chosen

    def _sync_format(self) -> None:
        self.format_combo.blockSignals(True)
        self.format_combo.setCurrentIndex(self.format_choices.index(self.state.config.data.format))
        self.format_combo.blockSignals(False)

    def _format_chosen(self, index: int) -> None:
        self.state.update("data", format=self.format_choices[index])
        self.load(self.state.config.data.train)

    def _mapping_changed(self, mapping: dict) -> None:
        self.state.update("data", columns=mapping)
        self.load(self.state.config.data.train)

    # ---- rendered example ----
    def render_example(self) -> None:
        """Render the chosen row when its tab is open (loading a tokenizer imports transformers: not at start-up)."""
        usable = [row for row in self.rows if row.data is not None]
        if not usable or self.report is None or self.tabs.currentWidget() is not self.render_tab:
            return
        row = usable[min(self.example_spin.value(), len(usable)) - 1]
        config, fmt = self.state.config, self._format()
        source = config.model.source
        cached = self.tokenizer if self.tokenizer_source == source else None

        def work(progress, stop):
            from app.core import models

            tokenizer = cached or models.load_tokenizer(
                source, config.model.revision, config.model.trust_remote_code,
                progress=lambda message, done, total: progress(done, total, message))
            return source, tokenizer, render_example(tokenizer, row.data, fmt, config)

        self.rendered.setHtml(f"<i>Rendering line {row.line} through the chat template of {source}…</i>")
        self.tasks.start("render", work, done=self._rendered, error=self._render_failed)

    def _rendered(self, result) -> None:
        self.tokenizer_source, self.tokenizer, pieces = result
        trained = sum(len(text) for text, on in pieces if on)
        self.rendered.setHtml(tokens_html(pieces, self.palette()))
        self.rendered.setToolTip(f"{len(pieces)} tokens, {sum(on for _, on in pieces)} trained "
                                 f"({trained} characters)")

    def _render_failed(self, exc: Exception) -> None:
        text = getattr(exc, "message", None) or str(exc)
        self.rendered.setPlainText(f"Cannot render this example: {text}")


if __name__ == "__main__":
    from app.ui.preview import preview

    raise SystemExit(preview(DataStep))
