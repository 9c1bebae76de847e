"""The Export page's targets: a check box per target (merged, adapter, GGUF, Ollama) with its option (dtype, tensor
type) and its estimated size; a GGUF's tensor types say their size and the quality loss measured through llama.cpp."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QSettings, Qt, Signal
from PySide6.QtWidgets import QCheckBox, QGridLayout, QLabel, QWidget

from app.core.export.space import QUANT_BYTES, QUANT_QUALITY, human_size
from app.core.requests import ExportRequest
from app.ui.widgets.export_plan import TARGET_KINDS
from app.ui.widgets.field_editors import editor_for

TARGETS = {  # kind: (label, tooltip)
    "merged": (QT_TRANSLATE_NOOP("ExportTargets", "Merged model"),
               QT_TRANSLATE_NOOP("ExportTargets", "The base with the adapter merged in: a plain transformers model "
                                                  "folder (safetensors).")),
    "adapter": (QT_TRANSLATE_NOOP("ExportTargets", "Adapter only"),
                QT_TRANSLATE_NOOP("ExportTargets", "Only the trained adapter (PEFT format): small; load it on the base "
                                                   "model.")),
    "gguf": (QT_TRANSLATE_NOOP("ExportTargets", "GGUF for llama.cpp"),
             QT_TRANSLATE_NOOP("ExportTargets", "One .gguf file with the chat template inside, for llama.cpp and "
                                                "compatible apps.")),
    "ollama": (QT_TRANSLATE_NOOP("ExportTargets", "Ollama folder"),
               QT_TRANSLATE_NOOP("ExportTargets", "A GGUF and a Modelfile with the chat template, stop tokens and "
                                                  "system prompt.")),
}
SIZE_TIP = QT_TRANSLATE_NOOP("ExportTargets", "About {share:.0%} of f16's size.")
QUALITY_TIP = QT_TRANSLATE_NOOP("ExportTargets", "Measured on the demo model through llama.cpp: the same next token as "
                                                  "the model at {top1:.1%} of positions, perplexity {ppl:+.1%} on "
                                                  "held-out rows.")
QUALITY_NOTE = QT_TRANSLATE_NOOP("ExportTargets", "same next token at {top1:.0%} of positions")
NO_ADAPTER_TIP = QT_TRANSLATE_NOOP("ExportTargets", "This run trained the whole model: it has no adapter. Export the "
                                                   "merged model.")


class ExportTargets(QWidget):
    changed = Signal()

    def __init__(self, settings: QSettings, parent: QWidget | None = None):
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(14)
        chosen = str(settings.value("export/targets", "merged")).split(",")
        self.boxes: dict[str, QCheckBox] = {}
        self.estimates: dict[str, QLabel] = {}
        # The options are the export request's own fields: its choices, its descriptions as tooltips.
        self.dtype = editor_for(ExportRequest.model_fields["dtype"])
        self.dtype.set_value(settings.value("export/dtype", "") or None)  # None: the run's export.dtype
        self.quant = editor_for(ExportRequest.model_fields["quant"])
        for i, quant in enumerate(self.quant.choices):  # each type's size and, where measured, its quality loss
            tip = self.tr(SIZE_TIP).format(share=QUANT_BYTES[quant] / QUANT_BYTES["f16"])
            if quant in QUANT_QUALITY:
                top1, ppl = QUANT_QUALITY[quant]
                tip += " " + self.tr(QUALITY_TIP).format(top1=top1, ppl=ppl)
            self.quant.inner.setItemData(i, tip, Qt.ItemDataRole.ToolTipRole)
        self.quant.set_value(str(settings.value("export/quant", ExportRequest.model_fields["quant"].default)))
        notes = {"merged": self.dtype, "adapter": QLabel(self.tr("PEFT format; needs the base model")),
                 "gguf": self.quant, "ollama": QLabel(self.tr("GGUF + Modelfile, same tensor type as the "
                                                              "GGUF"))}
        for row, kind in enumerate(TARGET_KINDS):
            label, tip = TARGETS[kind]
            self.boxes[kind] = QCheckBox(self.tr(label), toolTip=self.tr(tip), checked=kind in chosen)
            self.boxes[kind].toggled.connect(self.changed)
            self.estimates[kind] = QLabel()
            self.estimates[kind].setObjectName("hint")
            grid.addWidget(self.boxes[kind], row, 0)
            grid.addWidget(notes[kind], row, 1, Qt.AlignmentFlag.AlignLeft)
            grid.addWidget(self.estimates[kind], row, 2)
        grid.setColumnStretch(2, 1)
        self.dtype.edited.connect(self.changed)
        self.quant.edited.connect(self.changed)

    def chosen(self) -> set[str]:
        return {kind for kind, box in self.boxes.items() if box.isChecked() and box.isEnabled()}

    def allow_adapter(self, allowed: bool) -> None:
        box = self.boxes["adapter"]
        box.setEnabled(allowed)
        box.setToolTip(self.tr(TARGETS["adapter"][1] if allowed else NO_ADAPTER_TIP))

    def show_sizes(self, sizes: dict[str, int | None]) -> None:
        measured = QUANT_QUALITY.get(self.quant.value())
        quality = f" · {self.tr(QUALITY_NOTE).format(top1=measured[0])}" if measured else ""
        for kind, label in self.estimates.items():
            size = human_size(sizes[kind]) if sizes.get(kind) is not None else self.tr("unknown")
            note = quality if kind in ("gguf", "ollama") else ""
            label.setText(f"≈ {size}{note}" if kind in sizes else "")

    def set_editable(self, editable: bool) -> None:
        for widget in (self.dtype.inner, self.quant.inner, *self.boxes.values()):
            widget.setEnabled(editable)
