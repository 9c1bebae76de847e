"""The Export page's targets: a check box per target (merged, adapter, GGUF, Ollama) with its option (dtype, tensor
type) and its estimated size."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QSettings, Qt, Signal
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QCheckBox, QGridLayout, QLabel, QWidget

from app.core.export.space import human_size
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
Q4_TIP = QT_TRANSLATE_NOOP("ExportTargets", "The installed gguf package cannot quantise q4_k_m: export f16 or q8_0 and re-quantise with llama.cpp's "
          "llama-quantize.")
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
        choices = self.quant.choices
        if "q4_k_m" in choices and isinstance(model := self.quant.inner.model(), QStandardItemModel):
            model.item(choices.index("q4_k_m")).setEnabled(False)
            self.quant.inner.setItemData(choices.index("q4_k_m"), self.tr(Q4_TIP), Qt.ItemDataRole.ToolTipRole)
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
        for kind, label in self.estimates.items():
            size = human_size(sizes[kind]) if sizes.get(kind) is not None else self.tr("unknown")
            label.setText(f"≈ {size}" if kind in sizes else "")

    def set_editable(self, editable: bool) -> None:
        for widget in (self.dtype.inner, self.quant.inner, *self.boxes.values()):
            widget.setEnabled(editable)
