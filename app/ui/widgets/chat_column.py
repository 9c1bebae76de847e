"""One side of the Chat page: a model's worker, its status (loading, memory, tokens/s) and its conversation."""

from __future__ import annotations

import html

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, QTimer
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.ui.i18n import event_texts
from app.ui.widgets.chat_process import ChatProcess
from app.ui.widgets.chat_worker import ChatWorker

SHARED_TIP = QT_TRANSLATE_NOOP("ChatColumn", "Both columns share one model process: the base model is loaded once, with the run's adapter "
              "beside it, and both answers come from one batched generation. The memory is that process's.")


def _mix(a, b, t: float) -> str:
    channels = zip((a.red(), a.green(), a.blue()), (b.red(), b.green(), b.blue()), strict=True)
    return "#" + "".join(f"{round(x * (1 - t) + y * t):02x}" for x, y in channels)


class ChatColumn(QFrame):
    """`messages` is the conversation with the model `conversation_key` (user and assistant turns), sent whole with
    each request. A conversation belongs to one model: serving another starts a new one, and the earlier ones stay
    in view (`earlier`: (label, messages)), under their own model's name and never sent to the new model."""

    def __init__(self, role: str, worker_command, parent: QWidget | None = None):
        super().__init__(parent)
        self.role = role
        self.setObjectName("chatColumn")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.messages: list[dict] = []
        self.conversation_key: str | None = None
        self.conversation_label = ""
        self.earlier: list[tuple[str, list[dict]]] = []
        self.partial: str | None = None
        self.notice = ""
        self.memory = ""
        self.speed = ""
        self.speed_tooltip = ""
        self.worker = ChatWorker(worker_command, self)
        self.worker.state_changed.connect(self._state_changed)
        self.worker.memory_reported.connect(self._memory_reported)
        self.worker.token_received.connect(self._token)
        self.worker.answer_finished.connect(self._answer_finished)
        self.worker.error_received.connect(self._error)
        self.title = QLabel(role)
        self.title.setObjectName("chatColumnTitle")
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.title.setMinimumWidth(60)  # a long model name is cut, not the column widened (its tooltip has it all)
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.status = QLabel(self.tr("Not loaded"))
        self.status.setObjectName("chatStatus")
        self.unload_button = QToolButton(text=self.tr("Unload"))
        self.unload_button.setToolTip(self.tr("Unload this model and free its memory (a shared base model "
                                              "stays loaded while the other column uses it)"))
        self.unload_button.setEnabled(False)
        self.unload_button.clicked.connect(self.worker.unload)
        header = QHBoxLayout()
        titles = QVBoxLayout()
        titles.setSpacing(2)
        titles.addWidget(self.title)
        titles.addWidget(self.status)
        header.addLayout(titles, 1)
        header.addWidget(self.unload_button)
        self.view = QTextBrowser(openExternalLinks=False)
        self.view.setPlaceholderText(self.tr("The conversation appears here."))
        self.view.setFrameShape(QFrame.Shape.NoFrame)  # the column's frame is the box
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(header)
        layout.addWidget(self.view, 1)
        self._render_timer = QTimer(self, singleShot=True, interval=40)  # coalesce fast tokens into one repaint
        self._render_timer.timeout.connect(self.render)

    # ---- driving ----
    def set_model(self, key: str, label: str, shared: ChatProcess | None = None) -> None:
        """Serve `key` in a process of its own, or in `shared` (a process holding its base for both columns)."""
        self.start_conversation(key, label)
        self.title.setText(f"{self.role}: {label}")
        self.title.setToolTip(key)
        self.worker.load(key, shared)  # a no-op when this model is already loaded (there)

    def start_conversation(self, key: str, label: str) -> None:
        """Talk to `key` from now on: a conversation with another model is set aside (shown above, not sent)."""
        if key == self.conversation_key:
            return
        if self.partial is not None:  # the answer in progress ends with the conversation it belongs to
            self.worker.stop_generation()
            self._finish_answer(" [stopped]")
        if self.messages:
            self.earlier.append((self.conversation_label, self.messages))
        self.messages, self.notice = [], ""
        self.conversation_key, self.conversation_label = key, label
        self.render()

    def send(self, text: str, settings: dict) -> None:
        self.messages.append({"role": "user", "content": text})
        self.partial = ""
        self.notice = ""
        system = settings.get("system", "").strip()
        prefix = [{"role": "system", "content": system}] if system else []
        self.worker.ask({"messages": prefix + self.messages, "max_tokens": settings["max_tokens"],
                         "temperature": settings["temperature"], "top_p": settings["top_p"]})
        self.render()

    def stop(self) -> None:
        if self.worker.state == "answering":
            self.worker.stop_generation()  # the worker answers with done(stopped=True)
        elif self.partial is not None:  # still loading: drop the queued question
            self.worker.stop_generation()
            self._finish_answer(" [stopped]")

    def clear(self) -> None:
        self.stop()
        self.messages, self.earlier, self.partial, self.notice = [], [], None, ""
        self.render()

    def is_answering(self) -> bool:
        return self.partial is not None

    def text(self) -> str:
        return self.view.toPlainText()

    # ---- worker events ----
    def _state_changed(self, state: str) -> None:
        self.unload_button.setEnabled(state != "unloaded")
        if state == "unloaded":
            self.memory = ""
            if self.partial is not None:  # the answer in progress will never finish
                self._finish_answer(self.tr(" [model unloaded]"))
        self._show_status()

    def _memory_reported(self, memory_bytes: int) -> None:
        self.memory = f"{memory_bytes / 2**20:,.0f} MB"
        self._show_status()

    def _token(self, text: str) -> None:
        if self.partial is None:
            return
        self.partial += text
        if not self._render_timer.isActive():
            self._render_timer.start()

    def _answer_finished(self, event: dict) -> None:
        self.speed = f"{event.get('tokens_per_second', 0):.1f} tokens/s"
        self.speed_tooltip = self.tr("{tokens} tokens in {seconds:.2f} s (last answer)").format(
            tokens=event.get('tokens', 0), seconds=event.get('seconds', 0))
        if event.get("trimmed"):
            self.notice = self.tr("The {n} oldest messages were left out so the conversation fits the model's "
                                  "context.").format(n=event['trimmed'])
        if self.partial is not None:  # else it was ended already (the conversation was set aside)
            self._finish_answer(" [stopped]" if event.get("stopped") else "")
        else:
            self._show_status()

    def _error(self, event: dict) -> None:
        error, hint = event_texts(event)
        self.notice = "⚠ " + (error or self.tr("Error")) + (f"\n{hint}" if hint else "")
        if self.partial is not None:
            if self.messages and self.messages[-1]["role"] == "user":
                self.messages.pop()  # the question got no answer: do not send it again with the next one
            self.partial = None
        self._show_status()
        self.render()

    def _finish_answer(self, suffix: str) -> None:
        self.messages.append({"role": "assistant", "content": (self.partial or "") + suffix})
        self.partial = None
        self._show_status()
        self.render()

    def _show_status(self) -> None:
        state = self.worker.state
        shared = self.worker.is_shared()
        memory = self.tr("{memory} shared").format(memory=self.memory) if self.memory and shared else self.memory
        parts = {"unloaded": [self.tr("Not loaded")],
                 "loading": [self.tr("Loading… (shared)") if shared else self.tr("Loading…")],
                 "ready": [self.tr("Ready"), memory, self.speed],
                 "answering": [self.tr("Answering…"), memory, self.speed]}[state]
        self.status.setText("  ·  ".join(p for p in parts if p))
        tips = [self.tr(SHARED_TIP)] if shared else []
        self.status.setToolTip("\n".join([*tips, self.speed_tooltip]).strip())

    # ---- the transcript ----
    def render(self) -> None:
        pal = self.palette()
        base, text = pal.color(QPalette.ColorRole.Base), pal.color(QPalette.ColorRole.Text)
        user_bg = _mix(base, pal.color(QPalette.ColorRole.Highlight), 0.18)
        bot_bg = _mix(base, text, 0.07)
        muted = _mix(base, text, 0.55)
        turns = list(self.messages)
        if self.partial is not None:
            turns.append({"role": "assistant", "content": self.partial + " ▍"})
        rows = []

        def add(conversation: list[dict], model: str) -> None:
            for turn in conversation:
                is_user = turn["role"] == "user"
                body = html.escape(turn["content"]).replace("\n", "<br>") or "&nbsp;"
                who = self.tr("You") if is_user else html.escape(model or self.tr("Model"))
                spacer = '<td width="18%"></td>'
                rows.append(
                    f'<table width="100%" cellspacing="0" cellpadding="0" style="margin-bottom:8px"><tr>'
                    f'{spacer if is_user else ""}'
                    f'<td bgcolor="{user_bg if is_user else bot_bg}" style="padding:8px">'
                    f'<span style="color:{muted}; font-size:small">{who}</span><br>{body}</td>'
                    f'{"" if is_user else spacer}</tr></table>')

        def divider(words: str) -> None:
            rows.append(f'<p align="center" style="color:{muted}; font-size:small">── {html.escape(words)} ──</p>')

        current = self.conversation_label or self.tr("this model")
        for label, messages in self.earlier:
            divider(self.tr("Earlier conversation with {label} (not sent to {current})").format(label=label,
                                                                                                current=current))
            add(messages, label)
        if self.earlier:
            divider(self.tr("New conversation with {current}").format(current=current))
        add(turns, self.conversation_label)
        if self.notice:
            rows.append(f'<p style="color:#c0392b">{html.escape(self.notice).replace(chr(10), "<br>")}</p>')
        bar = self.view.verticalScrollBar()
        at_end = bar.value() >= bar.maximum() - 4
        self.view.setHtml("".join(rows))
        if at_end:
            bar.setValue(bar.maximum())
