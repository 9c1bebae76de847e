"""Chat: ask a trained run (or any model) a question by running `finetune-studio chat`, output streamed."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from app.ui.icons import icon
from app.ui.settings import open_settings
from app.ui.steps.base import page_layout
from app.ui.widgets.process_output import ProcessOutput
from app.ui.widgets.run_picker import RunPicker

DEFAULT_PROMPT = "What is the largest planet in the solar system?"


class ChatPage(QWidget):
    def __init__(self, settings: QSettings | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.settings = settings or open_settings()
        layout = page_layout(self, "Chat", "Ask a trained run, or the base model, a question and compare their answers.")
        form = QFormLayout()
        self.model = RunPicker(self.settings, extra=(("Demo model (untrained base)", "demo"),))
        form.addRow("Model", self.model)
        self.prompt = QPlainTextEdit(str(self.settings.value("chat/prompt", DEFAULT_PROMPT)))
        self.prompt.setFixedHeight(80)
        form.addRow("Prompt", self.prompt)
        layout.addLayout(form)
        buttons = QHBoxLayout()
        self.send_button = QPushButton(icon("chat"), "Ask")
        self.send_button.setShortcut("Ctrl+Return")
        self.send_button.setToolTip("Ask (Ctrl+Enter)")
        self.send_button.clicked.connect(self.ask)
        self.stop_button = QPushButton(icon("stop"), "Stop")
        self.stop_button.setEnabled(False)
        buttons.addWidget(self.send_button)
        buttons.addWidget(self.stop_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.output = ProcessOutput()
        self.stop_button.clicked.connect(self.output.stop)
        self.output.started.connect(lambda: self._running(True))
        self.output.finished.connect(lambda _code: self._running(False))
        layout.addWidget(self.output, 1)

    def chat_args(self) -> list[str]:
        return ["chat", str(self.model.value()), "--prompt", self.prompt.toPlainText().strip()]

    def ask(self) -> None:
        if not self.model.value() or not self.prompt.toPlainText().strip():
            return
        self.settings.setValue("chat/prompt", self.prompt.toPlainText())
        self.output.run(self.chat_args(), clear=False)

    def _running(self, running: bool) -> None:
        self.send_button.setEnabled(not running)
        self.stop_button.setEnabled(running)

    def refresh(self) -> None:
        self.model.refresh()

    def shutdown(self) -> None:
        self.output.stop()


if __name__ == "__main__":
    from app.ui.preview import preview

    raise SystemExit(preview(lambda _state: ChatPage()))
