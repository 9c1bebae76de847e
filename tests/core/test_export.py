"""Exporting a run: the best checkpoint by default, shards, the model card, chat checks, cancel and disk space.

One tiny LoRA run (`evaluated_run` in conftest.py: 4 steps, evaluated and saved every 2) serves every test; each
export is in-process.
"""

from __future__ import annotations

import json
import shutil
from collections import namedtuple

import pytest

from app.core.errors import Cancelled, ExportError
from app.core.events import ListSink, StopFlag
from app.core.export.run import export_run, resolve_source
from app.core.export.staging import MARKER, staged
from app.core.requests import ExportRequest
from app.core.store import Store

# numbers hold in bf16 and in fp32: installers/test.sh runs this module in both (the precision lane)
pytestmark = pytest.mark.precision_lane

Usage = namedtuple("Usage", "total used free")


def test_best_checkpoint_is_the_default_source_and_final_is_selectable(evaluated_run):
    run = evaluated_run
    import yaml

    from app.core.config import parse_config

    store = Store()
    config = parse_config(yaml.safe_load(run["config"]))
    evals = dict(store.metric_series(run["id"])["eval_loss"])
    assert run["best_step"] == min(evals, key=evals.get) and run["best_step"] in (2, 4)
    source, label = resolve_source(run, config, store, None)
    assert source.name == f"checkpoint-{run['best_step']}" and label.startswith("best checkpoint")
    assert resolve_source(run, config, store, "best") == (source, label)
    assert resolve_source(run, config, store, "final")[0].name == "adapter"
    assert resolve_source(run, config, store, 2)[0].name == "checkpoint-2"
    with pytest.raises(ExportError, match="no checkpoint at step 3"):
        resolve_source(run, config, store, 3)
    with pytest.raises(ExportError, match="no best checkpoint"):
        resolve_source({**run, "best_checkpoint": None}, config, Store(":memory:", reap=False), "best")


def test_cli_exports_the_best_checkpoint_in_shards_with_model_cards(evaluated_run, tmp_path, capsys):
    run = evaluated_run
    from safetensors.torch import load_file

    from app.cli import main

    capsys.readouterr()
    assert main(["export", run["id"], "--adapter", str(tmp_path / "a"), "--merged", str(tmp_path / "m"),
                 "--dtype", "fp32", "--max-shard-size", "1MB", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    label = f"best checkpoint (step {run['best_step']})"
    assert result["checkpoint"] == label
    best = load_file(f"{run['best_checkpoint']}/adapter_model.safetensors")
    saved = load_file(tmp_path / "a" / "adapter_model.safetensors")
    assert best.keys() == saved.keys() and all((best[k] == saved[k]).all() for k in best)
    adapter, merged = (a["properties"] for a in result["artifacts"])
    assert adapter["max_abs_diff"] < 1e-4 and adapter["chat_template_ok"] and adapter["eos_ok"]
    files = sorted(p.name for p in (tmp_path / "m").iterdir())
    assert merged["shards"] >= 2 and "model.safetensors.index.json" in files, "the 12.6 MB embedding is one shard"
    assert merged["max_abs_diff"] < 1e-3 and merged["top1_agreement"] == 1.0
    assert merged["merge"] == "streamed shard by shard" and merged["merge_max_abs_diff"] < 1e-3, "a plain LoRA"
    assert merged["chat_template_ok"] and merged["eos_ok"] and merged["turn_end_token"] == "<|im_end|>"
    assert "PeftModel.from_pretrained" in (tmp_path / "a" / "README.md").read_text()
    card = (tmp_path / "m" / "README.md").read_text()
    for text in ("- Base model: `", "- Method: LoRA (rank 4", "- Stage: sft", f"- Exported from: {label}",
                 f"fingerprint `{run['dataset_fingerprint']}`", "## Hyperparameters", "- learning_rate: 0.05",
                 "- max_steps: 4", "eval_loss: ", "- Merge: streamed shard by shard", "## Parity report",
                 "| merged | export: next-token agreement with the trained model | 1 |",
                 "| merged | end-of-turn token is a stop token | pass |",
                 "| merged | export: max abs logit difference, reloaded files vs the trained model | ",
                 "| adapter | chat template renders the test conversation token for token | pass |",
                 "from_pretrained('path/to/this/folder')", "llama-cli -m", "ollama create"):
        assert text in card, text
    assert all(line.count("|") == 4 for line in card.splitlines() if line.startswith("| ")), "table cells intact"
    with pytest.raises(SystemExit):
        main(["export", run["id"], "--checkpoint", "nine", "--adapter", str(tmp_path / "b")])
    assert "expected a step number, 'best' or 'final'" in capsys.readouterr().err
    assert main(["export", run["id"], "--merged", str(tmp_path / "c"), "--max-shard-size", "500mb"]) == 2
    assert "export.max_shard_size" in capsys.readouterr().err


@pytest.mark.parametrize("how", ["stop flag", "interrupt"])
def test_cancel_mid_export_leaves_no_partial_folder(evaluated_run, tmp_path, how):
    run = evaluated_run
    stop = StopFlag()

    class Canceller(ListSink):
        def emit(self, event, **fields):
            super().emit(event, **fields)
            if event == "phase" and fields["message"].startswith("Saving in"):
                if how == "interrupt":
                    raise KeyboardInterrupt
                stop.set()

    with staged(tmp_path / "m", "merged") as earlier:
        (earlier / "keep.txt").write_text("an earlier export")
    killed = tmp_path / ".m.tmp-999999"  # left by an export that was killed
    killed.mkdir()
    shutil.copy(tmp_path / "m" / MARKER, killed / MARKER)
    with pytest.raises(Cancelled if how == "stop flag" else KeyboardInterrupt):
        export_run(ExportRequest(run=run["id"], merged=tmp_path / "m", gguf=tmp_path / "g"), sink=Canceller(),
                   stop=stop)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"], "no temporary or half-written folder is left"
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == [MARKER, "keep.txt"], "the earlier export is kept"


def test_too_little_disk_space_is_reported_before_starting(evaluated_run, tmp_path, monkeypatch, capsys):
    run = evaluated_run
    from app.cli import main

    monkeypatch.setattr(shutil, "disk_usage", lambda path: Usage(10**12, 10**12 - 10**6, 10**6))
    with pytest.raises(ExportError, match=r"Not enough disk space: the export needs about .* only 1.0 MB is free"):
        export_run(ExportRequest(run=run["id"], merged=tmp_path / "m"), sink=ListSink())
    capsys.readouterr()
    assert main(["export", run["id"], "--gguf", str(tmp_path / "g")]) == 2
    assert "Not enough disk space" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_chat_checks_catch_a_broken_template_and_a_missing_eos(tiny_model_dir):
    from transformers import AutoTokenizer, GenerationConfig

    from app.core.chat.checks import add_turn_end_stop, chat_checks, chat_verdict

    ref = AutoTokenizer.from_pretrained(tiny_model_dir)
    assert chat_checks(ref, ref, GenerationConfig(eos_token_id=2)) == {
        "eos_token": "<|im_end|>", "chat_template_ok": True, "turn_end_token": "<|im_end|>", "eos_ok": True}
    broken = AutoTokenizer.from_pretrained(tiny_model_dir)
    broken.chat_template = ref.chat_template.replace("message['role']", "message['role'] | upper")
    assert chat_checks(ref, broken)["chat_template_ok"] is False
    with pytest.raises(ExportError, match="chat template does not render"):
        chat_verdict(ref, broken)
    no_eos = AutoTokenizer.from_pretrained(tiny_model_dir)
    no_eos.eos_token = "<|endoftext|>"
    checks = chat_checks(ref, no_eos, GenerationConfig(eos_token_id=0))
    assert checks["chat_template_ok"] and not checks["eos_ok"] and checks["turn_end_token"] == "<|im_end|>"
    assert chat_checks(ref, no_eos, GenerationConfig(eos_token_id=[0, 2]))["eos_ok"], "a generation eos list counts"
    warnings = []
    assert not chat_verdict(ref, no_eos, GenerationConfig(eos_token_id=0), lambda m, h: warnings.append(m))["eos_ok"]
    assert "would not stop at the end of its answer: the token that ends an assistant turn ('<|im_end|>')" in (
        warnings[0])
    generation = GenerationConfig(eos_token_id=0)  # what a merged export does about it
    assert add_turn_end_stop(no_eos, generation) == "<|im_end|>" and generation.eos_token_id == [0, 2]
    assert chat_checks(ref, no_eos, generation)["eos_ok"] and add_turn_end_stop(no_eos, generation) is None


def test_model_card_shows_a_metric_that_was_nan_as_nan():
    """The store keeps NaN as NULL; a run whose last metrics were NaN still gets its export and card."""
    from app.core.config import parse_config
    from app.core.export.model_card import model_card

    store, config = Store(":memory:", reap=False), parse_config({"data": {"train": "x.jsonl"}})
    store.create_run("r1", name="r1", config_yaml=config.to_yaml(), model="demo", method="lora", stage="orpo")
    store.add_metrics("r1", 1, {"loss": 1.5, "log_odds_ratio": float("nan")})
    card = model_card(config, "r1", store, {}, kind="adapter")
    assert "- log_odds_ratio: nan" in card and "- loss: 1.5" in card


def test_saved_shards_that_differ_from_the_merged_model_are_refused(tmp_path):
    """_verify_shards reads back every tensor: one changed, one lost, or both are a refusal; only a tied lm_head may
    be absent."""
    import torch
    from safetensors.torch import save_file

    from app.core.export.merge_stream import digest
    from app.core.export.weights import _verify_shards

    merged = {"embed.weight": torch.ones(4, 3), "norm.weight": torch.arange(3.0), "lm_head.weight": torch.ones(4, 3)}
    digests = {k: digest(v) for k, v in merged.items()}
    save_file({"embed.weight": merged["embed.weight"]}, tmp_path / "model-00001-of-00002.safetensors")
    save_file({"norm.weight": merged["norm.weight"]}, tmp_path / "model-00002-of-00002.safetensors")
    _verify_shards(tmp_path, digests)  # the tied lm_head saved once, as the embedding
    save_file({"norm.weight": merged["norm.weight"] + 1e-3}, tmp_path / "model-00002-of-00002.safetensors")
    with pytest.raises(ExportError, match=r"saved files differ from the merged model \(1 tensors differ, 0 missing"):
        _verify_shards(tmp_path, digests)
    (tmp_path / "model-00002-of-00002.safetensors").unlink()
    with pytest.raises(ExportError, match=r"\(0 tensors differ, 1 missing\)") as err:
        _verify_shards(tmp_path, digests)
    assert err.value.hint == "Check free disk space and export again."


def test_the_default_export_dtype_fp16_exports_and_verifies_end_to_end(evaluated_run, tmp_path, capsys):
    """`export RUN --merged DIR` with no --dtype: the run's export.dtype default, fp16, saved and judged in fp16."""
    import torch
    from safetensors import safe_open

    from app.cli import main

    capsys.readouterr()
    assert main(["export", evaluated_run["id"], "--merged", str(tmp_path / "m"), "--json"]) == 0
    [merged] = json.loads(capsys.readouterr().out)["artifacts"]
    props = merged["properties"]
    assert props["dtype"] == "fp16" and props["parity_ok"] and "judged in fp16" in props["parity_rule"]
    assert props["top1_agreement"] >= 0.95 and props["chat_template_ok"] and props["eos_ok"]
    for shard in (tmp_path / "m").glob("*.safetensors"):
        with safe_open(shard, framework="pt") as f:
            assert {f.get_tensor(k).dtype for k in f.keys()} == {torch.float16}  # noqa: SIM118


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
def test_load_fp32_reads_a_half_precision_model_as_from_pretrained_does(tiny_model_dir, tmp_path, dtype):
    """The export checks' fp32 reloads read tensor by tensor (no half-precision file held mapped beside the fp32
    weights): the same weights, bit for bit, as from_pretrained(dtype=float32), its tied embedding still tied, in
    one shard or several."""
    import torch
    from transformers import AutoModelForCausalLM

    from app.core.export.weights import load_fp32

    half = AutoModelForCausalLM.from_pretrained(tiny_model_dir, dtype=getattr(torch, dtype))
    for shards, folder in (("1GB", tmp_path / "one"), ("200KB", tmp_path / "several")):
        half.save_pretrained(folder, max_shard_size=shards)
        model, expected = load_fp32(folder, False), AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32)
        got, want = model.state_dict(), expected.state_dict()
        assert got.keys() == want.keys() and all(torch.equal(got[k], want[k]) for k in want)
        assert {p.dtype for p in model.parameters()} == {torch.float32}
        assert model.lm_head.weight is model.model.embed_tokens.weight
    assert len(list((tmp_path / "several").glob("*.safetensors"))) > 1
