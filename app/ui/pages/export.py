"""Export: save a run (or one of its checkpoints) as a merged model, an adapter, a GGUF and/or an Ollama folder.

The page writes an export request (app/core/requests.py) and runs `finetune-studio export --request FILE` in a worker
process (app/ui/worker.py): its `phase` events drive the progress bar and the log, its `result` event's artifacts
fill the parity report, its `finished` event says how it ended.
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path
from typing import get_args

from PySide6.QtCore import QSettings, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.core.config import ExportConfig, ExportDtype
from app.core.errors import ExportError
from app.core.export.space import free_disk, human_size
from app.core.export.staging import check_target, target_state
from app.core.paths import data_home
from app.core.requests import ExportRequest, save_request
from app.ui.i18n import error_texts, event_text, event_texts
from app.ui.icons import icon
from app.ui.settings import last_dir, open_settings, remember_folder
from app.ui.steps.base import page_layout
from app.ui.tone import set_tone
from app.ui.widgets.export_plan import (
    TARGET_KINDS,
    ExportPlan,
    checkpoints,
    estimate,
    ollama_command,
    ollama_name,
)
from app.ui.widgets.export_push import ExportPush
from app.ui.widgets.export_report import ParityReport
from app.ui.widgets.export_targets import ExportTargets
from app.ui.widgets.run_picker import RunPicker
from app.ui.worker import WorkerProcess

log = logging.getLogger(__name__)


def run_export_dtype(run: dict) -> str:
    """A stored run's own export.dtype (read once per chosen run, not on every estimate)."""
    from app.core.runs.compare import run_config

    chosen = (run_config(run).get("export") or {}).get("dtype")
    return chosen if chosen in get_args(ExportDtype) else ExportConfig.model_fields["dtype"].default


class ExportPage(QWidget):
    """`program` is the command prefix that runs the CLI (tests pass a fake one)."""

    export_finished = Signal(dict)  # the export's result; {} when it failed or was cancelled

    def __init__(self, settings: QSettings | None = None, parent: QWidget | None = None,
                 program: list[str] | None = None):
        super().__init__(parent)
        self.settings = settings or open_settings()
        self.program = program or [sys.executable, "-m", "app"]
        self.run_info: dict = {}
        self.run_export_dtype = ExportConfig.model_fields["dtype"].default  # what "the run's" merged dtype means
        self.result: dict = {}
        self._started_at = 0.0
        layout = page_layout(self, self.tr("Export"), self.tr("Save a trained run as a model you can use elsewhere; "
                                                     "every export is reloaded and compared with the "
                                                     "trained model."))

        form = QFormLayout()
        self.runs = RunPicker(self.settings, statuses=("completed", "cancelled"))
        self.runs.currentIndexChanged.connect(self._run_changed)
        self.runs.refreshed.connect(self._run_changed)
        form.addRow(self.tr("Run"), self.runs)
        self.checkpoint = QComboBox(toolTip=self.tr("Export the run's best checkpoint (lowest eval_loss, "
                                                    "when it was evaluated), its final model, or the model "
                                                    "as it was at a checkpoint."))
        self.checkpoint.currentIndexChanged.connect(self._update_estimate)
        form.addRow(self.tr("Checkpoint"), self.checkpoint)
        self.target_widget = ExportTargets(self.settings)
        self.target_widget.changed.connect(self._update_estimate)
        self.target_boxes, self.estimates = self.target_widget.boxes, self.target_widget.estimates
        self.dtype, self.quant = self.target_widget.dtype, self.target_widget.quant
        form.addRow(self.tr("Targets"), self.target_widget)
        folder_row = QHBoxLayout()
        self.folder_edit = QLineEdit(toolTip=self.tr("Each target is written to a folder of its own inside "
                                                     "this one."))
        self.folder_edit.textChanged.connect(self._update_estimate)
        browse = QPushButton(icon("folder"), self.tr("Choose…"))
        browse.clicked.connect(self._choose_folder)
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(browse)
        form.addRow(self.tr("Output folder"), folder_row)
        self.folder_problem = QLabel(wordWrap=True, visible=False)
        set_tone(self.folder_problem, "error")
        form.addRow("", self.folder_problem)
        self.space = QLabel(wordWrap=True)
        form.addRow(self.tr("Disk space"), self.space)
        layout.addLayout(form)
        self.push = ExportPush(self.settings)
        self.push.changed.connect(self._update_estimate)
        layout.addWidget(self.push)

        buttons = QHBoxLayout()
        self.export_button = QPushButton(icon("export"), self.tr("Export"))
        self.export_button.clicked.connect(self.export)
        self.cancel_button = QPushButton(icon("stop"), self.tr("Cancel"), enabled=False)
        self.cancel_button.clicked.connect(self.cancel)
        self.progress = QProgressBar(textVisible=True, visible=False)
        self.progress.setMaximumWidth(220)
        self.status = QLabel(wordWrap=True)
        for widget in (self.export_button, self.cancel_button, self.progress):
            buttons.addWidget(widget)
        buttons.addWidget(self.status, 1)
        layout.addLayout(buttons)

        splitter = QSplitter(Qt.Orientation.Vertical)
        report_box = QWidget()
        report_layout = QVBoxLayout(report_box)
        report_layout.setContentsMargins(0, 0, 0, 0)
        self.report_title = QLabel(self.tr("Parity report"))
        self.report_title.setObjectName("sectionTitle")
        self.report = ParityReport()
        report_actions = QHBoxLayout()
        self.open_button = QPushButton(icon("folder"), self.tr("Open folder"), enabled=False)
        self.open_button.clicked.connect(self.open_folder)
        self.copy_button = QPushButton(icon("copy"), self.tr("Copy Ollama command"), enabled=False)
        self.copy_button.clicked.connect(self.copy_ollama_command)
        report_actions.addWidget(self.open_button)
        report_actions.addWidget(self.copy_button)
        report_actions.addStretch(1)
        report_layout.addWidget(self.report_title)
        report_layout.addWidget(self.report, 1)
        report_layout.addLayout(report_actions)
        self.log = QPlainTextEdit(readOnly=True, placeholderText=self.tr("The export's progress messages appear "
                                                                         "here."))
        self.log.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.log.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.log.setMaximumBlockCount(5000)
        splitter.addWidget(report_box)
        splitter.addWidget(self.log)
        splitter.setSizes([260, 120])
        layout.addWidget(splitter, 1)

        self.process = WorkerProcess(self)
        self.process.log_received.connect(self.log.appendPlainText)
        self.process.phase_changed.connect(self._phase)
        self.process.warning_raised.connect(self._warning)
        self.process.result_received.connect(self._result)
        self.process.run_finished.connect(self._finished)
        self._answer: dict | None = None
        self._run_changed()

    # ---- choices ----

    def targets(self) -> set[str]:
        return self.target_widget.chosen()

    def plan(self) -> ExportPlan:
        return ExportPlan(run_id=str(self.runs.value() or ""), folder=Path(self.folder_edit.text().strip()),
                          targets=self.targets(), checkpoint=self.checkpoint.currentData(),
                          dtype=self.dtype.value() or self.run_export_dtype, quant=self.quant.value(),
                          push=self.push.target())

    def request(self) -> ExportRequest:
        return self.plan().request()

    def command(self, request_file: Path) -> list[str]:
        return [*self.program, "export", "--request", str(request_file)]

    def _run_changed(self, *_args) -> None:
        if self.is_running():
            return
        from app.core.store import Store

        run_id = self.runs.value()
        store = Store(reap=False)
        try:
            self.run_info = store.get_run(run_id) if run_id else {}
            artifacts = store.artifacts(self.run_info["id"]) if self.run_info else []
        except Exception:  # a folder chosen with "Choose a model folder…", or a run deleted meanwhile
            self.run_info, artifacts = {}, []
        self.run_export_dtype = run_export_dtype(self.run_info)
        self.checkpoint.blockSignals(True)
        self.checkpoint.clear()
        best = self.run_info.get("best_step")
        if best is not None and self.run_info.get("best_checkpoint") and Path(self.run_info["best_checkpoint"]).is_dir():
            loss = self.run_info.get("best_eval_loss")
            self.checkpoint.addItem(self.tr("Best checkpoint (step {step}, eval_loss {loss:.4f})").format(step=best, loss=loss)
                                    if loss is not None else self.tr("Best checkpoint (step {step})").format(step=best),
                                    self.tr("best"))
        self.checkpoint.addItem(self.tr("Final model"), self.tr("final"))
        for step in reversed(checkpoints(artifacts)):
            self.checkpoint.addItem(f"Checkpoint at step {step}" + (" (best)" if step == best else ""), step)
        self.checkpoint.blockSignals(False)
        self._set_adapter_allowed()
        if run_id:
            name = ollama_name(Path(self.run_info.get("name") or Path(run_id).name))
            self.folder_edit.setText(str(Path(last_dir(self.settings, "export", data_home() / "exports")) / name))
        earlier = {a["kind"]: a for a in artifacts if a["kind"] in TARGET_KINDS and a.get("properties")}
        self.result = {"artifacts": list(earlier.values())} if earlier else {}
        self.report_title.setText(self.tr("Parity report of this run's last export") if earlier else self.tr("Parity report"))
        self.report.show_artifacts(self.result.get("artifacts", []))
        self._update_actions()
        self._update_estimate()

    def _set_adapter_allowed(self) -> None:
        method = self.run_info.get("method")
        uses_adapter = True
        if method:
            from app.core.methods.registry import METHODS

            uses_adapter = method not in METHODS or METHODS[method].uses_adapter
        self.target_widget.allow_adapter(uses_adapter)

    def _choose_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, self.tr("Export into"), self.folder_edit.text() or
                                                last_dir(self.settings, "export"))
        if path:
            self.folder_edit.setText(path)

    # ---- estimate and free disk ----

    def problem(self) -> str:
        """Why Export is disabled (empty when it is not)."""
        plan = self.plan()
        if not self.run_info:
            return self.tr("Choose a finished run.")
        if not plan.targets:
            return self.tr("Choose at least one target.")
        if not self.folder_edit.text().strip():
            return self.tr("Choose an output folder.")
        if refusal := self.target_problem():
            return refusal
        if push := self.push.problem(plan.targets):
            return self.tr("Push: {reason}").format(reason=push)
        return self.disk_problem()

    def disk_problem(self) -> str:
        """Not enough free disk for the export (empty when there is, or when that is not known)."""
        plan = self.plan()
        sizes = estimate(plan, self.run_info.get("total_params"), self.run_info.get("trainable_params"))
        need = sum(size for size in sizes.values() if size)
        free = free_disk(plan.folder)
        if free is not None and need > free:
            return self.tr("Not enough disk space: the export needs about {need} but only {free} is free there. "
                           "Choose a folder on another disk, or fewer targets.").format(need=human_size(need),
                                                                                         free=human_size(free))
        return ""

    def target_problem(self) -> str:
        """Why a chosen target folder cannot be written: it holds what no export of ours wrote (empty when none)."""
        plan = self.plan()
        for kind in TARGET_KINDS:
            if kind in plan.targets and self.folder_edit.text().strip():
                try:
                    check_target(plan.target_dir(kind))
                except ExportError as exc:
                    return " ".join(error_texts(exc))
        return ""

    def earlier_exports(self) -> list[Path]:
        """The chosen target folders that hold an earlier export, which this one replaces."""
        plan = self.plan()
        return [plan.target_dir(kind) for kind in TARGET_KINDS
                if kind in plan.targets and target_state(plan.target_dir(kind)) == "export"]

    def _update_estimate(self, *_args) -> None:
        plan = self.plan()
        sizes = estimate(plan, self.run_info.get("total_params"), self.run_info.get("trainable_params"))
        self.target_widget.show_sizes(sizes)
        need = sum(size for size in sizes.values() if size)
        free = free_disk(plan.folder) if self.folder_edit.text().strip() else None
        problem = self.problem()
        push = self.push.problem(plan.targets) if self.run_info and plan.targets else ""
        self.push.show_problem(push if push and problem == self.tr("Push: {reason}").format(reason=push) else "")
        refusal = self.target_problem()
        self.folder_problem.setText(refusal)
        self.folder_problem.setVisible(bool(refusal))
        if problem and problem == self.disk_problem():
            self.space.setText(problem)
            set_tone(self.space, "error")
        else:
            unknown = self.tr(" (the run does not record its parameter count, so sizes are unknown)") \
                if any(size is None for size in sizes.values()) else ""
            if not plan.targets:
                text = self.tr("Needs: choose targets")
            elif need:
                text = self.tr("Needs about {need}").format(need=human_size(need)) + unknown
            else:
                text = self.tr("Needs: not known") + unknown
            if sizes.get("scratch"):
                text += self.tr(", of which {size} only while it runs (a temporary fp32 merge)").format(
                    size=human_size(sizes['scratch']))
            if free is not None:
                text += self.tr(" · {size} free").format(size=human_size(free))
            self.space.setText(text)
            set_tone(self.space)
        self.export_button.setEnabled(not problem and not self.is_running())
        self.export_button.setToolTip(problem or self.tr("Export the chosen targets and check each against "
                                                         "the trained model."))

    # ---- running ----

    def is_running(self) -> bool:
        return self.process.is_running()

    def export(self) -> None:
        problem = self.problem()
        if problem or self.is_running():
            self.status.setText(problem)
            return
        earlier = self.earlier_exports()
        if earlier and QMessageBox.question(
                self, self.tr("Replace the earlier export?"), self.tr("An earlier export is in these folders; this "
                                                             "export replaces it:\n\n") + "\n".join(str(folder) for folder in earlier),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel) != QMessageBox.StandardButton.Yes:
            return
        plan = self.plan()
        self.settings.setValue("export/targets", ",".join(sorted(plan.targets)))
        self.settings.setValue("export/dtype", self.dtype.value() or "")
        self.settings.setValue("export/quant", plan.quant)
        self.push.remember()
        remember_folder(self.settings, "export", plan.folder.parent)  # it may not exist before this export
        self.result = {}
        self.report.show_artifacts([])
        self.report_title.setText(self.tr("Parity report"))
        self.log.clear()
        request_file = save_request(plan.request(), data_home() / "requests")
        self.log.appendPlainText(f"$ finetune-studio export --request {request_file}")
        self._answer = None
        self._started_at = time.monotonic()
        self.process.start(self.command(request_file))
        self._running(True)
        self.status.setText(self.tr("Starting…"))
        set_tone(self.status)

    def cancel(self) -> None:
        """Ask the export to stop (it removes what it half wrote); it is killed if it has not stopped in 5 s."""
        if self.is_running():
            self.status.setText(self.tr("Cancelling…"))
            self.process.cancel()

    def _phase(self, event: dict) -> None:
        current, total = int(event.get("current") or 0), int(event.get("total") or 0)
        self.log.appendPlainText(f"[{event.get('name')}] {event.get('message', '')} {current}/{total}")
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(current)
        self.progress.setFormat(f"{current}/{total}")
        self.status.setText(event_text(event, "message"))

    def _warning(self, event: dict) -> None:
        message, hint = event_texts(event)
        self.log.appendPlainText(self.tr("Warning: {message}").format(message=message)
                                 + (self.tr(" Hint: {hint}").format(hint=hint) if hint else ""))

    def _result(self, event: dict) -> None:
        self._answer = event["data"]

    def _finished(self, event: dict) -> None:
        seconds = time.monotonic() - self._started_at
        cancelled = self.process.cancelled or event["status"] == "cancelled"
        result = self._answer if event["status"] == "completed" and not cancelled else None
        if cancelled:
            self.status.setText(self.tr("Cancelled: the export stopped and kept nothing half-written."))
            set_tone(self.status)
        elif result is None:
            error, hint = event_texts(event)
            error = " ".join(part for part in (self.tr("Error: {error}").format(error=error) if error else "",
                                               self.tr("Hint: {hint}").format(hint=hint) if hint else "") if part)
            self.log.appendPlainText(error)
            self.status.setText(error or self.tr("The export failed (exit code {v0}): "
                                                 "see the log below.").format(v0=event['exit_code']))
            set_tone(self.status, "error")
        else:
            self.result = result
            self.report.show_artifacts(result.get("artifacts", []))
            self.status.setText(self.tr("Exported {len} target(s) in "
                                        "{seconds:.0f} s.").format(len=len(result.get('artifacts', [])), seconds=seconds))
            set_tone(self.status)
            self.progress.setValue(self.progress.maximum())
        self._running(False)
        self._update_actions()
        self.export_finished.emit(self.result if result is not None else {})

    def _running(self, running: bool) -> None:
        self.cancel_button.setEnabled(running)
        self.progress.setVisible(running or self.progress.value() > 0)
        if running:
            self.progress.setRange(0, 0)  # busy until the first phase line
        for widget in (self.runs, self.checkpoint, self.folder_edit, self.push):
            widget.setEnabled(not running)
        self.target_widget.set_editable(not running)
        if not running:
            self._set_adapter_allowed()
        self._update_estimate()

    # ---- afterwards ----

    def _artifact(self, kind: str) -> dict | None:
        return next((a for a in self.result.get("artifacts", []) if a.get("kind") == kind), None)

    def _update_actions(self) -> None:
        self.open_button.setEnabled(bool(self.result.get("artifacts")))
        self.copy_button.setEnabled(self._artifact("ollama") is not None)

    def output_folder(self) -> Path | None:
        paths = [Path(a["path"]) for a in self.result.get("artifacts", [])]
        if not paths:
            return None
        parents = {p.parent for p in paths}
        return parents.pop() if len(parents) == 1 else paths[0]

    def open_folder(self) -> None:
        folder = self.output_folder()
        if folder is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def ollama_command(self) -> str:
        art = self._artifact("ollama")
        if art is None:
            return ""
        name = ollama_name(Path(self.run_info.get("name") or self.run_info.get("id") or Path(art["path"]).name))
        return ollama_command(Path(art["path"]), name)

    def copy_ollama_command(self) -> None:
        text = self.ollama_command()
        if text:
            QGuiApplication.clipboard().setText(text)
            self.status.setText(self.tr("Copied: {text}").format(text=text))
            set_tone(self.status)

    def refresh(self) -> None:
        self.runs.refresh()

    def shutdown(self) -> None:
        self.process.shutdown()


if __name__ == "__main__":
    from app.ui.preview import preview

    raise SystemExit(preview(lambda _state: ExportPage()))
