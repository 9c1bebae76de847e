"""Step 3, Method: what to teach (the stage), then how much of the model to train (a card per method, grouped by
family), then the method's settings. Methods that do not suit the chosen stage are shown but cannot be picked."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QSettings, Qt
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
from app.core.methods.registry import FAMILIES
from app.core.stages import STAGES
from app.core.stages.rewards import latest_reward_model
from app.ui.i18n import schema_text
from app.ui.state import StudioState
from app.ui.steps.base import StepPage
from app.ui.steps.model import human_count
from app.ui.widgets.config_form import ConfigForm, is_advanced, section_fields
from app.ui.widgets.stage_chooser import StageChooser

PREFERRED = ("lora", "full")  # the method a stage switches to when the current one does not suit it


class MethodCard(QFrame):
    """One method: its title as a radio button, what it does, when to choose it, what it costs."""

    def __init__(self, spec: MethodSpec, parent: QWidget | None = None):
        super().__init__(parent)
        self.spec = spec
        self.setObjectName("methodCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        layout.setSpacing(4)
        self.radio = QRadioButton(schema_text(spec.title))
        self.radio.setObjectName("cardTitle")
        layout.addWidget(self.radio)
        for line_text in (self.tr("<b>What:</b> {text}").format(text=schema_text(spec.what)),
                          self.tr("<b>When:</b> {text}").format(text=schema_text(spec.when)),
                          self.tr("<b>Cost:</b> {text}").format(text=schema_text(spec.cost))):
            line = QLabel(line_text)
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
    title = QT_TRANSLATE_NOOP("MethodStep", "Method")
    help = QT_TRANSLATE_NOOP("MethodStep", "What to teach the model, then how much of it to train. Adapters (LoRA and friends) train a small "
                                           "add-on and need far less memory; full fine-tuning changes every weight.")

    def __init__(self, state: StudioState, settings: QSettings | None = None, parent: QWidget | None = None):
        super().__init__(state, settings, parent)
        # The engine may offer many methods: the cards and the settings scroll, so the page never sets a minimum
        # height taller than the window.
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 8, 0)
        column.setSpacing(12)
        self.stages = StageChooser(state)
        self.stages.stage_chosen.connect(self.choose_stage)
        column.addWidget(self.stages)
        self.cards: dict[str, MethodCard] = {}
        self.group = QButtonGroup(self)
        for family, family_title in FAMILIES.items():
            heading = QLabel(self.tr("{family_title} methods").format(family_title=schema_text(family_title)))
            heading.setObjectName("sectionTitle")
            column.addWidget(heading)
            grid = QGridLayout()
            grid.setSpacing(12)
            specs = [spec for spec in METHODS.values() if spec.family == family]
            for i, spec in enumerate(specs):
                card = MethodCard(spec)
                self.cards[spec.name] = card
                self.group.addButton(card.radio)
                card.radio.toggled.connect(lambda on, n=spec.name: on and self.choose(n))
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

    def choose_stage(self, name: str) -> None:
        """Switch the stage; a method that does not suit it is replaced by LoRA (or full where LoRA does not fit).
        PPO without a reward model takes the newest rm run on the same base model; with none, the stage stays and
        its card says to train one first."""
        config = self.state.config
        allowed = STAGES[name].methods
        method = config.method.name if config.method.name in allowed else \
            next((m for m in PREFERRED if m in allowed), allowed[0])
        stage = config.stage.model_dump()
        if name == "ppo" and not stage["reward_model"]:
            stage["reward_model"] = latest_reward_model(config.model.source)
            if stage["reward_model"] is None:
                self.stages.refuse(self.tr("PPO needs a reward model, and no rm run on this base model has one yet: "
                                           "train a reward model first (the Reward model stage, exported with a merged "
                                           "model), then choose PPO."))
                return
        self.state.update(None, training={**config.training.model_dump(), "stage": name},
                          method={**config.method.model_dump(), "name": method}, stage=stage)

    def is_valid(self) -> bool:
        return not self.form.has_errors()

    def refresh(self, *_args) -> None:
        config = self.state.config
        stage = STAGES[config.training.stage]
        self.stages.show_stage(stage.name)
        spec = METHODS[config.method.name]
        card = self.cards[spec.name]
        for name, other in self.cards.items():
            fits = name in stage.methods
            other.setEnabled(fits)
            other.setToolTip("" if fits else self.tr("Does not suit the {title} stage.").format(title=schema_text(stage.title)))
        if not card.radio.isChecked():
            card.radio.blockSignals(True)
            card.radio.setChecked(True)
            card.radio.blockSignals(False)
        for name, other in self.cards.items():
            other.setProperty("selected", name == spec.name)
            other.style().unpolish(other)
            other.style().polish(other)
        shown = [*spec.settings, *(["init_adapter"] if spec.uses_adapter else [])]
        for field in section_fields("method"):
            self.form.set_field_visible("method", field, field in shown)
        fields = section_fields("method")
        self.form.advanced.setVisible(any(is_advanced(fields[f]) for f in shown))
        self.settings_title.setText(self.tr("{title} settings").format(title=schema_text(spec.title)) if spec.settings else
                                    self.tr("{title} has no settings of its own.").format(title=schema_text(spec.title)))
        self._trainable_counts()
        self.validity_changed.emit(self.is_valid())

    def _trainable_counts(self) -> None:
        from app.core.methods import trainable_parameters

        info, stage = self.state.model_info, STAGES[self.state.config.training.stage]
        for name, card in self.cards.items():
            if name not in stage.methods:
                card.trainable.setText(self.tr("Not for the {title} stage.").format(title=schema_text(stage.title)))
                continue
            if info is None:
                card.trainable.setText(self.tr("Trainable parameters: shown once the model is read."))
                continue
            method = self.state.config.method.model_copy(update={"name": name})
            n = trainable_parameters(info, method)
            card.trainable.setText(self.tr("Trains <b>{human_count}</b> "
                                           "parameters ({v1:.2%} of {v2})").format(human_count=human_count(n), v1=n / max(info.num_parameters, 1), v2=human_count(info.num_parameters)))
            card.trainable.setTextFormat(Qt.TextFormat.RichText)


if __name__ == "__main__":
    from app.ui.preview import preview

    raise SystemExit(preview(MethodStep))
