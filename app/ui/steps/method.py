"""Step 3, Method: how much of the model to train. A card per method the engine offers, then its settings."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QGridLayout,
    QLabel,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.core.methods import METHODS, MethodSpec
from app.ui.state import StudioState
from app.ui.steps.base import StepPage
from app.ui.steps.model import human_count
from app.ui.widgets.config_form import ConfigForm, is_advanced, section_fields


class MethodCard(QFrame):
    """One method: its title as a radio button, what it does, when to choose it, what it costs."""

    def __init__(self, spec: MethodSpec, parent: QWidget | None = None):
        super().__init__(parent)
        self.spec = spec
        self.setObjectName("methodCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        layout.setSpacing(4)
        self.radio = QRadioButton(spec.title)
        self.radio.setObjectName("cardTitle")
        layout.addWidget(self.radio)
        for label, text in (("What", spec.what), ("When", spec.when), ("Cost", spec.cost)):
            line = QLabel(f"<b>{label}:</b> {text}")
            line.setWordWrap(True)
            layout.addWidget(line)
        self.trainable = QLabel()
        self.trainable.setObjectName("detail")
        layout.addWidget(self.trainable)
        layout.addStretch(1)

    def mousePressEvent(self, event) -> None:
        self.radio.setChecked(True)
        super().mousePressEvent(event)


class MethodStep(StepPage):
    key = "method"
    title = "Method"
    help = ("How much of the model to train. Adapters (LoRA and friends) train a small add-on and need far "
            "less memory; full fine-tuning changes every weight.")

    def __init__(self, state: StudioState, settings: QSettings | None = None, parent: QWidget | None = None):
        super().__init__(state, settings, parent)
        # The engine may offer many methods: the cards and the settings scroll, so the page never sets a minimum
        # height taller than the window.
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 8, 0)
        column.setSpacing(12)
        grid = QGridLayout()
        grid.setSpacing(12)
        self.cards: dict[str, MethodCard] = {}
        self.group = QButtonGroup(self)
        for i, (name, spec) in enumerate(METHODS.items()):
            card = MethodCard(spec)
            self.cards[name] = card
            self.group.addButton(card.radio)
            card.radio.toggled.connect(lambda on, n=name: on and self.choose(n))
            grid.addWidget(card, i // 2, i % 2)
        column.addLayout(grid)
        self.settings_title = QLabel()
        self.settings_title.setObjectName("sectionTitle")
        column.addWidget(self.settings_title)
        self.form = ConfigForm(state, ["method"], exclude={"method": ["name"]}, columns=2, section_titles=False)
        column.addWidget(self.form)
        column.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidget(holder)
        self.layout_.addWidget(self.scroll, 1)
        self.form.problems_changed.connect(lambda bad: self.validity_changed.emit(not bad))
        state.config_changed.connect(self.refresh)
        state.model_info_changed.connect(self.refresh)
        self.refresh()

    def choose(self, name: str) -> None:
        self.state.update("method", name=name)

    def is_valid(self) -> bool:
        return not self.form.has_errors()

    def refresh(self, *_args) -> None:
        config = self.state.config
        spec = METHODS[config.method.name]
        card = self.cards[spec.name]
        if not card.radio.isChecked():
            card.radio.blockSignals(True)
            card.radio.setChecked(True)
            card.radio.blockSignals(False)
        for name, other in self.cards.items():
            other.setProperty("selected", name == spec.name)
            other.style().unpolish(other)
            other.style().polish(other)
        for field in section_fields("method"):
            self.form.set_field_visible("method", field, field in spec.settings)
        fields = section_fields("method")
        self.form.advanced.setVisible(any(is_advanced(fields[f]) for f in spec.settings))
        self.settings_title.setText(f"{spec.title} settings" if spec.settings else
                                    f"{spec.title} has no settings of its own.")
        self._trainable_counts()
        self.validity_changed.emit(self.is_valid())

    def _trainable_counts(self) -> None:
        info = self.state.model_info
        if info is None:
            for card in self.cards.values():
                card.trainable.setText("Trainable parameters: shown once the model is read.")
            return
        from app.core.methods import trainable_parameters

        for name, card in self.cards.items():
            method = self.state.config.method.model_copy(update={"name": name})
            n = trainable_parameters(info, method)
            card.trainable.setText(f"Trains <b>{human_count(n)}</b> parameters "
                                   f"({n / max(info.num_parameters, 1):.2%} of {human_count(info.num_parameters)})")
            card.trainable.setTextFormat(Qt.TextFormat.RichText)


if __name__ == "__main__":
    from app.ui.preview import preview

    raise SystemExit(preview(MethodStep))
