"""How much disk an export needs and whether it fits, worked out before anything is loaded (Qt-free: the Export
page shows the same figures)."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

from ..errors import ExportError
from ..messages import Text

DTYPE_BYTES = {"bf16": 2.0, "fp16": 2.0, "fp32": 4.0}
# bytes per weight of each GGUF type; the K-mixes as llama.cpp reports them for a 7B llama (Q4_K_M 4.89 bits,
# Q5_K_M 5.69, Q6_K 6.56): a model whose rows 256 does not divide falls back to 32-value blocks of similar size
QUANT_BYTES = {"f32": 4.0, "f16": 2.0, "q8_0": 1.0625, "q6_k": 0.82, "q5_k_m": 0.71, "q4_k_m": 0.61,
               "q5_0": 0.6875, "q4_0": 0.5625}
# What a GGUF type costs in quality, measured through real llama.cpp on the demo model (bench/llamacpp_check.py
# demo, docs/export.md): the share of prompt positions whose next token is the model's, and the change of perplexity
# on held-out rows against the model in fp32; the types not measured there have no entry
QUANT_QUALITY = {"f16": (1.0, 0.0003), "q8_0": (0.974, -0.013), "q4_k_m": (0.922, 0.046)}
ADAPTER_BYTES = 4.0  # adapters are saved in fp32
# Free space kept beyond the estimate: tokenizer files, the model card, the filesystem's own needs.
DISK_MARGIN = 50_000_000


def estimate_bytes(targets: set[str], dtype: str, quant: str, total_params: int | None,
                   trainable_params: int | None) -> dict[str, int | None]:
    """Bytes each target will take (None where the run does not say how big its model is).

    A GGUF or Ollama export without a merged target first merges in fp32 into a temporary folder ("scratch").
    """
    def times(params: int | None, per: float) -> int | None:
        return math.ceil(params * per) if params else None

    sizes: dict[str, int | None] = {}
    if "merged" in targets:
        sizes["merged"] = times(total_params, DTYPE_BYTES[dtype])
    if "adapter" in targets:
        sizes["adapter"] = times(trainable_params, ADAPTER_BYTES)
    for kind in ("gguf", "ollama"):
        if kind in targets:
            sizes[kind] = times(total_params, QUANT_BYTES[quant])
    if ("gguf" in targets or "ollama" in targets) and "merged" not in targets:
        sizes["scratch"] = times(total_params, DTYPE_BYTES["fp32"])
    return sizes


def _existing(folder: Path) -> Path:
    path = Path(folder).expanduser().absolute()
    while not path.exists() and path.parent != path:
        path = path.parent
    return path


def free_disk(folder: Path) -> int | None:
    """Free bytes on the disk that holds `folder` (or the nearest folder above it that exists)."""
    try:
        return shutil.disk_usage(_existing(folder)).free
    except OSError:
        return None


def human_size(size: float | None) -> str:
    if size is None:
        return "unknown"
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} TB"


def _per_disk(run: dict, folders: dict[str, Path], dtype: str, quant: str) -> dict[int, list]:
    """Disk (device) -> [bytes the chosen targets (kind -> folder) need on it, free bytes, a folder on it]."""
    sizes = estimate_bytes(set(folders), dtype, quant, run.get("total_params"), run.get("trainable_params"))
    scratch = folders.get("gguf") or folders.get("ollama")
    per_disk: dict[int, list] = {}
    for kind, size in sizes.items():
        folder = Path(scratch if kind == "scratch" else folders[kind])
        free = free_disk(folder)
        if size is None or free is None:
            continue
        entry = per_disk.setdefault(_existing(folder).stat().st_dev, [0, free, folder])
        entry[0] += size
    return per_disk


def check_disk(run: dict, folders: dict[str, Path], dtype: str, quant: str) -> None:
    """ExportError, before any work, when the chosen targets (kind -> folder) will not fit on their disks."""
    for need, free, folder in _per_disk(run, folders, dtype, quant).values():
        if need + DISK_MARGIN > free:
            raise ExportError(Text("Not enough disk space: the export needs about {need} but only {free} is "
                                   "free on the disk that holds {folder}.",
                                   need=human_size(need), free=human_size(free), folder=folder),
                              Text("Free some space, choose a folder on another disk, or export fewer "
                                   "targets."))


def need_on_disk(run: dict, folders: dict[str, Path], dtype: str, quant: str, folder: Path) -> int | None:
    """Bytes the chosen targets need on the disk that holds `folder` (None when the run's size is not known)."""
    entry = _per_disk(run, folders, dtype, quant).get(_existing(folder).stat().st_dev)
    return entry[0] if entry else None
