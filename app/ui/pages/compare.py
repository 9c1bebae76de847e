"""The Compare page: check several runs → their curves overlaid per metric (one colour per run), a table of final
and best metrics, and the config fields that differ between them.

Run it alone with sample runs: `python -m app.ui.pages.compare [--screenshot PNG]`.
"""

from __future__ import annotations

import logging
import math

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, QTimer, Slot
from PySide6.QtGui import QColor, QIcon, QPalette, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.runs.compare import config_diff, run_config, run_labels, summarize, value_text
from app.core.store import ACTIVE_STATUSES, Store
from app.ui.i18n import count
from app.ui.widgets.clock import clock_text
from app.ui.widgets.compare_plots import ComparePlots, run_colour
from app.ui.widgets.runs_table import RUN_ID_ROLE, RunsFilter, RunsModel, runs_view, status_combo, status_text

log = logging.getLogger(__name__)

LIST_COLUMNS = (0, 5)  # of RunsModel: name, status
POLL_MS = 5000  # while a listed run is active and the page is shown, the runs are read again this often
SUMMARY_ROWS = (QT_TRANSLATE_NOOP("ComparePage", "Status"), QT_TRANSLATE_NOOP("ComparePage", "Steps"), QT_TRANSLATE_NOOP("ComparePage", "Duration"), QT_TRANSLATE_NOOP("ComparePage", "Final loss"), QT_TRANSLATE_NOOP("ComparePage", "Best eval loss"), QT_TRANSLATE_NOOP("ComparePage", "Best at step"), QT_TRANSLATE_NOOP("ComparePage", "Trainable params"),
                QT_TRANSLATE_NOOP("ComparePage", "Tokens / s (median)"))


class CheckableRunsModel(RunsModel):
    """The Runs page's model with a check box on the name column; `checked` keeps the order of checking."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.checked: list[str] = []
        self.colours: dict[str, QColor] = {}

    def set_runs(self, runs: list[dict]) -> None:
        ids = {r["id"] for r in runs}
        self.checked = [i for i in self.checked if i in ids]
        super().set_runs(runs)

    def flags(self, index):
        flags = super().flags(index)
        return flags | Qt.ItemFlag.ItemIsUserCheckable if index.column() == 0 else flags

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if index.isValid() and index.column() == 0:
            run_id = self.runs[index.row()]["id"]
            if role == Qt.ItemDataRole.CheckStateRole:
                return Qt.CheckState.Checked if run_id in self.checked else Qt.CheckState.Unchecked
            if role == Qt.ItemDataRole.DecorationRole and run_id in self.colours:
                return self.colours[run_id]
        return super().data(index, role)

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802 - Qt override
        if not index.isValid() or index.column() != 0 or role != Qt.ItemDataRole.CheckStateRole:
            return False
        run_id = self.runs[index.row()]["id"]
        on = Qt.CheckState(value) == Qt.CheckState.Checked
        if on and run_id not in self.checked:
            self.checked.append(run_id)
        elif not on and run_id in self.checked:
            self.checked.remove(run_id)
        self.dataChanged.emit(index, index, [role])
        return True

    def set_checked(self, run_ids: list[str]) -> None:
        known = {r["id"] for r in self.runs}
        self.checked = [i for i in dict.fromkeys(run_ids) if i in known]
        if self.runs:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.runs) - 1, 0))


def _fit_columns(table: QTableWidget, widest: int = 112) -> None:
    """Columns sized to their contents, but no wider than `widest` (long values are elided; tooltips hold them)."""
    table.resizeColumnsToContents()
    for col in range(1, table.columnCount()):
        table.setColumnWidth(col, min(widest, table.columnWidth(col)))


def _swatch(colour: QColor, size: int = 12) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(colour)
    return QIcon(pixmap)


def _number(value: float | None, fmt: str) -> str:
    return "–" if value is None or (isinstance(value, float) and not math.isfinite(value)) else format(value, fmt)


def _table(columns) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels([QCoreApplication.translate("ComparePage", c) for c in columns])
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    table.horizontalHeader().setTextElideMode(Qt.TextElideMode.ElideRight)
    return table


def _titled(title: QLabel, body: QWidget) -> QWidget:
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(4)
    layout.addWidget(title)
    layout.addWidget(body, 1)
    return box


class ComparePage(QWidget):
    """Pick runs on the left; curves, a summary table and the config diff on the right."""

    def __init__(self, parent: QWidget | None = None, store: Store | None = None):
        super().__init__(parent)
        self._store = store
        self.model = CheckableRunsModel(self)
        self.proxy = RunsFilter(self)
        self.proxy.setSourceModel(self.model)
        self.search = QLineEdit(placeholderText=self.tr("Search runs"), clearButtonEnabled=True)
        self.status_filter = status_combo()
        self.clear_button = QPushButton(self.tr("Uncheck all"))
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.list = runs_view(self.proxy, QAbstractItemView.SelectionMode.NoSelection)
        for column in range(self.model.columnCount()):
            self.list.setColumnHidden(column, column not in LIST_COLUMNS)
        header = self.list.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)

        self.hint = QLabel(self.tr("Check two or more runs to compare them."))
        self.hint.setObjectName("detail")
        self.hint.setWordWrap(True)
        self.plots = ComparePlots()
        self.summary_title = QLabel(self.tr("Final and best metrics"))
        self.summary_title.setStyleSheet("font-weight: 600;")
        self.summary = _table((QT_TRANSLATE_NOOP("ComparePage", "Metric"),))
        self.diff_title = QLabel(self.tr("Config differences"))
        self.diff_title.setStyleSheet("font-weight: 600;")
        self.diff = _table((QT_TRANSLATE_NOOP("ComparePage", "Field"),))
        self.diff.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.diff.horizontalHeader().setStretchLastSection(True)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.search)
        filters = QHBoxLayout()
        filters.addWidget(self.status_filter, 1)
        filters.addWidget(self.refresh_button)
        left_layout.addLayout(filters)
        left_layout.addWidget(self.list, 1)
        left_layout.addWidget(self.hint)
        left_layout.addWidget(self.clear_button)
        tables = QSplitter(Qt.Orientation.Horizontal)
        tables.addWidget(_titled(self.summary_title, self.summary))
        tables.addWidget(_titled(self.diff_title, self.diff))
        tables.setSizes([520, 420])
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.plots)
        right.addWidget(tables)
        right.setSizes([450, 300])
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([215, 1035])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.addWidget(split)

        self._update_timer = QTimer(self, singleShot=True, interval=0)  # several check changes: one update
        self._update_timer.timeout.connect(self.update_comparison)
        self._auto = QTimer(self, interval=POLL_MS)  # a run that trains or ends is shown as it is (not as it was)
        self._auto.timeout.connect(self._refresh_if_active)
        self._drawn: tuple = ()  # what the comparison shows: the checked runs' ids, statuses, steps and names
        self.search.textChanged.connect(self._filter)
        self.status_filter.currentIndexChanged.connect(self._filter)
        self.refresh_button.clicked.connect(self.refresh)
        self.clear_button.clicked.connect(lambda: self.set_runs([]))
        self.model.dataChanged.connect(lambda *_: self._update_timer.start())
        self.refresh()

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = Store(reap=False)
        return self._store

    # ---- API ----
    def refresh(self) -> None:
        """Re-read the runs, keeping the checked ones (that still exist)."""
        self.model.set_runs(self.store.list_runs())
        self.update_comparison()

    @Slot()
    def _refresh_if_active(self) -> None:
        """While a run is active (or was at the last reading): the list read again, and the comparison drawn again
        when a checked run moved on (a zoomed plot keeps its zoom otherwise)."""
        if any(run.get("status") in ACTIVE_STATUSES for run in self.model.runs):
            self.model.set_runs(self.store.list_runs())
            if self._checked_state() != self._drawn:
                self.update_comparison()

    def _checked_state(self) -> tuple:
        rows = {run["id"]: run for run in self.model.runs}
        return tuple((run_id, *(rows[run_id].get(k) for k in ("status", "last_step", "name", "finished")))
                     for run_id in self.model.checked if run_id in rows)

    def set_runs(self, run_ids: list[str]) -> None:
        """Compare exactly these runs (in this colour order)."""
        self.model.set_checked(run_ids)
        self.update_comparison()

    def checked_run_ids(self) -> list[str]:
        return list(self.model.checked)

    @Slot()
    def update_comparison(self) -> None:
        self._update_timer.stop()
        self._drawn = self._checked_state()
        runs = [self.store.get_run(run_id) for run_id in self.model.checked]
        series = [self.store.metric_series(run["id"]) for run in runs]
        labels = run_labels(runs)
        dark = self.palette().color(QPalette.ColorRole.Base).lightnessF() < 0.5
        self.model.colours = {run["id"]: run_colour(i, dark) for i, run in enumerate(runs)}
        self.plots.show_runs([(run["id"], label, s) for run, label, s in zip(runs, labels, series, strict=True)])
        self._fill_summary(runs, labels, series)
        self._fill_diff(runs, labels)
        self.hint.setText({0: self.tr("Check two or more runs to compare them."),
                           1: self.tr("Check another run to compare with.")}.get(
            len(runs), self.tr("{n} runs compared.").format(n=len(runs))))
        self.list.viewport().update()

    # ---- filling ----
    def _fill_summary(self, runs: list[dict], labels: list[str], series: list[dict]) -> None:
        """One column per run, one row per metric (the same layout as the config diff beside it)."""
        self.summary.clear()
        self._run_columns(self.summary, self.tr("Metric"), runs, labels)
        self.summary.setRowCount(len(SUMMARY_ROWS) if runs else 0)
        for row, title in enumerate(SUMMARY_ROWS if runs else ()):
            self.summary.setItem(row, 0, QTableWidgetItem(self.tr(title)))
        for col, (run, s) in enumerate(zip(runs, series, strict=True), start=1):
            summary = summarize(run, s)
            cells = (status_text(summary.status or ""), _number(summary.steps, "d"),
                     clock_text(summary.duration) if summary.duration is not None else "–",
                     _number(summary.final_loss, ".4f"), _number(summary.best_eval_loss, ".4f"),
                     _number(summary.best_eval_step, "d"), _number(summary.trainable_params, ",d"),
                     _number(summary.tokens_per_second, ",.0f"))
            for row, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(RUN_ID_ROLE, run["id"])
                item.setToolTip(f"{run.get('name') or run['id']}: {text}")
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.summary.setItem(row, col, item)
        _fit_columns(self.summary)

    def _run_columns(self, table: QTableWidget, first: str, runs: list[dict], labels: list[str]) -> None:
        table.setColumnCount(1 + len(runs))
        table.setHorizontalHeaderLabels([first, *labels])
        for col, run in enumerate(runs, start=1):
            header = table.horizontalHeaderItem(col)
            header.setIcon(_swatch(self.model.colours[run["id"]]))  # a header draws icons, not bare colours
            header.setToolTip(run["id"])

    def _fill_diff(self, runs: list[dict], labels: list[str]) -> None:
        diff = config_diff([run_config(run) for run in runs])
        self.diff.clear()
        self._run_columns(self.diff, self.tr("Field"), runs, labels)
        self.diff.setRowCount(len(diff))
        for row, (path, values) in enumerate(diff):
            self.diff.setItem(row, 0, QTableWidgetItem(path))
            for col, value in enumerate(values, start=1):
                item = QTableWidgetItem(value_text(value))
                item.setToolTip(item.text())
                self.diff.setItem(row, col, item)
        _fit_columns(self.diff)
        if len(runs) < 2:
            self.diff_title.setText(self.tr("Config differences"))
        else:
            self.diff_title.setText(count(len(diff), self.tr("Config differences: {n} field"),
                                          self.tr("Config differences: {n} fields"))
                                    if diff else self.tr("Config differences: none, the configs are "
                                                         "identical"))

    # ---- slots ----
    @Slot()
    def _filter(self) -> None:
        self.proxy.set_filter(self.search.text(), self.status_filter.currentData())

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.refresh()
        self._auto.start()
        super().showEvent(event)

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt override
        self._auto.stop()
        super().hideEvent(event)


def main(argv: list[str] | None = None) -> int:
    """Open the page alone over a temporary data home with sample runs, the finished ones checked."""
    from app.ui.pages.samples import open_alone

    def check_finished(page, _live):
        page.set_runs([r["id"] for r in page.store.list_runs() if r["status"] in ("completed", "cancelled")])

    return open_alone(ComparePage, check_finished, description=__doc__, argv=argv)


if __name__ == "__main__":
    raise SystemExit(main())
