"""The Runs page: every run from the store — search, filter, sort — and the selected run's curves, config,
artifacts and actions (clone, resume, rename, delete, open folder).

Run it alone with sample runs: `python -m app.ui.pages.runs [--screenshot PNG]`.
"""

from __future__ import annotations

import logging
from pathlib import Path

import yaml
from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    Qt,
    QTimer,
    QUrl,
    Signal,
    Slot,
)
from PySide6.QtGui import QDesktopServices, QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.config import parse_config
from app.core.errors import StudioError
from app.core.stages.registry import STAGES
from app.core.store import ACTIVE_STATUSES, Store
from app.ui.i18n import core_text, run_texts
from app.ui.pages.train import ErrorBox
from app.ui.widgets.plots import MetricsPlots
from app.ui.widgets.runs_table import (
    RUN_ID_ROLE,
    RunsFilter,
    RunsModel,
    runs_view,
    size_text,
    status_combo,
    status_text,
)
from app.ui.widgets.samples_timeline import SamplesTimeline

log = logging.getLogger(__name__)
TIPS = {"resume": QT_TRANSLATE_NOOP("RunDetail", "Continue from its last checkpoint"),
        "extend": QT_TRANSLATE_NOOP("RunDetail", "Train a completed run more epochs, as a new run that continues from its final checkpoint with "
                  "the learning-rate schedule carried on")}


class RunDetail(QWidget):
    """The selected run: title, error, actions, and tabs for curves, config, artifacts and its samples timeline."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = QLabel(self.tr("Select a run to see its curves, config and files."))
        self.title.setStyleSheet("font-size: 15px; font-weight: 600;")
        self.title.setWordWrap(True)  # long names wrap beside the buttons instead of widening the page
        self.subtitle = QLabel()
        self.subtitle.setWordWrap(True)
        self.subtitle.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_box = ErrorBox()
        self.buttons = {key: QPushButton(text) for key, text in (
            ("clone", self.tr("Clone config")), ("resume", self.tr("Resume")), ("extend", self.tr("Extend…")),
            ("rename", self.tr("Rename…")), ("delete", self.tr("Delete…")), ("folder", self.tr("Open folder")))}
        self.buttons["clone"].setToolTip(self.tr("Load this run's configuration into the steps"))
        self.plots = MetricsPlots()
        self.config_view = QPlainTextEdit(readOnly=True)
        self.config_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.artifacts = QTableWidget(0, 3)
        self.artifacts.setHorizontalHeaderLabels([self.tr("Kind"), self.tr("Path"), self.tr("Size")])
        self.artifacts.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.artifacts.verticalHeader().hide()
        self.artifacts.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.plots, self.tr("Curves"))
        self.tabs.addTab(self.config_view, self.tr("Config"))
        self.tabs.addTab(self.artifacts, self.tr("Artifacts"))
        self.samples = SamplesTimeline()
        self.tabs.addTab(self.samples, self.tr("Samples"))
        head = QHBoxLayout()
        titles = QVBoxLayout()
        titles.setSpacing(2)
        titles.addWidget(self.title)
        titles.addWidget(self.subtitle)
        head.addLayout(titles, 1)
        for button in self.buttons.values():
            head.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(head)
        layout.addWidget(self.error_box)
        layout.addWidget(self.tabs, 1)
        self.show_run(None)

    def show_run(self, run: dict | None, series: dict | None = None, artifacts: list[dict] | None = None,
                 samples: list[dict] | None = None) -> None:
        self.samples.load(samples or [])
        self.tabs.setTabText(self.tabs.indexOf(self.samples), self.tr("Samples ({n})").format(n=len(samples)) if samples else self.tr("Samples"))
        refusal = STAGES[run.get("stage") or "sft"].not_resumable if run else None
        continuable = refusal is None
        for key in ("resume", "extend"):
            self.buttons[key].setToolTip(self.tr(TIPS[key]) if continuable else self.tr("{refusal} Clone its config to run it "
                                                                               "again.").format(refusal=core_text(refusal)))
        status = run.get("status") if run else None
        # a rejected run trained nothing unless it was a resume (of a run with steps) that its data or model refused
        stopped = status in ("cancelled", "failed") or (status == "rejected" and bool(run.get("last_step")))
        for key, button in self.buttons.items():
            button.setEnabled(run is not None and not (
                (key == "resume" and (not stopped or not continuable))
                or (key == "extend" and (status != "completed" or not continuable))
                or (key == "delete" and status in ACTIVE_STATUSES)
                or (key == "clone" and not run.get("config"))))
        self.error_box.hide()
        if run is None:
            self.title.setText(self.tr("Select a run to see its curves, config and files."))
            self.subtitle.clear()
            self.plots.clear()
            self.config_view.clear()
            self.artifacts.setRowCount(0)
            return
        self.title.setText(run.get("name") or run["id"])
        steps = self.tr("step {step} of {total}").format(step=run.get('last_step') or 0,
                                                           total=run.get('total_steps') or '?')
        self.subtitle.setText(self.tr("{run_id} · {status} at {steps} · {device}").format(
            run_id=run['id'], status=status_text(run.get('status') or ""), steps=steps, device=run.get('device') or ''))
        if status == "failed":
            self.error_box.show_error(self.tr("This run failed."), *run_texts(run))
        elif status == "rejected":
            self.error_box.show_error(self.tr("This run was refused before training: its data or model cannot be "
                                              "used."), *run_texts(run))
        self.plots.load_series(series or {})
        self.config_view.setPlainText(run.get("config") or "")
        self.artifacts.setRowCount(len(artifacts or []))
        for row, art in enumerate(artifacts or []):
            for col, text in enumerate((art["kind"], art["path"], size_text(art.get("bytes")))):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.artifacts.setItem(row, col, item)
        self.artifacts.resizeColumnToContents(0)


class RunsPage(QWidget):
    """Run history. `clone_requested` carries a RunConfig to load into the steps; `resume_requested` a run id."""

    clone_requested = Signal(object)
    resume_requested = Signal(str)
    compare_requested = Signal(list)  # run ids, two or more

    def __init__(self, parent: QWidget | None = None, store: Store | None = None):
        super().__init__(parent)
        self._store = store
        self.model = RunsModel(self)
        self.proxy = RunsFilter(self)
        self.proxy.setSourceModel(self.model)
        self.search = QLineEdit(placeholderText=self.tr("Search name, id, model or method"), clearButtonEnabled=True)
        self.status_filter = status_combo()
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.compare_button = QPushButton(self.tr("Compare"))
        self.compare_button.setToolTip(self.tr("Select two or more runs (Ctrl- or Shift-click) to compare "
                                               "their curves, metrics and configs"))
        self.compare_button.setEnabled(False)
        # several rows can be selected: the Compare button takes them
        self.table = runs_view(self.proxy, QAbstractItemView.SelectionMode.ExtendedSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.detail = RunDetail()
        bar = QHBoxLayout()
        bar.addWidget(self.search, 1)
        bar.addWidget(self.status_filter)
        bar.addWidget(self.refresh_button)
        bar.addWidget(self.compare_button)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.detail)
        split.setSizes([230, 520])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.setSpacing(10)
        layout.addLayout(bar)
        layout.addWidget(split, 1)
        self._auto = QTimer(self, interval=5000)
        self._auto.timeout.connect(self._refresh_if_active)

        self.search.textChanged.connect(self._filter)
        self.status_filter.currentIndexChanged.connect(self._filter)
        self.refresh_button.clicked.connect(self.refresh)
        self.compare_button.clicked.connect(lambda: self.compare_requested.emit(self.selected_run_ids()))
        self.table.selectionModel().selectionChanged.connect(self._show_selected)
        buttons = self.detail.buttons
        buttons["clone"].clicked.connect(self._clone)
        buttons["resume"].clicked.connect(lambda: self._with_selected(self.resume_requested.emit))
        buttons["extend"].clicked.connect(self._extend)
        buttons["rename"].clicked.connect(self._rename)
        buttons["delete"].clicked.connect(self._delete)
        buttons["folder"].clicked.connect(self._open_folder)
        self.refresh()

    @property
    def store(self) -> Store:
        """One store connection; each refresh reads what workers committed meanwhile (WAL)."""
        if self._store is None:
            self._store = Store(reap=False)
        return self._store

    # ---- API ----
    def refresh(self) -> None:
        """Re-read the runs (marking runs whose worker died as failed), keeping the selection."""
        selected = self.selected_run_id()
        self.store.reap_dead_runs()
        self.model.set_runs(self.store.list_runs())
        if selected:
            self.select_run(selected)
        else:
            self._show_selected()

    def selected_run_id(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].data(RUN_ID_ROLE) if rows else None

    def selected_run_ids(self) -> list[str]:
        """The selected runs, top to bottom."""
        rows = sorted(self.table.selectionModel().selectedRows(), key=lambda index: index.row())
        return [index.data(RUN_ID_ROLE) for index in rows]

    def select_run(self, run_id: str) -> bool:
        for row in range(self.proxy.rowCount()):
            if self.proxy.index(row, 0).data(RUN_ID_ROLE) == run_id:
                self.table.selectRow(row)
                return True
        self.table.clearSelection()
        return False

    def rename_run(self, run_id: str, name: str) -> None:
        self.store.rename_run(run_id, name)
        self.refresh()

    def delete_run(self, run_id: str) -> None:
        """Delete the run and its folder (refused while it runs)."""
        self.store.delete_run(run_id, files=True)
        self.refresh()

    # ---- slots ----
    @Slot()
    def _filter(self) -> None:
        self.proxy.set_filter(self.search.text(), self.status_filter.currentData())
        self._show_selected()

    @Slot()
    def _show_selected(self) -> None:
        self.compare_button.setEnabled(len(self.table.selectionModel().selectedRows()) >= 2)
        run_id = self.selected_run_id()
        if run_id is None:
            self.detail.show_run(None)
            return
        run = self.store.get_run(run_id)
        self.detail.show_run(run, self.store.metric_series(run_id), self.store.artifacts(run_id),
                             self.store.samples(run_id))

    def _with_selected(self, action) -> None:
        run_id = self.selected_run_id()
        if run_id:
            action(run_id)

    @Slot()
    def _clone(self) -> None:
        run_id = self.selected_run_id()
        if not run_id:
            return
        try:
            config = parse_config(yaml.safe_load(self.store.get_run(run_id)["config"]) or {})
        except StudioError as exc:
            QMessageBox.warning(self, self.tr("Cannot clone this run"), f"{core_text(exc.message)}\n\n{core_text(exc.hint)}")
            return
        self.clone_requested.emit(config)

    @Slot()
    def _extend(self) -> None:
        """Ask how many epochs, create the extension run, and hand it to the Train page (resume_requested)."""
        from app.core.runs.extend import prepare_extension

        run_id = self.selected_run_id()
        if not run_id:
            return
        epochs, ok = QInputDialog.getDouble(self, self.tr("Extend run"), self.tr("Train this many more epochs:"), 1.0, 0.1, 100.0, 1)
        if not ok:
            return
        try:
            new_id = prepare_extension(run_id, epochs, self.store)
        except StudioError as exc:
            QMessageBox.warning(self, self.tr("Cannot extend this run"), f"{core_text(exc.message)}\n{core_text(exc.hint)}")
            return
        self.refresh()
        self.resume_requested.emit(new_id)

    @Slot()
    def _rename(self) -> None:
        run_id = self.selected_run_id()
        if not run_id:
            return
        current = self.store.get_run(run_id).get("name") or ""
        name, ok = QInputDialog.getText(self, self.tr("Rename run"), self.tr("New name:"), text=current)
        if ok and name.strip():
            self.rename_run(run_id, name.strip())

    @Slot()
    def _delete(self) -> None:
        run_id = self.selected_run_id()
        if not run_id:
            return
        run = self.store.get_run(run_id)
        answer = QMessageBox.question(
            self, self.tr("Delete run"), self.tr("Delete “{v0}” and all its files "
                                        "(checkpoints, adapter, merged model)?\n\n{get}\n\nThis cannot be "
                                        "undone.").format(v0=run.get('name') or run_id, get=run.get('run_dir')),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            self.delete_run(run_id)
        except StudioError as exc:
            QMessageBox.warning(self, self.tr("Cannot delete this run"), f"{core_text(exc.message)}\n\n{core_text(exc.hint)}")

    @Slot()
    def _open_folder(self) -> None:
        run_id = self.selected_run_id()
        folder = self.store.get_run(run_id).get("run_dir") if run_id else None
        if folder and Path(folder).exists():
            QDesktopServices.openUrl(QUrl.fromLocalFile(folder))

    @Slot()
    def _refresh_if_active(self) -> None:
        if any(run.get("status") in ACTIVE_STATUSES for run in self.model.runs):
            self.refresh()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.refresh()
        self._auto.start()
        super().showEvent(event)

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt override
        self._auto.stop()
        super().hideEvent(event)


def main(argv: list[str] | None = None) -> int:
    """Open the page alone over a temporary data home with sample runs (the second one selected)."""
    from app.ui.pages.samples import open_alone

    return open_alone(RunsPage, lambda page, _live: page.table.selectRow(1), description=__doc__, argv=argv)


if __name__ == "__main__":
    raise SystemExit(main())
