"""The stage chooser at the top of the Method step: what the user wants, then the stage that does it.

Stages are grouped by goal (continue pre-training, teach by examples, align to preferences, classify), each a radio
button; below them the chosen stage's card (what it teaches, the data it reads) and its own settings.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.core.stages import STAGES, StageSpec
from app.ui.i18n import schema_text
from app.ui.state import StudioState
from app.ui.widgets.config_form import ConfigForm, section_fields

# (goal, stage names): the order the user reads them in.
GOALS = (
    (QT_TRANSLATE_NOOP("StageChooser", "Continue pre-training"), ("pt",)),
    (QT_TRANSLATE_NOOP("StageChooser", "Teach by examples"), ("sft",)),
    (QT_TRANSLATE_NOOP("StageChooser", "Align to preferences"), ("dpo", "orpo", "simpo", "kto", "grpo", "rloo", "ppo",
                                                                "rm")),
    (QT_TRANSLATE_NOOP("StageChooser", "Classify texts"), ("cls",)),
)


def short_title(spec: StageSpec) -> str:
    """The radio button's label: the acronym for the preference stages, else the title."""
    return schema_text(spec.title).split(" (")[0]


class StageChooser(QWidget):
    """`stage_chosen(name)` when the user picks a stage; `show_stage(name)` follows the config."""

    stage_chosen = Signal(str)

    def __init__(self, state: StudioState, parent: QWidget | None = None):
        super().__init__(parent)
        self.state = state
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(8)
        title = QLabel(self.tr("What do you want to do?"))
        title.setObjectName("sectionTitle")
        column.addWidget(title)
        goals = QHBoxLayout()
        goals.setSpacing(12)
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QRadioButton] = {}
        for goal, names in GOALS:
            box = QGroupBox(self.tr(goal))
            inner = QGridLayout(box)
            inner.setSpacing(4)
            rows = max(2, (len(names) + 1) // 2)  # a long goal (preferences) takes two columns
            for i, name in enumerate(names):
                spec = STAGES[name]
                button = QRadioButton(short_title(spec))
                button.setObjectName(f"stage.{name}")
                button.setToolTip(schema_text(spec.what))
                self.group.addButton(button)
                self.buttons[name] = button
                button.toggled.connect(lambda on, n=name: on and self.stage_chosen.emit(n))
                inner.addWidget(button, i % rows, i // rows)
            inner.setRowStretch(rows, 1)
            goals.addWidget(box, 2 if len(names) > rows else 1)
        column.addLayout(goals)
        self.card = QFrame()
        self.card.setObjectName("methodCard")
        self.card.setProperty("selected", True)
        card = QVBoxLayout(self.card)
        card.setSpacing(4)
        self.card_title = QLabel()
        self.card_title.setObjectName("sectionTitle")
        self.card_what = QLabel()
        self.card_data = QLabel()
        self.card_note = QLabel()
        self.card_note.setObjectName("detail")
        for label in (self.card_what, self.card_data, self.card_note):
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.RichText)
        for widget in (self.card_title, self.card_what, self.card_data, self.card_note):
            card.addWidget(widget)
        self.form = ConfigForm(state, ["stage"], columns=2, section_titles=False)
        card.addWidget(self.form)
        column.addWidget(self.card)

    def show_stage(self, name: str) -> None:
        spec = STAGES[name]
        button = self.buttons[name]
        if not button.isChecked():
            button.blockSignals(True)
            button.setChecked(True)
            button.blockSignals(False)
        self.card_title.setText(schema_text(spec.title))
        self.card_what.setText(self.tr("<b>What:</b> {what}").format(what=schema_text(spec.what)))
        self.card_data.setText(self.tr("<b>Data:</b> {data}").format(data=schema_text(spec.data)))
        note = self.tr("Trains a scoring head: the result labels or scores texts instead of chatting.") \
            if spec.head == "sequence" else ""
        self.card_note.setText(note)
        self.card_note.setVisible(bool(note))
        for field in section_fields("stage"):
            self.form.set_field_visible("stage", field, field in spec.settings)
        self.form.advanced.setVisible(False)

    def refuse(self, message: str) -> None:
        """Keep the config's stage (the clicked button is unchecked again) and say on its card why."""
        self.show_stage(self.state.config.training.stage)
        self.card_note.setText(message)
        self.card_note.setVisible(True)
