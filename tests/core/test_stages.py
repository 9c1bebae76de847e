"""Every stage beyond SFT trains two steps on a tiny random Llama through the engine: finite loss, the stage's own
metrics as `metrics` events and in the store; config and data errors for a stage that does not fit."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from tiny_runs import trained_classifier

from app.core.config import parse_config
from app.core.errors import Cancelled, ConfigError, StudioError
from app.core.events import ListSink, StopFlag
from app.core.runs.checkpoints import last_checkpoint
from app.core.store import Store
from app.core.training import engine

# numbers hold in bf16 and in fp32: installers/test.sh runs this module in both (the precision lane)
pytestmark = pytest.mark.precision_lane

WORDS = ["apple", "pear", "plum", "fig", "kiwi", "lime", "date", "peach"]


def write(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    d = tmp_path_factory.mktemp("stage-data")
    (d / "text.txt").write_text("".join(f"The {w} is a fruit that grows on trees and tastes sweet.\n"
                                        for w in WORDS * 3))
    return {
        "preference": write(d / "pref.jsonl", [{"prompt": f"Say {w}", "chosen": w, "rejected": "I will not."}
                                               for w in WORDS]),
        "kto": write(d / "kto.jsonl", [{"prompt": f"Say {w}", "completion": w if i % 2 else "No.",
                                        "label": bool(i % 2)} for i, w in enumerate(WORDS)]),
        "classification": write(d / "cls.jsonl", [{"text": f"I {'love' if i % 2 else 'hate'} {w}",
                                                   "label": "pos" if i % 2 else "neg"}
                                                  for i, w in enumerate(WORDS * 2)]),
        "prompt": write(d / "prompts.jsonl", [{"prompt": f"Say {w}", "answer": w} for w in WORDS]),
        "text": d / "text.txt",
    }


def config(model_dir, train, stage, export=False, **stage_settings):
    return parse_config({
        "name": f"tiny-{stage}", "model": {"source": str(model_dir)},
        "data": {"train": str(train), "validation_split": 0.25},
        "method": {"name": "lora", "rank": 4},
        "training": {"stage": stage, "max_steps": 2, "batch_size": 2, "max_length": 64, "learning_rate": 1e-3,
                     "save_steps": 100, "warmup_ratio": 0.0},
        "evaluation": {"sample_prompts": []},
        "export": {"merged": export, "adapter": export, "dtype": "fp32"},
        "stage": {"num_generations": 2, "max_completion_length": 4, **stage_settings},
    })


# stage, data, a metric of the stage's own that must arrive as a `metrics` event and in the store (dpo and cls: in
# their export tests below)
CASES = [
    ("pt", "text", "eval_loss"),
    ("orpo", "preference", "log_odds_ratio"),
    ("simpo", "preference", "rewards/accuracies"),
    ("kto", "kto", "rewards/chosen"),
    ("rm", "preference", "accuracy"),
    ("grpo", "prompt", "reward"),
    ("rloo", "prompt", "reward"),
]


@pytest.mark.parametrize(("stage", "kind", "metric"), CASES, ids=[c[0] for c in CASES])
def test_stage_trains_two_steps_and_reports_its_metrics(tiny_model_dir, data, stage, kind, metric):
    sink = ListSink()
    settings = {"reward_functions": ["exact_match", "length"]} if stage == "grpo" else {}
    result = engine.run(config(tiny_model_dir, data[kind], stage, **settings), sink, StopFlag())
    assert result.status == "completed", result.error
    losses = [e["metrics"]["loss"] for e in sink.of("metrics") if "loss" in e["metrics"]]
    assert len(losses) == 2 and all(math.isfinite(x) for x in losses), losses
    assert any(metric in e["metrics"] for e in sink.of("metrics")), [e["metrics"] for e in sink.of("metrics")]
    series = Store().metric_series(result.run_id)
    assert metric in series and all(math.isfinite(v) for _, v in series[metric])
    assert ("eval_perplexity" in series) == (stage == "pt")  # a perplexity only where eval_loss is an LM loss


def test_dpo_adapter_export_drops_trls_reference_adapter(tiny_model_dir, data):
    cfg = config(tiny_model_dir, data["preference"], "dpo", export=True)
    cfg.export.merged = False
    sink = ListSink()
    result = engine.run(cfg, sink, StopFlag())
    assert result.status == "completed", result.error
    assert all(math.isfinite(e["metrics"]["rewards/margins"]) for e in sink.of("metrics") if "loss" in e["metrics"])
    assert "rewards/margins" in Store().metric_series(result.run_id)
    folder = Path(Store().get_run(result.run_id)["run_dir"]) / "adapter"
    assert (folder / "adapter_config.json").is_file() and not (folder / "ref").exists()
    from safetensors import safe_open

    with safe_open(folder / "adapter_model.safetensors", "pt") as weights:
        keys = list(weights.keys())
    assert keys and not [k for k in keys if ".ref." in k]


def test_cls_exports_a_merged_classifier_that_predicts_like_the_trained_one(tiny_model_dir, data):
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    sink = ListSink()
    result = engine.run(config(tiny_model_dir, data["classification"], "cls", export=True), sink, StopFlag())
    assert result.status == "completed", result.error
    assert {"eval_accuracy", "eval_f1", "eval_precision", "eval_recall"} <= set(Store().metric_series(result.run_id))
    merged = next(e for e in sink.of("artifact") if e["kind"] == "merged")
    props = merged["properties"]
    # judged by parity.py's rule in the coarser dtype: a bf16 run's trained scores come from its bf16 base
    assert props["num_labels"] == 2 and props["parity_ok"] and props["max_abs_diff"] <= props["tolerance"]
    assert props["max_abs_diff"] < (1e-3 if props["parity_rule"].startswith("fp32 reference") else 0.05)
    model = AutoModelForSequenceClassification.from_pretrained(merged["path"], dtype=torch.float32)
    assert model.config.id2label == {0: "neg", 1: "pos"}
    tokenizer = AutoTokenizer.from_pretrained(merged["path"])
    adapter = next(e for e in sink.of("artifact") if e["kind"] == "adapter")["path"]
    trained = trained_classifier(tiny_model_dir, adapter, 2)
    with torch.no_grad():
        texts = ["I love figs", "I hate plums", "Kiwis are fine"]
        scores = torch.cat([model(**tokenizer(t, return_tensors="pt")).logits for t in texts])
        reference = torch.cat([trained(**tokenizer(t, return_tensors="pt")).logits for t in texts])
    torch.testing.assert_close(scores, reference, rtol=1e-4, atol=1e-5)  # fp32 both: the merge's rounding only
    confusion = json.loads((Path(merged["path"]).parent / "confusion.json").read_text())
    assert confusion["labels"] == ["neg", "pos"] and sum(map(sum, confusion["matrix"])) == 4


def test_stage_that_does_not_fit_the_data_is_an_error_before_training(tiny_model_dir, data):
    with pytest.raises(ConfigError) as err:
        parse_config({"data": {"train": "x.jsonl", "format": "alpaca"}, "training": {"stage": "dpo"},
                      "method": {"name": "prompt_tuning"}})
    assert [p for p, _ in err.value.problems] == ["data.format", "method.name"]
    result = engine.run(config(tiny_model_dir, data["classification"], "dpo"), ListSink(), StopFlag())
    assert result.status == "rejected" and "classification data" in result.error and "preference" in result.error


def test_rm_cuts_long_pairs_to_max_length_and_leaves_out_prompts_that_fill_it(tiny_model_dir, demo_tokenizer,
                                                                              tmp_path):
    from app.core.stages import heads

    path = write(tmp_path / "long.jsonl", [{"prompt": "Say fig", "chosen": "fig " * 100, "rejected": "No."},
                                           {"prompt": "Say plum", "chosen": "plum", "rejected": "No."},
                                           {"prompt": "fig " * 100, "chosen": "fig", "rejected": "No."}])
    cfg = config(tiny_model_dir, path, "rm")
    cfg.data.validation_split, cfg.training.max_length = 0.0, 48
    sink = ListSink()
    prepared = heads.prepare(cfg, demo_tokenizer, sink, StopFlag())
    chosen, rejected = prepared.train["chosen_ids"], prepared.train["rejected_ids"]
    assert len(chosen) == 2 and [len(ids) for ids in chosen] == [48, len(chosen[1])] and len(chosen[1]) < 48
    assert all(len(ids) < 48 for ids in rejected) and prepared.stats["truncated"] == 1
    assert "1 training examples have a prompt of 48 tokens" in sink.of("warning")[0]["message"]


def test_orpo_and_simpo_answers_are_cut_to_fit_beside_their_prompt(demo_tokenizer):
    from app.core.stages.preference import cut_answer

    row = {"prompt": [{"role": "user", "content": "Say fig"}],
           "chosen": [{"role": "assistant", "content": "fig " * 100}], "rejected": [{"role": "assistant",
                                                                                  "content": "No."}]}
    assert cut_answer(row, "chosen", demo_tokenizer, 48) and not cut_answer(row, "rejected", demo_tokenizer, 48)
    ids = demo_tokenizer.apply_chat_template(row["prompt"] + row["chosen"], tokenize=True, return_dict=True)
    assert 40 <= len(ids["input_ids"]) < 48 and row["chosen"][0]["content"].startswith("fig fig")


def test_pt_packs_blocks_once_and_reads_them_from_the_cache(demo_tokenizer, data, tmp_path):
    from app.core.config import DataConfig
    from app.core.data.packing import prepare_pt

    cfg = DataConfig(train=str(data["text"]), validation_split=0.0)
    sink = ListSink()
    first = prepare_pt(cfg, demo_tokenizer, 16, sink=sink, cache_dir=tmp_path)
    again = prepare_pt(cfg, demo_tokenizer, 16, cache_dir=tmp_path)
    tokens = sum(len(demo_tokenizer(line, add_special_tokens=False)["input_ids"]) + 1
                 for line in data["text"].read_text().splitlines())
    assert first.stats["train_rows"] == tokens // 16 and first.stats["dropped_tokens"] == tokens % 16
    assert all(len(ids) == 16 for ids in first.train["input_ids"]) and first.train["labels"] == first.train["input_ids"]
    assert again.stats["cached"] and again.train["input_ids"] == first.train["input_ids"]
    assert sink.of("phase")[-1]["current"] == sink.of("phase")[-1]["total"] == 24
    stop = StopFlag()
    stop.set()
    with pytest.raises(Cancelled):
        prepare_pt(DataConfig(train=str(data["text"]), validation_split=0.0, seed=1), demo_tokenizer, 16, stop=stop,
                   cache_dir=tmp_path)


@pytest.fixture(scope="module")
def rm_run(tiny_model_dir, data) -> str:
    """A tiny rm run exported with a merged model: the reward model of the ppo, grpo and rloo tests below."""
    cfg = config(tiny_model_dir, data["preference"], "rm", export=True)
    cfg.export.adapter = False
    result = engine.run(cfg, ListSink(), StopFlag())
    assert result.status == "completed", result.error
    return result.run_id


def test_ppo_scores_with_an_rm_run_reports_reward_and_kl_and_exports_the_policy_adapter(tiny_model_dir, data,
                                                                                       rm_run):
    cfg = config(tiny_model_dir, data["prompt"], "ppo", export=True, reward_model=rm_run, ppo_epochs=1)
    cfg.export.merged = False
    sink = ListSink()
    result = engine.run(cfg, sink, StopFlag())
    assert result.status == "completed", result.error
    logged = [e["metrics"] for e in sink.of("metrics")]
    assert len(logged) == 2, logged
    for metrics in logged:
        assert {"loss", "learning_rate", "reward", "rlhf_reward", "kl", "policy_loss", "value_loss"} <= set(metrics)
        assert all(math.isfinite(v) for v in metrics.values()), metrics
    assert {"reward", "kl", "rlhf_reward"} <= set(Store().metric_series(result.run_id))
    folder = Path(Store().get_run(result.run_id)["run_dir"]) / "adapter"
    from safetensors import safe_open

    with safe_open(folder / "adapter_model.safetensors", "pt") as weights:
        keys = list(weights.keys())
    assert keys and all("lora_" in k for k in keys), keys  # the policy's adapter alone: no value model


def test_ppo_stop_saves_a_checkpoint_and_ends_the_run_cancelled(tiny_model_dir, data, rm_run):
    stop = StopFlag()

    class StopAtStep1(ListSink):
        def emit(self, event, **fields):
            super().emit(event, **fields)
            if event == "progress" and fields["step"] == 1:
                stop.set()

    cfg = config(tiny_model_dir, data["prompt"], "ppo", reward_model=rm_run, ppo_epochs=1)
    cfg.training.max_steps = 4
    sink = StopAtStep1()
    result = engine.run(cfg, sink, stop)
    assert result.status == "cancelled", result.error
    assert [e["step"] for e in sink.of("checkpoint")] == [1]
    assert last_checkpoint(Path(Store().get_run(result.run_id)["run_dir"])).name == "checkpoint-1"
    assert [e["step"] for e in sink.of("progress")] == [1]
    # TRL's PPO loop always starts at step 0: resuming is refused up front, before any model loads
    with pytest.raises(StudioError, match="cannot be continued") as refused:
        engine.run(None, ListSink(), resume=result.run_id)
    assert "clone" in refused.value.hint.lower()
    assert Store().get_run(result.run_id)["status"] == "cancelled"


def test_methods_list_offers_ppo_with_the_methods_it_supports():
    from app.cli.methods import catalog

    ppo = next(s for s in catalog()["stages"] if s["name"] == "ppo")
    assert "lora" in ppo["methods"] and "loraplus" not in ppo["methods"] and "prompt" in ppo["formats"]
    assert {"reward", "kl", "rlhf_reward"} <= set(ppo["metrics"])


def test_ppo_without_a_reward_model_is_a_config_error_that_says_to_train_one():
    with pytest.raises(ConfigError) as err:
        parse_config({"data": {"train": "x.jsonl"}, "training": {"stage": "ppo"}})
    assert [p for p, _ in err.value.problems] == ["stage.reward_model"]
    assert "train one first" in err.value.problems[0][1]


@pytest.mark.parametrize("stage", ["grpo", "rloo"])
def test_online_stage_scores_with_an_rm_runs_reward_model(tiny_model_dir, data, rm_run, stage):
    sink = ListSink()
    cfg = config(tiny_model_dir, data["prompt"], stage, reward_functions=[], reward_model=rm_run)
    result = engine.run(cfg, sink, StopFlag())
    assert result.status == "completed", result.error
    rewards = [e["metrics"]["reward"] for e in sink.of("metrics") if "reward" in e["metrics"]]
    assert len(rewards) == 2 and all(math.isfinite(r) for r in rewards) and any(r != 0 for r in rewards), rewards


@pytest.mark.parametrize("stage", ["grpo", "rloo"])
@pytest.mark.parametrize("consent", [True, False])
def test_the_runs_consent_to_remote_code_reaches_the_reward_model_trl_loads(stage, consent, monkeypatch):
    """TRL loads a reward model given by folder itself, with its config's trust_remote_code (issue #22 item 6)."""
    from app.core.config import parse_config
    from app.core.stages import online

    made = {}
    monkeypatch.setattr(online, "reward_functions", lambda settings: [])
    config = parse_config({"model": {"source": "demo", "trust_remote_code": consent}, "data": {"train": "x.jsonl"},
                           "method": {"name": "lora"}, "training": {"stage": stage}})

    class Trainer:
        def __init__(self, args, **kwargs):
            made["args"] = args

    trl = __import__("trl")
    monkeypatch.setattr(trl, "GRPOTrainer" if stage == "grpo" else "RLOOTrainer", Trainer)
    online.make_trainer(config, None, None, online.Prepared(None, None, {}, "", ""),
                        {"output_dir": "/tmp/unused", "use_cpu": True})
    assert made["args"].trust_remote_code is consent
