"""Runs one `python -m app ...` command as a QProcess and streams its output into a read-only text pane."""

from __future__ import annotations

import logging
import shlex
import sys

from PySide6.QtCore import QProcess, QProcessEnvironment, Signal
from PySide6.QtGui import QFontDatabase, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit, QVBoxLayout, QWidget

from app.core.paths import PROJECT_ROOT

log = logging.getLogger(__name__)


def app_process(parent) -> QProcess:
    """A QProcess for our own `python -m app ...` commands: run from the project root, output unbuffered."""
    process = QProcess(parent)
    process.setWorkingDirectory(str(PROJECT_ROOT))
    env = QProcessEnvironment.systemEnvironment()
    env.insert("PYTHONUNBUFFERED", "1")
    process.setProcessEnvironment(env)
    return process


class ProcessOutput(QWidget):
    """`run(args)` starts `sys.executable -m app *args`; `finished(exit_code)` when it ends."""

    started = Signal()
    finished = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.text = QPlainTextEdit(readOnly=True)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setMaximumBlockCount(5000)
        self.text.setPlaceholderText("The command and its output appear here.")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.text)
        self.process = app_process(self)
        self.process.setProcessChannelMode(QProcess.ProcessChannelMode.MergedChannels)
        self.process.readyReadStandardOutput.connect(self._read)
        self.process.finished.connect(self._finished)
        self.process.errorOccurred.connect(self._error)

    def command(self, args: list[str]) -> list[str]:
        return [sys.executable, "-m", "app", *args]

    def run(self, args: list[str], clear: bool = True) -> None:
        if self.is_running():
            return
        if clear:
            self.text.clear()
        cmd = self.command(args)
        self.append(f"$ {shlex.join(['finetune-studio', *args])}\n")
        log.info("running %s", cmd)
        self.process.start(cmd[0], cmd[1:])
        self.started.emit()

    def is_running(self) -> bool:
        return self.process.state() != QProcess.ProcessState.NotRunning

    def stop(self) -> None:
        if self.is_running():
            self.process.terminate()
            if not self.process.waitForFinished(3000):
                self.process.kill()
                self.process.waitForFinished(3000)

    def append(self, text: str) -> None:
        self.text.moveCursor(QTextCursor.MoveOperation.End)
        self.text.insertPlainText(text)
        self.text.moveCursor(QTextCursor.MoveOperation.End)

    def _read(self) -> None:
        self.append(bytes(self.process.readAllStandardOutput().data()).decode("utf-8", errors="replace"))

    def _finished(self, code: int, _status) -> None:
        self.append(f"\n[finished with exit code {code}]\n" if code else "\n[done]\n")
        self.finished.emit(code)

    def _error(self, error) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self.append(f"\n[could not start: {self.process.errorString()}]\n")
            self.finished.emit(-1)
