"""Devices and memory: what this machine has (cheaply, without importing torch) and what a run will need."""

from __future__ import annotations

import logging
import os
import platform
import shutil
import subprocess
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .config import MethodConfig, TrainingConfig
    from .models import ModelInfo

log = logging.getLogger(__name__)
GiB = 1024**3


@dataclass
class DeviceInfo:
    kind: str  # cuda | cpu
    name: str
    total_memory: int
    available_memory: int
    bf16: bool

    def label(self) -> str:
        return f"{self.name} · {self.available_memory / GiB:.1f} of {self.total_memory / GiB:.1f} GiB free"

    def to_dict(self) -> dict:
        return asdict(self)


def _meminfo() -> tuple[int, int]:
    try:
        fields = {}
        with open("/proc/meminfo") as fh:
            for line in fh:
                key, value = line.split(":", 1)
                fields[key] = int(value.split()[0]) * 1024
        return fields["MemTotal"], fields.get("MemAvailable", fields["MemFree"])
    except (OSError, KeyError, ValueError):
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") if hasattr(os, "sysconf") else 0
        return total, total


def _cpu() -> tuple[str, bool]:
    name, flags = platform.processor() or platform.machine(), ""
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name") and name in ("", platform.machine(), platform.processor()):
                    name = line.split(":", 1)[1].strip()
                elif line.startswith("flags"):
                    flags = line
                    break
    except OSError:
        pass
    return name, ("avx512_bf16" in flags or "amx_bf16" in flags)


def _nvidia() -> DeviceInfo | None:
    if shutil.which("nvidia-smi") is None:
        return None
    try:
        out = subprocess.run(
            ["nvidia-smi", "--query-gpu=name,memory.total,memory.free,compute_cap", "--format=csv,noheader,nounits"],
            capture_output=True, text=True, timeout=5, check=True).stdout.strip().splitlines()
    except (subprocess.SubprocessError, OSError):
        return None
    if not out:
        return None
    name, total, free, cap = (s.strip() for s in out[0].split(","))
    return DeviceInfo("cuda", name, int(total) * 1024**2, int(free) * 1024**2, float(cap) >= 8.0)


def detect_device() -> DeviceInfo:
    """The device a run will use: the first NVIDIA GPU if there is one, else the CPU. No torch import."""
    gpu = _nvidia()
    if gpu is not None:
        return gpu
    total, available = _meminfo()
    name, bf16 = _cpu()
    return DeviceInfo("cpu", f"CPU ({name}, {os.cpu_count()} cores)", total, available, bf16)


def estimate_memory(info: ModelInfo, method: MethodConfig, training: TrainingConfig) -> dict[str, int]:
    """A first-order estimate of peak training memory in bytes (weights, gradients, optimizer, activations)."""
    from .methods import trainable_parameters

    n = info.num_parameters
    trainable = trainable_parameters(info, method)
    if method.name == "qlora":
        weight_bytes = n * (0.56 if method.bits == 4 else 1.06)
    elif method.name == "full":
        weight_bytes = n * 4
    else:
        weight_bytes = n * 2 if training.precision in ("bf16", "fp16") else n * 4
    gradients = trainable * 4
    optimizer = trainable * 8
    tokens = training.batch_size * training.max_length / training.gradient_accumulation
    per_token_layer = info.hidden_size * 34 + info.intermediate_size * 4
    activations = tokens * info.num_layers * per_token_layer * (0.15 if training.gradient_checkpointing else 1.0)
    logits = tokens * info.vocab_size * 4 * 2
    parts = {"weights": weight_bytes, "gradients": gradients, "optimizer": optimizer,
             "activations": activations, "logits": logits}
    parts = {k: int(v) for k, v in parts.items()}
    parts["total"] = sum(parts.values())
    return parts
