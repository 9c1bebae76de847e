"""The run-history table shared by the Runs and Compare pages: a model over the store's runs and its filter."""

from __future__ import annotations

import time

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QTableView

from app.core.store import run_seconds
from app.ui.i18n import run_texts
from app.ui.widgets.clock import clock_text

COLUMNS = (QT_TRANSLATE_NOOP("RunsModel", "Name"), QT_TRANSLATE_NOOP("RunsModel", "Started"),
           QT_TRANSLATE_NOOP("RunsModel", "Duration"), QT_TRANSLATE_NOOP("RunsModel", "Model"),
           QT_TRANSLATE_NOOP("RunsModel", "Method"), QT_TRANSLATE_NOOP("RunsModel", "Status"),
           QT_TRANSLATE_NOOP("RunsModel", "Final loss"))
STATUSES = ("completed", "running", "pending", "cancelled", "failed", "rejected")
ERROR_STATUSES = ("failed", "rejected")  # runs that end with an error and a hint (rejected: refused data or model)
SORT_ROLE = Qt.ItemDataRole.UserRole
RUN_ID_ROLE = Qt.ItemDataRole.UserRole + 1


def size_text(n: int | None) -> str:
    size = float(n or 0)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return ""


def _cells(run: dict) -> list[tuple[str, object]]:
    """(text, sort key) for each column."""
    started = run.get("started") or run.get("created")
    duration = run_seconds(run)  # a resumed run's sessions together
    loss = run.get("final_loss")
    return [
        (run.get("name") or run["id"], (run.get("name") or run["id"]).lower()),
        (time.strftime("%Y-%m-%d %H:%M", time.localtime(started)) if started else "", started or 0),
        (clock_text(duration) if duration is not None else "", duration or 0),
        (run.get("model") or "", (run.get("model") or "").lower()),
        (run.get("method") or "", run.get("method") or ""),
        (status_text(run.get("status") or ""), run.get("status") or ""),
        (f"{loss:.4f}" if loss is not None else "", loss if loss is not None else float("inf")),
    ]


class RunsModel(QAbstractTableModel):
    """The store's runs as a table; sort keys under SORT_ROLE, run ids under RUN_ID_ROLE."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.runs: list[dict] = []
        self._cells: list[list[tuple[str, object]]] = []

    def set_runs(self, runs: list[dict]) -> None:
        self.beginResetModel()
        self.runs = runs
        self._cells = [_cells(run) for run in runs]
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008, N802 - Qt override
        return 0 if parent.isValid() else len(self.runs)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008, N802 - Qt override
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802 - Qt override
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return QCoreApplication.translate("RunsModel", COLUMNS[section])
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        text, key = self._cells[index.row()][index.column()]
        run = self.runs[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return text
        if role == SORT_ROLE:
            return key
        if role == RUN_ID_ROLE:
            return run["id"]
        if role == Qt.ItemDataRole.ToolTipRole:
            return run_texts(run)[0] if run.get("status") in ERROR_STATUSES else f"{run['id']}\n{text}"
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 5 and run.get("status") in ERROR_STATUSES:
            return QColor("#d9534f")
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in (2, 6):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class RunsFilter(QSortFilterProxyModel):
    """Rows whose name, id, model or method contain the search text and whose status matches."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.search = ""
        self.status = ""
        self.setSortRole(SORT_ROLE)

    def set_filter(self, search: str, status: str) -> None:
        self.search, self.status = search.strip().lower(), status
        self.invalidateFilter()

    def filterAcceptsRow(self, row: int, parent) -> bool:  # noqa: N802 - Qt override
        run = self.sourceModel().runs[row]
        if self.status and run.get("status") != self.status:
            return False
        fields = (run.get("name"), run["id"], run.get("model"), run.get("method"))
        return not self.search or any(self.search in (f or "").lower() for f in fields)


STATUS_TEXTS = {"completed": QT_TRANSLATE_NOOP("runs_table", "completed"),
                "running": QT_TRANSLATE_NOOP("runs_table", "running"),
                "pending": QT_TRANSLATE_NOOP("runs_table", "pending"),
                "cancelled": QT_TRANSLATE_NOOP("runs_table", "cancelled"),
                "failed": QT_TRANSLATE_NOOP("runs_table", "failed"),
                "rejected": QT_TRANSLATE_NOOP("runs_table", "rejected")}


def status_text(status: str) -> str:
    """A run status in words, in the window's language."""
    return QCoreApplication.translate("runs_table", STATUS_TEXTS[status]) if status in STATUS_TEXTS else status


def status_combo() -> QComboBox:
    """'All statuses' and each run status, the status as item data ('' for all): feeds RunsFilter.set_filter."""
    combo = QComboBox()
    combo.addItem(QCoreApplication.translate("runs_table", "All statuses"), "")
    for status in STATUSES:
        words = status_text(status)
        combo.addItem(words[:1].upper() + words[1:], status)
    return combo


def runs_view(proxy: RunsFilter, selection: QAbstractItemView.SelectionMode) -> QTableView:
    """A table over the runs (newest first, click a header to sort) as both the Runs and Compare pages show it."""
    view = QTableView()
    view.setModel(proxy)
    view.setSortingEnabled(True)
    view.sortByColumn(1, Qt.SortOrder.DescendingOrder)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(selection)
    view.setAlternatingRowColors(True)
    view.verticalHeader().hide()
    view.setWordWrap(False)
    return view
