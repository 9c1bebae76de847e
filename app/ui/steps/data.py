"""Step 1, Data: pick a file, see how it reads (format, rows, problems) and what the model will be trained on."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QSettings, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QWidget,
)

from app.core.config import DataConfig
from app.ui.i18n import core_text, count, error_texts, schema_text
from app.ui.settings import remember_dir
from app.ui.state import StudioState
from app.ui.steps.base import StepPage
from app.ui.steps.data_augment import AugmentDialog, save_work
from app.ui.steps.data_doctor import (
    DoctorPanel,
    clean_work,
    holdout_work,
    inspect_work,
    read_sidecar,
    switch_text,
)
from app.ui.steps.data_mix import MixDialog
from app.ui.steps.data_preview import (
    PREVIEW_ROWS,
    ColumnMapping,
    MappingDialog,
    RenderedExample,
    RowsPager,
    first_rows,
    format_name,
    render_example,
    source_exists,
    tokens_html,
)
from app.ui.steps.data_source import FILE_FILTER, SourceRow
from app.ui.widgets.config_form import ConfigForm

log = logging.getLogger(__name__)

UNSURE = 0.9  # below this detection confidence the column-mapping dialog is offered


class DataStep(StepPage):
    key = "data"
    title = QT_TRANSLATE_NOOP("DataStep", "Data")
    help = QT_TRANSLATE_NOOP("DataStep", "Choose the examples the model should learn from: a JSONL, JSON, CSV, Parquet or text file, or a "
                                         "folder (saved by `datasets`, or of text files). Drop it here or pick it; the format is detected, every "
                                         "row is checked, and the doctor's fixes make a cleaned copy.")

    def __init__(self, state: StudioState, settings: QSettings | None = None, parent: QWidget | None = None):
        super().__init__(state, settings, parent)
        self.report = None
        self.rows: list = []
        self.tokenizer = None
        self.tokenizer_source: str | None = None
        self.page = 0
        self.unchecked = ""  # why the file could not be checked (stopped, unreadable): the step is not valid
        self.mapping_dialog: MappingDialog | None = None
        self.setAcceptDrops(True)

        self.source = SourceRow(self.settings)
        self.path_edit = self.source.path_edit
        self.source.chosen.connect(self.set_file)
        self.source.mix_requested.connect(self.open_mix_dialog)
        self.layout_.addWidget(self.source)
        self.switched = QLabel()  # what a fix changed (file, format, mapping), said until another file is chosen
        self.switched.setObjectName("notice")
        self.switched.setWordWrap(True)
        self.switched.linkActivated.connect(lambda _link: self.back_to_original())
        self.switched.hide()
        self.original: DataConfig | None = None  # the data settings before the first fix
        self.layout_.addWidget(self.switched)

        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        self.format_combo = QComboBox()
        fmt_field = DataConfig.model_fields["format"]
        self.format_choices = list(fmt_field.annotation.__args__)
        self.format_combo.addItems([format_name(fmt) for fmt in self.format_choices])
        self.format_combo.setToolTip(schema_text(fmt_field.description))
        self.format_combo.currentIndexChanged.connect(self._format_chosen)
        self.detected = QLabel()
        self.detected.setWordWrap(True)
        self.detected.setObjectName("detail")
        grid.addWidget(QLabel(schema_text(fmt_field.title)), 0, 0)
        grid.addWidget(self.format_combo, 0, 1)
        grid.addWidget(self.detected, 0, 2)
        self.map_button = QPushButton(self.tr("Map columns…"))
        self.map_button.setToolTip(self.tr("Detection is unsure: say which column holds what"))
        self.map_button.clicked.connect(self.open_mapping_dialog)
        self.map_button.hide()
        grid.addWidget(self.map_button, 0, 3)
        grid.setColumnStretch(2, 1)
        self.mapping = ColumnMapping(tab_after=self.map_button)
        self.mapping.setToolTip(schema_text(DataConfig.model_fields["columns"].description))
        self.mapping.changed.connect(self._mapping_changed)
        grid.addWidget(QLabel(schema_text(DataConfig.model_fields["columns"].title)), 1, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.mapping, 1, 1, 1, 3)
        self.layout_.addLayout(grid)

        self.form = ConfigForm(state, ["data"], exclude={"data": ["train", "format", "columns", "mix"]}, columns=1,
                               section_titles=False)
        self.layout_.addWidget(self.form)

        status_row = QHBoxLayout()
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(260)
        self.progress.hide()
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.clicked.connect(self.cancel_check)
        self.cancel_button.hide()
        self.summary = QLabel()
        self.summary.setObjectName("summary")
        status_row.addWidget(self.summary, 1)
        status_row.addWidget(self.progress)
        status_row.addWidget(self.cancel_button)
        self.layout_.addLayout(status_row)

        self.tabs = QTabWidget()
        self.pager = RowsPager()
        self.table = self.pager.table
        self.pager.page_requested.connect(self.show_page)
        self.tabs.addTab(self.pager, self.tr("Rows"))
        self.render_tab = RenderedExample()
        self.example_spin, self.rendered = self.render_tab.spin, self.render_tab.view
        self.example_spin.valueChanged.connect(self.render_example)
        self.tabs.addTab(self.render_tab, self.tr("Rendered example"))
        self.tabs.currentChanged.connect(lambda _i: self.render_example())
        self.doctor = DoctorPanel()
        self.doctor.fix_requested.connect(self.fix)
        self.doctor.measure_requested.connect(lambda: self.load(self.state.config.data.train, measure=True))
        self.doctor.augment_requested.connect(self.open_augment_dialog)
        self.doctor.holdout_requested.connect(self.hold_out_words)
        self.problems = self.doctor.problems
        self.doctor_tab = doctor_scroll = QScrollArea(widgetResizable=True, frameShape=QFrame.Shape.NoFrame)
        doctor_scroll.setWidget(self.doctor)  # the page keeps its small minimum size on small screens
        self.tabs.addTab(doctor_scroll, self.tr("Doctor"))
        self.layout_.addWidget(self.tabs, 1)

        state.config_replaced.connect(self._config_replaced)
        self.path_edit.setText(state.config.data.train)


    def begin(self) -> None:
        self.load(self.state.config.data.train)

    def _config_replaced(self, _config) -> None:
        self._forget_original()
        self.load(self.state.config.data.train)

    # ---- validity ----
    def is_valid(self) -> bool:
        return not self.problem()

    def problem(self) -> str:
        if not source_exists(self.state.config.data.train):
            return self.tr("Choose a training file.")
        if self.tasks.is_running("inspect"):
            return self.tr("Checking the file…")
        if self.tasks.is_running("clean"):
            return self.tr("Cleaning the data…")
        if self.unchecked:
            return self.unchecked
        if self.report is not None and self.report.valid_rows == 0:
            return self.tr("No usable rows in the file.")
        return ""

    # ---- choosing a file ----
    def open_mix_dialog(self) -> MixDialog:
        dialog = MixDialog(self.state.config.data.mix, QCoreApplication.translate("SourceRow", FILE_FILTER), self)
        dialog.accepted.connect(lambda: self._mixed(self.state.try_update("data", mix=dialog.mix())))
        dialog.open()
        return dialog

    def _mixed(self, problems: list[str]) -> None:
        self.source.show_mix_count(len(self.state.config.data.mix))
        if problems:
            self.summary.setText(self.tr("⚠ Mix not changed: ") + "; ".join(problems))

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls() and event.mimeData().urls()[0].isLocalFile():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        self.set_file(event.mimeData().urls()[0].toLocalFile())
        event.acceptProposedAction()

    def set_file(self, path: str, fmt: str | None = None) -> None:
        self._forget_original()
        if Path(path).exists():
            remember_dir(self.settings, "data", path)
        self.state.update("data", train=str(path), columns={}, **({"format": fmt} if fmt else {}))
        self.load(str(path))

    # ---- inspecting ----
    def load(self, path: str, measure: bool = False) -> None:
        """Check the whole file in the background (the first page of rows comes with the report); token lengths
        are measured once the model's tokenizer is loaded (`measure` loads it)."""
        self.path_edit.setText(path)
        self._mixed([])
        self._sync_format()
        self.report, self.rows, self.page, self.unchecked = None, [], 0, ""
        self.doctor.show_report(None)
        self.doctor.show_actions(path)
        self.table.clear()
        self.table.setRowCount(0)
        self.rendered.clear()
        self.map_button.hide()
        if not source_exists(path):
            self.summary.setText(self.tr("File not found: {path}").format(path=path))
            self.validity_changed.emit(False)
            return
        source = self.state.config.model.source
        cached = self.tokenizer if self.tokenizer_source == source else None
        info = self.state.model_info
        work = inspect_work(path, self.state.config, cached, measure,
                            info.context_length if info is not None and info.source == source else None)
        self._busy(self.tr("Reading…"))
        self.tasks.start("inspect", work, done=self._inspected, error=self._failed, progress=self._progress)
        self.validity_changed.emit(False)

    def _busy(self, text: str) -> None:
        self.summary.setText(text)
        self.summary.setToolTip("")
        self.progress.setRange(0, 0)
        self.progress.show()
        self.cancel_button.show()

    def _idle(self) -> None:
        self.progress.hide()
        self.cancel_button.hide()

    def cancel_check(self) -> None:
        """Stop the check (the step stays invalid until the file is checked) or the cleaning (nothing is written)."""
        if self.tasks.is_running("inspect"):
            self.unchecked = self.tr("The check was stopped: choose the file again.")
        self.tasks.cancel("inspect")
        self.tasks.cancel("clean")
        self._idle()
        rows = count(self.progress.value(), self.tr("{n} row"), self.tr("{n} rows"))
        self.summary.setText(self.tr("Stopped at {rows}. ").format(rows=rows) + (
            self.tr("Choose the file again to check it.") if self.unchecked else self.tr("The cleaning wrote nothing.")))
        self.validity_changed.emit(self.is_valid())

    def _progress(self, done: int, total: int, message: str) -> None:
        self.progress.setRange(0, total)  # total 0 (unknown): a busy bar
        self.progress.setValue(done)
        self.summary.setText(f"{core_text(message)}… {done:,}"
                             + (self.tr(" of {total:,}").format(total=total) if total else ""))

    def _failed(self, exc: Exception) -> None:
        self._idle()
        message, hint = error_texts(exc)
        if self.report is None:
            self.unchecked = self.tr("The data cannot be read: {message}").format(message=message)
        self.summary.setText(f"⚠ {message}")
        self.summary.setToolTip(hint)
        self.validity_changed.emit(False)

    def _inspected(self, result) -> None:
        self.rows, self.report, tokenizer = result
        if tokenizer is not None:
            self.tokenizer_source, self.tokenizer = tokenizer
        report = self.report
        self._idle()
        self._show_rows()
        self.summary.setText(self.tr("{rows} · {valid_rows:,} usable · {problem_count:,} with problems").format(
            rows=count(report.rows, self.tr("{n} row"), self.tr("{n} rows")), valid_rows=report.valid_rows,
            problem_count=report.problem_count))
        self.detected.setText(self.tr("Detected: <b>{format}</b> "
                                      "({confidence:.0%})").format(format=format_name(report.format),
                                                                    confidence=report.confidence))
        self.detected.setToolTip(core_text(getattr(report, "reason", "")))
        self.doctor.show_report(report)
        findings = report.problem_count + report.duplicates.rows + report.near_duplicates.rows
        self.tabs.setTabText(2, self.tr("Doctor ({findings:,})").format(findings=findings) if findings else self.tr("Doctor"))
        self.mapping.set_columns(list(report.columns), self._format(), self.state.config.data.columns)
        unsure = self.state.config.data.format == "auto" and report.confidence < UNSURE
        self.map_button.setVisible(unsure)
        if unsure and report.valid_rows == 0 and report.columns:
            self.open_mapping_dialog()
        self.validity_changed.emit(self.is_valid())
        self.render_example()

    # ---- paged rows ----
    def show_page(self, page: int) -> None:
        """Read one page of raw rows (PREVIEW_ROWS) in the background."""
        path, start = self.state.config.data.train, max(0, page) * PREVIEW_ROWS

        def work(progress, stop):
            return page, first_rows(path, PREVIEW_ROWS, start)

        self.tasks.start("page", work, done=self._paged, error=self._failed)

    def _paged(self, result) -> None:
        page, rows = result
        if rows:
            self.page, self.rows = page, rows
        self._show_rows()
        self.render_example()

    def _show_rows(self) -> None:
        self.pager.show_rows(self.rows, self.page, self.report.rows if self.report is not None else None)
        usable = [row for row in self.rows if row.data is not None]
        self.example_spin.setMaximum(max(1, len(usable)))

    # ---- the doctor's fixes ----
    def fix(self, actions: dict) -> None:
        """Run cleaning actions into a new dataset version and switch the step to it."""
        work = clean_work(self.state.config.data.train, actions, self.state.config)
        self._busy(self.tr("Cleaning…"))
        self.tasks.start("clean", work, done=self._cleaned, error=self._failed, progress=self._progress)
        self.validity_changed.emit(False)

    def hold_out_words(self) -> None:
        """Split the training file so that validation holds words no training row holds; train on the split."""
        self._busy(self.tr("Splitting…"))
        self.tasks.start("clean", holdout_work(self.state.config.data.train, self.state.config),
                         done=self._held_out, error=self._failed, progress=self._progress)
        self.validity_changed.emit(False)

    def _held_out(self, result) -> None:
        self._idle()
        self.state.update("data", validation=result.paths["validation"], validation_split=0.0)
        self.set_file(result.paths["train"], fmt="auto")
        self.switched.setText(self.tr("Training on {train} ({n} rows); validation: {validation} ({v} rows that hold "
                                      "words no training row holds).").format(
            train=result.paths["train"], n=result.counts["train"], validation=result.paths["validation"],
            v=result.counts["validation"]))
        self.switched.show()

    def _cleaned(self, result) -> None:
        """Switch to the new version, and say so where the user looks: the file, what changed, and what became of
        the format and the column mapping (cleaned files are written as messages or text rows)."""
        self._idle()
        original = self.original or self.state.config.data
        self.set_file(str(result.path), fmt="auto")
        record = read_sidecar(result.path)
        if record is not None:
            self.original = original
            self.switched.setText(switch_text(original, record, str(result.path)))
            self.switched.show()

    def back_to_original(self) -> None:
        """Train on the file (with the format and mapping) the fixes started from again."""
        original = self.original
        if original is not None:
            self._forget_original()
            self.state.update("data", train=original.train, format=original.format, columns=dict(original.columns))
            self.load(original.train)

    def _forget_original(self) -> None:
        self.original = None
        self.switched.hide()

    def open_augment_dialog(self) -> AugmentDialog:
        dialog = AugmentDialog(self.state.config.data.train, self.state.config, self)
        dialog.keep_requested.connect(self._augment)
        dialog.open()
        return dialog

    def _augment(self, model_key: str, kept: list) -> None:
        """Write the file's rows and the kept candidates as a new version and switch to it."""
        work = save_work(self.state.config.data.train, self.state.config, model_key, kept)
        self._busy(self.tr("Adding the kept examples…"))
        self.tasks.start("clean", work, done=self._cleaned, error=self._failed)

    # ---- column mapping ----
    def open_mapping_dialog(self) -> MappingDialog | None:
        if self.report is None or self.mapping_dialog is not None:
            return self.mapping_dialog
        sample = next((row.data for row in self.rows if row.data is not None), None)
        dialog = MappingDialog(list(self.report.columns), self._format(), dict(self.state.config.data.columns),
                               core_text(self.report.reason), sample, self)
        dialog.accepted.connect(lambda: self._mapped(*dialog.result_mapping()))
        dialog.finished.connect(lambda _code: setattr(self, "mapping_dialog", None))
        self.mapping_dialog = dialog
        dialog.open()
        return dialog

    def _mapped(self, fmt: str, columns: dict) -> None:
        self.state.update("data", format=fmt, columns=columns)
        self.load(self.state.config.data.train)

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

        self.rendered.setHtml(self.tr("<i>Rendering line {line} through the "
                                      "chat template of {source}…</i>").format(line=row.line, source=source))
        self.tasks.start("render", work, done=self._rendered, error=self._render_failed)

    def _rendered(self, result) -> None:
        self.tokenizer_source, self.tokenizer, (pieces, default_system) = result
        self.render_tab.show_default_system(self.tokenizer_source, default_system)
        trained = sum(len(text) for text, on in pieces if on)
        self.rendered.setHtml(tokens_html(pieces, self.palette()))
        self.rendered.setToolTip(self.tr("{n} tokens, {sum} trained ({trained} "
                                         "characters)").format(n=len(pieces), sum=sum(on for _, on in pieces), trained=trained))

    def _render_failed(self, exc: Exception) -> None:
        text = error_texts(exc)[0]
        self.rendered.setPlainText(self.tr("Cannot render this example: {text}").format(text=text))


if __name__ == "__main__":
    from app.ui.preview import preview

    raise SystemExit(preview(DataStep))
