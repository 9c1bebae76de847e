"""Evaluation on a tiny run: held-out rows, tuned vs base zero-/few-shot, stored with predictions; chat trimming."""

from __future__ import annotations

import json

import pytest
from tiny_runs import train_tiny_cli_run

from app.cli import main
from app.core.config import DataConfig
from app.core.data.prepare import split_examples


@pytest.fixture(scope="module")
def eval_run(tiny_model_dir, tmp_path_factory):
    return train_tiny_cli_run(
        tmp_path_factory.mktemp("eval"), tiny_model_dir, "eval-run", 4,
        data={"validation_split": 0.25}, training={"max_steps": 1, "batch_size": 4, "max_length": 64},
        evaluation={"sample_prompts": []}, export={"merged": False})


def test_eval_scores_tuned_and_base_on_the_validation_rows_and_stores_them(eval_run, capsys):
    capsys.readouterr()
    assert main(["eval", "eval-run", "--few-shot", "2", "--max-new-tokens", "4", "--json"]) == 0
    out = capsys.readouterr()
    result = json.loads(out.out)
    held = split_examples(DataConfig(train=str(eval_run / "chat.jsonl"), validation_split=0.25)).validation
    assert result["examples"] == len(held) == 4
    for scores in (result["metrics"], result["base"]["zero_shot"], result["base"]["few_shot"]):
        assert set(scores) >= {"exact_match", "rouge1", "rouge2", "rougeL", "bleu"}
    assert result["base"]["shots"] == 2
    assert "[eval] Generating: base 2-shot 4/4" in out.err  # progress lines the GUI's worker reads

    assert main(["runs", "show", "eval-run", "--json"]) == 0
    story = json.loads(capsys.readouterr().out)
    evaluations = {(e["model"], e["shots"]): e for e in story["evaluations"]}
    assert set(evaluations) == {("tuned", 0), ("base", 0), ("base", 2)}
    assert evaluations[("tuned", 0)]["metrics"] == result["metrics"]
    assert main(["runs", "show", "eval-run"]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("  eval ")]
    assert len(lines) == 3 and lines[-1].startswith("  eval tuned 0-shot on 4 validation examples: exact_match ")

    from app.core.store import Store

    rows = Store().eval_predictions(result["evaluation_ids"]["tuned"])
    assert sorted(r["prompt"] for r in rows) == sorted(e[0]["content"] for e in held)
    assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)
    assert {r["reference"] for r in rows} <= {"apple", "pear", "plum", "fig"}
    # every evaluation's scores are its stored predictions' (not merely numbers between 0 and 1)
    from app.core.evaluation import metrics as m

    for key, scores in (("tuned", result["metrics"]), ("base_zero_shot", result["base"]["zero_shot"]),
                        ("base_few_shot", result["base"]["few_shot"])):
        stored = Store().eval_predictions(result["evaluation_ids"][key])
        predictions, references = [r["prediction"] for r in stored], [r["reference"] for r in stored]
        assert scores["exact_match"] == pytest.approx(
            sum(m.exact_match(p, r) for p, r in zip(predictions, references, strict=True)) / len(stored))
        assert scores["rougeL"] == pytest.approx(
            sum(m.rouge_l(p, r) for p, r in zip(predictions, references, strict=True)) / len(stored))
        assert scores["bleu"] == pytest.approx(m.bleu(predictions, references))


def test_test_split_leaves_validation_alone_and_is_never_trained_on(eval_run):
    path = str(eval_run / "chat.jsonl")
    plain = split_examples(DataConfig(train=path, validation_split=0.25))
    with_test = split_examples(DataConfig(train=path, validation_split=0.25, test_split=0.25))
    assert with_test.validation == plain.validation
    assert len(with_test.test) == 4 and len(with_test.train) == 8
    ids = {id(x) for x in with_test.train}
    assert not any(id(x) in ids for x in with_test.test)


def test_eval_of_an_empty_split_is_a_user_error(eval_run, capsys):
    assert main(["eval", "eval-run", "--split", "test"]) == 2
    assert "Hint:" in capsys.readouterr().err


def test_chat_context_is_trimmed_from_the_oldest_turns(demo_tokenizer):
    from app.core.chat.generate import fit_context

    system = {"role": "system", "content": "Be brief."}
    turns = [{"role": r, "content": f"{r} turn {i} " + "word " * 40} for i in range(3) for r in ("user", "assistant")]
    last = {"role": "user", "content": "And now?"}
    full, dropped = fit_context(demo_tokenizer, [system, *turns, last], 10_000)
    assert dropped == 0 and len(full) == 8
    kept, dropped = fit_context(demo_tokenizer, [system, *turns, last], 150)
    assert dropped == 4 and kept == [system, *turns[4:], last]


def test_extend_continues_a_completed_run_with_the_schedule_planned_for_the_new_length(eval_run, capsys):
    import math

    import torch
    from transformers import get_scheduler

    from app.core.store import Store

    store = Store()
    original = store.get_run("eval-run")
    assert main(["extend", "eval-run", "--epochs", "1"]) == 0
    new_id = capsys.readouterr().out.strip().split(":")[0]
    run = store.get_run(new_id)
    assert run["status"] == "completed" and run["resumed_from"] == original["id"]
    assert run["name"] == "eval-run +1 epochs" and store.get_run(original["id"])["status"] == "completed"
    lrs = dict(store.metric_series(new_id)["learning_rate"])
    # 12 training rows / batch 4 = 3 steps an epoch: max_steps 1 becomes 4; steps 2..4 are new, step 1 copied
    assert sorted(lrs) == [1, 2, 3, 4]
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=2e-4)
    schedule = get_scheduler("cosine", optimizer, num_warmup_steps=math.ceil(0.03 * 4), num_training_steps=4)
    expected = []
    for _ in range(4):
        expected.append(schedule.get_last_lr()[0])
        optimizer.step()
        schedule.step()
    # the trainer logs the rate each step was taken with
    assert [lrs[s] for s in (2, 3, 4)] == pytest.approx(expected[1:4])


def test_a_preference_run_is_scored_by_pairwise_accuracy(tiny_model_dir, tmp_path, capsys):
    import shutil

    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from app.core.config import parse_config
    from app.core.evaluation.preference import answer_logprob
    from app.core.paths import run_dir
    from app.core.store import Store

    data = tmp_path / "prefs.jsonl"
    data.write_text("\n".join(json.dumps({"prompt": f"Say {w}", "chosen": w, "rejected": f"No, {w} is not a word"})
                              for w in ["apple", "pear", "plum", "fig"] * 2) + "\n")
    config = parse_config({"name": "prefs", "model": {"source": str(tiny_model_dir)},
                           "data": {"train": str(data), "validation_split": 0.5},
                           "method": {"name": "full"}, "training": {"stage": "dpo"}})
    store, run_id = Store(), "20260101-000000-pref"
    store.create_run(run_id, name="prefs", config_yaml=config.to_yaml(), model=str(tiny_model_dir), method="full",
                     stage="dpo", status="completed")
    shutil.copytree(tiny_model_dir, run_dir(run_id) / "merged")  # its "tuned" model: the base itself
    capsys.readouterr()
    assert main(["eval", run_id, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["examples"] == 4 and result["metrics"] == result["base"]["zero_shot"]

    model, tokenizer = AutoModelForCausalLM.from_pretrained(tiny_model_dir), AutoTokenizer.from_pretrained(tiny_model_dir)
    prompt, answer = [{"role": "user", "content": "Say fig"}], {"role": "assistant", "content": "fig"}
    full = tokenizer.apply_chat_template([*prompt, answer], tokenize=True, return_dict=True)["input_ids"]
    start = len(tokenizer.apply_chat_template(prompt, add_generation_prompt=True, tokenize=True,
                                              return_dict=True)["input_ids"])
    labels = torch.tensor([[-100] * start + full[start:]])
    with torch.no_grad():  # transformers' own loss: mean negative log-likelihood of the answer tokens
        loss = model(torch.tensor([full]), labels=labels).loss
    assert answer_logprob(model, tokenizer, prompt, answer) == pytest.approx(-loss.item() * (len(full) - start),
                                                                            rel=1e-4)
    rows = Store().eval_predictions(result["evaluation_ids"]["tuned"])
    assert result["metrics"]["pairwise_accuracy"] == sum(r["score"] for r in rows) / 4
    assert all(r["prediction"].startswith("log p chosen") for r in rows)


def test_pairwise_accuracy_is_high_after_learning_the_preferences_and_low_after_learning_them_swapped(
        tiny_model_dir, tmp_path):
    """Two DPO runs on the same pairs, one with chosen and rejected swapped, scored on those pairs (a random tiny
    model does not generalise, so held-out pairs would measure luck). In fp32."""
    import yaml
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from app.core.evaluation.preference import score_pairs
    from app.core.store import Store

    words = [("apple", "pear"), ("plum", "fig"), ("kiwi", "lime"), ("date", "nut")]
    rows = [{"prompt": [{"role": "user", "content": f"Pick {a} or {b}"}],
             "chosen": [{"role": "assistant", "content": a}], "rejected": [{"role": "assistant", "content": b}]}
            for a, b in words]
    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    accuracy = {}
    for swapped in (False, True):
        data = tmp_path / f"prefs-{swapped}.jsonl"
        data.write_text("\n".join(json.dumps({"prompt": r["prompt"][0]["content"],
                                              "chosen": r["rejected" if swapped else "chosen"][0]["content"],
                                              "rejected": r["chosen" if swapped else "rejected"][0]["content"]})
                                  for r in rows * 4) + "\n")
        name = f"dpo-swapped-{swapped}".lower()
        config = {"name": name, "model": {"source": str(tiny_model_dir)},
                  "data": {"train": str(data), "validation_split": 0.0}, "method": {"name": "full"},
                  "training": {"stage": "dpo", "max_steps": 16, "batch_size": 4, "learning_rate": 5e-3,
                               "precision": "fp32", "warmup_ratio": 0.0, "lr_scheduler": "constant"},
                  "evaluation": {"sample_prompts": []}, "export": {"merged": True, "dtype": "fp32"}}
        (tmp_path / f"{name}.yaml").write_text(yaml.safe_dump(config))
        assert main(["train", str(tmp_path / f"{name}.yaml")]) == 0
        merged = Store().artifacts(Store().get_run(name)["id"], "merged")[-1]["path"]
        metrics, _ = score_pairs(AutoModelForCausalLM.from_pretrained(merged), tokenizer, rows)
        accuracy[swapped] = metrics["pairwise_accuracy"]
    assert accuracy[False] == 1.0 and accuracy[True] == 0.0, accuracy
