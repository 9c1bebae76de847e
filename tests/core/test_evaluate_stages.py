"""`eval` for the stages beyond sft and dpo: tiny runs trained through the engine, then scored by the CLI."""

from __future__ import annotations

import json
import math

import pytest

from app.cli import main
from app.core.config import parse_config
from app.core.events import ListSink, StopFlag
from app.core.paths import run_dir
from app.core.store import Store
from app.core.training import engine

# numbers hold in bf16 and in fp32: installers/test.sh runs this module in both (the precision lane)
pytestmark = pytest.mark.precision_lane

WORDS = ["apple", "pear", "plum", "fig", "kiwi", "lime", "date", "peach"]


def train(model_dir, path, stage, rows=None, data=None, training=None, export=None, evaluation=None,
          **stage_settings) -> str:
    """A tiny LoRA run of the stage on `rows` (written to `path`; None: `path` holds the data already)."""
    if rows is not None:
        path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    config = parse_config({
        "name": f"eval-{stage}", "model": {"source": str(model_dir)},
        "data": {"train": str(path), "validation_split": 0.25, **(data or {})},
        "method": {"name": "lora", "rank": 4},
        "training": {"stage": stage, "max_steps": 2, "batch_size": 2, "max_length": 64, "learning_rate": 1e-3,
                     "save_steps": 100, "warmup_ratio": 0.0, **(training or {})},
        "evaluation": {"sample_prompts": [], **(evaluation or {})},
        "export": {"merged": False, "adapter": True, "dtype": "fp32", **(export or {})},
        "stage": {"num_generations": 2, "max_completion_length": 4, **stage_settings},
    })
    result = engine.run(config, ListSink(), StopFlag())
    assert result.status == "completed", result.error
    return result.run_id


def evaluate(capsys, *args: str) -> dict:
    capsys.readouterr()
    assert main(["eval", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_cls_eval_beats_the_majority_class_and_matches_the_trainers_last_evaluation(tiny_model_dir, tmp_path,
                                                                                     capsys):
    # the last word decides the class (the head reads the last token); twice as many 'good' rows as 'bad'
    rows = [{"text": f"the {w} is {'bad' if i % 3 == 0 else 'good'}", "label": "bad" if i % 3 == 0 else "good"}
            for i, w in enumerate(WORDS * 3)]
    run_id = train(tiny_model_dir, tmp_path / "cls.jsonl", "cls", rows,
                   training={"max_steps": 32, "learning_rate": 0.01, "batch_size": 4},
                   evaluation={"eval_steps": 32})
    result = evaluate(capsys, run_id)
    tuned, base = result["metrics"], result["base"]
    assert result["examples"] == tuned["examples"] == 6 and base["baseline"] == "majority_class"
    assert "'good'" in base["about"] and "no trained classification head" in base["about"]
    assert tuned["accuracy"] > base["zero_shot"]["accuracy"]  # 1.0 or 0.83 after 32 steps, by torch's thread count
    confusion = tuned["confusion"]
    assert confusion["labels"] == confusion["columns"] == ["bad", "good"]
    matrix = confusion["matrix"]
    assert sum(map(sum, matrix)) == 6 and matrix[0][0] + matrix[1][1] == round(tuned["accuracy"] * 6)
    majority = base["zero_shot"]["confusion"]["matrix"]
    assert [row[0] for row in majority] == [0, 0]  # 'bad' is never predicted
    # the same rows and model the trainer last evaluated, read back from the adapter
    assert tuned["accuracy"] == Store().metric_series(run_id)["eval_accuracy"][-1][1]
    predictions = Store().eval_predictions(result["evaluation_ids"]["tuned"])
    right = [p["prediction"].startswith(p["reference"] + " (") for p in predictions]
    assert sum(right) == round(tuned["accuracy"] * 6)
    assert all((0.5 < p["score"] <= 1) == ok for p, ok in zip(predictions, right, strict=True))  # two classes


PAIRS = [{"prompt": f"Say {w}", "chosen": w, "rejected": "I will not say it."} for w in WORDS]


@pytest.fixture(scope="module")
def rm_run(tiny_model_dir, tmp_path_factory) -> str:
    """A tiny rm run with its adapter and a merged export: scored by eval, and the ppo run's reward model."""
    return train(tiny_model_dir, tmp_path_factory.mktemp("rm") / "pref.jsonl", "rm", PAIRS,
                 data={"validation_split": 0.5}, export={"merged": True})


def reward(model, tokenizer, prompt: str, answer: str) -> float:
    """The head's score of one unpadded conversation."""
    import torch

    ids = tokenizer.apply_chat_template([{"role": "user", "content": prompt}, {"role": "assistant", "content": answer}],
                                        tokenize=True, return_dict=True)["input_ids"]
    with torch.no_grad():
        return model(torch.tensor([ids])).logits[0, 0].item()


def test_rm_eval_pairwise_accuracy_and_margin_are_the_heads_own_scores(rm_run, capsys):
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    run_id = rm_run
    result = evaluate(capsys, run_id)
    assert result["examples"] == 4 and result["base"]["baseline"] == "chance"
    assert result["base"]["zero_shot"] == {"examples": 4, "pairwise_accuracy": 0.5}

    merged = run_dir(run_id) / "merged"
    model = AutoModelForSequenceClassification.from_pretrained(merged, dtype=torch.float32).eval()
    tokenizer = AutoTokenizer.from_pretrained(merged)
    prompts = {p["prompt"] for p in Store().eval_predictions(result["evaluation_ids"]["tuned"])}
    margins = [reward(model, tokenizer, row["prompt"], row["chosen"]) - reward(model, tokenizer, row["prompt"],
                                                                                row["rejected"])
               for row in PAIRS if row["prompt"] in prompts]
    assert len(margins) == 4 and result["metrics"]["pairwise_accuracy"] == sum(x > 0 for x in margins) / 4
    assert result["metrics"]["reward_margin"] == pytest.approx(sum(margins) / 4, abs=1e-4)

    merged.rename(merged.with_name("merged-aside"))  # the adapter (with its head) on the base model scores the same
    try:
        again = evaluate(capsys, run_id, "--no-base")
    finally:
        merged.with_name("merged-aside").rename(merged)
    assert again["metrics"]["reward_margin"] == pytest.approx(result["metrics"]["reward_margin"], abs=1e-4)
    assert "base" not in again


def test_ppo_eval_scores_test_prompts_with_its_reward_model_alone(tiny_model_dir, tmp_path, rm_run, capsys):
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    rows = [{"prompt": f"Say {w}", "answer": w} for w in WORDS * 2]
    run_id = train(tiny_model_dir, tmp_path / "prompts.jsonl", "ppo", rows, data={"test_split": 0.25},
                   reward_model=rm_run, ppo_epochs=1)
    result = evaluate(capsys, run_id, "--split", "test")
    tuned = result["metrics"]
    assert result["examples"] == 4 and {"reward", "rewards/reward_model", "exact_match"} <= set(tuned)
    assert not [k for k in tuned if k.startswith("rewards/") and k != "rewards/reward_model"]  # no rule rewards
    merged = run_dir(rm_run) / "merged"
    model = AutoModelForSequenceClassification.from_pretrained(merged, dtype=torch.float32).eval()
    tokenizer = AutoTokenizer.from_pretrained(merged)
    predictions = Store().eval_predictions(result["evaluation_ids"]["tuned"])
    scores = [reward(model, tokenizer, p["prompt"], p["prediction"]) for p in predictions]
    assert [p["score"] for p in predictions] == pytest.approx(scores, abs=1e-4)
    assert tuned["reward"] == tuned["rewards/reward_model"] == pytest.approx(sum(scores) / 4, abs=1e-4)


def test_kto_eval_generates_for_the_desirable_rows_and_counts_the_others(tiny_model_dir, tmp_path, capsys):
    rows = [{"prompt": f"Say {w}", "completion": w if i % 2 else "No.", "label": bool(i % 2)}
            for i, w in enumerate(WORDS * 2)]
    run_id = train(tiny_model_dir, tmp_path / "kto.jsonl", "kto", rows)
    result = evaluate(capsys, run_id, "--max-new-tokens", "4", "--few-shot", "1")
    from app.core.config import DataConfig
    from app.core.data.stage_data import load_stage_rows

    held = load_stage_rows(DataConfig(train=str(tmp_path / "kto.jsonl"), validation_split=0.25), ("kto",), "KTO").eval
    good = sum(r["label"] for r in held)
    assert result["examples"] == good and result["skipped"] == {"undesirable": len(held) - good}
    for scores in (result["metrics"], result["base"]["zero_shot"], result["base"]["few_shot"]):
        assert {"exact_match", "rouge1", "rougeL", "bleu"} <= set(scores)
        assert scores["undesirable_skipped"] == len(held) - good
    references = {p["reference"] for p in Store().eval_predictions(result["evaluation_ids"]["tuned"])}
    assert references <= set(WORDS) and "No." not in references


def test_grpo_eval_scores_test_prompts_with_the_runs_rewards(tiny_model_dir, tmp_path, capsys):
    rows = [{"prompt": f"Say {w}", "answer": w} for w in WORDS * 2]
    run_id = train(tiny_model_dir, tmp_path / "prompts.jsonl", "grpo", rows, data={"test_split": 0.25},
                   reward_functions=["exact_match", "length"], reward_target_length=2)
    assert main(["eval", run_id]) == 2  # online runs train on the validation share
    assert "--split test" in capsys.readouterr().err
    result = evaluate(capsys, run_id, "--split", "test")
    tuned = result["metrics"]
    assert result["examples"] == 4 and result["base"]["baseline"] == "base_model"
    assert {"reward", "rewards/exact_match", "rewards/length", "exact_match", "rougeL"} <= set(tuned)
    assert tuned["with_answer"] == 4
    predictions = Store().eval_predictions(result["evaluation_ids"]["tuned"])
    assert tuned["reward"] == pytest.approx(sum(p["score"] for p in predictions) / 4, abs=1e-5)
    contained = [float(p["reference"].lower() in " ".join(p["prediction"].lower().split())) for p in predictions]
    assert tuned["rewards/exact_match"] == sum(contained) / 4
    words = [len(p["prediction"].split()) for p in predictions]
    assert tuned["rewards/length"] == pytest.approx(sum(max(0.0, 1 - abs(n - 2) / 2) for n in words) / 4)


def test_pt_eval_loss_is_the_language_models_own_loss_on_the_held_out_blocks(tiny_model_dir, tmp_path, capsys):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from app.core.config import DataConfig
    from app.core.data.packing import prepare_pt

    text = tmp_path / "text.txt"
    text.write_text("".join(f"The {w} is a fruit that grows on trees and tastes sweet.\n" for w in WORDS * 3))
    run_id = train(tiny_model_dir, text, "pt", training={"max_length": 16})
    result = evaluate(capsys, run_id)
    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    blocks = prepare_pt(DataConfig(train=str(text), validation_split=0.25), tokenizer, 16).eval["input_ids"]
    assert result["examples"] == len(blocks) > 0
    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir, dtype=torch.float32)
    with torch.no_grad():
        loss = sum(model(torch.tensor([b]), labels=torch.tensor([b])).loss.item() for b in blocks) / len(blocks)
    base = result["base"]["zero_shot"]
    assert base["loss"] == pytest.approx(loss, rel=1e-4) and base["perplexity"] == pytest.approx(math.exp(loss),
                                                                                                  rel=1e-4)
    assert math.isfinite(result["metrics"]["loss"]) and result["metrics"]["loss"] != base["loss"]


def test_stage_rows_take_the_test_share_out_of_training(tmp_path):
    from app.core.config import DataConfig
    from app.core.data.stage_data import load_stage_rows

    path = tmp_path / "prompts.jsonl"
    path.write_text("".join(json.dumps({"prompt": f"Say {w}{i}"}) + "\n" for i, w in enumerate(WORDS * 2)))
    plain = load_stage_rows(DataConfig(train=str(path), validation_split=0.25), ("prompt",), "GRPO")
    rows = load_stage_rows(DataConfig(train=str(path), validation_split=0.25, test_split=0.25), ("prompt",), "GRPO")
    assert rows.eval == plain.eval and len(rows.test) == 4 and len(rows.train) == 8
    assert not {r["prompt"][0]["content"] for r in rows.test} & {r["prompt"][0]["content"] for r in rows.train}
