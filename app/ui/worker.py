"""The one way the GUI runs a command in a worker process and hears from it: `WorkerProcess`.

Every command the GUI runs (`export`, `eval`, `queue run`, `data augment`, `chat`) is started with `--events jsonl`
and speaks the event protocol of app/core/events.py; nothing here reads the human text a command prints. Events
are read as they arrive (QProcess, on the GUI thread), coalesced by EventBatch like a training run's, and handed out
at most once per flush interval as the signals of `WorkerSignals`, the same signals RunSupervisor (app/ui/runner.py,
the training worker that may outlive the window) emits. stderr lines come as `log_received`.

`run_finished` comes once, after the process has ended: the command's last `finished` event with `exit_code` added,
or, when it died without one, a `finished` made here (cancelled when it was asked to stop, else failed with the last
lines of its stderr).
"""

from __future__ import annotations

import collections
import json
import logging
import os
import signal

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, QTimer, Signal

from app.core.events import decode, encode
from app.core.messages import Text
from app.core.paths import PROJECT_ROOT
from app.ui.event_batch import EventBatch

log = logging.getLogger(__name__)

CANCEL_GRACE_MS = 5000  # after SIGINT, time to clean up before the process is killed
END_GRACE_MS = 3000  # after SIGTERM (end, shutdown), the same
TAIL_LINES = 20


class WorkerSignals(QObject):
    """A worker's events as signals, each with one payload: the event dict (app/core/events.py), except
    `metrics_received` (the metrics events that arrived together) and `log_received` (stderr lines, joined)."""

    run_started = Signal(dict)
    phase_changed = Signal(dict)
    progress_changed = Signal(dict)
    metrics_received = Signal(list)
    sample_received = Signal(dict)
    checkpoint_saved = Signal(dict)
    artifact_saved = Signal(dict)
    warning_raised = Signal(dict)
    result_received = Signal(dict)
    chat_event = Signal(dict)  # loaded, token, done, unloaded, error: one per event, in order
    server_listening = Signal(dict)  # `serve`: the HTTP server accepts requests (url, models)
    trial_finished = Signal(dict)  # `tune`: one trial ended (number, state, value, params, ...)
    log_received = Signal(str)
    run_finished = Signal(dict)


class WorkerProcess(WorkerSignals):
    """`start(command)` runs `command --events jsonl` from the project root; `write(obj)` sends a JSON line to its
    stdin (chat); `cancel()` asks it to stop (SIGINT, then killed after a grace); `end()` and `shutdown()` end it."""

    def __init__(self, parent: QObject | None = None, *, flush_interval: float = 0.05):
        super().__init__(parent)
        self.cancelled = False
        self.process = QProcess(self)
        self.process.setWorkingDirectory(str(PROJECT_ROOT))
        env = QProcessEnvironment.systemEnvironment()
        env.insert("PYTHONUNBUFFERED", "1")
        env.insert("PYTHONPATH", os.pathsep.join(p for p in (str(PROJECT_ROOT), env.value("PYTHONPATH")) if p))
        self.process.setProcessEnvironment(env)
        self.process.readyReadStandardOutput.connect(self._read_stdout)
        self.process.readyReadStandardError.connect(self._read_stderr)
        self.process.finished.connect(lambda code, _status: self._ended(code))
        self.process.errorOccurred.connect(self._error)
        self._timer = QTimer(self, singleShot=True, interval=int(flush_interval * 1000))
        self._timer.timeout.connect(self._flush)
        self._reset()

    def _reset(self) -> None:
        self._batch = EventBatch()
        self._stdout = self._stderr = b""
        self._tail: collections.deque[str] = collections.deque(maxlen=TAIL_LINES)
        self._final: dict | None = None
        self.cancelled = False

    # ---- commands ----
    def start(self, command: list[str]) -> None:
        if self.is_running():
            return
        self._reset()
        args = [*command[1:], "--events", "jsonl"]
        log.info("running %s %s", command[0], args)
        self.process.start(command[0], args)

    def is_running(self) -> bool:
        return self.process.state() != QProcess.ProcessState.NotRunning

    def pid(self) -> int:
        return int(self.process.processId())

    def write(self, obj: dict) -> None:
        if self.is_running():
            self.process.write((json.dumps(obj) + "\n").encode("utf-8"))

    def cancel(self) -> None:
        """Ask the command to stop (SIGINT: it cleans up and reports `cancelled`); killed if still there later."""
        if not self.is_running():
            return
        self.cancelled = True
        if os.name == "posix" and self.pid():
            os.kill(self.pid(), signal.SIGINT)
        else:
            self.process.terminate()
        QTimer.singleShot(CANCEL_GRACE_MS, self, self._kill)

    def end(self) -> None:
        """End the process without waiting and without reporting it (killed if it has not ended after SIGTERM)."""
        self.blockSignals(True)
        if self.is_running():
            self.process.terminate()
            QTimer.singleShot(END_GRACE_MS, self.process, self.process.kill)  # only while the process object exists

    def shutdown(self) -> None:
        """End the process now and wait for it (the page is closing); nothing more is reported."""
        if not self.is_running():
            return
        self.cancelled = True
        self.blockSignals(True)
        self.process.terminate()
        if not self.process.waitForFinished(END_GRACE_MS):
            self.process.kill()
            self.process.waitForFinished(END_GRACE_MS)
        self.blockSignals(False)

    def _kill(self) -> None:
        if self.is_running():
            self.process.kill()

    # ---- reading ----
    def _read_stdout(self) -> None:
        self._stdout += bytes(self.process.readAllStandardOutput().data())
        *lines, self._stdout = self._stdout.split(b"\n")
        for raw in lines:
            line = raw.decode("utf-8", errors="replace")
            event = decode(line)
            if event is None:
                if line.strip():
                    self._batch.add_log(line)
            elif event["event"] == "finished":
                self._final = event  # the command's own is its last; handed out once the process has ended
            else:
                self._batch.add_event(event)
        self._schedule()

    def _read_stderr(self) -> None:
        self._stderr += bytes(self.process.readAllStandardError().data())
        *lines, self._stderr = self._stderr.replace(b"\r", b"\n").split(b"\n")
        for raw in lines:
            if line := raw.decode("utf-8", errors="replace").rstrip():
                self._tail.append(line)
                self._batch.add_log(line)
        self._schedule()

    def _schedule(self) -> None:
        if not self._timer.isActive():
            self._timer.start()

    def _flush(self) -> None:
        for name, payload in self._batch.take():
            getattr(self, name).emit(payload)

    def _ended(self, code: int) -> None:
        self._stdout += b"\n"
        self._stderr += b"\n"
        self._read_stdout()
        self._read_stderr()
        self._timer.stop()
        self._flush()
        self.run_finished.emit({**(self._final or self._last_word(code)), "exit_code": code})

    def _last_word(self, code: int) -> dict:
        """The `finished` event a command that died without one never sent."""
        if self.cancelled:
            fields = {"status": "cancelled", "error": None, "hint": None}
        else:
            tail = "\n".join(list(self._tail)[-3:])
            fields = {"status": "failed",
                      "error": Text("The worker process ended (exit code {code}) without a result.", code=code),
                      "hint": tail or Text("See the log for details.")}
        return decode(encode("finished", **fields))

    def _error(self, error) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self.run_finished.emit({**decode(encode("finished", status="failed", error="Could not start the worker "
                                                    "process.", hint=self.process.errorString())), "exit_code": -1})
