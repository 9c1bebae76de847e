"""The rule-based rewards of grpo/rloo and the classification metrics of cls, on hand-made inputs (no model)."""

from __future__ import annotations

import pytest

from app.core.config import parse_config
from app.core.errors import ConfigError
from app.core.stages.heads import classification_metrics
from app.core.stages.rewards import exact_match, format_reward, length_reward, reward_functions


def said(text: str) -> list[dict]:
    return [{"role": "assistant", "content": text}]


def test_exact_match_ignores_case_and_spacing_and_needs_an_answer():
    assert exact_match([said("It is  PARIS."), said("Lyon"), said("Paris")], answer=["paris", "Paris", ""]) == \
        [1.0, 0.0, 0.0]


def test_format_and_length_rewards():
    assert format_reward(r"<answer>\d+</answer>")([said("so <answer>42</answer>"), said("42")]) == [1.0, 0.0]
    assert length_reward(4)([said("one two three four"), said("one two"), said("a b c d e f g h i")]) == \
        [1.0, 0.5, 0.0]


def test_reward_functions_follow_the_config_and_a_missing_reward_model_is_a_config_error(tmp_path):
    settings = parse_config({"data": {"train": "p.jsonl"}, "training": {"stage": "grpo", "batch_size": 4},
                             "stage": {"reward_functions": ["format", "exact_match", "format"]}}).stage
    assert [f.__name__ for f in reward_functions(settings)] == ["format", "exact_match"]
    settings.reward_model = str(tmp_path)  # a folder without a sequence-classification model
    with pytest.raises(ConfigError, match="no merged reward model"):
        reward_functions(settings)


def test_grpo_batch_must_hold_whole_groups():
    with pytest.raises(ConfigError, match="multiple of stage.num_generations"):
        parse_config({"data": {"train": "p.jsonl"}, "training": {"stage": "grpo", "batch_size": 6},
                      "stage": {"num_generations": 4}})


def test_classification_metrics_and_confusion_matrix():
    metrics, matrix = classification_metrics([0, 0, 1, 1, 2], [0, 1, 1, 1, 0], 3)
    assert matrix == [[1, 1, 0], [0, 2, 0], [1, 0, 0]]
    assert metrics["accuracy"] == pytest.approx(0.6)
    assert metrics["precision"] == pytest.approx((0.5 + 2 / 3 + 0) / 3)
    assert metrics["recall"] == pytest.approx((0.5 + 1 + 0) / 3)
    assert metrics["f1"] == pytest.approx((0.5 + 0.8 + 0) / 3)
