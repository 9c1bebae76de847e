"""One `finetune-studio chat KEY [--with KEY2] --events jsonl` process, run by a WorkerProcess (nothing here blocks
the window).

It serves one model, or several keys sharing one base model (a run's adapter and its base, or two runs of one
base: app/core/chat/serve.py). Each chat event names its key; this hands it to the ChatWorker attached for that key.
The process ends when the last worker detaches; a worker detaching before that unloads only its key.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject

from app.ui.i18n import event_text
from app.ui.worker import WorkerProcess

log = logging.getLogger(__name__)


class ChatProcess(QObject):
    """Started at once; `workers` maps each attached key to the worker that receives its events."""

    def __init__(self, command: list[str], keys: list[str], parent: QObject | None = None):
        super().__init__(parent)
        self.keys = list(keys)
        self.workers: dict = {}
        self.worker = WorkerProcess(self, flush_interval=0.02)
        self.worker.chat_event.connect(self._route)
        self.worker.run_finished.connect(self._finished)
        self.worker.start([*command, keys[0], *(arg for key in keys[1:] for arg in ("--with", key))])

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
        self.worker.write(obj)

    def is_running(self) -> bool:
        return self.worker.is_running()

    def pid(self) -> int:
        return self.worker.pid()

    def end(self) -> None:
        """End the process without waiting for it (killed if it has not ended 3 s after SIGTERM)."""
        self.workers.clear()
        if self.worker.is_running():
            self.worker.process.finished.connect(self.deleteLater)
            self.worker.end()
        else:
            self.deleteLater()

    def shutdown(self) -> None:
        """End the process and wait for it (the page is closing)."""
        self.workers.clear()
        self.worker.shutdown()

    # ---- internals ----
    def _route(self, event: dict) -> None:
        if event["event"] == "unloaded":  # the memory left is news to the keys still loaded
            for worker in list(self.workers.values()):
                worker.memory_reported.emit(int(event.get("memory_bytes", 0)))
        elif (worker := self.workers.get(event.get("model"))) is not None:
            worker.handle(event)

    def _finished(self, event: dict) -> None:
        # end() and shutdown() silence the worker first: reaching here means the process ended by itself
        workers, self.workers = list(self.workers.values()), {}
        for worker in workers:
            worker.process_ended(self.tr("The model process ended (exit code {code}).").format(code=event['exit_code']),
                                 event_text(event, "hint") or event_text(event, "error"))
