"""Runs `finetune-studio export ... --json` as a QProcess: stderr lines and `[export] message i/n` phases as signals,
stdout kept for the JSON result. Cancel asks the export to stop (SIGINT, so it cleans up), then kills it."""

from __future__ import annotations

import logging
import os
import signal

from PySide6.QtCore import QObject, QProcess, QTimer, Signal

from app.ui.widgets.export_plan import parse_phase
from app.ui.widgets.process_output import app_process

log = logging.getLogger(__name__)
CANCEL_GRACE_MS = 5000


class ExportProcess(QObject):
    line_received = Signal(str)  # one stderr line
    phase_changed = Signal(str, int, int)  # message, current, total
    export_ended = Signal(int, str)  # exit code (-1: could not start), stdout

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.cancelled = False
        self._stdout = ""
        self._stderr = ""
        self.process = app_process(self)
        self.process.readyReadStandardOutput.connect(self._read_stdout)
        self.process.readyReadStandardError.connect(self._read_stderr)
        self.process.finished.connect(lambda code, _status: self._ended(code))
        self.process.errorOccurred.connect(self._error)

    def is_running(self) -> bool:
        return self.process.state() != QProcess.ProcessState.NotRunning

    def start(self, command: list[str]) -> None:
        if self.is_running():
            return
        self._stdout, self._stderr, self.cancelled = "", "", False
        log.info("running %s", command)
        self.process.start(command[0], command[1:])

    def cancel(self) -> None:
        if not self.is_running():
            return
        self.cancelled = True
        pid = self.process.processId()
        if os.name == "posix" and pid:
            os.kill(pid, signal.SIGINT)  # KeyboardInterrupt in the CLI: the export's cleanup runs
        else:
            self.process.terminate()
        QTimer.singleShot(CANCEL_GRACE_MS, self._kill)

    def kill_and_wait(self) -> None:
        """For closing the window: stop now."""
        if self.is_running():
            self.cancelled = True
            self.process.kill()
            self.process.waitForFinished(3000)

    def _kill(self) -> None:
        if self.is_running():
            self.process.kill()

    def _read_stdout(self) -> None:
        self._stdout += bytes(self.process.readAllStandardOutput().data()).decode("utf-8", errors="replace")

    def _read_stderr(self) -> None:
        self._stderr += bytes(self.process.readAllStandardError().data()).decode("utf-8", errors="replace")
        *lines, self._stderr = self._stderr.replace("\r", "\n").split("\n")
        for line in lines:
            self._line(line)

    def _line(self, line: str) -> None:
        if not line.strip():
            return
        self.line_received.emit(line)
        if phase := parse_phase(line):
            self.phase_changed.emit(*phase)

    def _ended(self, code: int) -> None:
        self._read_stdout()
        if self._stderr:
            self._line(self._stderr)
            self._stderr = ""
        self.export_ended.emit(code, self._stdout)

    def _error(self, error) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self.line_received.emit(f"[could not start: {self.process.errorString()}]")
            self.export_ended.emit(-1, "")
