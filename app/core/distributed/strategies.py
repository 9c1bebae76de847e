"""How the processes share the model: the FSDP and DeepSpeed ZeRO settings the Trainer takes (made from the run's
settings, never edited by hand), and what each strategy leaves on one device (the memory planner per strategy).

ddp: every process holds the whole model, its gradients and optimizer states, and trains on its share of each
batch. ZeRO-2 splits the gradients and optimizer states across the processes. FSDP (version 2, full shard) and
ZeRO-3 split the weights too, gathering one layer's at a time. CPU offload moves what is split (ZeRO-2: the
optimizer states) into CPU memory.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .settings import DEEPSPEED, STRATEGIES

if TYPE_CHECKING:
    from ..config import RunConfig
    from ..hardware import DeviceInfo
    from ..models import ModelInfo


def trainer_args(config: RunConfig, precision: str, world_size: int, gpus: bool) -> dict[str, Any]:
    """The TrainingArguments of the run's strategy: `fsdp` + `fsdp_config`, or `deepspeed` (its config as a dict);
    none for ddp or a single process (the launcher's environment is all DDP needs), nor without GPUs: accelerate
    applies FSDP and DeepSpeed to GPU processes only, and trains CPU processes with DDP (the engine says so)."""
    d = config.distributed
    if world_size == 1 or d.strategy == "ddp" or not gpus:
        return {}
    if d.strategy == "fsdp":
        # the model's own transformer layers are the units (transformers' _no_split_modules); activation
        # checkpointing is FSDP's, not the Trainer's (which would gather every layer's weights once more)
        return {"fsdp": True, "fsdp_config": fsdp_config(config), "activation_checkpointing": False}
    return {"deepspeed": deepspeed_config(config, precision, world_size)}


EXPERT_COUNTS = ("num_experts", "num_local_experts", "n_routed_experts", "moe_num_experts")  # as MoE configs name it


def unused_parameters(model_config: Any) -> bool:
    """DDP's `find_unused_parameters` for a model: whether a forward pass can leave trainable weights without a
    gradient, so each step must look for them. A mixture of experts routes each token to some of its experts; in
    a dense model every layer (and every adapter on one) takes part in every forward. The Trainer's default (on
    unless gradient checkpointing) walks the whole autograd graph once more every step on every rank, and torch
    warns about it at each run's first step."""
    return any((getattr(model_config, name, None) or 0) > 1 for name in EXPERT_COUNTS)


def fsdp_config(config: RunConfig) -> dict[str, Any]:
    """transformers' `fsdp_config` for FSDP2: full shard, the model's layers wrapped, whole weights in checkpoints
    (so exports, resume and `export RUN` read them as any run's), offload as set."""
    return {
        "version": 2,
        "reshard_after_forward": True,
        "auto_wrap_policy": "TRANSFORMER_BASED_WRAP",
        "state_dict_type": "FULL_STATE_DICT",
        "cpu_offload": config.distributed.cpu_offload,
        "cpu_ram_efficient_loading": False,
        "activation_checkpointing": config.training.gradient_checkpointing is True,
    }


def deepspeed_config(config: RunConfig, precision: str, world_size: int) -> dict[str, Any]:
    """A complete DeepSpeed config (no "auto" left: deepspeed's own parser accepts it as it is) for ZeRO stage 2 or 3
    from the run's batch, accumulation, clipping and precision; the optimizer and schedule stay the Trainer's."""
    t, d = config.training, config.distributed
    stage = 3 if d.strategy == "deepspeed-zero3" else 2
    zero: dict[str, Any] = {"stage": stage, "overlap_comm": True, "contiguous_gradients": True,
                            "reduce_bucket_size": 5e8}
    if stage == 3:
        zero.update({"stage3_prefetch_bucket_size": 5e8, "stage3_param_persistence_threshold": 1e6,
                     "stage3_gather_16bit_weights_on_model_save": True})  # a whole model in the checkpoints
    if d.cpu_offload:
        zero["offload_optimizer"] = {"device": "cpu", "pin_memory": True}
        if stage == 3:
            zero["offload_param"] = {"device": "cpu", "pin_memory": True}
    out: dict[str, Any] = {
        "train_micro_batch_size_per_gpu": t.batch_size,
        "gradient_accumulation_steps": t.gradient_accumulation,
        "train_batch_size": t.batch_size * t.gradient_accumulation * world_size,
        "gradient_clipping": t.max_grad_norm,
        "bf16": {"enabled": precision == "bf16"},
        "fp16": {"enabled": precision == "fp16", "loss_scale": 0, "initial_scale_power": 16},
        "zero_optimization": zero,
        "steps_per_print": 10**9,  # our events report the steps
        "wall_clock_breakdown": False,
    }
    if d.cpu_offload:
        out["zero_force_ds_cpu_optimizer"] = False  # the Trainer's AdamW (and LoRA+'s groups) on offloaded states
    return out


def needs_package(strategy: str) -> str | None:
    """The package a strategy needs beyond torch and accelerate (`pip install 'finetune-studio[deepspeed]'`)."""
    return "deepspeed" if strategy in DEEPSPEED else None


def strategy_memory(info: ModelInfo, config: RunConfig, device: DeviceInfo | str | None = None,
                    world_size: int | None = None) -> dict[str, dict[str, int]]:
    """Peak memory per device (bytes, by part) of the run under each strategy, from the planner's single-device
    estimate (hardware.estimate_memory: every process trains `batch_size` examples, so activations stay whole):
    ddp keeps every part on each device; ZeRO-2 divides the gradients and optimizer states by the world size;
    FSDP and ZeRO-3 divide the weights too and hold one layer's gathered weights besides. With CPU offload what is
    divided lives in CPU memory instead (`offloaded`: per process)."""
    from ..hardware import estimate_memory

    world = world_size or config.distributed.world_size
    base = estimate_memory(info, config.method, config.training, device)
    out = {}
    for strategy in STRATEGIES:
        parts = {k: v for k, v in base.items() if k != "total"}
        split = ("gradients", "optimizer") + (("weights",) if strategy in ("fsdp", "deepspeed-zero3") else ())
        offloaded = 0
        if strategy != "ddp":
            for key in split:
                share = parts.get(key, 0) // world
                if config.distributed.cpu_offload and (key != "weights" or strategy != "deepspeed-zero2"):
                    offloaded += share
                    parts[key] = 0
                else:
                    parts[key] = share
            if "weights" in split:
                parts["gathered_layer"] = base["weights"] // max(info.num_layers, 1)
        parts["total"] = sum(parts.values())
        parts["offloaded"] = offloaded
        out[strategy] = parts
    return out


PREFERENCE = ("ddp", "deepspeed-zero2", "fsdp", "deepspeed-zero3")  # the less split, the less each step exchanges


def fitting(estimates: dict[str, dict[str, int]], available: int) -> list[str]:
    """The strategies whose per-device peak fits `available` bytes, the least split first."""
    return [s for s in PREFERENCE if estimates[s]["total"] <= available]
