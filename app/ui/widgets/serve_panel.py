""""Serve over HTTP": a `finetune-studio serve KEYS --events jsonl` process (app/core/serving/), run by a
WorkerProcess, with its URL, model names and a copyable curl or Python snippet once it listens.

The page says what to serve through `targets` (a callable giving the keys: one model, or runs and their base); the
process ends on Stop, when the page shuts down (the app quits), or by itself (an error, shown in place).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.ui.i18n import event_texts
from app.ui.worker import WorkerProcess

DEFAULT_SERVE_COMMAND = (sys.executable, "-m", "app", "serve")


def snippet(kind: str, url: str, model: str, api_key: str | None = None) -> str:
    """A request to the server a user can paste: `curl` or Python with the official `openai` package."""
    body = json.dumps({"model": model, "messages": [{"role": "user", "content": "Hello!"}]}).replace("'", "'\\''")
    if kind == "curl":
        auth = f' \\\n  -H "Authorization: Bearer {api_key}"' if api_key else ""
        return f"curl {url}/chat/completions \\\n  -H \"Content-Type: application/json\"{auth} \\\n  -d '{body}'"
    quoted = json.dumps  # a Python string literal too, for these texts
    return (f"from openai import OpenAI\nclient = OpenAI(base_url={quoted(url)}, api_key={quoted(api_key or 'none')})\n"
            f"reply = client.chat.completions.create(model={quoted(model)}, messages=[{{\"role\": \"user\", "
            f"\"content\": \"Hello!\"}}])\nprint(reply.choices[0].message.content)")


class ServePanel(QWidget):
    """`targets()` gives the keys to serve when Serve is pressed; `listening` is the server's `listening` event while
    it serves, else None."""

    def __init__(self, targets: Callable[[], list[str]],
                 command: list[str] | tuple[str, ...] = DEFAULT_SERVE_COMMAND, parent: QWidget | None = None):
        super().__init__(parent)
        self.targets, self.command = targets, list(command)
        self.listening: dict | None = None
        self.worker = WorkerProcess(self)
        self.worker.phase_changed.connect(lambda e: self.status.setText(self.tr("Loading the model…")))
        self.worker.server_listening.connect(self._listening)
        self.worker.run_finished.connect(self._finished)
        self.worker.process.finished.connect(self._update)  # also after stop(), which silences the worker

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.button = QPushButton(self.tr("Serve over HTTP"))
        self.button.setToolTip(self.tr("Serve the chosen model (and the second one, when they share a base "
                                       "model) on this machine over an OpenAI-compatible API, for other programs"))
        self.button.clicked.connect(self.toggle)
        self.port = QSpinBox(minimum=1, maximum=65535)
        self.port.setValue(8000)
        self.port.setToolTip(self.tr("The port the server listens on, at 127.0.0.1 (this machine only)"))
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row.addWidget(self.button)
        row.addWidget(QLabel(self.tr("Port")))
        row.addWidget(self.port)
        row.addWidget(self.status, 1)
        layout.addLayout(row)

        self.details = QWidget()
        details = QHBoxLayout(self.details)
        details.setContentsMargins(0, 0, 0, 0)
        self.snippet = QPlainTextEdit(readOnly=True)
        self.snippet.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.snippet.setFixedHeight(self.snippet.fontMetrics().lineSpacing() * 5 + 14)  # the Python snippet's 4 lines
        self.snippet.setToolTip(self.tr("A request to the server: paste it in a terminal or a Python script"))
        side = QVBoxLayout()
        self.kind = QComboBox()
        self.kind.addItem("curl", "curl")
        self.kind.addItem("Python", "python")
        self.kind.setToolTip(self.tr("The snippet's language (Python uses the openai package)"))
        self.kind.currentIndexChanged.connect(self._show_snippet)
        self.model = QComboBox()
        self.model.setToolTip(self.tr("The model name the snippet asks for"))
        self.model.currentIndexChanged.connect(self._show_snippet)
        self.copy_button = QPushButton(self.tr("Copy"))
        self.copy_button.setToolTip(self.tr("Copy the snippet to the clipboard"))
        self.copy_button.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.snippet.toPlainText()))
        for widget in (self.kind, self.model, self.copy_button):
            side.addWidget(widget)
        details.addWidget(self.snippet, 1)
        details.addLayout(side)
        self.details.hide()
        layout.addWidget(self.details)

    # ---- what the user does ----
    def toggle(self) -> None:
        if self.worker.is_running():
            self.stop()
        else:
            self.start()

    def start(self) -> None:
        self.listening = None
        self.worker.blockSignals(False)  # stop() silenced the previous one
        self.worker.start([*self.command, *self.targets(), "--port", str(self.port.value())])
        self.status.setText(self.tr("Starting the server…"))
        self._update()

    def stop(self) -> None:
        """End the server (SIGTERM; killed if it has not ended 3 s later)."""
        self.worker.end()
        self.listening = None
        self.status.setText(self.tr("Stopped."))
        self._update()

    def shutdown(self) -> None:
        """End the server and wait for it (the app quits)."""
        self.worker.shutdown()

    def is_serving(self) -> bool:
        return self.worker.is_running()

    # ---- what the server says ----
    def _listening(self, event: dict) -> None:
        self.listening = event
        self.status.setText(self.tr("Serving {models} at {url}").format(models=", ".join(event["models"]),
                                                                       url=event["url"]))
        self.model.blockSignals(True)
        self.model.clear()
        self.model.addItems(event["models"])
        self.model.blockSignals(False)
        self._show_snippet()
        self._update()

    def _finished(self, event: dict) -> None:
        self.listening = None
        if event.get("status") in ("failed", "rejected"):
            error, hint = event_texts(event)
            self.status.setText((error or self.tr("The server stopped.")) + (f"\n{hint}" if hint else ""))
        else:
            self.status.setText(self.tr("Stopped."))
        self._update()

    def _show_snippet(self, *_args) -> None:
        if self.listening is not None:
            self.snippet.setPlainText(snippet(self.kind.currentData(), self.listening["url"],
                                              self.model.currentText(), self.listening.get("api_key")))

    def _update(self, *_args) -> None:
        running = self.worker.is_running()
        self.button.setText(self.tr("Stop serving") if running else self.tr("Serve over HTTP"))
        self.port.setEnabled(not running)
        self.details.setVisible(self.listening is not None)
