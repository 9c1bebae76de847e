"""One model kept loaded in a `finetune-studio chat MODEL --jsonl` process (QProcess: nothing here blocks the window).

The protocol is documented in app/core/chat.py. `load(key)` starts the process, `ask(request)` sends a request (held
until the model has loaded), `stop_generation()` ends the answer in progress, `unload()` ends the process.
"""

from __future__ import annotations

import json
import logging
import sys

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, QTimer, Signal

from app.core.paths import PROJECT_ROOT

log = logging.getLogger(__name__)

DEFAULT_COMMAND = (sys.executable, "-m", "app", "chat")


class ChatWorker(QObject):
    """`state_changed(str)`: unloaded, loading, ready or answering."""

    state_changed = Signal(str)
    loaded = Signal(dict)
    token_received = Signal(str)
    answer_finished = Signal(dict)
    error_received = Signal(dict)

    def __init__(self, command: list[str] | tuple[str, ...] = DEFAULT_COMMAND, parent: QObject | None = None):
        super().__init__(parent)
        self.command = list(command)
        self.key: str | None = None
        self.state = "unloaded"
        self.pending: dict | None = None
        self._buffer = b""
        self._stderr_tail = b""
        self.process = self._new_process()

    def _new_process(self) -> QProcess:
        process = QProcess(self)
        process.setWorkingDirectory(str(PROJECT_ROOT))
        env = QProcessEnvironment.systemEnvironment()
        env.insert("PYTHONUNBUFFERED", "1")
        process.setProcessEnvironment(env)
        process.readyReadStandardOutput.connect(self._read_stdout)
        process.readyReadStandardError.connect(self._read_stderr)
        process.finished.connect(self._finished)
        process.errorOccurred.connect(self._error)
        return process

    # ---- commands ----
    def load(self, key: str) -> None:
        if self.is_running() and key == self.key:
            return
        self.unload()
        self.process = self._new_process()
        self.key, self.pending, self._buffer, self._stderr_tail, self._load_failed = key, None, b"", b"", False
        cmd = [*self.command, key, "--jsonl"]
        log.info("starting chat worker %s", cmd)
        self._set_state("loading")
        self.process.start(cmd[0], cmd[1:])

    def ask(self, request: dict) -> None:
        if self.state == "ready":
            self._write(request)
            self._set_state("answering")
        else:
            self.pending = request

    def stop_generation(self) -> None:
        self.pending = None
        if self.state == "answering":
            self._write({"stop": True})

    def unload(self) -> None:
        """End the process without waiting for it (killed if it has not ended 3 s after SIGTERM)."""
        self.pending = None
        if not self.is_running():
            return
        process = self.process
        for sig in (process.readyReadStandardOutput, process.readyReadStandardError, process.finished,
                    process.errorOccurred):
            sig.disconnect()
        process.finished.connect(process.deleteLater)
        process.terminate()
        QTimer.singleShot(3000, process, process.kill)  # runs only while the process object still exists
        self._set_state("unloaded")

    def shutdown(self) -> None:
        """End the process and wait for it (the page is closing)."""
        self.pending = None
        for process in self.findChildren(QProcess):  # this one, and any still ending after an unload
            if process.state() == QProcess.ProcessState.NotRunning:
                continue
            if process is self.process:
                process.finished.disconnect(self._finished)
            process.terminate()
            if not process.waitForFinished(3000):
                process.kill()
                process.waitForFinished(3000)
        self._set_state("unloaded")

    def is_running(self) -> bool:
        return self.process.state() != QProcess.ProcessState.NotRunning

    def pid(self) -> int:
        return int(self.process.processId())

    # ---- internals ----
    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self.state_changed.emit(state)

    def _write(self, obj: dict) -> None:
        self.process.write((json.dumps(obj) + "\n").encode("utf-8"))

    def _read_stdout(self) -> None:
        self._buffer += bytes(self.process.readAllStandardOutput().data())
        *lines, self._buffer = self._buffer.split(b"\n")
        for line in lines:
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                log.warning("chat worker wrote a line that is not JSON: %r", line[:200])
                continue
            self._handle(event)

    def _handle(self, event: dict) -> None:
        kind = event.get("event")
        if kind == "loaded":
            self._set_state("ready")
            self.loaded.emit(event)
            if self.pending is not None:
                request, self.pending = self.pending, None
                self.ask(request)
        elif kind == "token":
            self.token_received.emit(str(event.get("text", "")))
        elif kind == "done":
            self._set_state("ready")
            self.answer_finished.emit(event)
        elif kind == "error":
            self._load_failed = self.state == "loading"
            if self.state == "answering":
                self._set_state("ready")
            self.error_received.emit(event)

    def _read_stderr(self) -> None:
        self._stderr_tail = (self._stderr_tail + bytes(self.process.readAllStandardError().data()))[-4000:]

    def _finished(self, code: int, _status) -> None:
        # unload() and shutdown() disconnect this slot first: reaching here means the process ended by itself
        self._set_state("unloaded")
        if self._load_failed:  # already reported by its error event
            return
        tail = self._stderr_tail.decode("utf-8", errors="replace").strip().splitlines()[-3:]
        self.error_received.emit({"event": "error", "error": f"The model process ended (exit code {code}).",
                                  "hint": "\n".join(tail)})

    def _error(self, error) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self._set_state("unloaded")
            self.error_received.emit({"event": "error", "error": "Could not start the model process.",
                                      "hint": self.process.errorString()})
