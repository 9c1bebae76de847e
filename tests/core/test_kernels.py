"""app.core.training.kernels: the chunked LM-head loss and per-sequence attention give what the plain ops give."""

import pytest
import torch
import torch.nn.functional as F

from app.core.export import parity
from app.core.training import kernels


@pytest.mark.parametrize("with_bias", [False, True])
def test_linear_cross_entropy_matches_cross_entropy_and_its_gradients(monkeypatch, with_bias):
    monkeypatch.setattr(kernels, "CHUNK_BYTES", 4 * 100 * 7)  # 16 rows a chunk: the 50 rows take 4 chunks
    torch.manual_seed(0)
    hidden = torch.randn(50, 16, requires_grad=True)
    weight = torch.randn(100, 16, requires_grad=True)
    bias = torch.randn(100, requires_grad=True) if with_bias else None
    targets = torch.randint(0, 100, (50,))
    ours = kernels.linear_cross_entropy(hidden, weight, bias, targets)
    (3 * ours).backward()
    leaves = [t for t in (hidden, weight, bias) if t is not None]
    grads = [t.grad.clone() for t in leaves]
    for t in leaves:
        t.grad = None
    logits = hidden @ weight.t() + (bias if bias is not None else 0)
    plain = F.cross_entropy(logits, targets, reduction="sum")
    (3 * plain).backward()
    assert ours.item() == pytest.approx(plain.item(), rel=1e-5)
    for mine, theirs in zip(grads, [t.grad for t in leaves], strict=True):
        torch.testing.assert_close(mine, theirs, rtol=1e-4, atol=1e-5)


def test_lm_loss_head_equals_the_models_own_loss(tiny_model_dir):
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir, dtype=torch.float32)
    torch.manual_seed(0)
    ids = torch.randint(0, model.config.vocab_size, (2, 12))
    labels = ids.clone()
    labels[:, :5] = -100  # the prompt: no loss
    own = model(input_ids=ids, labels=labels).loss
    kernels.add_lm_loss_head(model)
    ours = model(input_ids=ids, labels=labels, studio_lm_loss=True)
    assert ours.num_tokens.item() == 2 * 7  # labels 5..11 of each row are learned
    assert ours.loss.item() == pytest.approx(own.item(), rel=1e-5)
    assert model(input_ids=ids).logits.shape == (2, 12, model.config.vocab_size)  # other calls unchanged


def test_per_sequence_attention_equals_a_block_diagonal_mask():
    torch.manual_seed(0)
    lengths = [5, 9, 3]
    n = sum(lengths)
    inputs = [torch.randn(1, heads, n, 8, requires_grad=True) for heads in (4, 2, 2)]  # query, key, value
    cu = torch.tensor([0, 5, 14, 17], dtype=torch.int32)
    seq = torch.repeat_interleave(torch.arange(3), torch.tensor(lengths))
    mask = (seq[:, None] == seq[None, :]) & torch.ones(n, n, dtype=torch.bool).tril()
    weights = torch.randn(1, n, 4, 8)
    expected = F.scaled_dot_product_attention(*inputs, attn_mask=mask, enable_gqa=True).transpose(1, 2)
    expected_grads = torch.autograd.grad((expected * weights).sum(), inputs)
    module = torch.nn.Module()
    module.is_causal = True
    out, _ = kernels.per_sequence_sdpa(module, *inputs, None, cu_seq_lens_q=cu, cu_seq_lens_k=cu)
    torch.testing.assert_close(out, expected, rtol=1e-5, atol=1e-5)
    for mine, theirs in zip(torch.autograd.grad((out * weights).sum(), inputs), expected_grads, strict=True):
        torch.testing.assert_close(mine, theirs, rtol=1e-5, atol=1e-5)


def test_sequence_bounds_come_from_the_position_ids_of_a_padding_free_row():
    collate = kernels.SequenceBoundsCollator(lambda rows: {"position_ids": torch.tensor([sum(rows, [])])})
    batch = collate([[0, 1, 2], [0, 1], [0, 1, 2, 3]])
    assert batch["cu_seq_lens_q"].tolist() == batch["cu_seq_lens_k"].tolist() == [0, 3, 5, 9]
    assert batch["max_length_q"] == batch["max_length_k"] == 4
    padded = kernels.SequenceBoundsCollator(lambda rows: {"position_ids": torch.tensor([[0, 1], [0, 1]])})
    assert "cu_seq_lens_q" not in padded([None])  # two rows: not padding-free, nothing added


def _lora_model(dropout=0.0, **extra):
    from peft import LoraConfig, get_peft_model

    torch.manual_seed(0)
    base = torch.nn.Sequential(torch.nn.Linear(12, 20), torch.nn.GELU(), torch.nn.Linear(20, 12, bias=False))
    model = get_peft_model(base, LoraConfig(r=4, lora_alpha=8, lora_dropout=dropout, target_modules=["0", "2"],
                                            **extra))
    for name, param in model.named_parameters():
        if "lora_B" in name:
            torch.nn.init.normal_(param)  # B starts at zero: make the LoRA path count
    return model


def _step(model, x, seed=0):
    model.zero_grad()
    torch.manual_seed(seed)
    x = x.clone().requires_grad_(True)
    out = model(x)
    (out * out.cos()).sum().backward()
    return out.detach(), x.grad, {n: p.grad.clone() for n, p in model.named_parameters() if p.requires_grad}


@pytest.mark.parametrize("dropout", [0.0, 0.3])
def test_fused_lora_gives_peft_outputs_and_gradients(dropout):
    """With dropout, the same seed draws the same mask as PEFT's nn.Dropout, so the step is the same: in fp32, to
    the rounding of a different summation order (parity.py's rule at each tensor's own scale; the weight gradients
    sum over 15 tokens, which AVX512 kernels order differently from AVX2 ones)."""
    x = torch.randn(3, 5, 12)
    torch.manual_seed(1)
    expected = _step(_lora_model(dropout), x, seed=7)
    fused = _lora_model(dropout)
    assert kernels.fuse_lora(fused) == 2
    got = _step(fused, x, seed=7)

    def close(a, b):
        torch.testing.assert_close(a, b, rtol=0, atol=parity.ULPS * parity.EPS["fp32"] * float(b.abs().max()))

    close(got[0], expected[0])
    close(got[1], expected[1])
    assert got[2].keys() == expected[2].keys() and len(got[2]) == 4
    for name in got[2]:
        close(got[2][name], expected[2][name])


def test_fused_lora_runs_the_fused_function_only_where_it_is_exact(monkeypatch):
    calls = []
    function = kernels._lora_linear()
    original = function.apply
    monkeypatch.setattr(function, "apply", lambda *a: calls.append(a) or original(*a))
    x = torch.randn(2, 12)
    plain = _lora_model()
    kernels.fuse_lora(plain)
    with plain.disable_adapter(), torch.no_grad():
        plain(x)  # adapters off: the base alone
    dora = _lora_model(use_dora=True)  # DoRA: PEFT's forward
    kernels.fuse_lora(dora)
    dora(x)
    assert calls == []
    plain(x)
    assert len(calls) == 2  # both linears of the plain LoRA model
    dropped = _lora_model(dropout=0.1)
    kernels.fuse_lora(dropped)
    dropped(x)
    dropped.eval()
    dropped(x)
    assert [c[-1] for c in calls[2:]] == [0.1, 0.1, 0.0, 0.0]  # dropout while training only
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
        plain(x)  # autocast: the fused function, every operand in bf16
    assert len(calls) == 8 and all(t.dtype == torch.bfloat16 for c in calls[6:] for t in c[:5] if t is not None)


def _autocast_step(model, x, w):
    """One step with the output weighted by `w` (a loss linear in the output: the gradients' errors are the
    arithmetic's, not a steep loss's), under bf16 autocast when the model's base is bf16."""
    model.zero_grad()
    torch.manual_seed(7)
    x = x.clone().requires_grad_(True)
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=next(model.parameters()).dtype == torch.bfloat16):
        out = model(x)
    (out.float() * w).sum().backward()
    return [out.detach(), x.grad] + [p.grad.clone() for p in model.parameters() if p.requires_grad]


@pytest.mark.parametrize("dropout", [0.0, 0.3])
def test_fused_lora_under_autocast_computes_the_step_to_bf16_rounding(dropout):
    """bf16 training (a bf16 base, fp32 adapters, autocast): the fused function gives the fp32 step's output, input
    gradient and adapter gradients to a few bf16 roundings, as PEFT's forward does; a dropout scale left out
    (0.3: 30% off), a mask not applied or an adapter's gradient lost would be far outside. The same seed draws the
    same mask in bf16 as in fp32."""
    torch.manual_seed(3)
    x, w = torch.randn(64, 12), torch.randn(64, 12)
    reference = _autocast_step(_lora_model(dropout), x, w)  # fp32 throughout
    for fused in (False, True):
        model = _lora_model(dropout)
        for name, param in model.named_parameters():
            if "lora_" not in name:
                param.data = param.data.to(torch.bfloat16)  # the frozen base in bf16, as a bf16 run loads it
        if fused:
            assert kernels.fuse_lora(model) == 2
        got = _autocast_step(model, x, w)
        assert [t.dtype for t in got[2:]] == [torch.float32] * 4  # the fp32 adapters get fp32 gradients
        for mine, exact in zip(got, reference, strict=True):
            torch.testing.assert_close(mine.float(), exact, rtol=0,
                                       atol=4 * parity.EPS["bf16"] * float(exact.abs().max()))


def test_fused_lora_under_autocast_keeps_bf16_and_a_byte_mask():
    """Under autocast PEFT's forward casts the input up to the fp32 adapters and keeps dropout's noise in fp32
    (4 bytes an input element); the fused function keeps the bf16 input and a byte mask."""
    kept = {}

    def pack(t):
        kept.setdefault(t.untyped_storage().data_ptr(), (t.dtype, t.untyped_storage().nbytes()))
        return t

    x = torch.randn(64, 12, dtype=torch.bfloat16, requires_grad=True)
    for fused in (False, True):
        model = _lora_model(dropout=0.1)
        for name, param in model.named_parameters():
            if "lora_" not in name:
                param.data = param.data.to(torch.bfloat16)
        if fused:
            kernels.fuse_lora(model)
        kept.clear()
        with torch.autocast("cpu", dtype=torch.bfloat16), torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
            model.base_model.model[0](x)
        params = {p.untyped_storage().data_ptr() for p in model.parameters()}
        big = [(dtype, n) for ptr, (dtype, n) in kept.items() if ptr not in params and n >= x.numel()]
        fp32 = sum(n for dtype, n in big if dtype == torch.float32)
        if fused:
            assert fp32 == 0 and sorted(big, key=str) == [(torch.bfloat16, x.numel() * 2), (torch.bool, x.numel())]
        else:
            assert fp32 >= x.numel() * 4  # the noise at least


def test_fused_lora_dropout_keeps_a_byte_mask_not_float_copies():
    """What the fused function saves for the backward: the input (shared with the base), a bool mask, the rank-r
    product; PEFT's dropout keeps two more float blocks of the input's size."""
    saved = {}

    def pack(t):
        saved.setdefault(t.untyped_storage().data_ptr(), (t.dtype, t.untyped_storage().nbytes()))
        return t

    x = torch.randn(64, 12, requires_grad=True)
    for fused in (False, True):
        model = _lora_model(dropout=0.1)
        if fused:
            kernels.fuse_lora(model)
        saved.clear()
        with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
            model.base_model.model[0](x)
        params = {p.untyped_storage().data_ptr() for p in model.parameters()}
        kept = [v for k, v in saved.items() if k not in params]
        floats = sum(n for dtype, n in kept if dtype == torch.float32 and n >= x.numel() * 4)
        masks = sum(n for dtype, n in kept if dtype == torch.bool)
        if fused:
            assert (floats, masks) == (x.numel() * 4, x.numel())  # the input itself, one byte an element
        else:
            assert floats == 2 * x.numel() * 4  # the float noise and the dropped input


def test_fused_lora_over_a_4bit_base_gives_peft_outputs_and_gradients(tiny_model_dir):
    """QLoRA: the 4-bit base keeps bitsandbytes' autograd, the LoRA half (with dropout) is fused."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, BitsAndBytesConfig

    def step(fused):
        quant = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_compute_dtype=torch.float32)
        model = AutoModelForCausalLM.from_pretrained(tiny_model_dir, dtype=torch.float32, quantization_config=quant)
        torch.manual_seed(0)
        model = get_peft_model(model, LoraConfig(r=4, lora_alpha=8, lora_dropout=0.3, target_modules="all-linear"))
        for name, param in model.named_parameters():
            if "lora_B" in name:
                torch.nn.init.normal_(param, std=0.1)
        if fused:
            assert kernels.fuse_lora(model) == 2 * 7  # 2 layers x q, k, v, o, gate, up, down
        model.train()
        torch.manual_seed(3)
        ids = torch.randint(0, model.config.vocab_size, (2, 10))
        loss = model(input_ids=ids, labels=ids).loss
        loss.backward()
        return loss.detach(), {n: p.grad.clone() for n, p in model.named_parameters() if p.requires_grad}

    (plain_loss, plain_grads), (fused_loss, fused_grads) = step(False), step(True)
    torch.testing.assert_close(fused_loss, plain_loss, rtol=1e-5, atol=1e-6)
    assert fused_grads.keys() == plain_grads.keys() and len(fused_grads) == 2 * 2 * 7
    for name in plain_grads:
        torch.testing.assert_close(fused_grads[name], plain_grads[name], rtol=1e-4, atol=1e-6)


def test_gpu_kernels_only_where_cuda_and_their_packages_are(monkeypatch):
    import importlib.util

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert kernels.gpu_kernels("bf16") == {}  # no CUDA, whatever is installed: the plain kernels stay
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    installed = {"flash_attn", "liger_kernel"}
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: object() if name in installed else None)
    assert kernels.gpu_kernels("bf16") == {"attn_implementation": "flash_attention_2", "use_liger_kernel": True}
    assert kernels.gpu_kernels("fp32") == {"use_liger_kernel": True}  # flash-attention needs half precision
    installed.clear()
    assert kernels.gpu_kernels("bf16") == {}
