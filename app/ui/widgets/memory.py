"""The memory a run will need (hardware.planned_memory, the figure the run reports: the working set, a CPU heap's
term with lean memory off, the exports' checks where they peak; with the automatic settings as chosen from the rows
once they are measured: StudioState.planned_config) against what the device has: fits or won't fit, and
one-click fixes (hardware.memory_fixes) when it won't; what "auto" gradient checkpointing will choose (on how many
layers, for the device's free memory or the run's memory budget, training.memory_limit_gb); and the time
per optimizer step (step_time) once the device's throughput has been measured (by a run or `finetune-studio doctor`:
measuring imports torch, which the GUI does not)."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtWidgets import QGroupBox, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from app.ui.i18n import core_text, schema_text
from app.ui.state import StudioState
from app.ui.widgets.config_form import section_fields
from app.ui.widgets.field_editors import choice_text

GiB = 1024**3
PARTS = ("weights", "gradients", "optimizer", "activations", "logits", "ppo_models", "runtime", "heap", "evaluation",
         "exports")
LABELS = {"weights": QT_TRANSLATE_NOOP("MemoryEstimate", "weights"),
          "gradients": QT_TRANSLATE_NOOP("MemoryEstimate", "gradients"),
          "optimizer": QT_TRANSLATE_NOOP("MemoryEstimate", "optimizer"),
          "activations": QT_TRANSLATE_NOOP("MemoryEstimate", "activations"),
          "logits": QT_TRANSLATE_NOOP("MemoryEstimate", "logits"),
          "ppo_models": QT_TRANSLATE_NOOP("MemoryEstimate", "value + reward models"),
          "runtime": QT_TRANSLATE_NOOP("MemoryEstimate", "runtime"),
          "heap": QT_TRANSLATE_NOOP("MemoryEstimate", "heap kept"),
          "evaluation": QT_TRANSLATE_NOOP("MemoryEstimate", "evaluation"),
          "exports": QT_TRANSLATE_NOOP("MemoryEstimate", "export checks")}


def gib(n: float) -> str:
    return f"{n / GiB:.2f} GiB" if n < 10 * GiB else f"{n / GiB:.1f} GiB"


def _change(section: str, key: str, value) -> str:
    """One setting a fix changes, as the form shows it: the field's title and its value ("Gradient checkpointing = on")."""
    field = section_fields(section).get(key)
    name = schema_text(field.title) if field is not None and field.title else f"{section}.{key}"
    extra = field.json_schema_extra if field is not None and isinstance(field.json_schema_extra, dict) else {}
    if value is None and "special" in extra:  # an optional field's empty value, in the editor's word ("all")
        return f"{name} = {schema_text(extra['special'])}"
    return f"{name} = {choice_text(value)}"


class MemoryEstimate(QGroupBox):
    def __init__(self, state: StudioState, parent: QWidget | None = None):
        super().__init__(QCoreApplication.translate("MemoryEstimate", "Memory needed"), parent)
        self.state = state
        layout = QVBoxLayout(self)
        self.headline = QLabel("—")
        self.headline.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setTextVisible(True)
        self.breakdown = QLabel()
        self.breakdown.setObjectName("detail")
        self.breakdown.setWordWrap(True)
        layout.addWidget(self.headline)
        layout.addWidget(self.bar)
        layout.addWidget(self.breakdown)
        self.speed = QLabel()
        self.speed.setObjectName("detail")
        self.speed.setWordWrap(True)
        layout.addWidget(self.speed)
        self.fixes_box = QVBoxLayout()
        layout.addLayout(self.fixes_box)
        self.fix_buttons: list[QPushButton] = []
        self.checkpointed: tuple[int, int] | None = None  # (layers checkpointed, of the model's), once it is read
        layout.addStretch(1)
        state.config_changed.connect(self.refresh)
        state.model_info_changed.connect(self.refresh)
        state.chosen_changed.connect(self.refresh)
        self.refresh()

    def refresh(self, *_args) -> None:
        info = self.state.model_info
        self._clear_fixes()
        if info is None:
            self.checkpointed = None
            self.headline.setText(self.tr("Shown once the model is read."))
            self.bar.hide()
            self.breakdown.clear()
            self.speed.clear()
            return
        from app.core.hardware import checkpointed_layers, memory_budget, memory_fixes, planned_memory

        config = self.state.planned_config()  # the automatic settings as chosen from the rows, once measured
        device = self.state.device()
        training, parts = planned_memory(config, info, device)
        self.checkpointed = (checkpointed_layers(training, info.num_layers), info.num_layers)
        need, have = parts["total"], memory_budget(config.training, device)
        fits = need <= have
        headline = self.tr("<b>{need}</b> at most for {method} with batch {batch} × {length} tokens{checkpointing}; "
                           "{device} has {free} free of {total}.").format(
            need=gib(need), method=config.method.name, batch=config.training.batch_size,
            length=config.training.max_length, checkpointing=self._checkpointing(config.training, training,
                                                                                 info.num_layers),
            device=core_text(device.name), free=gib(device.available_memory), total=gib(device.total_memory))
        if have < device.available_memory:
            headline += self.tr(" The run's memory budget is {budget}.").format(budget=gib(have))  # its space translated too (none after 。)
        self.headline.setText(self.tr("Fits: {headline}").format(headline=headline) if fits else
                              self.tr("<b>Won't fit</b>: {headline} One click to need less:").format(headline=headline))
        if not fits:
            for fix in memory_fixes(info, config.method, config.training, device):
                text = self.tr("{fix} → {need}").format(fix=core_text(fix.title), need=gib(fix.total))
                button = QPushButton(text + (self.tr(" ✓ fits") if fix.total <= have else ""))
                button.setToolTip(self.tr("Changes {changes}").format(changes=", ".join(
                    _change(section, k, v) for section, fields in fix.changes.items() for k, v in fields.items())))
                button.clicked.connect(lambda _=False, changes=fix.changes: self.apply(changes))
                self.fixes_box.addWidget(button)
                self.fix_buttons.append(button)
        self.bar.show()
        self.bar.setRange(0, 1000)
        self.bar.setValue(min(1000, int(1000 * need / max(have, 1))))
        self.bar.setFormat(self.tr("{v0:.0%} of free memory").format(v0=need / max(have, 1)) if
                           have == device.available_memory else
                           self.tr("{v0:.0%} of the memory budget").format(v0=need / max(have, 1)))
        self.bar.setProperty("over", not fits)
        self.bar.style().unpolish(self.bar)
        self.bar.style().polish(self.bar)
        self.breakdown.setText(" · ".join(f"{self.tr(LABELS[name])} {gib(parts[name])}" for name in PARTS if name in parts))
        self.speed.setText(self._step_time(info, config, training, device))

    def _checkpointing(self, chosen, decided, layers: int) -> str:
        from app.core.hardware import checkpointed_layers

        k = checkpointed_layers(decided, layers)
        on = self.tr(", without gradient checkpointing") if not k else \
            self.tr(", with gradient checkpointing") if k == layers else \
            self.tr(", with gradient checkpointing on {k} of {layers} layers").format(k=k, layers=layers)
        return on + (self.tr(" (auto)") if chosen.gradient_checkpointing == "auto" else "")

    def _step_time(self, info, config, training, device) -> str:
        from app.core.hardware import auto_precision, checkpointed_layers
        from app.core.step_time import cached_throughput, step_seconds

        precision = auto_precision(device) if training.precision == "auto" else training.precision
        flops = cached_throughput(device, precision)
        if flops is None:
            return self.tr("Time per step: shown once this device's speed is measured (at the start of a run, or by "
                           "finetune-studio doctor).")
        seconds = step_seconds(info, config.method, training,
                               checkpointed_layers(training, info.num_layers) / info.num_layers, flops)
        return self.tr("Time per step: about {seconds:.3g} s for {batch} × {length} tokens at {gflops:.0f} GFLOP/s "
                       "({precision} matmul, measured); real steps are slower by the work that is not matrix "
                       "products.").format(seconds=seconds, batch=training.batch_size * training.gradient_accumulation,
                                           length=training.max_length, gflops=flops / 1e9, precision=precision)

    def apply(self, changes: dict[str, dict]) -> None:
        for section, fields in changes.items():
            self.state.update(section, **fields)

    def _clear_fixes(self) -> None:
        for button in self.fix_buttons:
            button.deleteLater()
        self.fix_buttons = []
