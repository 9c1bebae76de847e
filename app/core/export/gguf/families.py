"""The model families GGUF export writes, and what each needs beyond the tensor-name map of the `gguf` package —
the quirks llama.cpp's convert_hf_to_gguf.py applies to the same family:

- llama, mistral: q/k rows permuted to llama.cpp's rotary layout; Llama 3.x rope scaling as a `rope_freqs` tensor
  (the per-frequency divisors), linear and YaRN scaling as metadata.
- qwen2, qwen3: NeoX rotation, written as is; qwen3's q/k norms map to attn_q_norm/attn_k_norm.
- gemma2, gemma3: RMSNorm weights stored as w and applied as 1 + w, so every norm is written +1; the embedding
  scale (√hidden) is llama.cpp's own; soft-capping and the sliding window as metadata.
- phi3: q/k/v and gate/up are fused in the checkpoint already (attn_qkv, ffn_up); partial rotary dimensions and the
  original context length as metadata.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ...errors import ExportError
from ...messages import Text

HINT = Text("Export the merged model (--merged) and convert it with llama.cpp's convert_hf_to_gguf.py.")


@dataclass(frozen=True)
class Family:
    arch: str  # llama.cpp's architecture
    permute_qk: bool = False  # llama's rotary layout
    norm_shift: float = 0.0  # added to every norm weight (Gemma's 1 + w)


FAMILIES = {  # HF model_type -> how llama.cpp writes it
    "llama": Family("llama", permute_qk=True),
    "mistral": Family("llama", permute_qk=True),
    "qwen2": Family("qwen2"),
    "qwen3": Family("qwen3"),
    "gemma2": Family("gemma2", norm_shift=1.0),
    "gemma3_text": Family("gemma3", norm_shift=1.0),
    "phi3": Family("phi3"),
}
ROPE_TYPES = {"llama": ("default", "llama3", "linear", "yarn"), "qwen2": ("default", "yarn"),
              "qwen3": ("default", "yarn"), "gemma3": ("default", "linear")}


def rope(config: Any) -> dict:
    """The rope parameters of the full-attention layers (transformers 5 nests them per layer type for Gemma 3)."""
    params = dict(getattr(config, "rope_parameters", None) or getattr(config, "rope_scaling", None) or {})
    return dict(params.get("full_attention", params))


def check_architecture(config: Any) -> Family:
    """The family of `config`, or an ExportError listing the supported ones."""
    model_type = getattr(config, "model_type", None)
    if model_type not in FAMILIES:
        raise ExportError(Text("GGUF export does not support the {model_type!r} architecture. Supported: "
                               "{families}.", model_type=model_type, families=', '.join(sorted(FAMILIES))), HINT)
    family = FAMILIES[model_type]
    if family.arch == "llama" and (getattr(config, "attention_bias", False) or getattr(config, "mlp_bias", False)):
        raise ExportError(Text("GGUF export does not support llama models with attention or MLP biases."), HINT)
    kind = rope(config).get("rope_type") or rope(config).get("type") or "default"
    if kind not in ROPE_TYPES.get(family.arch, ("default",)):
        raise ExportError(Text("GGUF export does not support rope scaling {kind!r} for {model_type}.",
                               kind=kind, model_type=model_type), HINT)
    return family


def reader_reads_config(config: Any) -> bool:
    """Whether transformers' GGUF loader (5.x) rebuilds this model's config from our metadata: it reads no head_dim
    for qwen3 (it assumes 128), no query_pre_attn_scalar, sliding-window layout or local rope base for Gemma, and no
    rope scaling (Llama 3's rope_freqs included)."""
    kind = rope(config).get("rope_type") or rope(config).get("type") or "default"
    if kind != "default" or config.model_type in ("gemma2", "gemma3_text"):
        return False
    return config.model_type != "qwen3" or head_dim(config) == 128


def head_dim(config: Any) -> int:
    return getattr(config, "head_dim", None) or config.hidden_size // config.num_attention_heads


def write_hparams(writer: Any, family: Family, config: Any) -> None:
    """The model's hyperparameters as llama.cpp reads them for its architecture."""
    import gguf

    n_head = config.num_attention_heads
    dim = head_dim(config)
    params = rope(config)
    writer.add_context_length(config.max_position_embeddings)
    writer.add_embedding_length(config.hidden_size)
    writer.add_block_count(config.num_hidden_layers)
    writer.add_feed_forward_length(config.intermediate_size)
    writer.add_head_count(n_head)
    writer.add_head_count_kv(getattr(config, "num_key_value_heads", None) or n_head)
    writer.add_key_length(dim)
    writer.add_value_length(dim)
    writer.add_layer_norm_rms_eps(config.rms_norm_eps)
    writer.add_vocab_size(config.vocab_size)
    writer.add_rope_freq_base(float(params.get("rope_theta") or getattr(config, "rope_theta", None) or 10000.0))
    if family.arch == "phi3":
        share = params.get("partial_rotary_factor", getattr(config, "partial_rotary_factor", None) or 1.0)
        writer.add_rope_dimension_count(int(share * config.hidden_size) // n_head)
        writer.add_rope_scaling_orig_ctx_len(config.original_max_position_embeddings)
        writer.add_sliding_window(getattr(config, "sliding_window", None) or 0)
    else:
        writer.add_rope_dimension_count(dim)
    kind = params.get("rope_type") or params.get("type") or "default"
    if kind == "linear":
        writer.add_rope_scaling_type(gguf.RopeScalingType.LINEAR)
        writer.add_rope_scaling_factor(params["factor"])
    elif kind == "yarn":
        writer.add_rope_scaling_type(gguf.RopeScalingType.YARN)
        writer.add_rope_scaling_factor(params["factor"])
        writer.add_rope_scaling_orig_ctx_len(params["original_max_position_embeddings"])
    if family.arch == "gemma2":
        writer.add_attn_logit_softcapping(config.attn_logit_softcapping)
        writer.add_final_logit_softcapping(config.final_logit_softcapping)
        writer.add_sliding_window(config.sliding_window)
    if family.arch == "gemma3":
        if getattr(config, "final_logit_softcapping", None):
            writer.add_final_logit_softcapping(config.final_logit_softcapping)
        writer.add_sliding_window(config.sliding_window)
        local = (getattr(config, "rope_parameters", None) or {}).get("sliding_attention", {}).get("rope_theta")
        if local is not None:
            writer.add_rope_freq_base_swa(float(local))


def extra_tensors(family: Family, config: Any) -> dict[str, Any]:
    """Tensors llama.cpp needs that the checkpoint does not hold: Llama 3's rope frequency divisors."""
    import numpy as np

    params = rope(config)
    if family.arch != "llama" or params.get("rope_type") != "llama3":
        return {}
    base, dim = float(params.get("rope_theta") or 500000.0), head_dim(config)
    factor = params.get("factor", 8.0)
    low, high = params.get("low_freq_factor", 1.0), params.get("high_freq_factor", 4.0)
    old_context = params.get("original_max_position_embeddings", 8192)
    f32 = np.float32  # in float32, as the converter's torch code computes them (so the divisors are the same bits)
    freqs = f32(1) / (f32(base) ** (np.arange(0, dim, 2, dtype=f32) / f32(dim)))
    factors = []
    for freq in freqs:
        wavelength = f32(2 * math.pi) / freq
        if wavelength < old_context / high:
            factors.append(f32(1))
        elif wavelength > old_context / low:
            factors.append(f32(factor))
        else:
            smooth = (f32(old_context) / wavelength - f32(low)) / f32(high - low)
            factors.append(f32(1) / ((f32(1) - smooth) / f32(factor) + smooth))
    return {"rope_freqs.weight": np.asarray(factors, dtype=f32)}


def permute_for_rope(weight: Any, n_head: int) -> Any:
    """Reorder each head's rows from HF's rotate-half layout to llama.cpp's interleaved pairs."""
    rows = weight.shape[0]
    return weight.reshape(n_head, 2, rows // n_head // 2, *weight.shape[1:]).swapaxes(1, 2).reshape(weight.shape)


def transform(family: Family, config: Any, key: str, array: Any) -> Any:
    """One HF tensor as llama.cpp stores it."""
    if family.permute_qk and key.endswith("q_proj.weight"):
        return permute_for_rope(array, config.num_attention_heads)
    if family.permute_qk and key.endswith("k_proj.weight"):
        return permute_for_rope(array, getattr(config, "num_key_value_heads", None) or config.num_attention_heads)
    if family.norm_shift and key.endswith("norm.weight"):
        return array + family.norm_shift
    return array
