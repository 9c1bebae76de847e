"""End to end on the demo model (issue #21): the sentiment recipe (the generated label), as `recipes new` writes it,
trains and beats the base model on held-out reviews it never trained on. Shortened to a few steps and 16 held-out
rows; bench/recipes.py measures the whole recipe."""

from __future__ import annotations

import json

import pytest

from app.cli import main
from app.core.config import load_config

pytestmark = pytest.mark.e2e


def test_the_sentiment_recipe_beats_the_base_model(demo_model_dir, tmp_path, capsys):
    run_yaml = tmp_path / "run.yaml"
    assert main(["recipes", "new", "sentiment-label", "-o", str(run_yaml)]) == 0
    config = load_config(run_yaml)
    config = config.model_copy(update={
        "name": "e2e-recipe-sentiment",
        "training": config.training.model_copy(update={"max_steps": 12, "learning_rate": 1e-3, "warmup_ratio": 0.0}),
        "evaluation": config.evaluation.model_copy(update={"sample_prompts": []})})
    config.save(run_yaml)
    assert main(["train", str(run_yaml)]) == 0
    capsys.readouterr()
    assert main(["eval", "e2e-recipe-sentiment", "--split", "test", "--limit", "16", "--max-new-tokens", "4",
                 "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["examples"] == 16
    tuned, base = result["metrics"], result["base"]["zero_shot"]
    assert tuned["f1"] > base["f1"] and tuned["accuracy"] >= 0.75
