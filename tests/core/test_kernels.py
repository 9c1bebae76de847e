"""app.core.kernels: the chunked LM-head loss and per-sequence attention give what the plain ops give."""

import pytest
import torch
import torch.nn.functional as F

from app.core import kernels


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
    query, key, value = torch.randn(1, 4, n, 8), torch.randn(1, 2, n, 8), torch.randn(1, 2, n, 8)
    cu = torch.tensor([0, 5, 14, 17], dtype=torch.int32)
    seq = torch.repeat_interleave(torch.arange(3), torch.tensor(lengths))
    mask = (seq[:, None] == seq[None, :]) & torch.ones(n, n, dtype=torch.bool).tril()
    expected = F.scaled_dot_product_attention(query, key, value, attn_mask=mask, enable_gqa=True).transpose(1, 2)
    module = torch.nn.Module()
    module.is_causal = True
    out, _ = kernels.per_sequence_sdpa(module, query, key, value, None, cu_seq_lens_q=cu, cu_seq_lens_k=cu)
    torch.testing.assert_close(out, expected, rtol=1e-5, atol=1e-5)
