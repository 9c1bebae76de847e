"""The settings chosen from the data and the model (app/core/auto_settings.py), on the Hyperparameters step: for each
one, whether it is automatic, the value the run will take and why ("auto: 4 epochs because 160 training rows ...").
Unticking a setting makes the value shown the user's (editable in the form); ticking it gives it back to the rule.

The rows are profiled (count, token lengths with the model's tokenizer) in a background task of the step's
TaskGroup once the step has begun (`activate`, from its `begin`) and the model has been read (its size and context
come from the state's ModelInfo), and again whenever the data or the model changes; the rule itself is cheap and
runs on every config change."""

from __future__ import annotations

import logging

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QGridLayout, QGroupBox, QLabel, QWidget

from app.core.auto_settings import AUTO_METHOD, AUTO_TRAINING, Choice, choose
from app.ui.i18n import core_text, schema_text
from app.ui.state import StudioState
from app.ui.tasks import TaskGroup
from app.ui.widgets.config_form import section_fields

log = logging.getLogger(__name__)


def profile_work(config):
    """A TaskGroup job: the data's profile (auto_settings.profile_data), measured with the model's tokenizer."""
    model = config.model

    def work(progress, stop):
        from app.core import models
        from app.core.auto_settings import profile_data
        from app.core.data import ensure_chat_template

        progress(0, 0, "Loading the tokenizer")
        tokenizer = models.load_tokenizer(model.source, model.revision, model.trust_remote_code)
        ensure_chat_template(tokenizer)
        progress(0, 0, "Measuring the rows")
        return profile_data(config, tokenizer, stop)

    return work


class AutoSettingsPanel(QGroupBox):
    """Each automatic setting: a tick (automatic or yours), its value and the reason. `chosen` carries
    {(section, setting): value} of the automatic ones whenever they are known anew."""

    chosen = Signal(object)  # a dict with tuple keys (Signal(dict) would make it a QVariantMap of strings)

    def __init__(self, state: StudioState, tasks: TaskGroup, parent: QWidget | None = None):
        super().__init__(parent)
        self.setTitle(self.tr("Chosen from the data"))
        self.state = state
        self.tasks = tasks
        self.active = False
        self._profile = None  # the DataProfile of the rows under the current data settings and model
        self._key = None
        self.choices: dict[str, Choice] = {}
        grid = QGridLayout(self)
        grid.setColumnStretch(2, 1)
        self.status = QLabel()
        self.status.setObjectName("detail")
        self.status.setWordWrap(True)
        grid.addWidget(self.status, 0, 0, 1, 3)
        self.ticks: dict[str, QCheckBox] = {}
        self.values: dict[str, QLabel] = {}
        self.reasons: dict[str, QLabel] = {}
        for row, setting in enumerate((*AUTO_TRAINING, *AUTO_METHOD), start=1):
            field = section_fields(self._section(setting))[setting]
            tick = QCheckBox(schema_text(field.title))
            tick.setToolTip(self.tr("Ticked: chosen when the run starts from the rows, their lengths and the model. "
                                    "Untick to set it yourself, starting from the value shown."))
            tick.toggled.connect(lambda on, s=setting: self._toggled(s, on))
            value, reason = QLabel(), QLabel()
            value.setMinimumWidth(value.fontMetrics().horizontalAdvance("yours: 0.0002 ") + 8)
            reason.setObjectName("detail")
            reason.setWordWrap(True)
            grid.addWidget(tick, row, 0)
            grid.addWidget(value, row, 1)
            grid.addWidget(reason, row, 2)
            self.ticks[setting], self.values[setting], self.reasons[setting] = tick, value, reason
        state.config_changed.connect(self.refresh)
        state.model_info_changed.connect(self.refresh)
        self.refresh()

    @staticmethod
    def _section(setting: str) -> str:
        return "training" if setting in AUTO_TRAINING else "method"

    def _data_key(self, config) -> tuple:
        d = config.data
        return (d.train, d.validation, d.validation_split, d.format, tuple(sorted(d.columns.items())), d.max_samples,
                d.seed, d.train_on, d.system_prompt, config.model.source, config.model.revision,
                tuple(m.path for m in d.mix))

    def activate(self) -> None:
        """Start measuring the rows (and again whenever the data or the model changes)."""
        self.active = True
        self.refresh()

    def refresh(self, *_args) -> None:
        config = self.state.config
        key = self._data_key(config)
        if not self.active or self.state.model_info is None:
            self.status.setText(self.tr("Chosen when the run starts, from the training rows and the model (shown "
                                        "here once the model is read)."))
        elif key != self._key:
            self._key, self._profile = key, None
            self.status.setText(self.tr("Measuring the training rows…"))
            self.tasks.start("profile", profile_work(config), done=self._profiled, error=self._failed)
        self._show()

    def _profiled(self, result) -> None:
        self._profile = result
        self._show()

    def _failed(self, exc: Exception) -> None:
        log.info("the rows could not be profiled: %s", exc)
        self.status.setText(self.tr("Chosen when the run starts (the rows could not be measured here: {error})")
                            .format(error=core_text(getattr(exc, "message", str(exc)))))

    def _show(self) -> None:
        config = self.state.config
        auto = {*config.training.auto, *config.method.auto}
        self.choices = {}
        info = self.state.model_info
        if self._profile is not None and info is not None:
            profile, parameters, context = self._profile, info.num_parameters, info.context_length
            everything = config.model_copy(update={
                "training": config.training.model_copy(update={"auto": list(AUTO_TRAINING)}),
                "method": config.method.model_copy(update={"auto": list(AUTO_METHOD)})})
            self.choices = {c.setting: c for c in choose(everything, profile, parameters, context)}
            self.status.setText(self.tr("{rows} training rows, {longest} tokens the longest; model of {size}.")
                                .format(rows=f"{profile.rows:,}", longest=max(profile.lengths, default=0),
                                        size=_size(parameters)))
        for setting, tick in self.ticks.items():
            on = setting in auto
            tick.blockSignals(True)
            tick.setChecked(on)
            tick.blockSignals(False)
            choice = self.choices.get(setting)
            if on:
                self.values[setting].setText(self.tr("auto: {value}").format(value=_value(choice.value))
                                             if choice else self.tr("auto"))
                self.reasons[setting].setText(core_text(choice.reason) if choice else "")
            else:
                section = getattr(config, self._section(setting))
                self.values[setting].setText(self.tr("yours: {value}").format(value=_value(getattr(section,
                                                                                                     setting))))
                self.reasons[setting].setText(self.tr("rule: {value}").format(value=_value(choice.value))
                                              if choice else "")
        chosen = {(c.section, c.setting): c.value for c in self.choices.values() if c.setting in auto}
        self.state.set_chosen(chosen)  # the memory estimates plan with the chosen length and rank
        self.chosen.emit(chosen)

    def _toggled(self, setting: str, on: bool) -> None:
        section = self._section(setting)
        current = list(getattr(self.state.config, section).auto)
        if on:
            self.state.update(section, auto=[s for s in getattr(self.state.config, section).AUTO
                                             if s in current or s == setting])
            return
        choice = self.choices.get(setting)
        fields = {setting: choice.value} if choice is not None else {}
        self.state.update(section, auto=[s for s in current if s != setting], **fields)


def _value(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _size(parameters: int) -> str:
    return f"{parameters / 1e9:.1f}B" if parameters >= 1e9 else f"{parameters / 1e6:.0f}M"
