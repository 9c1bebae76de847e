"""The GPUs a run can pick (distributed.devices), listed without importing torch."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass


@dataclass(frozen=True)
class Gpu:
    index: int  # as nvidia-smi and CUDA_VISIBLE_DEVICES number it
    name: str
    memory: int  # bytes


def detect_gpus() -> list[Gpu]:
    """This machine's NVIDIA GPUs (nvidia-smi); none where it is missing or fails."""
    if shutil.which("nvidia-smi") is None:
        return []
    try:
        lines = subprocess.run(["nvidia-smi", "--query-gpu=index,name,memory.total", "--format=csv,noheader,nounits"],
                               capture_output=True, text=True, timeout=5, check=True).stdout.strip().splitlines()
    except (subprocess.SubprocessError, OSError):
        return []
    gpus = []
    for line in lines:
        parts = [p.strip() for p in line.split(",")]
        if len(parts) == 3 and parts[0].isdigit() and parts[2].isdigit():
            gpus.append(Gpu(int(parts[0]), parts[1], int(parts[2]) * 1024**2))
    return gpus
