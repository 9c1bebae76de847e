"""Find good settings: the window's face of `finetune-studio tune` (app/core/runs/tune.py). The setup is written as a
run config, the search runs as a worker process (`tune --request FILE --events jsonl`), each trial is a row as it
ends, and the best trial's settings can be taken into the setup."""

from __future__ import annotations

import sys

from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.ui.i18n import core_text, count
from app.ui.state import StudioState
from app.ui.worker import WorkerProcess

COLUMNS = ("#", QT_TRANSLATE_NOOP("TuneDialog", "result"), QT_TRANSLATE_NOOP("TuneDialog", "score"),
           QT_TRANSLATE_NOOP("TuneDialog", "learning rate"), QT_TRANSLATE_NOOP("TuneDialog", "epochs"),
           QT_TRANSLATE_NOOP("TuneDialog", "rank"), QT_TRANSLATE_NOOP("TuneDialog", "dropout"),
           QT_TRANSLATE_NOOP("TuneDialog", "minutes"))


class TuneDialog(QDialog):
    def __init__(self, state: StudioState, program: list[str] | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Find good settings"))
        self.resize(760, 480)
        self.state = state
        self.program = program or [sys.executable, "-m", "app"]
        self.best: dict | None = None
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr("Trains a few runs with other learning rates, epochs, ranks and dropouts, and scores "
                               "each on the validation rows (accuracy for labels, exact match for JSON answers, else "
                               "ROUGE-L of the answers). "
                               "The first run keeps the settings chosen from the data, so the best is never worse "
                               "than them on those rows."))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        from app.core.runs.tune import MARGIN_ROWS

        margin = QLabel(count(int(MARGIN_ROWS),
                              self.tr("Another trial replaces those settings only when it leads them by more than "
                                      "{n} validation row: on a few dozen rows a smaller lead is often chance."),
                              self.tr("Another trial replaces those settings only when it leads them by more than "
                                      "{n} validation rows: on a few dozen rows a smaller lead is often chance.")))
        margin.setWordWrap(True)
        layout.addWidget(margin)
        form = QFormLayout()
        self.budget = QSpinBox(minimum=1, maximum=24 * 60, value=20, suffix=self.tr(" min"))
        self.trials = QSpinBox(minimum=1, maximum=100, value=8)
        self.refit = QCheckBox(self.tr("Then train the best settings on every row (the validation rows too)"))
        self.refit.setChecked(True)
        self.refit.setToolTip(self.tr("The run to use: rows held out for judging teach the model too once the "
                                      "settings are chosen"))
        form.addRow(self.tr("Time budget"), self.budget)
        form.addRow(self.tr("Most trials"), self.trials)
        form.addRow("", self.refit)
        layout.addLayout(form)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in COLUMNS])
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        self.status = QLabel()
        self.status.setObjectName("detail")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        buttons = QHBoxLayout()
        self.start_button = QPushButton(self.tr("Start"))
        self.stop_button = QPushButton(self.tr("Stop"))
        self.use_button = QPushButton(self.tr("Use the best settings"))
        self.use_button.setToolTip(self.tr("Set the best trial's learning rate, epochs, rank and dropout as yours"))
        close = QPushButton(self.tr("Close"))
        for button in (self.start_button, self.stop_button, self.use_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.start_button.clicked.connect(self.start)
        self.stop_button.clicked.connect(self.stop)
        self.use_button.clicked.connect(self.use_best)
        close.clicked.connect(self.close)
        self.process = WorkerProcess(self)
        self.process.trial_finished.connect(self.add_trial)
        self.process.phase_changed.connect(lambda e: self.status.setText(core_text(e.get("message", ""))))
        self.process.progress_changed.connect(self._progress)
        self.process.result_received.connect(self._result)
        self.process.run_finished.connect(self._finished)
        self.result: dict | None = None
        self._set_running(False)

    def command(self, request_file) -> list[str]:
        return [*self.program, "tune", "--request", str(request_file)]

    def start(self) -> None:
        from app.core.paths import data_home
        from app.core.requests import save_request
        from app.core.runs.tune import TuneRequest

        folder = data_home() / "requests"
        folder.mkdir(parents=True, exist_ok=True)
        config_path = folder / "tune-config.yaml"
        self.state.config.save(config_path)
        request = TuneRequest(config=config_path, budget_minutes=self.budget.value(), trials=self.trials.value(),
                              refit=self.refit.isChecked())
        self.table.setRowCount(0)
        self.best = self.result = None
        self.status.setText(self.tr("Starting…"))
        self._set_running(True)
        self.process.start(self.command(save_request(request, folder)))

    def stop(self) -> None:
        self.process.cancel()

    def add_trial(self, event: dict) -> None:
        """One row a trial; the best so far in bold."""
        row = self.table.rowCount()
        self.table.insertRow(row)
        params = event.get("params") or {}
        value = event.get("value")
        cells = [str(event["number"]), self._state_text(event), "—" if value is None else f"{value:.3f}",
                 *(("—" if params.get(k) is None else f"{params[k]:g}") for k in ("learning_rate", "epochs", "rank",
                                                                                  "dropout")),
                 f"{event.get('minutes', 0):.1f}"]
        for column, text in enumerate(cells):
            item = QTableWidgetItem(text)
            if column == 1 and event.get("error"):
                item.setToolTip(core_text(event["error"]))
            self.table.setItem(row, column, item)
        if event.get("best") is not None:
            for r in range(self.table.rowCount()):
                best = self.table.item(r, 0).text() == str(event["best"])
                for column in range(len(COLUMNS)):
                    font = QFont(self.table.item(r, column).font())
                    font.setBold(best)
                    self.table.item(r, column).setFont(font)
            if event["best"] == event["number"]:
                self.best = event
        self.table.resizeColumnsToContents()
        self.use_button.setEnabled(self.best is not None)

    def _state_text(self, event: dict) -> str:
        texts = {"completed": self.tr("scored"), "pruned": self.tr("pruned early"),
                 "out_of_time": self.tr("out of time"), "failed": self.tr("failed"), "stopped": self.tr("stopped")}
        text = texts.get(event["state"], event["state"])
        return self.tr("{state} (defaults)").format(state=text) if event["number"] == 0 else text

    def _progress(self, event: dict) -> None:
        self.status.setText(self.tr("Trial {n}: step {step} of {total}").format(
            n=self.table.rowCount(), step=event.get("step"), total=event.get("total_steps")))

    def _result(self, event: dict) -> None:
        self.result = event.get("data")

    def _finished(self, event: dict) -> None:
        self._set_running(False)
        if event.get("status") == "completed":
            done = count(self.table.rowCount(), self.tr("Done: {n} trial."), self.tr("Done: {n} trials."))
            refit = (self.result or {}).get("refit_run_name")
            if refit:
                done += " " + self.tr("The best settings trained on every row: run “{name}” in Runs, the one to "
                                      "export or chat with.").format(name=refit)
            self.status.setText(done)
        else:
            self.status.setText(core_text(event.get("error") or event.get("status", "")))

    def _set_running(self, running: bool) -> None:
        self.start_button.setEnabled(not running)
        self.stop_button.setEnabled(running)
        self.use_button.setEnabled(not running and self.best is not None)

    def use_best(self) -> None:
        if self.best is None:
            return
        p = self.best["params"]
        self.state.update("training", learning_rate=p["learning_rate"], epochs=p["epochs"])
        self.state.update("method", rank=p["rank"], alpha=float(2 * p["rank"]), dropout=p["dropout"])
        self.status.setText(self.tr("The best trial's settings are now yours (trial {n}).").format(n=self.best["number"]))

    def done(self, result: int) -> None:
        self.process.shutdown()
        super().done(result)
