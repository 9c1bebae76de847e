"""Faster exact training kernels in plain torch: the LM-head loss without full logits, per-sequence attention.

- `LinearCrossEntropy`: the next-token loss of `hidden @ weight.T` over token chunks. Only positions with a label are
  projected (prompt tokens cost nothing), the `[tokens, vocab]` logits never exist at once, and the gradient is
  computed in the same pass, so the backward is a multiplication (no recomputed projection, no fp32 logits kept).
- `add_lm_loss_head(model)`: `model(..., labels=..., studio_lm_loss=True)` runs the backbone and that loss.
- `per_sequence_sdpa`: attention over a padding-free batch (one row of concatenated sequences and `cu_seq_lens_q`)
  as one causal SDPA call per sequence, instead of one call over the whole row with a block-diagonal mask.
- `SequenceBoundsCollator(collate)`: a padding-free collator whose batches also carry those bounds (`cu_seq_lens_q/k`,
  `max_length_q/k`, from the position ids), which transformers hands to the attention function; TRL's collator
  gives only the position ids, from which transformers builds the block-diagonal mask instead.
- `fuse_lora(model)`: a plain LoRA linear (frozen `nn.Linear` base, with or without dropout) computes
  `x W^T + s (dropout(x) A^T) B^T` as one autograd function: the LoRA product is added into the base output in place
  and the input gradients of both paths are summed in place, instead of PEFT's separate scale, add and gradient-sum
  passes over every activation; dropout keeps a byte mask instead of a float noise tensor and a dropped copy of the
  input. Over a 4-bit base (QLoRA) the base keeps its own autograd and the LoRA half is fused the same way.
  Under autocast (bf16/fp16 training) a plain linear runs it in the autocast dtype (a 4-bit base does not). Every
  other case (DoRA, 8-bit base, several adapters) keeps PEFT's forward.

Heavy imports (torch, transformers) stay inside functions, except in the autograd class built on first use.
"""

from __future__ import annotations

import functools
import types
from typing import Any

ATTENTION = "studio_sdpa"
CHUNK_BYTES = 64 * 1024**2  # fp32 logits held at once by the loss


def _chunk_rows(vocab: int) -> int:
    return max(CHUNK_BYTES // (4 * vocab), 16)


@functools.cache
def _linear_cross_entropy() -> Any:
    import torch

    class LinearCrossEntropy(torch.autograd.Function):
        """Sum over rows of `-log softmax(hidden @ weight.T + bias)[target]`, in fp32, chunked over rows."""

        @staticmethod
        def forward(ctx, hidden, weight, bias, targets):
            device = hidden.device
            dtype = torch.get_autocast_dtype(device.type) if torch.is_autocast_enabled(device.type) else hidden.dtype
            need_h, need_w = ctx.needs_input_grad[0], ctx.needs_input_grad[1]
            need_b = bias is not None and ctx.needs_input_grad[2]
            w = weight.to(dtype)
            b = None if bias is None else bias.to(dtype)
            grad_h = torch.empty_like(hidden) if need_h else None
            grad_w = torch.zeros(weight.shape, dtype=torch.float32, device=device) if need_w else None
            grad_b = torch.zeros(bias.shape, dtype=torch.float32, device=device) if need_b else None
            total = torch.zeros((), dtype=torch.float32, device=device)
            step = _chunk_rows(weight.shape[0])
            # One logits buffer for all chunks: a fresh block per chunk is a fresh mmap whose pages the kernel
            # zero-fills on first touch (a third of the loss's time on the CPU).
            buf = torch.empty((min(step, hidden.shape[0]), weight.shape[0]), dtype=torch.float32, device=device) \
                if dtype == torch.float32 else None
            for start in range(0, hidden.shape[0], step):
                h = hidden[start:start + step].to(dtype)
                t = targets[start:start + step]
                if buf is not None:
                    out = buf[:h.shape[0]]
                    logits = torch.mm(h, w.t(), out=out) if b is None else torch.addmm(b, h, w.t(), out=out)
                else:
                    logits = (h @ w.t() if b is None else torch.addmm(b, h, w.t())).float()
                # log-sum-exp and softmax in place of the logits: torch.logsumexp would write two more blocks
                # of the chunk's size and the softmax would then take two more passes over it.
                target = logits.gather(1, t.unsqueeze(1)).squeeze(1)
                top = logits.amax(dim=1, keepdim=True)
                exps = logits.sub_(top).exp_()
                sums = exps.sum(dim=1)
                total += (top.squeeze(1) + sums.log() - target).sum()
                if need_h or need_w or need_b:
                    probs = exps.div_(sums.unsqueeze(1))
                    probs[torch.arange(t.shape[0], device=device), t] -= 1.0  # d loss / d logits
                    g = probs.to(dtype)
                    if need_h and grad_h.dtype == dtype:
                        torch.mm(g, w, out=grad_h[start:start + step])
                    elif need_h:
                        grad_h[start:start + step] = g @ w
                    if need_w:
                        grad_w.addmm_(g.t().float(), h.float())
                    if need_b:
                        grad_b += probs.sum(0)
            ctx.save_for_backward(grad_h, grad_w, grad_b)
            ctx.dtypes = (weight.dtype, None if bias is None else bias.dtype)
            return total

        @staticmethod
        def backward(ctx, grad_out):
            grad_h, grad_w, grad_b = ctx.saved_tensors
            w_dtype, b_dtype = ctx.dtypes
            return (None if grad_h is None else grad_h * grad_out.to(grad_h.dtype),
                    None if grad_w is None else (grad_w * grad_out).to(w_dtype),
                    None if grad_b is None else (grad_b * grad_out).to(b_dtype),
                    None)

    return LinearCrossEntropy


def linear_cross_entropy(hidden: Any, weight: Any, bias: Any, targets: Any) -> Any:
    """Summed next-token loss of the rows of `hidden` (already shifted and masked) against `targets`."""
    return _linear_cross_entropy().apply(hidden, weight, bias, targets)


@functools.cache
def _loss_output() -> Any:
    """The output class: a dataclass ModelOutput, since wrappers such as AdaLoRA's add to `.loss` in place."""
    import dataclasses

    import torch
    from transformers.modeling_outputs import ModelOutput

    @dataclasses.dataclass
    class LMLossOutput(ModelOutput):
        loss: torch.Tensor | None = None
        num_tokens: torch.Tensor | None = None

    return LMLossOutput


def add_lm_loss_head(model: Any) -> None:
    """Let `model(..., labels=labels, studio_lm_loss=True)` return `.loss` (summed loss over the label tokens divided
    by `num_items_in_batch`, or by their count) and `.num_tokens`, without building the logits. Other calls are
    unchanged. Patch the causal LM before PEFT wraps it: PEFT calls its forward with the virtual tokens added."""
    original = model.forward

    @functools.wraps(type(model).forward)
    def forward(self, *args, studio_lm_loss=False, labels=None, num_items_in_batch=None, **kwargs):
        if not studio_lm_loss:
            if labels is not None:
                kwargs["labels"] = labels
            if num_items_in_batch is not None:
                kwargs["num_items_in_batch"] = num_items_in_batch
            return original(*args, **kwargs)
        kwargs["use_cache"] = False
        hidden = self.base_model(*args, **kwargs).last_hidden_state[:, :-1]
        head = self.get_output_embeddings()
        labels = labels[:, 1:].to(head.weight.device)
        mask = labels != -100
        total = linear_cross_entropy(hidden.to(head.weight.device)[mask], head.weight, head.bias, labels[mask])
        count = mask.sum()
        loss = total / (count.clamp(min=1) if num_items_in_batch is None else num_items_in_batch)
        return _loss_output()(loss=loss, num_tokens=count)

    model.forward = types.MethodType(forward, model)


def per_sequence_sdpa(module: Any, query: Any, key: Any, value: Any, attention_mask: Any, dropout: float = 0.0,
                      scaling: float | None = None, cu_seq_lens_q: Any = None, cu_seq_lens_k: Any = None,
                      **kwargs: Any) -> tuple[Any, None]:
    """transformers attention function: causal SDPA per sequence of a padding-free row; plain `sdpa` otherwise."""
    import torch
    from transformers.integrations.sdpa_attention import sdpa_attention_forward

    packed = (cu_seq_lens_q is not None and query.shape[0] == 1 and query.shape[2] == key.shape[2]
              and (cu_seq_lens_k is None or torch.equal(cu_seq_lens_q, cu_seq_lens_k)))
    if not packed:
        return sdpa_attention_forward(module, query, key, value, attention_mask, dropout=dropout, scaling=scaling,
                                      **kwargs)
    lengths = (cu_seq_lens_q[1:] - cu_seq_lens_q[:-1]).tolist()
    gqa = query.shape[1] != key.shape[1]
    # split, not one slice per sequence: a slice's backward writes a zero block of the whole row for each sequence
    parts = [torch.nn.functional.scaled_dot_product_attention(
        q, k, v, dropout_p=dropout, scale=scaling, is_causal=True, enable_gqa=gqa)
        for q, k, v, n in zip(query.split(lengths, 2), key.split(lengths, 2), value.split(lengths, 2), lengths,
                              strict=True) if n]
    out = torch.cat(parts, dim=2) if len(parts) > 1 else parts[0]
    return out.transpose(1, 2).contiguous(), None


def sequence_bounds(position_ids: Any) -> dict[str, Any]:
    """The flash-attention keyword arguments of a padding-free row: every position id 0 starts a sequence."""
    import torch

    row = position_ids[0]
    starts = torch.nonzero(row == 0).flatten()
    cu = torch.cat([starts, starts.new_tensor([row.shape[0]])]).to(torch.int32)
    longest = int((cu[1:] - cu[:-1]).max())
    return {"cu_seq_lens_q": cu, "cu_seq_lens_k": cu, "max_length_q": longest, "max_length_k": longest}


class SequenceBoundsCollator:
    """A collator whose padding-free batches (one row with `position_ids`) also carry `sequence_bounds`."""

    def __init__(self, collate: Any):
        self.collate = collate

    def __call__(self, features: Any) -> Any:
        batch = self.collate(features)
        ids = batch.get("position_ids")
        if ids is not None and ids.shape[0] == 1:
            batch.update(sequence_bounds(ids))
        return batch


def _adapter_in(rows: Any, a: Any, p: float) -> tuple[Any, Any]:
    """`dropout(rows) @ a.T` and the byte mask of kept elements (None without dropout). The noise is drawn as
    torch's CPU dropout draws it (`bernoulli_(1 - p)`, then `/ (1 - p)`), so a seeded fp32 step matches PEFT's. In a
    half type 1 / (1 - p) would round (bf16: 1.109375 for 1.1111 at p = 0.1, every kept element 0.16% short), so
    there the mask multiplies and the rank-r product is rescaled."""
    import torch

    if not p:
        return rows @ a.t(), None
    noise = torch.empty_like(rows).bernoulli_(1 - p)
    keep = noise.bool()
    if rows.dtype != torch.float32:
        return ((rows * noise) @ a.t()).div_(1 - p), keep
    return (rows * noise.div_(1 - p)) @ a.t(), keep


def _adapter_grads(ctx: Any, g: Any, rows: Any, keep: Any, h: Any, a: Any, b: Any, need_a: bool,
                   need_b: bool) -> tuple[Any, Any, Any, Any]:
    """Gradients of the LoRA half at h ([tokens, rank]), a and b, and the forward's dropout noise (exactly; in a
    half type the mask, with 1 / (1 - p) folded into the rank-r gradient as in `_adapter_in`)."""
    import torch

    half = keep is not None and rows.dtype != torch.float32
    noise = None if keep is None else keep.to(rows.dtype) if half else keep.to(rows.dtype).div_(1 - ctx.p)
    g_h = (g @ b).mul_(ctx.scale / (1 - ctx.p) if half else ctx.scale)
    grad_b = (g.t() @ h).mul_(ctx.scale) if need_b else None
    grad_a = g_h.t() @ (rows if noise is None else rows * noise) if need_a else None
    return g_h, grad_a, grad_b, noise


@functools.cache
def _lora_linear() -> Any:
    import torch

    class LoraLinear(torch.autograd.Function):
        """`x @ weight.T + bias + scale * (dropout(x) @ a.T) @ b.T` with `weight` and `bias` frozen. Dropout keeps
        a byte mask for the backward, where PEFT keeps the float noise and the dropped input (8 bytes an element)."""

        @staticmethod
        def forward(ctx, x, weight, bias, a, b, scale, p):
            rows = x.reshape(-1, x.shape[-1])
            h, keep = _adapter_in(rows, a, p)
            out = rows @ weight.t() if bias is None else torch.addmm(bias, rows, weight.t())
            out.addmm_(h, b.t(), alpha=scale)
            ctx.save_for_backward(rows, keep, h, weight, a, b)
            ctx.scale, ctx.p, ctx.in_shape = scale, p, x.shape
            return out.view(*x.shape[:-1], weight.shape[0])

        @staticmethod
        def backward(ctx, grad_out):
            rows, keep, h, weight, a, b = ctx.saved_tensors
            g = grad_out.reshape(-1, grad_out.shape[-1])
            g_h, grad_a, grad_b, noise = _adapter_grads(ctx, g, rows, keep, h, a, b, *ctx.needs_input_grad[3:5])
            grad_x = None
            if ctx.needs_input_grad[0]:
                grad_x = g @ weight
                if noise is None:
                    grad_x.addmm_(g_h, a)
                else:
                    grad_x.addcmul_(g_h @ a, noise)
                grad_x = grad_x.view(ctx.in_shape)
            return grad_x, None, None, grad_a, grad_b, None, None

    return LoraLinear


@functools.cache
def _lora_delta() -> Any:
    import torch

    class LoraDelta(torch.autograd.Function):
        """`base_out + scale * (dropout(x) @ a.T) @ b.T` for a base layer with its own autograd (4-bit): the
        LoRA half of `LoraLinear` (same dropout draws and byte mask); the base output's gradient passes through."""

        @staticmethod
        def forward(ctx, x, base_out, a, b, scale, p):
            rows = x.reshape(-1, x.shape[-1])
            h, keep = _adapter_in(rows, a, p)
            out = torch.addmm(base_out.reshape(-1, base_out.shape[-1]), h, b.t(), alpha=scale)
            ctx.save_for_backward(rows, keep, h, a, b)
            ctx.scale, ctx.p, ctx.in_shape = scale, p, x.shape
            return out.view(base_out.shape)

        @staticmethod
        def backward(ctx, grad_out):
            rows, keep, h, a, b = ctx.saved_tensors
            g = grad_out.reshape(-1, grad_out.shape[-1])
            g_h, grad_a, grad_b, noise = _adapter_grads(ctx, g, rows, keep, h, a, b, *ctx.needs_input_grad[2:4])
            grad_x = None
            if ctx.needs_input_grad[0]:
                grad_x = g_h @ a
                if noise is not None:
                    grad_x.mul_(noise)
                grad_x = grad_x.view(ctx.in_shape)
            return grad_x, grad_out, grad_a, grad_b, None, None

    return LoraDelta


def _fused_lora_forward(self: Any, x: Any, *args: Any, original: Any, **kwargs: Any) -> Any:
    """A PEFT `lora.Linear` forward: the fused function where it is exact, PEFT's own forward otherwise."""
    import torch

    active = self.active_adapters
    if (args or kwargs or self.disable_adapters or self.merged or len(active) != 1
            or active[0] not in self.lora_A or active[0] in self.lora_variant):
        return original(x, *args, **kwargs)
    name = active[0]
    base, a, b = self.base_layer, self.lora_A[name], self.lora_B[name]
    linear = type(base) is torch.nn.Linear
    kind = x.device.type
    autocast = torch.is_autocast_enabled(kind)
    if (any(p.requires_grad for p in base.parameters()) or a.bias is not None or b.bias is not None
            or type(dropout := self.lora_dropout[name]) not in (torch.nn.Identity, torch.nn.Dropout)
            or getattr(dropout, "inplace", False) or (autocast and not linear)
            or not autocast and (not x.dtype == a.weight.dtype == b.weight.dtype
                                 or linear and base.weight.dtype != x.dtype)):
        return original(x, *args, **kwargs)
    p = float(dropout.p) if isinstance(dropout, torch.nn.Dropout) and dropout.training else 0.0
    scale = float(self.scaling[name])
    if autocast:
        # what autocast does to each product, done once for the whole function: every operand in the autocast dtype
        # (the fp32 adapters' casts carry their gradients back), computed and kept in it; PEFT's forward would cast
        # the input up to the adapters' fp32 first and keep dropout's noise in fp32 (4 bytes an input element)
        half = torch.get_autocast_dtype(kind)
        bias = None if base.bias is None else base.bias.to(half)
        with torch.autocast(kind, enabled=False):
            return _lora_linear().apply(x.to(half), base.weight.to(half), bias, a.weight.to(half),
                                        b.weight.to(half), scale, p)
    if linear:
        return _lora_linear().apply(x, base.weight, base.bias, a.weight, b.weight, scale, p)
    return _lora_delta().apply(x, base(x), a.weight, b.weight, scale, p)  # a quantised base: its own autograd


def fuse_lora(model: Any) -> int:
    """Give every PEFT LoRA linear of `model` (plain or 4-bit base) the fused forward (where exact); returns how many
    were patched."""
    from peft.tuners.lora.layer import Linear

    kinds: tuple[type, ...] = (Linear,)
    try:
        from peft.tuners.lora.bnb import Linear4bit

        kinds += (Linear4bit,)  # 8-bit bases return their own dtype: PEFT's forward
    except ImportError:  # bitsandbytes missing: no quantised layers either
        pass
    count = 0
    for module in model.modules():
        if type(module) in kinds:
            module.forward = types.MethodType(functools.partial(_fused_lora_forward, original=module.forward),
                                              module)
            count += 1
    return count


def gpu_kernels(precision: str) -> dict[str, Any]:
    """What a CUDA run adds where the packages are installed, and nothing otherwise (the plain kernels above stay):
    `attn_implementation` flash-attention 2 (half precision only; attends per sequence over a padding-free row from
    the bounds SequenceBoundsCollator adds) and `use_liger_kernel`, Liger's Triton RMSNorm, RoPE, SwiGLU and fused
    linear cross-entropy (which then replaces our LM-head loss)."""
    import importlib.util

    import torch

    from ..hardware import flash_attention_available

    if not torch.cuda.is_available():
        return {}
    found: dict[str, Any] = {}
    if flash_attention_available("cuda", precision):
        found["attn_implementation"] = "flash_attention_2"
    if importlib.util.find_spec("liger_kernel") is not None:
        found["use_liger_kernel"] = True
    return found


@functools.cache
def register_attention() -> str:
    """Register `per_sequence_sdpa` with transformers (masks as for `sdpa`); returns its name."""
    from transformers import AttentionInterface, AttentionMaskInterface
    from transformers.masking_utils import sdpa_mask

    AttentionInterface.register(ATTENTION, per_sequence_sdpa)
    AttentionMaskInterface.register(ATTENTION, sdpa_mask)
    return ATTENTION
