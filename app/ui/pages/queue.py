"""Queue: runs waiting their turn, trained one after another; a sweep builder fills it; finished runs are ranked.

The page runs `finetune-studio queue run` in a worker process (app/ui/worker.py: its `queue` phase events, "Training
NAME (i of n)", drive the progress bar) and re-reads the queue from the store whenever a run starts or the queue
ends. The runs' own events, which `queue run --events jsonl` relays, draw the current run's curves live, as on the
Train page. The window holds one training at a time: it tells the page what else trains (`set_blocked`) and hears
when the queue starts and ends (`running_changed`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.config import RunConfig
from app.core.errors import StudioError
from app.ui.i18n import core_text, event_text
from app.ui.icons import icon
from app.ui.steps.base import page_layout
from app.ui.tone import set_tone
from app.ui.widgets.plots import MetricsPlots
from app.ui.widgets.runs_table import status_text
from app.ui.worker import WorkerProcess

RANK_METRICS = ("eval_loss", "loss", "exact_match", "rougeL")
AXES = (("learning_rate", QT_TRANSLATE_NOOP("QueuePage", "Learning rates"), QT_TRANSLATE_NOOP("QueuePage", "e.g. 1e-4, 2e-4")),
        ("rank", QT_TRANSLATE_NOOP("QueuePage", "Ranks"), QT_TRANSLATE_NOOP("QueuePage", "e.g. 8, 16")),
        ("epochs", QT_TRANSLATE_NOOP("QueuePage", "Epochs"), QT_TRANSLATE_NOOP("QueuePage", "e.g. 1, 2")),
        ("method", QT_TRANSLATE_NOOP("QueuePage", "Methods"), QT_TRANSLATE_NOOP("QueuePage", "e.g. lora, dora")))


class QueuePage(QWidget):
    """`config_provider` gives the config the sweep starts from (the window's current one); `program` is the command
    prefix that runs the CLI (tests pass a fake one)."""

    queue_finished = Signal(int)  # exit code of `queue run`
    running_changed = Signal(bool)  # the queue began or stopped training
    current_changed = Signal(str)  # the queue began its next run: "Training NAME (i of n)"

    def __init__(self, config_provider: Callable[[], RunConfig], parent: QWidget | None = None,
                 program: list[str] | None = None):
        super().__init__(parent)
        self.config_provider = config_provider
        self.program = program or [sys.executable, "-m", "app"]
        layout = page_layout(self, self.tr("Queue"), self.tr("Runs wait here and train one after another. Build a "
                                                    "sweep from the current config (every combination of "
                                                    "the values you list), then rank the finished runs by "
                                                    "a metric."))
        form = QFormLayout()
        self.axes: dict[str, QLineEdit] = {}
        for name, label, placeholder in AXES:
            self.axes[name] = QLineEdit(placeholderText=self.tr(placeholder),
                                        toolTip=self.tr("Comma-separated values; empty: keep the current config's value"))
            form.addRow(self.tr(label), self.axes[name])
        layout.addLayout(form)
        adds = QHBoxLayout()
        self.add_sweep_button = QPushButton(icon("hyperparameters"), self.tr("Queue sweep"))
        self.add_sweep_button.clicked.connect(self.add_sweep)
        self.add_button = QPushButton(icon("file"), self.tr("Queue current config"))
        self.add_button.clicked.connect(self.add_current)
        self.message = QLabel(wordWrap=True)
        for widget in (self.add_sweep_button, self.add_button):
            adds.addWidget(widget)
        adds.addWidget(self.message, 1)
        layout.addLayout(adds)

        controls = QHBoxLayout()
        self.up_button = QPushButton(self.tr("↑ Earlier"))
        self.down_button = QPushButton(self.tr("↓ Later"))
        self.cancel_item_button = QPushButton(self.tr("Remove from queue"))
        self.up_button.clicked.connect(lambda: self._move(-1))
        self.down_button.clicked.connect(lambda: self._move(+1))
        self.cancel_item_button.clicked.connect(self._cancel_item)
        self.rank_by = QComboBox(toolTip=self.tr("Losses rank lowest first; evaluation metrics highest "
                                                 "first"))
        self.rank_by.addItems(RANK_METRICS)
        self.rank_by.currentIndexChanged.connect(self.refresh)
        for widget in (self.up_button, self.down_button, self.cancel_item_button):
            controls.addWidget(widget)
        controls.addStretch(1)
        controls.addWidget(QLabel(self.tr("Rank by")))
        controls.addWidget(self.rank_by)
        layout.addLayout(controls)

        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels([self.tr("Item"), self.tr("Run"), self.tr("Status"), self.tr("Rank"), self.tr("Metric")])
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        live = QWidget()
        live_layout = QVBoxLayout(live)
        live_layout.setContentsMargins(0, 0, 0, 0)
        self.live_label = QLabel(self.tr("The current run's curves appear here while the queue trains."))
        self.live_label.setObjectName("detail")
        self.plots = MetricsPlots()
        self.plots.setMinimumHeight(220)  # readable axes; a small window scrolls the page instead (page_frame.py)
        self.live_label.setWordWrap(True)
        live_layout.addWidget(self.live_label)
        live_layout.addWidget(self.plots, 1)
        split = QSplitter(Qt.Orientation.Horizontal)  # side by side, the curves get the page's height
        split.addWidget(self.table)
        split.addWidget(live)
        split.setSizes([400, 400])
        layout.addWidget(split, 1)

        run_row = QHBoxLayout()
        self.run_button = QPushButton(icon("start"), self.tr("Run queue"))
        self.run_button.clicked.connect(self.run_queue)
        self.stop_button = QPushButton(icon("stop"), self.tr("Stop"), enabled=False,
                                       toolTip=self.tr("Stop the run in progress (it keeps a checkpoint) "
                                                       "and the queue"))
        self.stop_button.clicked.connect(self.stop)
        self.progress = QProgressBar(textVisible=True, visible=False)
        self.progress.setMaximumWidth(220)
        self.status = QLabel(wordWrap=True)
        for widget in (self.run_button, self.stop_button, self.progress):
            run_row.addWidget(widget)
        run_row.addWidget(self.status, 1)
        layout.insertLayout(layout.indexOf(split), run_row)  # above the list and the curves: always in view

        self.process = WorkerProcess(self)
        self.process.phase_changed.connect(self._phase)
        self.process.run_started.connect(self._run_started)
        self.process.progress_changed.connect(self._progress)
        self.process.metrics_received.connect(self.plots.add_events)
        self.process.run_finished.connect(self._ended)
        self.ids: list[int] = []
        self._blocked = ""
        self._current = ""  # "Training NAME (i of n)": the run in progress
        self._run_id = ""

    # ---- filling the queue ----
    def _store(self):
        from app.core.store import Store

        return Store()

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        set_tone(self.message, "error" if error else "")

    def add_current(self) -> None:
        from app.core.runs import queue

        queue.add(self._store(), self.config_provider())
        self._say(self.tr("Queued the current config."))
        self.refresh()

    def add_sweep(self) -> None:
        from app.core.runs.sweep import parse_axis, queue_sweep

        try:
            axes = {name: parse_axis(name, edit.text()) for name, edit in self.axes.items()}
            if not any(axes.values()):
                raise StudioError(self.tr("The sweep has no values."),
                                  self.tr("List values in at least one row, e.g. 1e-4, 2e-4."))
            sweep, ids = queue_sweep(self._store(), self.config_provider(), axes)
        except StudioError as exc:
            self._say(f"{core_text(exc.message)} {core_text(exc.hint)}", error=True)
            return
        self._say(self.tr("Queued {n} runs ({sweep}).").format(n=len(ids), sweep=sweep))
        self.refresh()

    # ---- reordering ----
    def selected_item(self) -> int | None:
        row = self.table.currentRow()
        return self.ids[row] if 0 <= row < len(self.ids) else None

    def _move(self, delta: int) -> None:
        from app.core.runs import queue

        item = self.selected_item()
        if item is None:
            return
        try:
            queue.move(self._store(), item, delta)
        except StudioError as exc:
            self._say(core_text(exc.message), error=True)
            return
        self.refresh()
        self.table.selectRow(self.ids.index(item))

    def _cancel_item(self) -> None:
        from app.core.runs import queue

        item = self.selected_item()
        if item is None:
            return
        try:
            queue.cancel(self._store(), item)
        except StudioError as exc:
            self._say(f"{core_text(exc.message)} {core_text(exc.hint)}", error=True)
            return
        self.refresh()

    # ---- running ----
    def is_running(self) -> bool:
        return self.process.is_running()

    def current(self) -> str:
        """What the queue trains now, e.g. "Training base lr=0.0001 (1 of 2)" ('' before its first run)."""
        return self._current

    def set_blocked(self, reason: str) -> None:
        """What else is training ('' when nothing): Run queue is off and says why until it ends."""
        self._blocked = reason
        self.run_button.setEnabled(not reason and not self.is_running())
        self.run_button.setToolTip(self.tr("Run queue is off: {reason}").format(reason=reason) if reason else self.tr("Train the queued runs one after "
                                                                                        "another"))
        if reason and not self.is_running():
            self.status.setText(self.tr("Busy — {reason}").format(reason=reason))
        elif not reason and self.status.text().startswith(self.tr("Busy — {reason}").split("{")[0]):
            self.status.setText("")

    def run_queue(self) -> None:
        if self.process.is_running() or self._blocked:
            return
        self.run_button.setEnabled(False)
        self.stop_button.setEnabled(True)
        self.progress.setVisible(True)
        self.progress.setRange(0, 0)
        self.status.setText(self.tr("Starting the queue…"))
        self._current = ""
        self.process.start([*self.program, "queue", "run"])
        self.running_changed.emit(True)

    def stop(self) -> None:
        self.process.cancel()
        self.status.setText(self.tr("Stopping the run in progress…"))

    def _phase(self, event: dict) -> None:
        if event.get("name") == "queue":
            self.progress.setRange(0, max(int(event.get("total") or 0), 1))
            self.progress.setValue(int(event.get("current") or 0))
            self._current = event_text(event, "message")
            self.status.setText(self._current)
            self.refresh()
            self.current_changed.emit(self._current)

    def _run_started(self, event: dict) -> None:
        self.plots.clear()
        self._run_id = event.get("run_id") or ""
        self._show_live(int(event.get("start_step") or 0), int(event.get("total_steps") or 0))

    def _progress(self, event: dict) -> None:
        self._show_live(int(event.get("step") or 0), int(event.get("total_steps") or 0))

    def _show_live(self, step: int, total: int) -> None:
        where = self.tr("step {step} / {total}").format(step=step, total=total) if total else self.tr("step {step}").format(step=step)
        run = self.tr("run {run_id}").format(run_id=self._run_id) if self._run_id else ""
        self.live_label.setText(" · ".join(part for part in (self._current, run, where) if part))

    def _ended(self, event: dict) -> None:
        code = event["exit_code"]
        self.run_button.setEnabled(not self._blocked)
        self.stop_button.setEnabled(False)
        self.progress.setVisible(False)
        self.status.setText({0: self.tr("The queue is done."), 130: self.tr("Stopped.")}.get(
            code, self.tr("Done; some runs failed.")))
        self.live_label.setText(self.tr("The last run's curves "
                                        "({removeprefix}).").format(removeprefix=self._current.removeprefix('Training '))
                                if self._current else self.tr("The queue trained nothing."))
        self.refresh()
        self.running_changed.emit(False)
        self.queue_finished.emit(code)

    # ---- showing ----
    def refresh(self, *_args) -> None:
        from app.core.runs import queue
        from app.core.runs.sweep import rank

        store = self._store()
        if not self.process.is_running():
            queue.settle(store)
        rows = queue.items(store)
        metric = self.rank_by.currentText()
        ranked = rank(store, [r["run_id"] for r in rows if r["run_id"] and r["status"] == "completed"], metric)
        places = {r["run_id"]: (i, r[metric]) for i, r in enumerate(ranked, 1) if r[metric] is not None}
        self.ids = [r["id"] for r in rows]
        self.table.setRowCount(len(rows))
        for i, row in enumerate(rows):
            place, value = places.get(row["run_id"], (None, None))
            status = self.tr("queued") if row["status"] == "queued" else status_text(row["status"])
            cells = (str(row["id"]), row["name"], status, str(place) if place else "",
                     "" if value is None else f"{value:.4f}")
            for c, text in enumerate(cells):
                self.table.setItem(i, c, QTableWidgetItem(text))

    def shutdown(self) -> None:
        self.process.shutdown()


if __name__ == "__main__":
    from app.ui.preview import preview

    raise SystemExit(preview(lambda state: QueuePage(lambda: state.config)))
