"""Evaluate: score a run on held-out data beside a baseline (its base model zero-shot and few-shot; for a classifier
the majority class, for a reward model chance), and read the best and worst examples (and a classifier's confusion
matrix).

The page writes an eval request (app/core/requests.py) and runs `finetune-studio eval --request FILE` in a worker
process (app/ui/worker.py: its `phase` events drive the progress bar) and then reads the stored evaluations, so
earlier results show as soon as a run is picked.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QSettings, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import ConfigError
from app.core.paths import data_home
from app.core.requests import EvalRequest, parse_request, save_request
from app.ui.i18n import core_text, event_text, event_texts, schema_text
from app.ui.icons import icon
from app.ui.settings import open_settings
from app.ui.steps.base import page_layout
from app.ui.tone import set_tone
from app.ui.widgets.confusion import ConfusionMatrix
from app.ui.widgets.request_form import RequestForm
from app.ui.widgets.run_picker import RunPicker
from app.ui.worker import WorkerProcess

METRICS = (("exact_match", QT_TRANSLATE_NOOP("EvaluatePage", "Exact match")), ("rouge1", QT_TRANSLATE_NOOP("EvaluatePage", "ROUGE-1")), ("rouge2", QT_TRANSLATE_NOOP("EvaluatePage", "ROUGE-2")), ("rougeL", QT_TRANSLATE_NOOP("EvaluatePage", "ROUGE-L")),
           ("bleu", QT_TRANSLATE_NOOP("EvaluatePage", "BLEU")), ("accuracy", QT_TRANSLATE_NOOP("EvaluatePage", "Accuracy")), ("precision", QT_TRANSLATE_NOOP("EvaluatePage", "Precision (macro)")),
           ("recall", QT_TRANSLATE_NOOP("EvaluatePage", "Recall (macro)")), ("f1", QT_TRANSLATE_NOOP("EvaluatePage", "F1 (macro)")), ("pairwise_accuracy", QT_TRANSLATE_NOOP("EvaluatePage", "Pairwise accuracy")),
           ("margin", QT_TRANSLATE_NOOP("EvaluatePage", "Log-prob margin (chosen − rejected)")), ("reward_margin", QT_TRANSLATE_NOOP("EvaluatePage", "Reward margin (chosen − rejected)")),
           ("reward", QT_TRANSLATE_NOOP("EvaluatePage", "Mean reward")), ("loss", QT_TRANSLATE_NOOP("EvaluatePage", "Loss per token")), ("perplexity", QT_TRANSLATE_NOOP("EvaluatePage", "Perplexity")))
EXAMPLES = 5  # best and worst shown
BETTER = QColor("#2e9d5b")
BASELINES = {"base": (QT_TRANSLATE_NOOP("EvaluatePage", "base"), QT_TRANSLATE_NOOP("EvaluatePage", "Base zero-shot")), "majority": (QT_TRANSLATE_NOOP("EvaluatePage", "the majority class"), QT_TRANSLATE_NOOP("EvaluatePage", "Majority class")),
             "chance": (QT_TRANSLATE_NOOP("EvaluatePage", "chance"), QT_TRANSLATE_NOOP("EvaluatePage", "Chance"))}  # stored model name -> (in a sentence, column title)
EXAMPLE_HEADERS = {  # the best/worst tables' columns for runs whose examples are not prompt and answer
    "cls": [QT_TRANSLATE_NOOP("EvaluatePage", "Text"), QT_TRANSLATE_NOOP("EvaluatePage", "Label"), QT_TRANSLATE_NOOP("EvaluatePage", "Tuned prediction (probability)"), QT_TRANSLATE_NOOP("EvaluatePage", "Majority class")],
    "rm": [QT_TRANSLATE_NOOP("EvaluatePage", "Prompt"), QT_TRANSLATE_NOOP("EvaluatePage", "Chosen answer"), QT_TRANSLATE_NOOP("EvaluatePage", "Tuned reward head"), QT_TRANSLATE_NOOP("EvaluatePage", "Chance")],
    "pt": [QT_TRANSLATE_NOOP("EvaluatePage", "Held-out text"), "", QT_TRANSLATE_NOOP("EvaluatePage", "Tuned model"), QT_TRANSLATE_NOOP("EvaluatePage", "Base model")],
}
ANSWER_HEADERS = [QT_TRANSLATE_NOOP("EvaluatePage", "Prompt"), QT_TRANSLATE_NOOP("EvaluatePage", "Reference"), QT_TRANSLATE_NOOP("EvaluatePage", "Tuned answer"), QT_TRANSLATE_NOOP("EvaluatePage", "Base answer")]


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels([QCoreApplication.translate("EvaluatePage", h) for h in headers])
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.setWordWrap(True)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    return table


class EvaluatePage(QWidget):
    """`program` is the command prefix that runs the CLI (tests pass a fake one)."""

    evaluation_finished = Signal(dict)  # the evaluation's result; {} when it failed or was cancelled

    def __init__(self, settings: QSettings | None = None, parent: QWidget | None = None,
                 program: list[str] | None = None):
        super().__init__(parent)
        self.settings = settings or open_settings()
        self.program = program or [sys.executable, "-m", "app"]
        layout = page_layout(self, self.tr("Evaluate"), self.tr("Score a run on held-out examples it never trained "
                                                       "on, beside its base model answering zero-shot and "
                                                       "with a few training examples in the prompt: is "
                                                       "fine-tuning better than in-context learning, and "
                                                       "by how much? (A classifier is compared with the "
                                                       "majority class, a reward model with chance.)"))
        form = QFormLayout()
        self.runs = RunPicker(self.settings, statuses=("completed", "cancelled"))
        self.runs.currentIndexChanged.connect(self.show_stored)
        self.runs.refreshed.connect(self.show_stored)
        form.addRow(self.tr("Run"), self.runs)
        self.options = RequestForm(EvalRequest, ["split", "limit", "few_shot"], {"limit": 50, "few_shot": 2},
                                   inline=True, advanced=["base", "batch_size", "max_new_tokens"])
        self.options.changed.connect(self._options_changed)
        form.addRow(self.tr("Options"), self.options)
        layout.addLayout(form)

        buttons = QHBoxLayout()
        self.eval_button = QPushButton(icon("start"), self.tr("Evaluate"))
        self.eval_button.clicked.connect(self.evaluate)
        self.cancel_button = QPushButton(icon("stop"), self.tr("Cancel"), enabled=False)
        self.cancel_button.clicked.connect(self.cancel)
        self.progress = QProgressBar(textVisible=True, visible=False)
        self.progress.setMaximumWidth(220)
        self.status = QLabel(wordWrap=True)
        for widget in (self.eval_button, self.cancel_button, self.progress):
            buttons.addWidget(widget)
        buttons.addWidget(self.status, 1)
        layout.addLayout(buttons)

        self.splitter = splitter = QSplitter(Qt.Orientation.Vertical)
        self.metrics = _table([QT_TRANSLATE_NOOP("EvaluatePage", "Metric"), QT_TRANSLATE_NOOP("EvaluatePage", "Tuned"),
                               QT_TRANSLATE_NOOP("EvaluatePage", "Base zero-shot"),
                               QT_TRANSLATE_NOOP("EvaluatePage", "Base few-shot")])
        self.best = _table(ANSWER_HEADERS)
        self.worst = _table(ANSWER_HEADERS)
        self.metrics.verticalHeader().setDefaultSectionSize(24)
        self.confusion = ConfusionMatrix()
        # what a baseline that is not the base model is: the evaluation worker's note, stored (in English) with it
        self.about = QLabel(wordWrap=True, visible=False, objectName="workerNote")
        self.headings = []
        for title, table in ((self.tr("Tuned vs base on the same examples"), self.metrics),
                             (self.tr("Best {n} examples: the tuned model's best, where the base did worst")
                              .format(n=EXAMPLES), self.best),
                             (self.tr("Worst {n} examples: the tuned model's worst").format(n=EXAMPLES), self.worst)):
            box = QWidget()
            box_layout = QVBoxLayout(box)
            box_layout.setContentsMargins(0, 0, 0, 0)
            heading = QLabel(title)
            heading.setObjectName("sectionTitle")
            self.headings.append(heading)
            box_layout.addWidget(heading)
            if table is self.metrics:
                box_layout.addWidget(self.about)
                box_layout.addLayout(self._metrics_row())
            else:
                box_layout.addWidget(table)
            splitter.addWidget(box)
        splitter.setSizes([270, 220, 220])
        layout.addWidget(splitter, 1)

        self.process = WorkerProcess(self)
        self.process.phase_changed.connect(self._phase)
        self.process.result_received.connect(self._result)
        self.process.run_finished.connect(self._ended)
        self._answer: dict | None = None

    def _metrics_row(self) -> QHBoxLayout:
        """The metrics table, and beside it a classifier's confusion matrix (hidden for other runs)."""
        row = QHBoxLayout()
        row.addWidget(self.metrics, 3)
        self.confusion_box = QWidget(visible=False)
        box = QVBoxLayout(self.confusion_box)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(QLabel(self.tr("Confusion matrix of the tuned model (rows: true class)")))
        box.addWidget(self.confusion)
        row.addWidget(self.confusion_box, 2)
        return row

    # ---- running ----
    def request(self) -> EvalRequest:
        """The request of the page's choices (ConfigError when an option is refused: its form shows why)."""
        values = self.options.values()
        if not self.options.editor("few_shot").isEnabled():
            values["few_shot"] = 0
        return parse_request(EvalRequest, {**values, "run": self.runs.value() or ""})

    def _options_changed(self) -> None:
        invalid = self.options.problems()
        self.eval_button.setEnabled(not invalid and not self.process.is_running())

    def command(self, request_file: Path) -> list[str]:
        return [*self.program, "eval", "--request", str(request_file)]

    def evaluate(self) -> None:
        if not self.runs.value() or self.process.is_running():
            return
        try:
            request = self.request()
        except ConfigError as exc:
            self.status.setText(core_text(exc.message))
            return
        self._set_running(True)
        self.status.setText(self.tr("Starting…"))
        set_tone(self.status)
        self._answer = None
        self.process.start(self.command(save_request(request, data_home() / "requests")))

    def cancel(self) -> None:
        self.process.cancel()
        self.status.setText(self.tr("Cancelling…"))

    def _set_running(self, running: bool) -> None:
        self.eval_button.setEnabled(not running and not self.options.problems())
        self.cancel_button.setEnabled(running)
        for widget in (self.runs, self.options):
            widget.setEnabled(not running)
        self.progress.setVisible(running)
        self.progress.setRange(0, 0)

    def _phase(self, event: dict) -> None:
        """A stage with a count fills the bar; one without (loading the models) keeps it busy, not at 0 %."""
        total = int(event.get("total") or 0)
        self.progress.setRange(0, total)
        self.progress.setValue(int(event.get("current") or 0) if total else 0)
        self.status.setText(event_text(event, "message"))

    def _result(self, event: dict) -> None:
        self._answer = event["data"]

    def _ended(self, event: dict) -> None:
        self._set_running(False)
        result = self._answer if event["status"] == "completed" else None
        if result is None:
            cancelled = self.process.cancelled or event["status"] == "cancelled"
            error, hint = event_texts(event)
            self.status.setText(self.tr("Cancelled.") if cancelled else self.tr("The evaluation failed: {error}{hint}")
                                .format(error=error, hint=f" {hint}" if hint else ""))
            set_tone(self.status, "" if cancelled else "error")
            self.evaluation_finished.emit({})
            return
        self.show_stored()
        self.status.setText(self.tr("Scored {v0} {v1} examples.").format(v0=result['examples'], v1=result['split']))
        self.evaluation_finished.emit(result)

    # ---- showing ----
    def show_stored(self, *_args) -> None:
        """The run's newest evaluation (tuned and base) from the store."""
        from app.core.errors import RunNotFound
        from app.core.evaluation.run import FEW_SHOT_STAGES, latest_batch
        from app.core.store import Store

        run_id = self.runs.value()
        store = Store()
        try:
            stage = store.get_run(run_id)["stage"] if run_id else None
        except RunNotFound:  # a model folder picked with "Choose folder…"
            stage = None
        shots = self.options.editor("few_shot")
        shots.setEnabled(stage in FEW_SHOT_STAGES)
        shots.setToolTip(schema_text(EvalRequest.model_fields["few_shot"].description) + (
            "" if shots.isEnabled() else self.tr(" (generating runs only: {join})").format(join=', '.join(FEW_SHOT_STAGES))))
        headers = EXAMPLE_HEADERS.get(stage, ANSWER_HEADERS)
        for table in (self.best, self.worst):
            table.setHorizontalHeaderLabels([self.tr(h) if h else "" for h in headers])
            table.setColumnHidden(1, not headers[1])
            for column in (1, 2, 3):  # a classifier's labels are short: its texts get the width
                table.horizontalHeader().setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents
                                                              if stage == "cls" else QHeaderView.ResizeMode.Stretch)
        batch = latest_batch(store.evaluations(run_id)) if run_id else {}
        self._fill_metrics(batch)
        if not batch:
            self.best.setRowCount(0)
            self.worst.setRowCount(0)
            if not self.process.is_running():
                self.status.setText(self.tr("Not evaluated yet.") if run_id else "")
            return
        tuned = batch["tuned"]
        if not self.process.is_running():
            self.status.setText(self.tr("Evaluated {when}.").format(
                when=time.strftime("%Y-%m-%d %H:%M", time.localtime(tuned["created"]))))
        base = batch.get("base_zero_shot")
        versus = self.tr(BASELINES.get(base["model"], BASELINES["base"])[0] if base else BASELINES["base"][0])
        skipped = tuned["metrics"].get("undesirable_skipped")
        self.headings[0].setText(self.tr("Tuned vs {versus} on the same {examples} {split} examples").format(
                                     versus=versus, examples=tuned['examples'], split=schema_text(tuned['split']))
                                 + (self.tr(" ({skipped} rows labelled undesirable "
                                            "skipped)").format(skipped=skipped) if skipped else ""))
        base_rows = {p["idx"]: p for p in store.eval_predictions(base["id"])} if base else {}
        predictions = store.eval_predictions(tuned["id"])

        def base_score(row: dict) -> float:
            return base_rows[row["idx"]]["score"] if row["idx"] in base_rows else 0.0

        # ties (often: every answer right) are broken by how the base did, and the worst list never repeats the best
        best = sorted(predictions, key=lambda r: (-r["score"], base_score(r), r["idx"]))[:EXAMPLES]
        shown = {r["idx"] for r in best}
        worst = [r for r in sorted(predictions, key=lambda r: (r["score"], -base_score(r), r["idx"]))
                 if r["idx"] not in shown][:EXAMPLES]
        for table, rows in ((self.best, best), (self.worst, worst)):
            table.setRowCount(len(rows))
            for r, row in enumerate(rows):
                for c, text in enumerate((row["prompt"], row["reference"], row["prediction"],
                                          base_rows.get(row["idx"], {}).get("prediction", ""))):
                    item = QTableWidgetItem(text)
                    item.setToolTip(text)
                    table.setItem(r, c, item)
            table.resizeRowsToContents()

    def _fill_metrics(self, batch: dict) -> None:
        from app.core.runs.sweep import lower_is_better

        columns = [batch.get(k) for k in ("tuned", "base_zero_shot", "base_few_shot")]
        zero, few = columns[1:]
        self.metrics.setHorizontalHeaderItem(2, QTableWidgetItem(
            self.tr(BASELINES.get(zero["model"], BASELINES["base"])[1]) if zero else self.tr("Base zero-shot")))
        self.metrics.setHorizontalHeaderItem(3, QTableWidgetItem(
            self.tr("Base {shots}-shot").format(shots=few['shots']) if few else self.tr("Base few-shot")))
        self.metrics.setColumnHidden(3, bool(zero) and zero["model"] != "base")
        about = zero["metrics"].get("about", "") if zero else ""
        self.about.setText(about)
        self.about.setVisible(bool(about))
        confusion = columns[0]["metrics"].get("confusion") if columns[0] else None
        if confusion:
            self.confusion.load(confusion)
        self.confusion_box.setVisible(bool(confusion))
        found = columns[0]["metrics"] if columns[0] else {}
        names = [(key, self.tr(title)) for key, title in METRICS if key in found] + [
            (key, self.tr("Reward: {name}").format(name=key.split('/', 1)[1])) for key in sorted(found)
            if key.startswith("rewards/")]
        self.metrics.setRowCount(len(names))
        for r, (key, title) in enumerate(names):
            self.metrics.setItem(r, 0, QTableWidgetItem(title))
            values = [col["metrics"].get(key) if col else None for col in columns]
            pick = min if lower_is_better(key) else max
            present = [v for v in values if v is not None]
            top = pick(present, default=None)
            for c, value in enumerate(values, start=1):
                item = QTableWidgetItem("–" if value is None else f"{value:.3f}")
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if value is not None and value == top and present.count(top) < len(present):
                    item.setForeground(BETTER)
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.metrics.setItem(r, c, item)
        if columns[0]:
            self.metrics.setToolTip(self.tr("{v0} {v1} examples").format(v0=columns[0]['examples'], v1=columns[0]['split']))
        self._fit_metrics()

    def _fit_metrics(self) -> None:
        """The metrics pane no taller than its rows need, so the best and worst examples get the rest."""
        shown = self.confusion_box.isVisibleTo(self)
        rows = max(self.metrics.rowCount(), self.confusion.rowCount() if shown else 0, 3)
        height = (self.headings[0].sizeHint().height() + self.metrics.horizontalHeader().sizeHint().height()
                  + 24 * rows + 16)
        if shown:
            height += self.confusion_box.layout().itemAt(0).widget().sizeHint().height()
        if self.about.isVisibleTo(self):
            height += self.about.heightForWidth(max(self.width() - 60, 200))
        self.splitter.widget(0).setMaximumHeight(height)

    def refresh(self) -> None:
        self.runs.refresh()

    def shutdown(self) -> None:
        self.process.shutdown()


def main(argv: list[str] | None = None) -> int:
    """`python -m app.ui.pages.evaluate [--screenshot PNG]`: the page over sample runs, showing a classifier's
    evaluation."""
    from app.core.store import Store
    from app.ui.pages.samples import add_sample_classifier, open_alone

    def show_classifier(page: EvaluatePage, _live: str) -> None:
        run_id = add_sample_classifier(Store(reap=False))
        page.runs.refresh()
        page.runs.setCurrentIndex(page.runs.findData(run_id))

    return open_alone(EvaluatePage, show_classifier, description=__doc__, argv=argv)


if __name__ == "__main__":
    raise SystemExit(main())
