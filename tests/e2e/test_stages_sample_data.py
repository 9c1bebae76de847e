"""Every stage beyond sft, dpo and cls on the real demo model (SmolLM2-135M-Instruct) with LLaMA-Factory's sample
data: 2 optimizer steps each, kept small (batch 2, short sequences, LoRA r4, 12-token answers) because CI runs them
on 2 CPU cores. Each run must complete with a finite loss, report its stage's own metrics and save its adapter. One
rm run (module fixture) is the reward model of the ppo run and of one grpo run."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from sample_data import LLAMAFACTORY as SAMPLES

from app.core.config import parse_config
from app.core.events import ListSink, StopFlag
from app.core.store import Store
from app.core.training import engine

pytestmark = pytest.mark.e2e


def run(training_stage: str, data: str, rows: int, merged: bool = False, **sections: dict) -> tuple:
    """Train `training_stage` for 2 steps on the first `rows` rows of the sample file `data`; the result and its events."""
    cfg = {"name": f"demo-{training_stage}", "model": {"source": "demo"},
           "data": {"train": str(SAMPLES / data), "validation_split": 0.0, "max_samples": rows},
           "method": {"name": "lora", "rank": 4, "alpha": 8},
           "training": {"stage": training_stage, "max_steps": 2, "batch_size": 2, "max_length": 96, "learning_rate": 1e-3,
                        "warmup_ratio": 0.0, "lr_scheduler": "constant", "save_steps": 100, "precision": "fp32"},
           "evaluation": {"sample_prompts": []},
           "export": {"merged": merged, "adapter": True, "dtype": "fp32", "verify": False},
           "stage": {"num_generations": 2, "max_completion_length": 12}}
    for section, values in sections.items():
        cfg[section] = {**cfg[section], **values}
    sink = ListSink()
    result = engine.run(parse_config(cfg), sink, StopFlag())
    assert result.status == "completed", result.error
    return result, sink


def trained(result, sink: ListSink, *metrics: str) -> dict[str, list[float]]:
    """Checks what every run must show and returns its metric series: two steps, each with a finite loss; each of
    `metrics` reported and finite; the adapter saved."""
    assert [e["step"] for e in sink.of("progress")] == [1, 2]
    series: dict[str, list[float]] = {}
    for event in sink.of("metrics"):
        for key, value in event["metrics"].items():
            series.setdefault(key, []).append(value)
    assert len(series.get("loss", [])) == 2 and all(map(math.isfinite, series["loss"])), series
    for name in metrics:
        assert series.get(name) and all(map(math.isfinite, series[name])), (name, series)
    adapter = [a for a in Store().artifacts(result.run_id) if a["kind"] == "adapter"]
    assert adapter and (Path(adapter[0]["path"]) / "adapter_model.safetensors").is_file()
    return series


@pytest.fixture(scope="module")
def reward_model(demo_model_dir):
    """An rm run on dpo_en_demo.json with a merged export: the reward model of the ppo and grpo runs."""
    return run("rm", "dpo_en_demo.json", 6, merged=True)


def test_pt_on_raw_text(demo_model_dir):
    result, sink = run("pt", "c4_demo.jsonl", 2, training={"max_length": 64})
    trained(result, sink)
    assert sink.of("started")[0]["dataset"]["format"] == "text"


def test_rm_scores_pairs_and_exports_a_merged_reward_model(reward_model):
    result, sink = reward_model
    trained(result, sink, "accuracy", "margin")  # that accuracy is the head's own: test_evaluate_stages.py
    assert any(a["kind"] == "merged" for a in Store().artifacts(result.run_id))


@pytest.mark.parametrize("stage", ["orpo", "simpo"])
def test_reference_free_preference_stage(demo_model_dir, stage):
    result, sink = run(stage, "dpo_en_demo.json", 6)
    series = trained(result, sink, "rewards/chosen", "rewards/rejected", "rewards/margins")
    if stage == "orpo":
        assert series["nll_loss"] and series["log_odds_ratio"]


def test_kto_on_labelled_answers(demo_model_dir):
    # most of the first rows are long multi-turn chats: 10 of the first 25 leave room for an answer in 128 tokens
    result, sink = run("kto", "kto_en_demo.json", 25, training={"max_length": 128})
    trained(result, sink, "kl")
    dataset = sink.of("started")[0]["dataset"]
    assert dataset["desirable"] > 0 and dataset["undesirable"] > 0


def test_grpo_with_rule_rewards(demo_model_dir):
    result, sink = run("grpo", "identity.json", 4, stage={"reward_functions": ["length"],
                                                         "reward_target_length": 8})
    trained(result, sink, "reward", "kl", "completions/mean_length")


def test_rloo_with_rules_and_the_reward_model(reward_model):
    rm_run, _ = reward_model
    result, sink = run("rloo", "alpaca_en_demo.json", 4, stage={"reward_functions": ["length"],
                                                                "reward_model": rm_run.run_id})
    trained(result, sink, "reward", "kl")


def test_ppo_with_the_reward_model(reward_model):
    rm_run, _ = reward_model
    result, sink = run("ppo", "identity.json", 4, stage={"reward_model": rm_run.run_id, "ppo_epochs": 1})
    trained(result, sink, "reward", "kl", "policy_loss", "value_loss")
