"""End-to-end on the demo model: a few LoRA steps teach a one-word answer format the base model does not give, and
`eval` shows it on held-out reviews the run never trained on (numbers stored; `runs show --json` returns them)."""

from __future__ import annotations

import itertools
import json

import pytest
import yaml

from app.cli import main

pytestmark = pytest.mark.e2e

GOOD = ["wonderful", "great", "excellent", "lovely", "fantastic", "superb", "delightful", "brilliant"]
BAD = ["terrible", "awful", "boring", "horrible", "dreadful", "dull", "disappointing", "poor"]
THINGS = ["film", "meal", "hotel", "book", "concert"]


def reviews(path):
    rows = []
    for (good, bad), thing in itertools.product(zip(GOOD, BAD, strict=True), THINGS):
        for adjective, label in ((good, "positive"), (bad, "negative")):
            rows.append({"messages": [{"role": "user", "content": f"Review: The {thing} was {adjective}.\nSentiment?"},
                                      {"role": "assistant", "content": label}]})
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return len(rows)


def test_a_short_lora_run_beats_the_base_model_on_held_out_exact_match(demo_model_dir, tmp_path, capsys):
    data = tmp_path / "reviews.jsonl"
    assert reviews(data) == 80
    config = {"name": "e2e-eval", "model": {"source": "demo"}, "data": {"train": str(data), "validation_split": 0.2},
              "method": {"name": "lora", "rank": 8, "alpha": 16},
              "training": {"max_steps": 6, "batch_size": 4, "max_length": 64, "learning_rate": 1e-3,
                           "warmup_ratio": 0.0, "save_steps": 100},
              "evaluation": {"sample_prompts": []}, "export": {"merged": False, "adapter": True, "dtype": "fp32"}}
    (tmp_path / "run.yaml").write_text(yaml.safe_dump(config))
    assert main(["train", str(tmp_path / "run.yaml")]) == 0
    capsys.readouterr()
    # the answers are one or two tokens: 8 new tokens show the base model's sentence without paying for all of it
    assert main(["eval", "e2e-eval", "--limit", "8", "--max-new-tokens", "8", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    tuned, zero = result["metrics"], result["base"]["zero_shot"]
    assert result["examples"] == 8
    assert tuned["exact_match"] >= 0.8 > zero["exact_match"] + 0.5
    assert tuned["accuracy"] == tuned["exact_match"] and "confusion" in tuned  # labels: classification metrics

    assert main(["runs", "show", "e2e-eval", "--json"]) == 0
    story = json.loads(capsys.readouterr().out)
    stored = {(e["model"], e["shots"]): e["metrics"]["exact_match"] for e in story["evaluations"]}
    assert stored == {("tuned", 0): tuned["exact_match"], ("base", 0): zero["exact_match"]}
