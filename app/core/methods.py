"""Fine-tuning methods: what each trains, explained for people, and how it is applied to a model."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import StudioError

if TYPE_CHECKING:
    from .config import MethodConfig
    from .models import ModelInfo

log = logging.getLogger(__name__)

LINEAR_NAMES = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


@dataclass(frozen=True)
class MethodSpec:
    name: str
    title: str
    what: str
    when: str
    cost: str
    uses_adapter: bool
    settings: list[str] = field(default_factory=list)


METHODS: dict[str, MethodSpec] = {
    "lora": MethodSpec(
        "lora", "LoRA",
        what="Adds small low-rank matrices beside each linear layer and trains only those; the base stays frozen.",
        when="The default choice: most tasks, most hardware.",
        cost="~1–4% of the weights trained; memory ≈ the model in 16-bit plus a little.",
        uses_adapter=True, settings=["rank", "alpha", "dropout", "target_modules"],
    ),
    "qlora": MethodSpec(
        "qlora", "QLoRA",
        what="LoRA on a base model stored in 4-bit (or 8-bit): the same adapters, a quarter of the base memory.",
        when="The model does not fit in memory with LoRA.",
        cost="Lowest memory; somewhat slower steps; the base is slightly perturbed by quantisation.",
        uses_adapter=True, settings=["rank", "alpha", "dropout", "target_modules", "bits", "quant_type",
                                     "double_quant"],
    ),
    "dora": MethodSpec(
        "dora", "DoRA",
        what="LoRA that learns each weight's direction and magnitude separately.",
        when="LoRA underfits at low rank and you can afford slower steps.",
        cost="LoRA's memory; steps ~1.5× slower than LoRA.",
        uses_adapter=True, settings=["rank", "alpha", "dropout", "target_modules"],
    ),
    "full": MethodSpec(
        "full", "Full fine-tuning",
        what="Trains every weight of the model.",
        when="Small models, large datasets, or when adapters are not enough.",
        cost="Most memory: weights, gradients and two optimizer states for every parameter (≈16 bytes each).",
        uses_adapter=False, settings=[],
    ),
}


def _linear_shapes(info: ModelInfo) -> dict[str, tuple[int, int]]:
    """(in, out) of each linear layer of one decoder block, for Llama-style models."""
    h, inter = info.hidden_size, info.intermediate_size
    head_dim = h // info.num_attention_heads
    kv = info.num_key_value_heads * head_dim
    return {"q_proj": (h, h), "k_proj": (h, kv), "v_proj": (h, kv), "o_proj": (h, h),
            "gate_proj": (h, inter), "up_proj": (h, inter), "down_proj": (inter, h)}


def trainable_parameters(info: ModelInfo, method: MethodConfig) -> int:
    """Parameters the method trains, computed from the model's config (no weights loaded)."""
    if method.name == "full":
        return info.num_parameters
    shapes = _linear_shapes(info)
    targets = shapes.keys() if method.target_modules == "all-linear" else [
        t for t in method.target_modules if t in shapes]
    per_layer = sum(method.rank * (shapes[t][0] + shapes[t][1]) for t in targets)
    if method.name == "dora":
        per_layer += sum(shapes[t][1] for t in targets)  # one magnitude per output feature
    return per_layer * info.num_layers


def peft_config(method: MethodConfig) -> Any:
    from peft import LoraConfig, TaskType

    return LoraConfig(
        task_type=TaskType.CAUSAL_LM, r=method.rank, lora_alpha=method.alpha, lora_dropout=method.dropout,
        target_modules=method.target_modules, use_dora=method.name == "dora", bias="none",
    )


def quantization_config(method: MethodConfig, compute_dtype: Any) -> Any:
    from transformers import BitsAndBytesConfig

    if method.bits == 8:
        return BitsAndBytesConfig(load_in_8bit=True)
    return BitsAndBytesConfig(
        load_in_4bit=True, bnb_4bit_quant_type=method.quant_type, bnb_4bit_use_double_quant=method.double_quant,
        bnb_4bit_compute_dtype=compute_dtype,
    )


def apply_method(model: Any, method: MethodConfig, gradient_checkpointing: bool = False) -> Any:
    """Wrap a loaded model for training with the method; returns the model to train."""
    if method.name == "full":
        for p in model.parameters():
            p.requires_grad_(True)
        return model
    from peft import get_peft_model, prepare_model_for_kbit_training

    if method.name == "qlora":
        model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=gradient_checkpointing)
    try:
        return get_peft_model(model, peft_config(method))
    except ValueError as exc:
        raise StudioError(f"Cannot apply {METHODS[method.name].title} to this model: {exc}",
                          "Check method.target_modules against the model's layer names, or use 'all-linear'.") \
            from exc


def count_parameters(model: Any) -> tuple[int, int]:
    """(trainable, total) parameters of a loaded model; 4-bit weights count as their logical size."""
    trainable = total = 0
    for p in model.parameters():
        n = p.numel()
        if p.__class__.__name__ == "Params4bit":
            n *= 2
        total += n
        if p.requires_grad:
            trainable += n
    return trainable, total
