"""One `finetune-studio chat KEY [--with KEY2] --jsonl` process (QProcess: nothing here blocks the window).

It serves one model, or several keys sharing one base model (a run's adapter and its base, or two runs of one
base: app/core/chat.py). Each event names its key; the process hands it to the ChatWorker attached for that key.
The process ends when the last worker detaches; a worker detaching before that unloads only its key.
"""

from __future__ import annotations

import json
import logging

from PySide6.QtCore import QObject, QProcess, QTimer

from app.ui.widgets.process_output import app_process

log = logging.getLogger(__name__)


class ChatProcess(QObject):
    """Started at once; `workers` maps each attached key to the worker that receives its events."""

    def __init__(self, command: list[str], keys: list[str], parent: QObject | None = None):
        super().__init__(parent)
        self.keys = list(keys)
        self.workers: dict = {}
        self._buffer = b""
        self.stderr_tail = b""
        self.process = app_process(self)
        self.process.readyReadStandardOutput.connect(self._read_stdout)
        self.process.readyReadStandardError.connect(self._read_stderr)
        self.process.finished.connect(self._finished)
        self.process.errorOccurred.connect(self._error)
        cmd = [*command, keys[0], *(arg for key in keys[1:] for arg in ("--with", key)), "--jsonl"]
        log.info("starting chat worker %s", cmd)
        self.process.start(cmd[0], cmd[1:])

    def attach(self, key: str, worker) -> None:
        self.workers[key] = worker

    def detach(self, key: str) -> None:
        """`key`'s worker is done with it: unload its adapter, or end the process when no worker is left."""
        self.workers.pop(key, None)
        if self.workers:
            self.write({"unload": key})
        else:
            self.end()

    def is_shared(self) -> bool:
        return len(self.workers) > 1

    def write(self, obj: dict) -> None:
        if self.is_running():
            self.process.write((json.dumps(obj) + "\n").encode("utf-8"))

    def is_running(self) -> bool:
        return self.process.state() != QProcess.ProcessState.NotRunning

    def pid(self) -> int:
        return int(self.process.processId())

    def end(self) -> None:
        """End the process without waiting for it (killed if it has not ended 3 s after SIGTERM)."""
        self.workers.clear()
        if not self.is_running():
            self.deleteLater()
            return
        for sig in (self.process.readyReadStandardOutput, self.process.readyReadStandardError,
                    self.process.finished, self.process.errorOccurred):
            sig.disconnect()
        self.process.finished.connect(self.deleteLater)
        self.process.terminate()
        QTimer.singleShot(3000, self.process, self.process.kill)  # runs only while the process object still exists

    def shutdown(self) -> None:
        """End the process and wait for it (the page is closing)."""
        self.workers.clear()
        if not self.is_running():
            return
        self.process.blockSignals(True)
        self.process.terminate()
        if not self.process.waitForFinished(3000):
            self.process.kill()
            self.process.waitForFinished(3000)

    # ---- internals ----
    def _read_stdout(self) -> None:
        self._buffer += bytes(self.process.readAllStandardOutput().data())
        *lines, self._buffer = self._buffer.split(b"\n")
        for line in lines:
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                log.warning("chat worker wrote a line that is not JSON: %r", line[:200])
                continue
            if event.get("event") == "unloaded":  # the memory left is news to the keys still loaded
                for worker in list(self.workers.values()):
                    worker.memory_reported.emit(int(event.get("memory_bytes", 0)))
            elif (worker := self.workers.get(event.get("model"))) is not None:
                worker.handle(event)

    def _read_stderr(self) -> None:
        self.stderr_tail = (self.stderr_tail + bytes(self.process.readAllStandardError().data()))[-4000:]

    def _finished(self, code: int, _status) -> None:
        # end() and shutdown() silence this slot first: reaching here means the process ended by itself
        tail = "\n".join(self.stderr_tail.decode("utf-8", errors="replace").strip().splitlines()[-3:])
        workers, self.workers = list(self.workers.values()), {}
        for worker in workers:
            worker.process_ended(f"The model process ended (exit code {code}).", tail)

    def _error(self, error) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            workers, self.workers = list(self.workers.values()), {}
            for worker in workers:
                worker.process_ended("Could not start the model process.", self.process.errorString())
