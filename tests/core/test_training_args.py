"""The trainer's arguments from a run config (stages/common.base_args) as transformers 5 reads them."""

from __future__ import annotations

import warnings

import pytest

from app.core.config import parse_config
from app.core.stages import common


@pytest.mark.parametrize("checkpointing", [True, False])
@pytest.mark.parametrize("kind", ["transformers", "trl"])
def test_gradient_checkpointing_reaches_the_trainer_without_a_deprecation_warning(tmp_path, checkpointing, kind):
    """TRL's configs default it to True: the run's own choice must win there too."""
    from transformers import TrainingArguments
    from trl import SFTConfig

    config = parse_config({"data": {"train": "x.jsonl"}, "training": {"gradient_checkpointing": checkpointing}})
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)  # `gradient_checkpointing` is deprecated in transformers 5
        args = (TrainingArguments if kind == "transformers" else SFTConfig)(
            **common.base_args(config, tmp_path, "fp32", False))
    assert args.activation_checkpointing is checkpointing and args.gradient_checkpointing is checkpointing
