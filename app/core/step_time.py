"""Time per optimizer step, from the model's config (no weights loaded) and a measured matmul throughput.

`step_flops` counts the multiply-adds of one optimizer step: the linear layers and the LM head (2 FLOPs per
weight and token forward; the backward computes input gradients through every layer, 2 more, and weight gradients
only where weights train, 2 more), causal attention (4 x context x attention width per token and layer forward,
twice that backward) and one more forward of the layers gradient checkpointing recomputes. `device_throughput` times
matmuls on the device (imports torch, about a second) and caches the figure in the data home, keyed by the device
and precision, so the GUI can read it without measuring; the worker and `finetune-studio doctor` measure it.
"""

from __future__ import annotations

import json
import logging
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .config import MethodConfig, TrainingConfig
    from .hardware import DeviceInfo
    from .models import ModelInfo

log = logging.getLogger(__name__)
CACHE = "throughput.json"
PROBE_SECONDS = 1.0


def _key(device: DeviceInfo, precision: str) -> str:
    return f"{device.kind}|{device.name}|{precision}"


def _cache_path():
    from .paths import data_home

    return data_home() / CACHE


def cached_throughput(device: DeviceInfo, precision: str) -> float | None:
    """The device's measured matmul FLOP/s in this precision, if it was measured before (no torch import)."""
    try:
        return json.loads(_cache_path().read_text()).get(_key(device, precision))
    except (OSError, ValueError):
        return None


def measure_throughput(device: DeviceInfo, precision: str) -> float:
    """Time square matmuls on the device for about PROBE_SECONDS; caches and returns the FLOP/s."""
    import torch

    dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(precision, torch.float32)
    where = "cuda" if device.kind == "cuda" else "cpu"
    n = 4096 if where == "cuda" else 1024
    a, b = torch.randn(n, n, dtype=dtype, device=where), torch.randn(n, n, dtype=dtype, device=where)

    def sync() -> None:
        if where == "cuda":
            torch.cuda.synchronize()

    a @ b  # warm-up: kernel selection, thread pool start
    sync()
    reps, start = 0, time.perf_counter()
    while time.perf_counter() - start < PROBE_SECONDS:
        a @ b
        reps += 1
        sync()
    flops = 2 * n**3 * reps / (time.perf_counter() - start)
    path = _cache_path()
    try:
        cache = json.loads(path.read_text()) if path.exists() else {}
    except ValueError:
        cache = {}
    cache[_key(device, precision)] = flops
    tmp = path.with_suffix(".tmp")
    try:
        tmp.write_text(json.dumps(cache, indent=1))
        tmp.replace(path)
    except OSError as exc:  # a full disk: the measurement still serves this process
        log.warning("could not cache the measured throughput in %s: %s", path, exc)
    log.info("%s: %.1f GFLOP/s (%s matmul %d)", device.name, flops / 1e9, precision, n)
    return flops


def device_throughput(device: DeviceInfo, precision: str) -> float:
    """The cached FLOP/s, else measured now (imports torch: call it off the GUI thread)."""
    return cached_throughput(device, precision) or measure_throughput(device, precision)


def step_flops(info: ModelInfo, method: MethodConfig, training: TrainingConfig, checkpointing: float,
               tokens: int | None = None) -> float:
    """FLOPs of one optimizer step (`gradient_accumulation` micro-batches of `tokens`, default batch × max_length);
    `checkpointing`: the share of the layers recomputed (hardware.checkpointed_layers over the layers; a bool: all
    or none)."""
    from .methods.counts import linear_shapes, trainable_parameters

    layers, length = info.num_layers, training.max_length
    linear = layers * sum(a * b for a, b in linear_shapes(info).values())
    head = info.vocab_size * info.hidden_size
    attention = layers * 2 * length * info.hidden_size  # QK^T and AV over the causal half of the context
    forward = 2 * (linear + head) + attention
    trained = linear + head if method.name == "full" else trainable_parameters(info, method)
    per_token = 3 * forward - 2 * (linear + head) + 2 * trained  # input gradients everywhere, weights where trained
    per_token += (2 * linear + attention) * checkpointing
    tokens = tokens or training.batch_size * length
    return per_token * tokens * training.gradient_accumulation


def step_seconds(info: ModelInfo, method: MethodConfig, training: TrainingConfig, checkpointing: float,
                 flops_per_second: float, tokens: int | None = None) -> float:
    """Seconds per optimizer step at the device's measured matmul throughput (a lower bound: other work is left out)."""
    return step_flops(info, method, training, checkpointing, tokens) / flops_per_second
