"""The Train page: start, watch and stop one run — progress, live curves, samples, the worker's log, errors.

Its Start button only asks (`start_requested`): the main window answers it as it answers the Run menu's Start and
Ctrl+R, checking every step first (MainWindow.start_run), and tells the page why it is not ready (`set_readiness`),
what the next run will be called (`set_next_name`) and what else is training (`set_blocked`: one training at a time,
so Start is off while the queue or another run trains).

Run it alone with a sample run that is still "training": `python -m app.ui.pages.train [--screenshot PNG]`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.config import RunConfig
from app.core.errors import StudioError
from app.core.paths import RESOURCES, run_dir
from app.core.store import Store, new_run_id
from app.ui.i18n import core_text, event_text, event_texts
from app.ui.runner import DEFAULT_WORKER, RunSupervisor
from app.ui.tone import set_tone
from app.ui.widgets.clock import clock_text
from app.ui.widgets.log_view import LogView
from app.ui.widgets.plots import MetricsPlots

log = logging.getLogger(__name__)

ACTIVE_STATES = ("starting", "running", "stopping")
STATE_TEXTS = {"idle": QT_TRANSLATE_NOOP("TrainPage", "idle"), "starting": QT_TRANSLATE_NOOP("TrainPage", "starting"),
               "running": QT_TRANSLATE_NOOP("TrainPage", "running"),
               "stopping": QT_TRANSLATE_NOOP("TrainPage", "stopping"),
               "completed": QT_TRANSLATE_NOOP("TrainPage", "completed"),
               "cancelled": QT_TRANSLATE_NOOP("TrainPage", "cancelled"),
               "failed": QT_TRANSLATE_NOOP("TrainPage", "failed"), "rejected": QT_TRANSLATE_NOOP("TrainPage", "rejected")}


def state_text(state: str) -> str:
    """The Train page's state (or a run's end status) in words, in the window's language."""
    return QCoreApplication.translate("TrainPage", STATE_TEXTS[state]) if state in STATE_TEXTS else state


class ErrorBox(QFrame):
    """A run's failure in place: what happened (the tail of the worker's output) and what to do next."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("errorBox")
        self.setStyleSheet("#errorBox { border: 1px solid #d9534f; border-radius: 6px;"
                           " background: rgba(217, 83, 79, 30); }")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        self.title = QLabel()
        self.title.setStyleSheet("font-weight: 600;")
        self.error = QLabel(objectName="errorText")  # the worker's own words: see show_error
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.setWordWrap(True)
        self.hint = QLabel(objectName="errorHint")
        self.hint.setWordWrap(True)
        for widget in (self.title, self.error, self.hint):
            layout.addWidget(widget)
        self.hide()

    def show_error(self, title: str, error: str | None, hint: str | None) -> None:
        self.title.setText(title)
        # A core Text raised in this process is shown in the window's language; what a worker process reported (its
        # finished event, the store's error and hint) arrives as plain English text, and a library's own error (torch's
        # out of memory) has no translation at all
        error, hint = core_text(error), core_text(hint)
        lines = (error or "").strip().splitlines()
        self.error.setText("\n".join(lines[-12:]))
        self.error.setVisible(bool(lines))
        self.hint.setText(self.tr("<b>What to do:</b> {hint}").format(hint=hint) if hint else "")
        self.hint.setVisible(bool(hint))
        self.show()


class TrainPage(QWidget):
    """Drives a RunSupervisor and shows its run. `run_state_changed` carries idle/starting/running/stopping or a
    final status (completed/cancelled/failed); `run_completed` carries the run id once a run has ended, however;
    `start_requested`: the Start button was clicked (whoever holds the config checks it and calls `try_start`)."""

    run_state_changed = Signal(str)
    run_completed = Signal(str)
    start_requested = Signal()

    def __init__(self, parent: QWidget | None = None, *, worker_command: Sequence[str] = DEFAULT_WORKER):
        super().__init__(parent)
        self.supervisor = RunSupervisor(self, worker_command=worker_command)
        self._state = "idle"
        self.run_id: str | None = None
        self._t0: float | None = None
        self._eta: float | None = None  # seconds left at the pace measured up to the last completed step
        self._steps: tuple[int, int] | None = None  # (step, total steps) once training has started
        self._problem = self._blocked = self._rename = ""
        self._next_name: str | None = None
        self._superseded = False  # another training began after this page's last run ended: its result is old news
        self._build()
        self._connect()
        self._set_state("idle")
        self.set_readiness("")

    # ---- layout ----
    def _build(self) -> None:
        icons = RESOURCES / "icons"
        self.phase_label = QLabel()
        self.phase_label.setStyleSheet("font-size: 15px; font-weight: 600;")
        self.detail_label = QLabel()
        self.detail_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.start_button = QPushButton(QIcon(str(icons / "start.svg")), self.tr("Start"))
        self.readiness_label = QLabel()
        self.readiness_label.setObjectName("readiness")
        self.readiness_label.setWordWrap(True)
        set_tone(self.readiness_label, "warning")
        self.readiness_label.hide()
        self.stop_button = QPushButton(QIcon(str(icons / "stop.svg")), self.tr("Stop"))
        self.stop_button.setToolTip(self.tr("Save a checkpoint and stop (the run can be resumed)"))
        self.force_button = QPushButton(self.tr("Force stop"))
        self.force_button.setToolTip(self.tr("End the training process at once; progress since the last "
                                             "checkpoint is lost"))
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.time_label = QLabel()
        self.time_label.setMinimumWidth(220)
        self.time_label.setToolTip(self.tr("ETA: the steps left at the pace of the steps completed so far "
                                           "(this session's); it changes when a step completes"))
        self.time_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.error_box = ErrorBox()
        self.plots = MetricsPlots()
        self.log_view = LogView()
        self.samples = QListWidget()
        self.samples.setWordWrap(True)
        self.samples.setAlternatingRowColors(True)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.log_view, self.tr("Log"))
        self.tabs.addTab(self.samples, self.tr("Samples"))

        head = QHBoxLayout()
        titles = QVBoxLayout()
        titles.setSpacing(2)
        titles.addWidget(self.phase_label)
        titles.addWidget(self.detail_label)
        head.addLayout(titles, 1)
        for button in (self.start_button, self.stop_button, self.force_button):
            head.addWidget(button)
        bar = QHBoxLayout()
        bar.addWidget(self.progress, 1)
        bar.addWidget(self.time_label)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.plots)
        split.addWidget(self.tabs)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setSizes([480, 170])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.setSpacing(10)
        layout.addLayout(head)
        layout.addWidget(self.readiness_label)
        layout.addLayout(bar)
        layout.addWidget(self.error_box)
        layout.addWidget(split, 1)
        self._clock_timer = QTimer(self)
        self._clock_timer.setInterval(1000)
        self._clock_timer.timeout.connect(self._update_clock)

    def _connect(self) -> None:
        self.start_button.clicked.connect(self.start_requested)
        self.stop_button.clicked.connect(self.stop)
        self.force_button.clicked.connect(self.force_stop)
        sup = self.supervisor
        sup.phase_changed.connect(self._on_phase)
        sup.run_started.connect(self._on_started)
        sup.progress_changed.connect(self._on_progress)
        sup.metrics_received.connect(self.plots.add_events)
        sup.sample_received.connect(self._on_sample)
        sup.checkpoint_saved.connect(lambda e: self.log_view.append_text(
            f"Checkpoint saved at step {e.get('step')}: {e.get('path')}"))
        sup.artifact_saved.connect(lambda e: self.log_view.append_text(f"Saved {e.get('kind')}: {e.get('path')}"))
        sup.warning_raised.connect(self._on_warning)
        sup.log_received.connect(self.log_view.append_text)
        sup.run_finished.connect(self._on_finished)

    # ---- API ----
    def set_readiness(self, problem: str) -> None:
        """Why the current configuration cannot be trained ('' when it can): said under the title and on Start's
        tooltip. Start stays enabled: the check it goes through takes the user to the step to fix."""
        self._problem = problem
        self._show_idle()

    def set_blocked(self, reason: str) -> None:
        """What else is training ('' when nothing): Start is off and says why until it ends."""
        if reason and not self._blocked and self._state not in (*ACTIVE_STATES, "idle"):
            self._superseded = True
        self._blocked = reason
        self._set_state(self._state)
        self._show_idle()

    def set_next_name(self, name: str, taken: str | None = None) -> None:
        """The name the next run gets; `taken`: the name asked for, when a run already has it (`name` has a suffix)."""
        self._next_name = name
        self._rename = (self.tr("A run named “{taken}” exists: this one "
                                "will be “{name}”. Change the run name on the Hyperparameters step to "
                                "choose another.").format(taken=taken, name=name)) if taken else ""
        self._show_idle()

    def _show_idle(self) -> None:
        """The notes under the title and Start's tooltip; while no run of this page is under way, the title too."""
        notes = [self.tr("Busy — {blocked}").format(blocked=self._blocked) if self._blocked else "", self.tr("Not ready — {problem}").format(problem=self._problem) if self._problem
                 else "", self._rename]
        self.readiness_label.setText("\n".join(note for note in notes if note))
        self.readiness_label.setVisible(any(notes))
        named = self.tr(" as “{name}”").format(name=self._next_name) if self._next_name else ""
        if self._blocked:
            tip = self.tr("Start is off: {blocked}").format(blocked=self._blocked)
        elif self._problem:
            tip = self.tr("Not ready: {problem} Start takes you to that "
                          "step.").format(problem=self._problem)
        else:
            tip = self.tr("Train the current configuration as a new run{named}").format(named=named)
        self.start_button.setToolTip(tip)
        if self._state == "idle" or (self._superseded and self._state not in ACTIVE_STATES):
            if self._blocked:
                self.phase_label.setText(self.tr("Another training is in progress."))
                self.detail_label.setText(self.tr("One training at a time: Start comes back when it ends."))
            else:
                self.phase_label.setText(self.tr("Not ready to train.") if self._problem else self.tr("Ready to train."))
                self.detail_label.setText(self.tr("Start takes you to the step to fix.") if self._problem
                                          else self.tr("Press Start to train the current "
                                                       "configuration{named}.").format(named=named))

    @property
    def is_running(self) -> bool:
        return self.supervisor.is_running

    @property
    def state(self) -> str:
        return self._state

    def start(self, config: RunConfig) -> str:
        """Train `config` as a new run; returns its id. Its YAML goes to the run folder as run.yaml."""
        run_id = new_run_id()
        path = run_dir(run_id) / "run.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        config.resolved().save(path)
        self._begin(run_id, config.name or run_id, "Preparing…")
        self.supervisor.start(path, run_id)
        return run_id

    def try_start(self, config: RunConfig) -> str | None:
        """`start`, with what stops it shown in place instead of raised; the run id, or None."""
        try:
            return self.start(config)
        except StudioError as exc:
            self.error_box.show_error(self.tr("The run cannot start."), exc.message, exc.hint)
        except (ValueError, OSError, RuntimeError) as exc:
            self.error_box.show_error(self.tr("The run cannot start."), str(exc), None)
        return None

    def resume(self, run_id: str) -> None:
        """Continue `run_id` from its last checkpoint."""
        self._begin(run_id, run_id, "Resuming…")
        self.supervisor.resume(run_id)

    def attach(self, run_id: str) -> None:
        """Show a run that kept training after the app closed: its curves so far, then live."""
        self._begin(run_id, run_id, "Re-attaching…")
        self.supervisor.attach(run_id)

    def stop(self) -> None:
        if self.is_running:
            self.supervisor.request_stop()
            self._set_state("stopping")
            self.phase_label.setText(self.tr("Stopping: saving a checkpoint…"))

    def force_stop(self) -> None:
        if self.is_running:
            self.supervisor.force_stop()

    def shutdown(self) -> None:
        """Stop watching (a running worker keeps training; `attach` finds it again)."""
        self._clock_timer.stop()
        self.supervisor.shutdown()

    # ---- run lifecycle ----
    def _begin(self, run_id: str, title: str, phase: str) -> None:
        if self.is_running:
            raise RuntimeError("a run is already in progress")
        self.run_id = run_id  # before the state changes: whoever follows it reads this run's id, not the last one's
        self._superseded = False
        self.plots.clear()
        self.samples.clear()
        self.log_view.clear()
        self.error_box.hide()
        self.tabs.setTabText(1, self.tr("Samples"))
        self.progress.setRange(0, 0)  # busy until the worker reports
        self.progress.setFormat("")
        self.phase_label.setText(phase)
        self.detail_label.setText(title)
        self._t0, self._eta, self._steps = time.monotonic(), None, None
        self._clock_timer.start()
        self._update_clock()
        self._set_state("starting")

    def _set_state(self, state: str) -> None:
        active = state in ACTIVE_STATES
        self.start_button.setEnabled(not active and not self._blocked)
        self.stop_button.setEnabled(state in ("starting", "running"))
        self.force_button.setEnabled(active)
        if state != self._state:
            self._state = state
            self.run_state_changed.emit(state)

    @Slot(dict)
    def _on_phase(self, event: dict) -> None:
        message = event_text(event, "message") or event.get("name") or ""
        current, total = event.get("current"), event.get("total")
        self.phase_label.setText(f"{message} {current}/{total}" if total else message)
        if total:
            self.progress.setRange(0, int(total))
            self.progress.setValue(int(current or 0))
            self.progress.setFormat("%v / %m")
        else:
            self.progress.setRange(0, 0)

    @Slot(dict)
    def _on_started(self, event: dict) -> None:
        self.run_id = event.get("run_id") or self.run_id
        total = int(event.get("total_steps") or 0)
        self._steps = (int(event.get("start_step") or 0), total)
        self._show_steps()
        if self._steps[0]:  # resumed (or extended): the curve so far, then this session's steps after it
            self._show_earlier_steps(self._steps[0])
        if event.get("earlier_seconds"):  # the clock counts the sessions before this one too
            self._t0 = time.monotonic() - float(event["earlier_seconds"])
            self._update_clock()
        self.phase_label.setText(self.tr("Training"))
        trainable, params = event.get("trainable_params") or 0, event.get("total_params") or 0
        self.detail_label.setText(self.tr("Run {run_id} on {get} · {trainable:,} "
                                          "of {params:,} parameters trainable").format(run_id=self.run_id, get=event.get('device', '?'), trainable=trainable, params=params))
        if self._state == "starting":
            self._set_state("running")

    @Slot(dict)
    def _on_progress(self, event: dict) -> None:
        total = int(event.get("total_steps") or (self._steps[1] if self._steps else 0))
        self._steps = (int(event.get("step") or 0), total)
        self._show_steps()
        if event.get("elapsed") is not None:
            self._t0 = time.monotonic() - float(event["elapsed"])
        self._eta = float(event["eta"]) if event.get("eta") is not None else None
        self._update_clock()

    @Slot(dict)
    def _on_sample(self, event: dict) -> None:
        item = QListWidgetItem(self.tr("Step {get} · {v1}\n→ {v2}").format(get=event.get('step'), v1=event.get('prompt', ''), v2=event.get('output', '')))
        item.setToolTip(event.get("output", ""))
        self.samples.addItem(item)
        self.samples.scrollToBottom()
        self.tabs.setTabText(1, self.tr("Samples ({count})").format(count=self.samples.count()))

    @Slot(dict)
    def _on_warning(self, event: dict) -> None:
        message, hint = event_texts(event)
        self.log_view.append_text(self.tr("Warning: {message}").format(message=message) + (f" — {hint}" if hint else ""))

    @Slot(dict)
    def _on_finished(self, event: dict) -> None:
        status = event.get("status", "failed")
        self._clock_timer.stop()
        self._eta = None
        self._update_clock()
        if self._steps is not None:  # the bar may show an export's stages by now: show the steps again
            self._show_steps(done=status == "completed")
        elif self.progress.maximum() == 0:
            self.progress.setRange(0, 1)
        step = self.progress.value()
        if status == "completed":
            self.progress.setValue(self.progress.maximum())
            self.phase_label.setText(self.tr("Training complete"))
        elif status == "cancelled":
            self.phase_label.setText(self.tr("Stopped at step {step}").format(step=step))
            if event.get("error"):
                self.error_box.show_error(self.tr("The run was stopped."), *event_texts(event))
        elif status == "rejected":
            self.phase_label.setText(self.tr("Not started"))
            self.error_box.show_error(self.tr("The run was refused: its data or model cannot be used."),
                                      *event_texts(event))
        else:
            self.phase_label.setText(self.tr("Training failed"))
            self.error_box.show_error(self.tr("The run failed."), *event_texts(event))
        self._set_state(status)
        if self.run_id:
            self.run_completed.emit(self.run_id)

    def _show_earlier_steps(self, start_step: int) -> None:
        """The metrics the store holds for this run up to `start_step` (the worker dropped any after it)."""
        series = Store(reap=False).metric_series(self.run_id)
        self.plots.load_series({name: [p for p in points if p[0] <= start_step] for name, points in series.items()})

    def _show_steps(self, done: bool = False) -> None:
        step, total = self._steps
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(total if done else min(step, max(total, 1)))
        self.progress.setFormat(self.tr("Step %v / %m  (%p%)"))

    def _update_clock(self) -> None:
        """Elapsed ticks every second; the ETA changes only when a step completes (it is what the measured steps
        say, so it never counts down while a step is slow), and says it is estimating until the first one has."""
        elapsed = time.monotonic() - self._t0 if self._t0 is not None else None
        training = self._steps is not None and self._clock_timer.isActive()
        eta = "estimating…" if self._eta is None and training else clock_text(self._eta)
        self.time_label.setText(self.tr("Elapsed {clock_text}   ·   ETA {eta}").format(clock_text=clock_text(elapsed), eta=eta))


def main(argv: list[str] | None = None) -> int:
    """Open the page alone, following a sample run that is still training (a temporary data home)."""
    from app.ui.pages.samples import open_alone

    return open_alone(TrainPage, lambda page, live: page.attach(live), description=__doc__, delay_ms=1500,
                      argv=argv)


if __name__ == "__main__":
    raise SystemExit(main())
