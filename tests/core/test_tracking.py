"""training.report_to: off by default, passed to the trainer's arguments, a missing package is a ConfigError with
the extra to install, and wandb without an API key logs offline."""

from __future__ import annotations

import importlib.util

import pytest

from app.core.config import parse_config
from app.core.errors import ConfigError
from app.core.stages import common


def config(report_to: str):
    return parse_config({"data": {"train": "x.jsonl"}, "training": {"report_to": report_to}})


def test_off_by_default_and_passed_to_the_trainer(tmp_path, monkeypatch):
    assert parse_config({"data": {"train": "x.jsonl"}}).training.report_to == "none"
    assert common.base_args(config("none"), tmp_path, "fp32", False)["report_to"] == "none"
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: object())
    monkeypatch.delenv("WANDB_API_KEY", raising=False)
    monkeypatch.delenv("WANDB_MODE", raising=False)
    assert common.base_args(config("wandb"), tmp_path, "fp32", False)["report_to"] == "wandb"
    import os

    assert os.environ["WANDB_MODE"] == "offline"


def test_a_missing_tracker_package_is_a_config_error_with_the_extra(monkeypatch):
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ConfigError, match="mlflow is not installed") as err:
        common.tracker("mlflow")
    assert "finetune-studio[mlflow]" in err.value.hint
