"""Devices and memory: what this machine has (cheaply, without importing torch) and what a run will need."""

from __future__ import annotations

import ctypes
import logging
import os
import platform
import shutil
import subprocess
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from .messages import Text, joined

if TYPE_CHECKING:
    from .config import ExportConfig, MethodConfig, RunConfig, TrainingConfig
    from .models import ModelInfo

log = logging.getLogger(__name__)
GiB = 1024**3


@dataclass
class DeviceInfo:
    kind: str  # cuda (NVIDIA, or AMD through ROCm) | mps (Apple silicon) | cpu
    name: str
    total_memory: int
    available_memory: int
    bf16: bool

    def label(self) -> str:
        return Text("{name} · {free:.1f} of {total:.1f} GiB free", name=self.name, free=self.available_memory / GiB,
                    total=self.total_memory / GiB)

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


# oneDNN's instruction sets without bf16 dot products (vdpbf16ps, AMX): capped at one (ONEDNN_MAX_CPU_ISA, or its older
# name DNNL_MAX_CPU_ISA), torch multiplies bf16 through conversions or, below AVX512_CORE, ATen's scalar fallback
# (a bf16 step of the demo model 7x an fp32 one under AVX2), as on a CPU without the instructions
NO_BF16_ISAS = frozenset({"SSE41", "AVX", "AVX2", "AVX2_VNNI", "AVX2_VNNI_2", "AVX512_CORE", "AVX512_CORE_VNNI"})


def _onednn_capped() -> bool:
    """Whether oneDNN is told to dispatch to no instruction set with bf16 dot products."""
    isa = os.environ.get("ONEDNN_MAX_CPU_ISA") or os.environ.get("DNNL_MAX_CPU_ISA") or ""
    return isa.strip().upper() in NO_BF16_ISAS


def _cpu(cpuinfo: str = "/proc/cpuinfo") -> tuple[str, bool]:
    """The CPU's name and whether torch computes bf16 natively on it: AVX512-BF16 or AMX, unless oneDNN is capped
    below them."""
    name, flags = platform.processor() or platform.machine(), ""
    try:
        with open(cpuinfo) as fh:
            for line in fh:
                if line.startswith("model name") and name in ("", platform.machine(), platform.processor()):
                    name = line.split(":", 1)[1].strip()
                elif line.startswith("flags"):
                    flags = line
                    break
    except OSError:
        pass
    return name, ("avx512_bf16" in flags or "amx_bf16" in flags) and not _onednn_capped()


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


def _apple() -> DeviceInfo | None:
    """Apple silicon's GPU (torch's mps), which shares the machine's memory."""
    if platform.system() != "Darwin" or platform.machine() != "arm64":
        return None
    total, available = _meminfo()
    return DeviceInfo("mps", "Apple GPU (mps)", total, available, False)


def detect_device() -> DeviceInfo:
    """The device a run will use: the first NVIDIA GPU if there is one, Apple silicon's GPU, else the CPU. No torch
    import."""
    gpu = _nvidia() or _apple()
    if gpu is not None:
        return gpu
    total, available = _meminfo()
    name, bf16 = _cpu()
    return DeviceInfo("cpu", Text("CPU ({name}, {cores} cores)", name=name, cores=os.cpu_count()), total, available,
                      bf16)


def torch_device() -> DeviceInfo:
    """The device as torch sees it in the worker: CUDA (also AMD GPUs under a ROCm build), mps, else the CPU."""
    import torch

    if torch.cuda.is_available():
        free, total = torch.cuda.mem_get_info()
        return DeviceInfo("cuda", torch.cuda.get_device_name(0), total, free, torch.cuda.is_bf16_supported())
    if torch.backends.mps.is_available():
        return _apple() or DeviceInfo("mps", "Apple GPU (mps)", *_meminfo(), False)
    return detect_device()


M_MMAP_THRESHOLD = -3  # glibc mallopt parameter
MMAP_THRESHOLD = 64 * 1024


def return_freed_memory() -> bool:
    """Make glibc give freed tensor memory back to the system at once (Linux; returns whether it was set).

    glibc serves blocks above its mmap threshold by mmap and unmaps them on free, but raises that threshold (up to
    32 MiB) each time such a block is freed, so after the first step most activations live in the heap, whose freed
    pages stay resident. A fixed threshold stops that: on the demo model (LoRA, 4 x 256 tokens, CPU) a step peaked at
    3,537 MiB instead of 4,593, and the process went back to 1,152 MiB after it instead of staying at 4,369.
    """
    if platform.system() != "Linux":
        return False
    try:
        return bool(ctypes.CDLL("libc.so.6").mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD))
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False


# Saved activations per token and decoder layer, in elements of the compute precision (SmolLM2 shapes, saved-tensor
# hooks): the two RMSNorms' inputs and outputs (4h), q after RoPE, the attention output and o_proj's contiguous
# input (3h), k and v (2kv), the MLP's gate, SiLU, up and down inputs (4i); full fine-tuning keeps ~2h more.
# An adapter over a bf16 base (a GPU's half precision, and bf16 on a CPU) keeps the same count in bf16 bytes: the
# RMSNorms keep their fp32 upcast (2h × 4 bytes) in place of bf16 inputs and outputs (measured, demo model, CPU, fused
# LoRA: 22,436 bytes per token and layer against 22,272 counted, and dropout's byte mask beside it).
ACT_ADAPTER = (8, 4, 2)  # × hidden, intermediate, key/value width
ACT_FULL = (10, 4, 2)
# The same under the CPU's bf16 autocast over fp32 weights (full fine-tuning, freeze, QLoRA's non-quantised parts,
# the prompt methods), in (half-precision elements, fp32 elements), counted with saved-tensor hooks (demo model, 128
# and 256 tokens). Autocast keeps the weights in fp32 and casts per operation, so the
# residual stream and the RMSNorms stay fp32 (2h, full fine-tuning 4h) while each linear's output, SDPA's q, k, v and
# output, and the half-precision copy of an input a trainable weight needs (LoRA's A, the full model's linears)
# are bf16. Adapters: 8h + 4i + 2kv bf16 (the same count as ACT_ADAPTER: 11,248 measured), 2h fp32. Full: 7h + 4i +
# 2kv bf16 (10,560), 4h fp32 (2,361). QLoRA: bitsandbytes' 4-bit linears ignore autocast and return the fp32 of their
# input, so the MLP keeps 3i in fp32 and 1i (down's input, cast for its adapter) in bf16. Measured totals per token
# and layer: LoRA 46,979 bytes with dropout (fp32 at 45,514), full 30,628 (fp32 44,836), QLoRA 56,195.
ACT_AUTOCAST_ADAPTER = ((8, 4, 2), (2, 0, 0))
ACT_AUTOCAST_FULL = ((7, 4, 2), (4, 0, 0))
ACT_AUTOCAST_QLORA = ((8, 1, 2), (2, 3, 0))
# LoRA dropout, per adapter input element. PEFT's forward keeps the dropped copy and its mask: a float noise tensor
# on the CPU (measured: 1.33 elements, demo model, LoRA 8 x 256 with kernels.fuse_lora off), a byte mask from the
# fused CUDA kernel. Our fused LoRA linears (kernels.fuse_lora: the plain LoRA family and 4-bit QLoRA, in fp32)
# keep one byte, the mask (measured: 1,250 elements per token and layer over 4,992 adapter inputs).
DROPOUT_CPU, DROPOUT_CUDA = 1.33, 1.25
# Where PEFT's forward runs under the CPU's autocast (QLoRA's 4-bit base, DoRA, AdaLoRA: the fused linears step
# aside), it casts the input up to the fp32 adapters and dropout keeps its float noise in fp32, 4 bytes an adapter
# input element (measured 19,737 bytes per token and layer over 4,992 inputs); the dropped copy is cast to bf16 for
# A, a copy A keeps without dropout too (counted in the activations).
DROPOUT_AUTOCAST_BYTES = 4
FUSED_LORA = frozenset({"lora", "qlora", "rslora", "pissa", "olora", "loraplus"})
CPU_RUNTIME = 515 * 1024**2  # python + torch + transformers + trl + peft + datasets + tokenizer: RSS before loading
CUDA_RUNTIME = 0  # torch.cuda.max_memory_allocated, what the GPU check compares, holds no context
# What a CPU run's process holds after training beyond CPU_RUNTIME with no model loaded (its exports between two
# checks: 646-698 MiB in bench.memory_planner --whole, bf16, LoRA and full fine-tuning of the demo model)
AFTER_TRAINING = 170 * 1024**2
# A CPU run's whole-process peak RSS with glibc's heap as a training command runs it (lean memory off: the engine's
# heap settings, training/heap.py, and the huge pages cli/train.py restarts with) over estimate_memory's working set
# (what the process peaks at with freed memory returned at once, `return_freed_memory`), by the precision the CPU
# computes in (heap_slack). Lean memory costs speed (each large block is freshly mapped and zero-filled: 1.47x the CPU
# time a step on the demo model), so "auto" keeps it for runs without this much headroom, and the reported estimate
# of a run without it counts the difference (planned_memory's "heap" part). Measured on the demo model (2-core AMD
# EPYC with AVX512-BF16, LoRA r16 all-linear; bench/README.md "The heap's slack by precision"):
# - fp32: 0.99-1.09 (bench.memory_planner --heap shipped --whole --steps 3, training peak over working set: LoRA
#   4 x 256 2,680 / 2,604 MiB, 8 x 256 checkpointed 1,450 / 1,417, 2 x 1024 4,070 / 4,092; full 4 x 256 3,750 /
#   3,671, checkpointed 2,786 / 2,568 at its optimizer step); 1.00, 1.06 and 1.04 on padding-free alpaca rows
#   (bench.peer_llamafactory, 16 steps: 2,447 / 2,458, 1,316 / 1,241, 1,607 / 1,550). fp32 runs no oneDNN kernels,
#   and its heap stays flat. 1.05 keeps them within -4% to +6%.
# - bf16: 1.07-1.17 on the bench's fixed-length blocks (LoRA 1,989 / 1,759, 1,211 / 1,032, 2,876 / 2,562; full 3,631 /
#   3,386, checkpointed 2,807 / 2,568), 1.30-1.43 on padding-free rows (16 steps): every new length compiles new bf16
#   kernels and the heap grows beside them (training/heap.py). 1.25 keeps both within 17% (the bench's runs +5 to
#   +17%, the padding-free ones -13 to -4%). On the bench the excess is ~160 MiB plus ~9% of the activations (a
#   near-constant 160-230 MiB that bf16 holds beyond its working set even with lean memory: its cause is not pinned
#   down), so the slack, a share of the whole working set, overstates runs whose weights dwarf their activations
#   (larger models).
HEAP_SLACK = {"fp32": 1.05, "bf16": 1.25}
LOSS_CHUNK = 64 * 1024**2  # kernels.CHUNK_BYTES: fp32 logits the loss holds at once
# Evaluation's bytes per token and vocabulary entry in fp32 and in bf16 through a loss over whole logits (TRL's SFT
# loss: fp32 logits, log-softmax, entropy; under autocast the bf16 logits too). Measured, demo model, over the RSS
# with the model loaded: fp32 4 x 256 +462 MiB (9.4 bytes); bf16 4 x 256 +573 (11.7), 8 x 256 +1,070 (11.1), QLoRA
# 4 x 256 +586. Through our loss (sft, pt) the same runs evaluated at +140 (fp32 4 x 256) and +327 MiB (bf16 8 x 256).
EVAL_LOGIT_BYTES = (10, 12)


def _bytes(precision: str) -> int:
    return 2 if precision in ("bf16", "fp16") else 4


def heap_slack(precision: str) -> float:
    """A CPU run's peak over its working-set estimate with lean memory off, in `precision` as the run computes it
    (HEAP_SLACK; fp16 trains in fp32 on a CPU)."""
    return HEAP_SLACK[runnable_precision(precision, "cpu")]


PRECISION_ENV = "FINETUNE_STUDIO_PRECISION"
PRECISIONS = ("bf16", "fp16", "fp32")


def auto_precision(device: DeviceInfo) -> str:
    """What training.precision "auto" runs in on the device (as the worker picks it).

    `FINETUNE_STUDIO_PRECISION` (bf16, fp16 or fp32) overrides the hardware: the test suite's second precision lane
    forces the precision this CPU would not pick, and a user can pin one for every run. Otherwise: bf16 where the
    device computes it natively (NVIDIA Ampere and newer, CPUs with AVX512-BF16 or AMX), fp16 with loss scaling on
    older GPUs (Turing, GTX 16xx, T4), fp32 on other CPUs and on Apple's mps (half precision there is unverified:
    no such machine has run the suite). fp16 on a CPU trains in fp32 (`runnable_precision`).
    """
    from .errors import ConfigError

    forced = os.environ.get(PRECISION_ENV, "").strip().lower()
    if forced:
        if forced not in PRECISIONS:
            raise ConfigError([(PRECISION_ENV, Text("is {forced!r}; use bf16, fp16 or fp32", forced=forced))],
                              Text("Unset {precision_env} to let precision auto follow the hardware.",
                                   precision_env=PRECISION_ENV))
        return runnable_precision(forced, device)
    return "bf16" if device.bf16 else "fp16" if device.kind == "cuda" else "fp32"


def runnable_precision(precision: str, device: DeviceInfo | str) -> str:
    """The precision a run asked for, as it can run on the device: accelerate gives fp16 mixed precision (autocast and
    a loss scaler) only on a GPU, so an fp16 run on a CPU trains in fp32."""
    return "fp32" if precision == "fp16" and _kind(device) == "cpu" else precision


def resolve_precision(requested: str, device: DeviceInfo) -> str:
    """training.precision as the run will compute: "auto" decided for the device, fp16 kept to GPUs."""
    return auto_precision(device) if requested == "auto" else runnable_precision(requested, device)


def flash_attention_available(kind: str, precision: str) -> bool:
    """Whether a run on a device of `kind` in `precision` attends with flash-attention 2 (kernels.gpu_kernels: a
    CUDA device, half precision and the flash_attn package). No torch import."""
    import importlib.util

    return kind == "cuda" and precision in ("bf16", "fp16") and importlib.util.find_spec("flash_attn") is not None


def resolve_padding_free(setting: bool | str, kind: str, flash_attention: bool) -> bool:
    """training.padding_free as the run batches: "auto" concatenates examples (no padding computed) except on a GPU
    without flash-attention. There, attending per sequence takes one small SDPA call per example, and padded,
    length-grouped batches ran 2.5x faster than padding-free ones on an H200 (bench/README.md, GPU check of
    2026-11-28); on a CPU the per-sequence calls cost little and padding-free is faster (bench.padding_free)."""
    if setting != "auto":
        return bool(setting)
    return kind != "cuda" or flash_attention


def _kind(device: str | DeviceInfo | None) -> str:
    return device.kind if isinstance(device, DeviceInfo) else device or detect_device().kind


def _as_device(device: str | DeviceInfo | None) -> DeviceInfo:
    """A DeviceInfo for the planner's `device` argument: the detected one, or a kind alone ("cuda" is taken to be a
    bf16 GPU, "cpu" this machine's CPU)."""
    if isinstance(device, DeviceInfo):
        return device
    if device is None:
        return detect_device()
    return DeviceInfo(device, device, 0, 0, _cpu()[1] if device == "cpu" else device == "cuda")


def memory_budget(training: TrainingConfig, device: DeviceInfo) -> int:
    """The bytes a run is planned to fit in: `training.memory_limit_gb` where set (at most what the device has
    free), else the device's available memory."""
    if training.memory_limit_gb is None:
        return device.available_memory
    return min(int(training.memory_limit_gb * GiB), device.available_memory)


def checkpointed_layers(training: TrainingConfig, layers: int) -> int:
    """How many decoder layers a run with checkpointing decided recomputes: none with it off, else
    `checkpoint_layers` (all when empty)."""
    if training.gradient_checkpointing is not True:
        return 0
    return min(training.checkpoint_layers or layers, layers)


def with_checkpointed_layers(training: TrainingConfig, k: int, layers: int) -> TrainingConfig:
    """`training` recomputing the first `k` of `layers` decoder layers (0: checkpointing off; all: `true` alone)."""
    return training.model_copy(update={"gradient_checkpointing": k > 0,
                                       "checkpoint_layers": k if 0 < k < layers else None})


def resolve_checkpointing(info: ModelInfo, method: MethodConfig, training: TrainingConfig,
                          device: str | DeviceInfo | None = None, tokens: int | None = None, *,
                          layerwise: bool = True) -> TrainingConfig:
    """`training` with gradient checkpointing decided. "auto": off where the run fits the memory budget
    (`memory_budget`; default device: the detected one) without it, else on for the fewest decoder layers that make
    it fit (`checkpoint_layers`: the first ones, whose recomputation comes once the other layers' activations are
    freed), or on all of them where `layerwise` is false (FSDP checkpoints all layers or none); off again where
    nothing fits (plan_run then refuses a CPU run, with its fixes); never for a method that cannot be checkpointed
    (prefix tuning). Each layer recomputed costs one more forward of it, so the fewest that fit is the fastest run.

    A CPU run's heap holds up to its precision's heap slack (heap_slack) times the estimate unless lean memory returns
    freed blocks at once. With lean memory "auto", the fit keeps that slack first, and lean memory is the last
    resort: it cost 1.47x the CPU time a step, recomputing every layer 1.32-1.42x, half of them 1.21x
    (bench.memory_planner --layers, bf16 LoRA; 1.29-1.43x in bench.heap_soak); with lean memory off the slack is
    always kept, with it on never."""
    from .methods import METHODS

    if training.gradient_checkpointing != "auto":
        return training
    layers = info.num_layers
    if not METHODS[method.name].checkpointing:
        return with_checkpointed_layers(training, 0, layers)
    device = device if isinstance(device, DeviceInfo) else detect_device()
    budget = memory_budget(training, device)
    slack = heap_slack(resolve_precision(training.precision, device))
    slacks = (1.0,) if device.kind != "cpu" or training.lean_memory is True else \
        (slack,) if training.lean_memory is False else (slack, 1.0)
    for slack in slacks:
        for k in range(layers + 1) if layerwise else (0, layers):
            decided = with_checkpointed_layers(training, k, layers)
            if estimate_memory(info, method, decided, device, tokens)["total"] * slack <= budget:
                return decided
    return with_checkpointed_layers(training, 0, layers)


def _half_base(method: MethodConfig, half: int) -> bool:
    """Whether the run holds its frozen base in half precision (`half` bytes a weight: 2 for a GPU's bf16/fp16 and a
    CPU's bf16, as stages/common.py loads it); QLoRA's base is 4-bit instead."""
    from .methods import METHODS

    return METHODS[method.name].half_base and method.name != "qlora" and half == 2


def _trained_weights(info: ModelInfo, method: MethodConfig, kind: str, half: int) -> float:
    """Bytes of the model as it trains: quantised linears for QLoRA, a half-precision frozen base (on a GPU, and in
    bf16 on a CPU), else fp32; adapters in fp32."""
    from .methods import METHODS
    from .methods.counts import linear_shapes, trainable_parameters

    spec = METHODS[method.name]
    linear = info.num_layers * sum(a * b for a, b in linear_shapes(info).values())
    if method.name == "qlora":
        per = 0.5 + 4 / 64 / (64 if method.double_quant else 1) if method.bits == 4 else 1 + 4 / 64
        weights = linear * per + (info.num_parameters - linear) * (half if kind == "cuda" else 4)
    elif _half_base(method, half):
        weights = info.num_parameters * half
    else:
        weights = info.num_parameters * 4
    return weights + (trainable_parameters(info, method) * 4 if spec.uses_adapter else 0)  # adapters in fp32


def estimate_memory(info: ModelInfo, method: MethodConfig, training: TrainingConfig,
                    device: str | DeviceInfo | None = None, tokens: int | None = None) -> dict[str, int]:
    """Peak training memory in bytes, by what is held at the peak, from the model's config alone (no weights loaded).

    The peak is the larger of two moments. The start of the backward: weights (quantised for QLoRA; half precision
    for a frozen base on a GPU), the optimizer's AdamW states (from the second step on), the saved activations of one
    micro-batch of `batch_size × max_length` tokens (the worst case: padding-free batches of shorter examples hold
    fewer) plus one layer's backward working set, the loss's outputs (and the LM head's gradient for full fine-tuning),
    and the gradients when micro-batches accumulate. The optimizer step: weights, gradients and states. On a CPU the
    runtime's own memory comes on top. In bf16 on a CPU (autocast over fp32 master weights; fp16 runs there in fp32)
    the backward's start also holds autocast's bf16 copies of the linears' weights (counted with the weights), and the
    activations are partly bf16, partly fp32 (ACT_AUTOCAST_*, DROPOUT_AUTOCAST_BYTES): not half of fp32's.
    `device`: "cpu"/"cuda" or a DeviceInfo (default: the detected device); `tokens`: the largest micro-batch in
    tokens, when the data is known. Gradient checkpointing "auto" is decided first (`resolve_checkpointing`).

    With the first k of L layers checkpointed (`checkpoint_layers`), the k keep their inputs and the others all
    their saved tensors. The backward starts at the top: an unchecked top layer's backward works beside all of
    them, and the checkpointed layers recompute once the others' tensors are freed; a checkpointed top layer
    recomputes its tensors (input included) beside its backward's. Autocast's weight copies: the unchecked layers'
    all kept, one layer's while a layer is recomputed.
    """
    from .methods import METHODS
    from .methods.counts import linear_shapes, trainable_parameters

    training = resolve_checkpointing(info, method, training, device, tokens)
    kind = _kind(device)
    precision = resolve_precision(training.precision, _as_device(device))
    half = _bytes(precision)
    h, layers, vocab = info.hidden_size, info.num_layers, info.vocab_size
    shapes = linear_shapes(info)
    kv = shapes["k_proj"][1]
    linear = layers * sum(a * b for a, b in shapes.values())
    trainable = trainable_parameters(info, method)
    spec = METHODS[method.name]
    weights = _trained_weights(info, method, kind, half)
    tokens = tokens or training.batch_size * training.max_length
    act = half if precision != "fp32" else 4
    # A CPU in bf16 runs autocast over fp32 weights where the method trains them (full, freeze) or the base is 4-bit
    # (QLoRA): activations partly bf16, partly fp32 (ACT_AUTOCAST_*); an adapter's frozen base is bf16 itself
    autocast = kind == "cpu" and precision != "fp32" and not _half_base(method, half)
    i = info.intermediate_size
    if autocast:
        (a, b, c), (fa, fb, fc) = ACT_AUTOCAST_QLORA if method.name == "qlora" else \
            ACT_AUTOCAST_FULL if method.name == "full" else ACT_AUTOCAST_ADAPTER
        per_layer = (a * h + b * i + c * kv) * act + (fa * h + fb * i + fc * kv) * 4
    else:
        a, b, c = ACT_FULL if method.name == "full" else ACT_ADAPTER
        per_layer = (a * h + b * i + c * kv) * act
    if getattr(method, "dropout", 0) and spec.uses_adapter and method.name not in ("ia3", "ln_tuning"):
        targets = shapes if method.target_modules == "all-linear" else {
            k: v for k, v in shapes.items() if k in method.target_modules}
        inputs = sum(n_in for n_in, _ in targets.values())
        if method.name in FUSED_LORA and not (method.name == "qlora" and (method.bits == 8 or precision != "fp32")):
            per_layer += inputs  # the fused forward runs (under autocast too, over a plain base): a byte mask
        elif kind == "cpu" and precision != "fp32":
            per_layer += inputs * DROPOUT_AUTOCAST_BYTES  # PEFT's forward casts the input up to the fp32 adapters
        else:
            per_layer += inputs * act * (DROPOUT_CPU if kind == "cpu" else DROPOUT_CUDA)
    # a checkpointed layer keeps its input: the residual stream, fp32 under the CPU's autocast
    checkpointed, stream = checkpointed_layers(training, layers), h * (4 if autocast else act)
    kept = checkpointed * stream + (layers - checkpointed) * per_layer
    # the chunk's fp32 logits, turned into the softmax in place; under autocast also their half-precision copies
    loss_chunks = (1 if precision == "fp32" else 2) * min(tokens * vocab * 4, LOSS_CHUNK)
    # the top layer being differentiated; checkpointed, beside its saved tensors recomputed (its input among them)
    working = tokens * (per_layer if checkpointed < layers else 2 * per_layer - stream)
    activations = tokens * kept + max(working, loss_chunks)
    logits = 2 * tokens * h * 4  # the loss's hidden rows and their gradient
    if method.name == "full":
        logits += vocab * h * 4  # the LM head's gradient, computed with the loss
    gradients, optimizer = trainable * 4, trainable * 8
    # Autocast's bf16 copies of the weights the linears multiply by (a 4-bit base is not cast, and full fine-tuning's
    # embedding is not a linear), each kept for the backward: all of them at its start, one layer's with checkpointing.
    copies = 0.0
    if autocast:
        copies = ((0 if method.name == "qlora" else linear) + (trainable if spec.uses_adapter else 0)) * half
        copies *= max(layers - checkpointed, 1) / layers
    backward = weights + copies + optimizer + activations + logits + \
        (gradients if training.gradient_accumulation > 1 else 0)
    step = weights + gradients + optimizer
    peak = ({"weights": weights + copies, "gradients": 0 if training.gradient_accumulation == 1 else gradients,
             "optimizer": optimizer, "activations": activations, "logits": logits} if backward >= step else
            {"weights": weights, "gradients": gradients, "optimizer": optimizer, "activations": 0, "logits": 0})
    parts = {k: int(v) for k, v in peak.items()}
    if training.stage == "ppo":  # beside the policy: the reward model, frozen, and the value model, trained in full
        reward = info.num_parameters * (4 if kind == "cpu" else half)
        parts["ppo_models"] = int(reward + info.num_parameters * 16)  # value: fp32 weights, gradients, AdamW states
    parts["runtime"] = CPU_RUNTIME if kind == "cpu" else CUDA_RUNTIME
    parts["total"] = sum(parts.values())
    return parts


def phase_memory(info: ModelInfo, method: MethodConfig, training: TrainingConfig, export: ExportConfig,
                 evaluates: bool, device: str | DeviceInfo | None = None, tokens: int | None = None) -> dict[str, int]:
    """Peak RSS in bytes of the parts of a CPU run that are not a training step, where they run at all: evaluation
    and the end-of-run exports (empty on a GPU, whose exports run in host memory beside it). Evaluation runs beside
    the trained model and its AdamW states; the exports' checks without either (engine._fit lets the trainer go,
    each export the trained model before it reloads one). Reading and tokenising the data, loading the model and
    generating samples stay far below (bench.memory_planner's part peaks, bf16: 550, 1,300 and 1,170 MiB).

    Evaluation in sft and pt takes our chunked loss (StudioSFTTrainer.prediction_step) and stays under training;
    the other stages' trainers build the whole eval batch's logits (`tokens` as in training) in fp32 with their
    log-softmax: EVAL_LOGIT_BYTES a vocabulary entry, measured on TRL's SFT loss, which did the same. The
    exports' checks (export.weights) each reload a whole model, alone: the adapter's the base as trained (the
    trained weights again: bf16, fp32, 4-bit), a merged model's reference and its saved files in fp32, read tensor
    by tensor (load_fp32: 4 bytes a parameter, no file left mapped beside them), over AFTER_TRAINING. Measured (bf16,
    1 step, checkpointing): LoRA 8 x 256 1,214 MiB (1,692 when the trained model was still held), full 4 x 256
    1,155 (1,635)."""
    from .methods import METHODS
    from .methods.counts import trainable_parameters

    kind = _kind(device)
    if kind != "cpu":
        return {}
    spec = METHODS[method.name]
    precision = resolve_precision(training.precision, _as_device(device))
    weights = _trained_weights(info, method, kind, _bytes(precision))
    held = CPU_RUNTIME + weights + trainable_parameters(info, method) * 8
    peaks = {}
    if evaluates and training.stage not in ("sft", "pt"):
        tokens = tokens or training.batch_size * training.max_length
        peaks["evaluation"] = int(held + tokens * info.vocab_size * EVAL_LOGIT_BYTES[precision != "fp32"])
    merged = (export.merged and spec.mergeable) or not spec.uses_adapter  # full, freeze: the model is the export
    if export.verify and (merged or export.adapter):
        reloaded = info.num_parameters * 4 if merged else weights
        peaks["exports"] = int(CPU_RUNTIME + AFTER_TRAINING + reloaded)
    return peaks


@dataclass
class MemoryFix:
    """A one-click change that lowers the estimate: `changes` maps config sections to the fields to set."""
    title: str
    changes: dict[str, dict]
    total: int  # the estimate after the change, bytes


def memory_fixes(info: ModelInfo, method: MethodConfig, training: TrainingConfig,
                 device: str | DeviceInfo | None = None) -> list[MemoryFix]:
    """The usual ways to need less memory that apply to this config, each with its new estimate (the heap's term
    included where the run would keep lean memory off, as planned_memory counts it), best first."""
    t, cpu = training, _as_device(device)
    options: list[tuple[str, dict[str, dict]]] = []
    if method.name in ("lora", "dora", "rslora", "pissa", "olora", "loraplus", "full", "freeze"):
        options.append((Text("Use QLoRA (4-bit base)"), {"method": {"name": "qlora"}}))
    if t.batch_size > 1:
        options.append((Text("Micro-batch {batch} × accumulation {accumulation} (same effective batch)",
                             batch=t.batch_size // 2, accumulation=t.gradient_accumulation * 2),
                        {"training": {"batch_size": t.batch_size // 2,
                                      "gradient_accumulation": t.gradient_accumulation * 2}}))
    decided = resolve_checkpointing(info, method, t, device)
    if checkpointed_layers(decided, info.num_layers) < info.num_layers:
        options.append((Text("Turn on gradient checkpointing (slower)"),
                        {"training": {"gradient_checkpointing": True, "checkpoint_layers": None}}))
    if t.max_length >= 64:
        options.append((Text("Max length {length} (longer examples are truncated)", length=t.max_length // 2),
                        {"training": {"max_length": t.max_length // 2}}))
    fixes = []
    for title, changes in options:
        m = method.model_copy(update=changes.get("method", {}))
        tr = t.model_copy(update=changes.get("training", {}))
        total = estimate_memory(info, m, tr, device)["total"]
        fixes.append(MemoryFix(title, changes, total + heap_memory(total, resolve_lean_memory(tr, total, cpu), cpu)))
    return sorted(fixes, key=lambda f: f.total)


@dataclass
class RunPlan:
    config: RunConfig  # gradient checkpointing and lean memory decided (true/false, never "auto")
    memory: dict[str, int]  # planned_memory's parts of the planned run
    decision: str | None  # what "auto" checkpointing turned on and why, to tell the user
    reason: str | None = None  # what "auto" checkpointing chose and why, for the run's record (on or off)


PHASES = ("evaluation", "exports")  # phase_memory's parts


def resolve_lean_memory(training: TrainingConfig, total: int, device: DeviceInfo) -> TrainingConfig:
    """`training` with lean memory "auto" decided for a run whose working-set estimate is `total` bytes: on only on a
    CPU where the estimate times its precision's heap slack exceeds the memory budget."""
    if training.lean_memory != "auto":
        return training
    slack = heap_slack(resolve_precision(training.precision, device))
    return training.model_copy(update={
        "lean_memory": device.kind == "cpu" and total * slack > memory_budget(training, device)})


def heap_memory(total: int, training: TrainingConfig, device: DeviceInfo) -> int:
    """Bytes a CPU run's heap holds beyond its working-set estimate `total` with lean memory off (decided): the
    estimate times its precision's heap slack less one; 0 on a GPU or with lean memory on."""
    if device.kind != "cpu" or training.lean_memory is not False:
        return 0
    return int(total * (heap_slack(resolve_precision(training.precision, device)) - 1))


def planned_memory(config: RunConfig, info: ModelInfo, device: DeviceInfo, tokens: int | None = None, *,
                   layerwise: bool = True) -> tuple[TrainingConfig, dict[str, int]]:
    """The run's training settings with "auto" gradient checkpointing and lean memory decided, and the memory it is
    planned to peak at, by part: estimate_memory's working set; `heap`, what a CPU run's heap keeps beyond it with lean
    memory off (heap_memory); and what evaluation or the exports' checks need beyond that where the run peaks in them
    (phase_memory). The total is the whole process's expected peak: what a run reports (the `started` event's
    memory_estimate), the window shows, and plan_run checks."""
    decided = resolve_checkpointing(info, config.method, config.training, device, tokens, layerwise=layerwise)
    parts = estimate_memory(info, config.method, decided, device, tokens)
    decided = resolve_lean_memory(decided, parts["total"], device)
    if heap := heap_memory(parts["total"], decided, device):
        parts["heap"] = heap
        parts["total"] += heap
    evaluates = bool(config.data.validation) or config.data.validation_split > 0
    phases = phase_memory(info, config.method, decided, config.export, evaluates, device, tokens)
    if phases and phases[name := max(phases, key=phases.__getitem__)] > parts["total"]:
        parts[name] = phases[name] - parts["total"]  # the run peaks outside training: what it needs beyond
        parts["total"] = phases[name]
    return decided, parts


def plan_run(config: RunConfig, info: ModelInfo, lengths: list[int] | None = None,
             device: DeviceInfo | None = None, *, layerwise: bool = True) -> RunPlan:
    """Decide "auto" gradient checkpointing (how many layers; all or none where `layerwise` is false) and lean
    memory, and refuse (StudioError, with the fixes) a CPU run whose estimate exceeds the available RAM or the
    run's memory budget (`training.memory_limit_gb`).

    `lengths`: the training examples' token counts, when known: the largest micro-batch (the `batch_size` longest
    examples, concatenated when padding-free) replaces the worst case of `batch_size × max_length`.
    """
    from .errors import StudioError

    device = device or detect_device()
    t = config.training
    tokens = None
    if lengths:
        longest = sorted(lengths)[-t.batch_size:]
        flash = flash_attention_available(device.kind, resolve_precision(t.precision, device))
        tokens = sum(longest) if resolve_padding_free(t.padding_free, device.kind, flash) else \
            len(longest) * longest[-1]
    decided, parts = planned_memory(config, info, device, tokens, layerwise=layerwise)
    training_peak = parts["total"] - sum(parts.get(name, 0) for name in ("heap", *PHASES))  # the working set
    budget = memory_budget(t, device)
    if t.lean_memory == "auto":
        log.info("lean memory %s: the run needs about %.1f GiB (x%.2f without it) of %.1f GiB",
                 "on" if decided.lean_memory else "off", training_peak / GiB,
                 heap_slack(resolve_precision(t.precision, device)), budget / GiB)
    # the heap's term is what glibc may keep, not what the run needs: lean memory set off by hand on a tight budget
    # is not refused where the rest fits
    need = parts["total"] - (parts.get("heap", 0) if not set(PHASES) & set(parts) else 0)
    limited = budget < device.available_memory  # training.memory_limit_gb below what the device has free
    free = Text("a budget of {budget:.1f} GiB", budget=budget / GiB) if limited else \
        Text("{available:.1f} GiB available on {device}", available=device.available_memory / GiB, device=device.name)
    decision = reason = None
    if t.gradient_checkpointing == "auto":
        layers, k = info.num_layers, checkpointed_layers(decided, info.num_layers)
        off = estimate_memory(info, config.method, with_checkpointed_layers(t, 0, layers), device, tokens)["total"]
        if k:
            decision = Text("Gradient checkpointing on {k} of {layers} layers, the fewest that fit: the run needs "
                            "about {off:.1f} GiB without it and {on:.1f} GiB with it; {free}.", k=k, layers=layers,
                            off=off / GiB, on=training_peak / GiB, free=free)
            reason = Text("checkpointing {k} of {layers} layers to fit {budget:.1f} GiB: about {off:.1f} GiB "
                          "without, {on:.1f} GiB with", k=k, layers=layers, budget=budget / GiB, off=off / GiB,
                          on=training_peak / GiB)
        else:  # the usual case: no warning, the stored config says "false"
            reason = Text("off: the run needs about {off:.1f} GiB; {free}", off=off / GiB, free=free)
            log.info("gradient checkpointing off: the run needs about %.1f GiB; %s", off / GiB, free)
    if device.kind == "cpu" and need > budget:
        ways = []
        for fix in memory_fixes(info, config.method, t, device):
            fields = ", ".join(f"{s}.{k}: {v}" for s, d in fix.changes.items() for k, v in d.items())
            ways.append(Text("{fix} → {total:.1f} GiB ({fields})", fix=fix.title, total=fix.total / GiB,
                             fields=fields))
        if "exports" in parts:  # the training fits; the exports' checks do not
            ways.insert(0, Text("Skip the exports' checks (export.verify: false)"))
        if limited:
            raise StudioError(
                Text("This run needs about {peak:.1f} GiB of memory at its peak, more than its budget of "
                     "{budget:.1f} GiB (training.memory_limit_gb).", peak=parts['total'] / GiB, budget=budget / GiB),
                Text("Ways to need less: {ways}. Or raise the budget.", ways=joined("; ", ways)))
        raise StudioError(
            Text("This run needs about {peak:.1f} GiB of memory at its peak; the machine has {available:.1f} "
                 "GiB available, so it would run out part-way.",
                 peak=parts['total'] / GiB, available=device.available_memory / GiB),
            Text("Ways to need less: {ways}. Or close other programs.", ways=joined("; ", ways)))
    return RunPlan(config.model_copy(update={"training": decided}), parts, decision, reason)
