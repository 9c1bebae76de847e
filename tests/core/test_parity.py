"""The parity rule (parity.py) both ways: a correct export passes whatever precision trained it, a wrong one fails.

Precision: the runs here train under bf16 autocast (forced, so this holds on CPUs without bf16 too) over fp32 master
weights; the adapter check is fp32 against fp32, the merged exports fp16 and bf16 against the fp32 adapter model.
"""

from __future__ import annotations

import pytest
import torch
from tiny_runs import train_tiny_cli_run

from app.core.errors import ExportError
from app.core.events import ListSink
from app.core.export import parity
from app.core.store import Store


@pytest.fixture(scope="module")
def bf16_run(tiny_model_dir, tmp_path_factory) -> dict:
    """A tiny LoRA run trained in bf16 with its adapter and fp16 merged exports (the defaults): its store row."""
    train_tiny_cli_run(tmp_path_factory.mktemp("bf16-run"), tiny_model_dir, "parity-bf16", 4,
                       training={"max_steps": 4, "batch_size": 4, "max_length": 48, "learning_rate": 0.05,
                                 "precision": "bf16"},
                       evaluation={"sample_prompts": []}, export={"merged": True})
    return Store().get_run("parity-bf16")


def _loaded(run: dict):
    """The run's adapter on its fp32 base, and the tokenizer."""
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    artifact = Store().artifacts(run["id"], "adapter")[-1]
    base = AutoModelForCausalLM.from_pretrained(artifact["properties"]["base_model"], dtype=torch.float32)
    return PeftModel.from_pretrained(base, artifact["path"]), AutoTokenizer.from_pretrained(artifact["path"])


def test_rule_judges_in_the_coarser_dtype():
    torch.manual_seed(0)
    ref = [torch.randn(1, 7, 50) * 20]
    rounded = [ref[0].to(torch.bfloat16).float()]
    assert parity.compare(ref, [ref[0].clone()], "fp32", "fp32").passed
    # bf16 rounding of the outputs is far over the fp32 tolerance, and within the bf16 one
    fp32 = parity.compare(ref, rounded, "fp32", "fp32")
    assert not fp32.passed and "fp32" in fp32.failure()
    bf16 = parity.compare(ref, rounded, "fp32", "bf16")
    assert bf16.passed and bf16.dtype == "bf16" and bf16.top1_agreement == 1.0
    assert bf16.tolerance == pytest.approx(parity.ULPS * 2**-7 * float(ref[0].abs().max()))
    # a changed next token at more than 5% of positions fails a half-precision comparison however small the change
    swapped = ref[0].clone()
    top2 = swapped[0, :2].topk(2, dim=-1)
    for pos in range(2):  # the runner-up overtakes the best by 0.01
        swapped[0, pos, top2.indices[pos, 1]] = top2.values[pos, 0] + 0.01
    moved = parity.compare(ref, [swapped], "fp32", "bf16")
    assert moved.top1_agreement < parity.AGREEMENT_FLOOR and not moved.passed and "next token" in moved.failure()
    assert not parity.compare(ref, [ref[0] * float("nan")], "fp32", "fp16").passed


def test_weights_dtype_is_the_base_not_the_fp32_adapters(tiny_model_dir):
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(tiny_model_dir, dtype=torch.bfloat16)
    model = get_peft_model(base, LoraConfig(r=4, target_modules="all-linear"))
    assert {p.dtype for p in model.parameters() if p.requires_grad} == {torch.float32}
    assert parity.weights_dtype(model) == "bf16"


def test_a_bf16_trained_run_completes_with_its_exports_verified(bf16_run):
    store = Store()
    assert bf16_run["status"] == "completed", bf16_run["error"]
    started = next(e for e in _events(bf16_run) if e["event"] == "started")
    assert started["precision"] == "bf16"
    adapter = store.artifacts(bf16_run["id"], "adapter")[-1]["properties"]
    merged = store.artifacts(bf16_run["id"], "merged")[-1]["properties"]
    # a bf16 run holds its frozen base in bf16 (the adapters in fp32), on a CPU as on a GPU: the adapter's check
    # reloads the base in bf16 and computes what the trained model computed, so it is judged in bf16 but agrees
    # far inside the rule, at every position
    assert adapter["parity_ok"] and adapter["parity_rule"].startswith("bf16 reference vs bf16 export")
    assert adapter["max_abs_diff"] < 1e-3 < adapter["tolerance"] and adapter["top1_agreement"] == 1.0
    assert merged["parity_ok"] and "judged in fp16" in merged["parity_rule"] and merged["top1_agreement"] >= 0.95
    assert merged["agreement_floor"] == adapter["agreement_floor"] == 0.95  # a half dtype needs one
    card = (store.artifacts(bf16_run["id"], "merged")[-1]["path"] + "/README.md")
    assert "judged in fp16" in open(card, encoding="utf-8").read()


def _events(run: dict) -> list[dict]:
    import json
    from pathlib import Path

    folder = Path(Store().artifacts(run["id"], "adapter")[-1]["path"]).parent
    return [json.loads(line) for line in (folder / "events.jsonl").read_text().splitlines()]


def _corrupt_lora_b(folder, offset: float) -> None:
    """Every lora_B entry moved by `offset`: a wrong adapter whatever the training did (B starts at zero, so scaling
    a briefly trained B would change little)."""
    from safetensors.torch import load_file, save_file

    path = folder / "adapter_model.safetensors"
    tensors = load_file(path)
    save_file({k: v + offset if "lora_B" in k else v for k, v in tensors.items()}, path)


def test_a_corrupted_adapter_export_fails_its_check(bf16_run, tmp_path):
    from app.core.export.weights import export_adapter

    model, tokenizer = _loaded(bf16_run)
    export_adapter(None, model, tokenizer, tmp_path / "good")  # the same model saved as it is passes
    save = model.save_pretrained

    def corrupted(folder, **kwargs):
        save(folder, **kwargs)
        _corrupt_lora_b(folder, 0.01)

    model.save_pretrained = corrupted
    with pytest.raises(ExportError, match="does not reproduce the trained model"):
        export_adapter(None, model, tokenizer, tmp_path / "bad")
    assert not (tmp_path / "bad").exists()


@pytest.mark.parametrize("dtype", ["bf16", "fp16", "fp32"])
def test_merged_exports_pass_in_every_dtype_and_a_corrupted_merge_fails(bf16_run, tmp_path, dtype):
    """The streamed merge reads the adapter from disk: one whose lora_B was scaled merges into weights whose digests
    match what was written, so only the logits comparison can tell."""
    import shutil
    from pathlib import Path

    import yaml

    from app.core.config import parse_config
    from app.core.export.weights import ExportSource, export_context, export_merged

    config = parse_config(yaml.safe_load(bf16_run["config"]))
    config.export.dtype = dtype
    model, tokenizer = _loaded(bf16_run)
    adapter = Path(Store().artifacts(bf16_run["id"], "adapter")[-1]["path"])
    sink = ListSink()
    export_merged(config, model, tokenizer, tmp_path / "good", export_context(sink=sink),
                  ExportSource(adapter_dir=adapter))
    props = sink.of("artifact")[0]["properties"]
    assert props["parity_ok"] and f"judged in {dtype}" in props["parity_rule"], props
    bad = tmp_path / "bad-adapter"
    shutil.copytree(adapter, bad)
    _corrupt_lora_b(bad, 0.5)  # far outside any rounding: the tiny model's bf16 tolerance is 1 logit
    with pytest.raises(ExportError, match="does not answer like the trained model"):
        export_merged(config, model, tokenizer, tmp_path / "bad", source=ExportSource(adapter_dir=bad))


def test_an_in_memory_merge_that_changes_the_outputs_is_refused(tiny_model_dir, tmp_path, monkeypatch):
    """A DoRA adapter cannot be merged shard by shard: peft merges it in memory, and the merged model's logits are
    compared with the adapter model's before anything is saved (fp32 reference vs fp32 merge). The same export
    passes with peft's merge as it is, and is refused when the merge shifts one weight."""
    from peft import LoraConfig, get_peft_model
    from peft.tuners.lora import LoraModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from app.core.config import parse_config
    from app.core.export.weights import ExportSource, export_context, export_merged

    torch.manual_seed(0)
    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    base = AutoModelForCausalLM.from_pretrained(tiny_model_dir, dtype=torch.float32)
    model = get_peft_model(base, LoraConfig(r=4, target_modules=["q_proj", "v_proj"], use_dora=True))
    with torch.no_grad():  # trained: the adapter and the magnitudes are no longer at their initialisation
        for name, param in model.named_parameters():
            if "lora_" in name:
                param.add_(torch.randn_like(param) * 0.05)
    model.save_pretrained(tmp_path / "adapter")
    config = parse_config({"data": {"train": "x.jsonl"}, "model": {"source": str(tiny_model_dir)},
                           "export": {"dtype": "fp32"}})
    sink = ListSink()
    export_merged(config, model, tokenizer, tmp_path / "good", export_context(sink=sink),
                  ExportSource(adapter_dir=tmp_path / "adapter"))
    props = sink.of("artifact")[0]["properties"]
    assert props["merge"] == "in memory (the adapter uses use_dora)" and props["parity_ok"], props
    assert props["merge_max_abs_diff"] <= props["tolerance"], props

    merge = LoraModel.merge_and_unload

    def shifted(self, *args, **kwargs):  # a merge that gets one weight wrong
        merged = merge(self, *args, **kwargs)
        with torch.no_grad():
            merged.get_submodule("model.layers.0.self_attn.q_proj").weight.add_(0.5)
        return merged

    monkeypatch.setattr(LoraModel, "merge_and_unload", shifted)
    with pytest.raises(ExportError, match=r"Merging changed the model's outputs: max logit difference .* \(fp32 "
                                          r"reference vs fp32 export") as err:
        export_merged(config, model, tokenizer, tmp_path / "bad", source=ExportSource(adapter_dir=tmp_path / "adapter"))
    assert err.value.hint == "Export the adapter instead and report this with the run's log."
    assert not (tmp_path / "bad").exists()


@pytest.mark.parametrize("init", ["pissa", "olora"])
def test_a_pissa_or_olora_adapter_converted_from_a_wrong_initial_adapter_is_refused(tiny_model_dir, tmp_path, init):
    """plain_lora_model rewrites the trained adapter for the original base from the adapter as initialised; given
    another initial adapter the converted model computes something else, and the conversion is refused."""
    import shutil

    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    from app.core.methods import plain_lora_model, save_initial_adapter

    torch.manual_seed(0)
    base = AutoModelForCausalLM.from_pretrained(tiny_model_dir, dtype=torch.float32)
    model = get_peft_model(base, LoraConfig(r=4, target_modules=["q_proj", "v_proj"], init_lora_weights=init))
    save_initial_adapter(model, tmp_path / "initial")
    with torch.no_grad():  # what training does: the adapter moves away from its initialisation
        for name, param in model.named_parameters():
            if "lora_" in name:
                param.add_(torch.randn_like(param) * 0.05)
    plain_lora_model(model, tmp_path / "initial", tmp_path / "good", False)  # the right initial adapter passes
    wrong = tmp_path / "wrong-initial"
    shutil.copytree(tmp_path / "initial", wrong)
    _corrupt_lora_b(wrong, 0.05)
    with pytest.raises(ExportError, match=f"Converting the {init} adapter for the original model changed its "
                                          r"outputs: max logit difference .* \(fp32 reference vs fp32 export"):
        plain_lora_model(model, wrong, tmp_path / "bad", False)


def test_a_merged_head_that_scores_differently_is_refused(tiny_model_dir, tmp_path):
    """export_head merges the saved adapter and its score head, reloads the merge and compares scores: a merge from a
    damaged adapter must not be kept."""
    import shutil
    from types import SimpleNamespace

    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from app.core.runs.context import RunContext
    from app.core.stages.head_export import export_head

    torch.manual_seed(0)
    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    base = AutoModelForSequenceClassification.from_pretrained(tiny_model_dir, num_labels=2, dtype=torch.float32,
                                                              pad_token_id=tokenizer.pad_token_id)
    model = get_peft_model(base, LoraConfig(r=4, target_modules=["q_proj", "v_proj"], task_type="SEQ_CLS"))
    with torch.no_grad():  # trained: the adapter and the head are no longer at their initialisation
        for param in model.parameters():
            if param.requires_grad:
                param.add_(torch.randn_like(param) * 0.05)
    config = SimpleNamespace(name="head", model=SimpleNamespace(trust_remote_code=False),
                             export=SimpleNamespace(dtype="fp32"), training=SimpleNamespace(stage="cls"))
    store, sink = Store(":memory:", reap=False), ListSink()
    ctx = RunContext("head-run", sink=sink, store=store)
    export_head(config, model, tokenizer, ctx, {"adapter": tmp_path / "adapter", "merged": tmp_path / "good"})
    assert sink.of("artifact")[-1]["properties"]["parity_ok"]
    damaged = tmp_path / "damaged"
    shutil.copytree(tmp_path / "adapter", damaged)
    _corrupt_lora_b(damaged, 0.05)
    with pytest.raises(ExportError, match=r"The merged cls model does not score like the trained model: max logit "
                                          r"difference .* \(fp32 reference vs fp32 export"):
        export_head(config, model, tokenizer, ctx, {"merged": tmp_path / "bad"}, adapter_dir=damaged)
    assert not (tmp_path / "bad").exists()


def test_a_qlora_adapter_is_verified_on_the_base_quantised_again(tiny_model_dir, tmp_path):
    """QLoRA's adapter was never checked (a 4-bit base was skipped): the base is now quantised again with the run's
    settings, and the adapter's reload must reproduce the trained model; a corrupted one is refused."""
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer, BitsAndBytesConfig

    from app.core.export.weights import export_adapter

    (tmp_path / "run").mkdir()
    train_tiny_cli_run(tmp_path / "run", tiny_model_dir, "parity-qlora", 2,
                       method={"name": "qlora", "rank": 4},
                       training={"max_steps": 2, "batch_size": 4, "max_length": 48, "learning_rate": 0.05},
                       evaluation={"sample_prompts": []}, export={"merged": False})
    run = Store().get_run("parity-qlora")
    artifact = Store().artifacts(run["id"], "adapter")[-1]
    props = artifact["properties"]
    assert props["parity_ok"] and props["max_abs_diff"] <= props["tolerance"], props
    quant = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_compute_dtype=torch.float32)
    base = AutoModelForCausalLM.from_pretrained(props["base_model"], quantization_config=quant, dtype=torch.float32)
    model = PeftModel.from_pretrained(base, artifact["path"])
    tokenizer = AutoTokenizer.from_pretrained(artifact["path"])
    save = model.save_pretrained

    def corrupted(folder, **kwargs):
        save(folder, **kwargs)
        _corrupt_lora_b(folder, 0.05)

    model.save_pretrained = corrupted
    with pytest.raises(ExportError, match="does not reproduce the trained model"):
        export_adapter(None, model, tokenizer, tmp_path / "bad")
