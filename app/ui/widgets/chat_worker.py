"""One column's model, kept loaded in a chat process (app/ui/widgets/chat_process.py) of its own or shared.

The protocol is documented in app/core/chat/serve.py. `load(key)` starts a process for the key, `load(key, process)`
attaches to a shared one; `ask(request)` sends a request (held until the model has loaded), `stop_generation()`
ends the answer in progress, `unload()` unloads the key (ending the process when no other column uses it).
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal

from app.ui.widgets.chat_process import ChatProcess

DEFAULT_COMMAND = (sys.executable, "-m", "app", "chat")


class ChatWorker(QObject):
    """`state_changed(str)`: unloaded, loading, ready or answering. `memory_reported(int)`: the process's resident
    memory in bytes, when it loaded and when a key sharing it was unloaded."""

    state_changed = Signal(str)
    memory_reported = Signal(int)
    token_received = Signal(str)
    answer_finished = Signal(dict)
    error_received = Signal(dict)

    def __init__(self, command: list[str] | tuple[str, ...] = DEFAULT_COMMAND, parent: QObject | None = None):
        super().__init__(parent)
        self.command = list(command)
        self.key: str | None = None
        self.state = "unloaded"
        self.pending: dict | None = None
        self.process: ChatProcess | None = None
        self._load_failed = False

    # ---- commands ----
    def load(self, key: str, shared: ChatProcess | None = None) -> None:
        """Serve `key`: a no-op when it is loaded already (and, given `shared`, in that process)."""
        if self.is_running() and key == self.key and shared in (None, self.process):
            return
        self.unload()
        self.process = shared or ChatProcess(self.command, [key], self)
        self.process.attach(key, self)
        self.key, self.pending, self._load_failed = key, None, False
        self._set_state("loading")

    def ask(self, request: dict) -> None:
        if self.state == "ready":
            self.process.write({"model": self.key, **request})
            self._set_state("answering")
        else:
            self.pending = request

    def stop_generation(self) -> None:
        self.pending = None
        if self.state == "answering":
            self.process.write({"stop": True, "model": self.key})

    def unload(self) -> None:
        """Unload this key without waiting: its process ends unless another column still uses it."""
        self.pending = None
        process, self.process = self.process, None
        if process is not None:
            process.detach(self.key)
        self._set_state("unloaded")

    def shutdown(self) -> None:
        """End the process and wait for it (the page is closing); so too processes still ending after an unload."""
        self.pending = None
        for process in {*self.findChildren(ChatProcess), *([self.process] if self.process else [])}:
            process.shutdown()
        self.process = None
        self._set_state("unloaded")

    def is_running(self) -> bool:
        return self.process is not None and self.process.is_running()

    def is_shared(self) -> bool:
        return self.process is not None and self.process.is_shared()

    def pid(self) -> int:
        return self.process.pid() if self.process is not None else 0

    # ---- events of its key (called by the process) ----
    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self.state_changed.emit(state)

    def handle(self, event: dict) -> None:
        kind = event.get("event")
        if kind == "loaded":
            self._set_state("ready")
            self.memory_reported.emit(int(event.get("memory_bytes", 0)))
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

    def process_ended(self, error: str, hint: str) -> None:
        self.process = None
        self._set_state("unloaded")
        if not self._load_failed:  # else already reported by its error event
            self.error_received.emit({"event": "error", "error": error, "hint": hint})
