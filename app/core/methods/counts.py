"""Trainable parameters per method, computed from the model's config alone (no weights loaded).

Llama-style shapes are assumed (q/k/v/o, gate/up/down, RMSNorm without bias), as in `ModelInfo`. Each formula
mirrors what `apply.apply_method` really trains; tests compare the two on a tiny model for every method.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..config import MethodConfig
    from ..models import ModelInfo

# peft's IA³ defaults for Llama-style models: scale keys, values (outputs) and the feed-forward input.
IA3_TARGETS = {"k_proj": "out", "v_proj": "out", "down_proj": "in"}
# Architectures whose attention projections carry biases (q, k, v), for bias-only tuning.
QKV_BIAS_MODELS = {"qwen2", "qwen2_moe", "qwen2_vl"}


def linear_shapes(info: ModelInfo) -> dict[str, tuple[int, int]]:
    """(in, out) of each linear layer of one decoder block, for Llama-style models."""
    h, inter = info.hidden_size, info.intermediate_size
    kv = info.num_key_value_heads * (h // info.num_attention_heads)
    return {"q_proj": (h, h), "k_proj": (h, kv), "v_proj": (h, kv), "o_proj": (h, h),
            "gate_proj": (h, inter), "up_proj": (h, inter), "down_proj": (inter, h)}


def parameter_shapes(info: ModelInfo) -> list[tuple[str, str, int]]:
    """(name, tensor, size) of every weight as transformers names them; a tied lm_head shares the embedding."""
    h, layers = info.hidden_size, info.num_layers
    out = [("model.embed_tokens.weight", "model.embed_tokens.weight", info.vocab_size * h)]
    for i in range(layers):
        for leaf, (n_in, n_out) in linear_shapes(info).items():
            group = "self_attn" if leaf in ("q_proj", "k_proj", "v_proj", "o_proj") else "mlp"
            name = f"model.layers.{i}.{group}.{leaf}.weight"
            out.append((name, name, n_in * n_out))
        for norm in ("input_layernorm", "post_attention_layernorm"):
            name = f"model.layers.{i}.{norm}.weight"
            out.append((name, name, h))
    out.append(("model.norm.weight", "model.norm.weight", h))
    head = "model.embed_tokens.weight" if info.tie_word_embeddings else "lm_head.weight"
    out.append(("lm_head.weight", head, info.vocab_size * h))
    return out


def freeze_selects(name: str, layers_prefix: str, num_layers: int, last: int, modules: list[str]) -> bool:
    """Freeze tuning trains a parameter when it is in one of the last `last` layers or inside a named module."""
    if last and name.startswith(layers_prefix + "."):
        index = name[len(layers_prefix) + 1:].split(".", 1)[0]
        if index.isdigit() and int(index) >= num_layers - last:
            return True
    return any(f".{m.strip('.')}." in f".{name}." for m in modules)


def trainable_parameters(info: ModelInfo, method: MethodConfig) -> int:
    """Parameters the method trains, computed from the model's config (no weights loaded)."""
    name, h, layers = method.name, info.hidden_size, info.num_layers
    shapes = linear_shapes(info)
    kv = shapes["k_proj"][1]
    if name == "full":
        return info.num_parameters
    if name == "freeze":
        chosen = {tensor: size for param, tensor, size in parameter_shapes(info)
                  if freeze_selects(param, "model.layers", layers, method.freeze_trainable_layers,
                                    method.freeze_modules)}
        return sum(chosen.values())
    if name == "bias":
        return layers * (h + 2 * kv) if info.model_type in QKV_BIAS_MODELS else 0
    if name == "ia3":
        return layers * sum(shapes[t][0 if side == "in" else 1] for t, side in IA3_TARGETS.items())
    if name == "ln_tuning":
        return (2 * layers + 1) * h
    n = method.num_virtual_tokens
    if name == "prompt_tuning":
        return n * h
    if name == "prefix_tuning":
        return n * layers * 2 * kv  # a key and a value vector per layer and virtual token
    if name == "p_tuning":
        return n * h + 3 * (h * h + h)  # the embeddings and the encoder MLP (h → h → h → h, with biases)
    targets = shapes.keys() if method.target_modules == "all-linear" else [
        t for t in method.target_modules if t in shapes]
    per_layer = sum(method.rank * (shapes[t][0] + shapes[t][1]) for t in targets)
    if name == "dora":
        per_layer += sum(shapes[t][1] for t in targets)  # one magnitude per output feature
    if name == "adalora":
        per_layer += method.rank * len(targets)  # the singular values E, one per rank
    return per_layer * layers
