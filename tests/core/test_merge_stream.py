"""The shard-by-shard LoRA merge gives what peft's in-memory merge gives, on a tiny random Llama saved in several
shards and merged into several shards; adapters it cannot merge are named with a reason."""

from __future__ import annotations

import json

import pytest

from app.core.export.merge_stream import INDEX_NAME, digest, stream_merge, why_not_streamed

IDS = [[1, 5, 17, 230, 4001, 77, 9, 12000, 3, 42]]


@pytest.fixture(scope="module")
def sharded_base(tiny_model_dir, tmp_path_factory):
    """The tiny Llama re-saved in bf16 (as checkpoints usually are) and in 1 MB shards."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    out = tmp_path_factory.mktemp("sharded-base")
    AutoModelForCausalLM.from_pretrained(tiny_model_dir, dtype=torch.bfloat16).save_pretrained(
        out, max_shard_size="1MB")
    AutoTokenizer.from_pretrained(tiny_model_dir).save_pretrained(out)
    assert len(list(out.glob("*.safetensors"))) >= 2
    return out


def _adapter(base_dir, out, **lora):
    """A LoRA adapter with random, non-zero A and B (init_lora_weights=False), as training would leave it."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(1)
    model = AutoModelForCausalLM.from_pretrained(base_dir, dtype=torch.float32)
    config = LoraConfig(**{"r": 4, "lora_alpha": 8, "target_modules": "all-linear", "init_lora_weights": False,
                           **lora})
    peft_model = get_peft_model(model, config)
    with torch.no_grad():
        for name, param in peft_model.named_parameters():
            if "lora_B" in name:
                param.mul_(20.0)  # a delta as large as a few training steps leave, not a rounding error
    peft_model.save_pretrained(out)
    return out


def _logits(model):
    import torch

    with torch.no_grad():
        return model(input_ids=torch.tensor(IDS) % model.config.vocab_size).logits.float()


def _peft_merged(base_dir, adapter_dir):
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(base_dir, dtype=torch.float32)
    return PeftModel.from_pretrained(base, adapter_dir).merge_and_unload()


@pytest.mark.parametrize("lora", [{}, {"use_rslora": True}, {"rank_pattern": {"q_proj": 8},
                                                               "alpha_pattern": {"down_proj": 32}}],
                         ids=["lora", "rslora", "patterns"])
def test_streamed_merge_matches_peft_merge(sharded_base, tmp_path, lora):
    import torch
    from safetensors import safe_open
    from transformers import AutoModelForCausalLM

    adapter = _adapter(sharded_base, tmp_path / "adapter", **lora)
    assert why_not_streamed(adapter, sharded_base) is None
    merged = _peft_merged(sharded_base, adapter)
    want = _logits(merged)
    base_logits = _logits(AutoModelForCausalLM.from_pretrained(sharded_base, dtype=torch.float32))
    assert float((want - base_logits).abs().max()) > 0.05, "the adapter changes the model"

    digests = stream_merge(sharded_base, adapter, tmp_path / "fp32", torch.float32, "1MB")
    got32 = _logits(AutoModelForCausalLM.from_pretrained(tmp_path / "fp32", dtype=torch.float32))
    assert float((got32 - want).abs().max()) < 1e-4
    state = merged.state_dict()
    assert all(digest(state[k]) == d for k, d in digests.items()), "tensor for tensor what peft merged"

    stream_merge(sharded_base, adapter, tmp_path / "fp16", torch.float16, "1MB")
    shards = sorted(p.name for p in (tmp_path / "fp16").glob("*.safetensors"))
    index = json.loads((tmp_path / "fp16" / INDEX_NAME).read_text())
    assert len(shards) >= 2 and sorted(set(index["weight_map"].values())) == shards
    for shard in shards:
        with safe_open(tmp_path / "fp16" / shard, framework="pt") as f:
            assert {f.get_slice(k).get_dtype() for k in f.keys()} == {"F16"}  # noqa: SIM118
    reloaded = AutoModelForCausalLM.from_pretrained(tmp_path / "fp16")
    assert reloaded.dtype == torch.float16 and reloaded.config.use_cache
    merged.to(torch.float16).save_pretrained(tmp_path / "in-place", max_shard_size="1MB")  # the in-memory export
    in_place = AutoModelForCausalLM.from_pretrained(tmp_path / "in-place")
    got16, want16 = _logits(reloaded.float()), _logits(in_place.float())
    print(lora, "fp16: streamed vs in-place export max |d|", float((got16 - want16).abs().max()),
          "vs the fp32 merge", float((got16 - want).abs().max()))
    assert float((got16 - want16).abs().max()) < 1e-5, "the same fp16 weights"
    assert float((got16 - want).abs().max()) < 0.05


@pytest.mark.model  # builds its own tiny model
def test_fan_in_fan_out_weights_are_merged_transposed(tmp_path):
    """GPT-2 keeps its projections as Conv1D (in, out): peft merges (B @ A).T there."""
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.manual_seed(0)
    GPT2LMHeadModel(GPT2Config(n_layer=2, n_embd=32, n_head=2, vocab_size=500, bos_token_id=0, eos_token_id=0)).save_pretrained(tmp_path / "gpt2")
    adapter = _adapter(tmp_path / "gpt2", tmp_path / "adapter", target_modules=["c_attn", "c_fc"],
                       fan_in_fan_out=True)
    assert why_not_streamed(adapter, tmp_path / "gpt2") is None
    want = _logits(_peft_merged(tmp_path / "gpt2", adapter))
    stream_merge(tmp_path / "gpt2", adapter, tmp_path / "out", torch.float32, "5GB")
    got = _logits(GPT2LMHeadModel.from_pretrained(tmp_path / "out"))
    assert float((got - want).abs().max()) < 1e-4


def test_other_adapters_are_named_with_a_reason(sharded_base, tmp_path):
    import torch
    from peft import IA3Config, get_peft_model
    from transformers import AutoModelForCausalLM

    dora = _adapter(sharded_base, tmp_path / "dora", use_dora=True)
    assert why_not_streamed(dora, sharded_base) == "the adapter uses use_dora"
    model = AutoModelForCausalLM.from_pretrained(sharded_base, dtype=torch.float32)
    get_peft_model(model, IA3Config(task_type="CAUSAL_LM")).save_pretrained(tmp_path / "ia3")
    assert why_not_streamed(tmp_path / "ia3", sharded_base) == "a IA3 adapter is merged by peft"
    pissa = _adapter(sharded_base, tmp_path / "pissa")
    assert why_not_streamed(pissa, tmp_path) == "the base model is not a local safetensors checkpoint"
    cfg = json.loads((pissa / "adapter_config.json").read_text())
    (pissa / "adapter_config.json").write_text(json.dumps({**cfg, "init_lora_weights": "pissa"}))
    assert why_not_streamed(pissa, sharded_base) == "a pissa adapter applies to a rewritten base"
    assert why_not_streamed(tmp_path / "none", sharded_base).startswith("no saved adapter")
