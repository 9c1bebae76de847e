"""The Hyperparameters step's Devices row: all GPUs or some (distributed.devices), from the GPUs this machine has;
with none, it says the run trains on the CPU and stays usable (processes still split the cores). When more than one
process trains, the planner's per-device memory under each strategy and which of them fit."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.core.config import RunConfig
from app.core.distributed.devices import Gpu, detect_gpus
from app.core.hardware import GiB
from app.ui.i18n import schema_text
from app.ui.state import StudioState

STRATEGY_NAMES = {"ddp": "ddp", "deepspeed-zero2": "ZeRO-2", "fsdp": "FSDP", "deepspeed-zero3": "ZeRO-3"}


class DevicePicker(QWidget):
    """Check "All GPUs" or single GPUs; picking some sets devices to their indices and processes to their number."""

    problems = Signal(list)  # what the config said of the last pick (empty: taken)

    def __init__(self, state: StudioState, parent: QWidget | None = None):
        super().__init__(parent)
        self.state = state
        self.gpus: list[Gpu] = []
        self.all_box = QCheckBox(self.tr("All GPUs"))
        self.all_box.setObjectName("devices.all")
        self.all_box.toggled.connect(self._all_toggled)
        self.gpu_boxes: list[QCheckBox] = []
        self.detect_button = QPushButton(self.tr("Detect again"))
        self.detect_button.setToolTip(self.tr("List this machine's GPUs again (nvidia-smi)."))
        self.detect_button.clicked.connect(self.detect)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.all_box)
        row.addStretch(1)
        row.addWidget(self.detect_button)
        self.boxes = QVBoxLayout()  # one GPU a line: eight of them still fit the column
        self.boxes.setContentsMargins(0, 0, 0, 0)
        self.boxes.setSpacing(2)
        self.note = QLabel()
        self.note.setObjectName("detail")
        self.note.setWordWrap(True)
        self.plan = QLabel()
        self.plan.setObjectName("detail")
        self.plan.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addLayout(self.boxes)
        layout.addWidget(self.note)
        layout.addWidget(self.plan)
        self.setToolTip(schema_text(RunConfig.model_fields["distributed"].annotation.model_fields["devices"].description))
        state.config_changed.connect(self.refresh)
        state.model_info_changed.connect(lambda _info: self.refresh(state.config))
        state.chosen_changed.connect(lambda _chosen: self._show_plan(state.config))
        self.detect()

    def detect(self) -> None:
        self.set_gpus(detect_gpus())

    def set_gpus(self, gpus: list[Gpu]) -> None:
        for box in self.gpu_boxes:
            self.boxes.removeWidget(box)
            box.deleteLater()
        self.gpus = gpus
        self.gpu_boxes = []
        for gpu in gpus:
            box = QCheckBox(self.tr("GPU {index} · {name} · {memory:.0f} GiB").format(
                index=gpu.index, name=gpu.name, memory=gpu.memory / GiB))
            box.setObjectName(f"devices.gpu{gpu.index}")
            box.toggled.connect(self._gpu_toggled)
            self.boxes.addWidget(box)
            self.gpu_boxes.append(box)
        self.all_box.setEnabled(bool(gpus))
        if gpus:
            self.note.setText(self.tr("{count} GPU(s) found. One process trains on each GPU picked; with All, "
                                      "Processes says how many.").format(count=len(gpus)))
        else:
            self.note.setText(self.tr("No GPU found on this machine: the run trains on the CPU, and each of its "
                                      "Processes takes a share of the cores. On a machine with GPUs, pick all or "
                                      "some of them here."))
        self.refresh(self.state.config)

    def refresh(self, config: RunConfig) -> None:
        devices = config.distributed.devices
        for box in (self.all_box, *self.gpu_boxes):
            box.blockSignals(True)
        self.all_box.setChecked(devices == "all")
        for gpu, box in zip(self.gpus, self.gpu_boxes, strict=True):
            box.setChecked(isinstance(devices, list) and gpu.index in devices)
        for box in (self.all_box, *self.gpu_boxes):
            box.blockSignals(False)
        self._show_plan(config)

    def _all_toggled(self, on: bool) -> None:
        if on:
            self._apply(devices="all")
        else:
            self.refresh(self.state.config)  # "All" goes off by picking single GPUs, not by itself

    def _gpu_toggled(self) -> None:
        picked = [gpu.index for gpu, box in zip(self.gpus, self.gpu_boxes, strict=True) if box.isChecked()]
        self._apply(**({"devices": picked, "processes": len(picked)} if picked else {"devices": "all"}))

    def _apply(self, **fields) -> None:
        problems = self.state.try_update("distributed", **fields)
        self.problems.emit(problems)
        self.refresh(self.state.config)

    def _show_plan(self, config: RunConfig) -> None:
        """With several processes and a known model: each strategy's peak on one device, and which fit."""
        info, d = self.state.model_info, config.distributed
        self.plan.setVisible(info is not None and d.world_size > 1)
        if not self.plan.isVisibleTo(self):
            return
        from app.core.distributed.strategies import PREFERENCE, fitting, strategy_memory

        device = self.state.device()
        plans = strategy_memory(info, self.state.planned_config(), device)  # with the length and rank chosen
        available = min((g.memory for g in self.gpus), default=0) if self.gpus and device.kind == "cuda" else \
            device.available_memory // d.processes  # a CPU's processes share its memory
        sizes = " · ".join(f"{STRATEGY_NAMES[s]} {plans[s]['total'] / GiB:.1f}" for s in PREFERENCE)
        fits = ", ".join(STRATEGY_NAMES[s] for s in fitting(plans, available)) or self.tr("none")
        self.plan.setText(self.tr("Memory per device (GiB): {sizes}; {available:.1f} GiB each. Fits: {fits}.").format(
            sizes=sizes, available=available / GiB, fits=fits))
