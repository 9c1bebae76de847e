"""Chat: talk to a run (or any model), or to two side by side — by default the tuned run and its base model.

Each column keeps its model loaded in a `finetune-studio chat MODEL --events jsonl` process (app/ui/widgets/
chat_process.py), so loading, answering and unloading never block the window. When both columns' models share one
base model (a LoRA run and its base, or two LoRA runs of one base) they share one process that holds the base once
and answers both in one batched generation; merged exports and different bases get a process each. "Serve over
HTTP" (app/ui/widgets/serve_panel.py) serves the same models to other programs through `finetune-studio serve`.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QSettings, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.ui.icons import icon
from app.ui.settings import open_settings
from app.ui.steps.base import page_layout
from app.ui.widgets.chat_column import ChatColumn
from app.ui.widgets.chat_process import ChatProcess
from app.ui.widgets.chat_worker import DEFAULT_COMMAND
from app.ui.widgets.run_picker import RunPicker
from app.ui.widgets.serve_panel import DEFAULT_SERVE_COMMAND, ServePanel

DEFAULT_PROMPT = QT_TRANSLATE_NOOP("ChatPage", "What is the largest planet in the solar system?")
BASE = "@base"  # the second picker's default: the first model's base


class ChatPage(QWidget):
    """`worker_command`: the command that serves one model over the jsonl protocol, `serve_command` the HTTP server's
    (tests pass fakes)."""

    def __init__(self, settings: QSettings | None = None, parent: QWidget | None = None,
                 worker_command: list[str] | tuple[str, ...] = DEFAULT_COMMAND,
                 serve_command: list[str] | tuple[str, ...] = DEFAULT_SERVE_COMMAND):
        super().__init__(parent)
        self.worker_command = list(worker_command)
        self.settings = settings or open_settings()
        layout = page_layout(self, self.tr("Chat"), self.tr("Talk to a trained run, or send the same prompt to the "
                                                   "run and its base model side by side. Each model stays "
                                                   "loaded until you unload it."))
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        self.model = RunPicker(self.settings, extra=((QT_TRANSLATE_NOOP("RunPicker", "Demo model (untrained base)"),
                                                      "demo"),))
        self.model.setToolTip(self.tr("The model to chat with: a finished run, the demo model or a model "
                                      "folder"))
        self.side_by_side = QCheckBox(self.tr("Side by side with"))
        self.side_by_side.setToolTip(self.tr("Send each prompt to a second model too, and show both answers"))
        self.side_by_side.setChecked(self.settings.value("chat/side_by_side", True, type=bool))
        self.other = RunPicker(self.settings, extra=((QT_TRANSLATE_NOOP("RunPicker", "Its base model"), BASE),
                                                     (QT_TRANSLATE_NOOP("RunPicker", "Demo model (untrained base)"),
                                                      "demo")))
        self.other.setMinimumContentsLength(16)
        self.other.setToolTip(self.tr("The second model: by default the base model the first one was "
                                      "trained from"))
        grid.addWidget(QLabel(self.tr("Model")), 0, 0)
        grid.addWidget(self.model, 0, 1)
        grid.addWidget(self.side_by_side, 0, 2)
        grid.addWidget(self.other, 0, 3)
        grid.setColumnStretch(1, 3)
        grid.setColumnStretch(3, 2)
        self.system = QLineEdit(str(self.settings.value("chat/system", "")))
        self.system.setPlaceholderText(self.tr("Optional: instructions the model gets before the "
                                               "conversation"))
        self.system.setToolTip(self.tr("The system prompt, sent first with every request"))
        grid.addWidget(QLabel(self.tr("System prompt")), 1, 0)
        grid.addWidget(self.system, 1, 1, 1, 3)
        grid.addLayout(self._sampling_row(), 2, 1, 1, 3)  # a row of its own, so the page fits a laptop's width
        layout.addLayout(grid)

        self.base_column = ChatColumn(self.tr("Base"), worker_command)
        self.tuned_column = ChatColumn(self.tr("Model"), worker_command)
        self.splitter = splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self.base_column)
        splitter.addWidget(self.tuned_column)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        self._sized = False
        layout.addWidget(splitter, 1)

        bottom = QHBoxLayout()
        self.prompt = QPlainTextEdit(str(self.settings.value("chat/prompt", self.tr(DEFAULT_PROMPT))))
        self.prompt.setPlaceholderText(self.tr("Type a message (Ctrl+Enter sends)"))
        self.prompt.setFixedHeight(64)
        self.prompt.setTabChangesFocus(True)  # Tab goes on to Send, as in every other field
        bottom.addWidget(self.prompt, 1)
        buttons = QVBoxLayout()
        self.send_button = QPushButton(icon("chat"), self.tr("Send"))
        self.send_button.setShortcut("Ctrl+Return")
        self.send_button.setToolTip(self.tr("Send (Ctrl+Enter); the models load first if they are not "
                                            "loaded yet"))
        self.send_button.setDefault(True)
        self.send_button.clicked.connect(self.send)
        self.stop_button = QPushButton(icon("stop"), self.tr("Stop"))
        self.stop_button.setToolTip(self.tr("Stop generating; the models stay loaded"))
        self.stop_button.clicked.connect(self.stop)
        self.clear_button = QPushButton(self.tr("Clear"))
        self.clear_button.setToolTip(self.tr("Start a new conversation"))
        self.clear_button.clicked.connect(self.clear)
        row = QHBoxLayout()
        row.addWidget(self.send_button)
        row.addWidget(self.stop_button)
        buttons.addLayout(row)
        buttons.addWidget(self.clear_button)
        bottom.addLayout(buttons)
        layout.addLayout(bottom)
        self.serve_panel = ServePanel(self.serve_targets, serve_command)
        layout.addWidget(self.serve_panel)

        for column in self.columns():
            column.worker.state_changed.connect(self._update_buttons)
            column.worker.answer_finished.connect(self._update_buttons)
            column.worker.error_received.connect(self._update_buttons)
        self.side_by_side.toggled.connect(self._layout_changed)
        self._picked_default = False
        self.model.refreshed.connect(self._pick_default_run)
        for picker in (self.model, self.other):
            picker.currentIndexChanged.connect(self._show_titles)
            picker.refreshed.connect(self._show_titles)  # a refresh may pick another entry without a signal
        self._layout_changed()

    def _sampling_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.temperature = QDoubleSpinBox(decimals=2, minimum=0.0, maximum=2.0, singleStep=0.1)
        self.temperature.setValue(float(self.settings.value("chat/temperature", 0.7)))
        self.temperature.setToolTip(self.tr("Randomness: 0 always picks the most likely token (the same "
                                            "answer every time)"))
        self.top_p = QDoubleSpinBox(decimals=2, minimum=0.05, maximum=1.0, singleStep=0.05)
        self.top_p.setValue(float(self.settings.value("chat/top_p", 0.9)))
        self.top_p.setToolTip(self.tr("Nucleus sampling: pick only among the most likely tokens that "
                                      "together reach P (used when temperature > 0)"))
        self.max_tokens = QSpinBox(minimum=1, maximum=8192, singleStep=64)
        self.max_tokens.setValue(int(self.settings.value("chat/max_tokens", 256)))
        self.max_tokens.setToolTip(self.tr("The longest answer, in tokens"))
        row.setSpacing(6)
        for i, (label, box) in enumerate(((self.tr("Temperature"), self.temperature), (self.tr("Top-p"), self.top_p),
                                          (self.tr("Max tokens"), self.max_tokens))):
            if i:
                row.addSpacing(12)
            row.addWidget(QLabel(label))
            row.addWidget(box)
        row.addStretch(1)
        return row

    # ---- what the user does ----
    def columns(self) -> list[ChatColumn]:
        return [self.base_column, self.tuned_column] if self.side_by_side.isChecked() else [self.tuned_column]

    def targets(self) -> list[tuple[ChatColumn, str, str]]:
        """(column, model key, label) for each column in use."""
        key = self.model.value() or "demo"
        label = self.model.currentText().split("  ·  ")[0]
        targets = [(self.tuned_column, key, label)]
        if self.side_by_side.isChecked():
            other = self.other.value() or BASE
            if other == BASE:
                from app.core.chat.load import base_model_of

                other_key = base_model_of(key)
                other_label = self.tr("demo model") if other_key == "demo" else other_key
            else:
                other_key, other_label = other, self.other.currentText().split("  ·  ")[0]
            targets.insert(0, (self.base_column, other_key, other_label))
        return targets

    def serve_targets(self) -> list[str]:
        """What "Serve over HTTP" serves: the chosen model, and the second one too when both share one base."""
        from app.core.chat.load import shared_base

        keys = [key for _, key, _ in reversed(self.targets())]  # the chosen model first
        return keys if len(keys) > 1 and shared_base(keys) is not None else keys[:1]

    def settings_dict(self) -> dict:
        return {"system": self.system.text(), "temperature": self.temperature.value(), "top_p": self.top_p.value(),
                "max_tokens": self.max_tokens.value()}

    def send(self) -> None:
        text = self.prompt.toPlainText().strip()
        if not text or self.is_answering():
            return
        self._remember()
        settings = self.settings_dict()
        targets = self.targets()
        shared = self._shared_process([(column, key) for column, key, _ in targets])
        for column, key, label in targets:
            column.set_model(key, label, shared)
            column.send(text, settings)
        self.prompt.clear()
        self._update_buttons()

    def _shared_process(self, targets: list[tuple[ChatColumn, str]]) -> ChatProcess | None:
        """The process both columns use when their models share a base: the one already serving them, else a new
        one; None when each needs its own (one column, merged exports, other adapter types or bases)."""
        from app.core.chat.load import shared_base

        if shared_base([key for _, key in targets]) is None:
            return None
        current = targets[0][0].worker.process
        if current is not None and current.is_running() and all(
                column.worker.process is current and column.worker.key == key for column, key in targets):
            return current
        return ChatProcess(self.worker_command, [key for _, key in targets], self)

    def stop(self) -> None:
        for column in (self.base_column, self.tuned_column):
            column.stop()

    def clear(self) -> None:
        for column in (self.base_column, self.tuned_column):
            column.clear()
        self._update_buttons()

    def is_answering(self) -> bool:
        return any(c.is_answering() for c in self.columns())

    def _remember(self) -> None:
        for key, value in (("prompt", self.prompt.toPlainText()), ("system", self.system.text()),
                           ("temperature", self.temperature.value()), ("top_p", self.top_p.value()),
                           ("max_tokens", self.max_tokens.value()), ("side_by_side", self.side_by_side.isChecked())):
            self.settings.setValue(f"chat/{key}", value)

    def _pick_default_run(self) -> None:
        """The first time the runs are listed, chat with the newest finished run (vs. its base, side by side)."""
        if not self._picked_default:
            self._picked_default = True
            if self.model.count() > len(self.model.extra) + 1 and self.model.currentIndex() == 0:
                self.model.setCurrentIndex(len(self.model.extra))

    def _show_titles(self, *_args) -> None:
        """Each column shows the model it will talk to; a column whose model changed starts a new conversation."""
        for column, key, label in self.targets():
            column.start_conversation(key, label)
            if column.worker.key != key:  # a loaded model keeps its title until the next message replaces it
                column.title.setText(f"{column.role}: {label}")
                column.title.setToolTip(key)

    def _layout_changed(self) -> None:
        side = self.side_by_side.isChecked()
        self.other.setEnabled(side)
        self.base_column.setVisible(side)
        if not side:
            self.base_column.worker.unload()
        self.tuned_column.role = self.tr("Tuned") if side else self.tr("Model")
        self._show_titles()
        self._update_buttons()

    def _update_buttons(self, *_args) -> None:
        answering = self.is_answering()
        self.send_button.setEnabled(not answering)
        self.stop_button.setEnabled(answering)
        for widget in (self.model, self.side_by_side):  # an answer belongs to the model it was asked of
            widget.setEnabled(not answering)
        self.other.setEnabled(not answering and self.side_by_side.isChecked())

    # ---- the window ----
    def refresh(self) -> None:
        self.model.refresh()
        self.other.refresh()

    def shutdown(self) -> None:
        self.serve_panel.shutdown()
        for process in self.findChildren(ChatProcess):  # shared ones, and any still ending after an unload
            process.shutdown()
        for column in (self.base_column, self.tuned_column):
            column.worker.shutdown()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._sized:  # two equal columns, whatever their titles' lengths
            self._sized = True
            self.splitter.setSizes([self.splitter.width() // 2] * 2)

    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)


if __name__ == "__main__":
    from app.ui.preview import preview

    raise SystemExit(preview(lambda _state: ChatPage()))
