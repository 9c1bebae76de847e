"""Fixtures shared by the core tests."""

from __future__ import annotations

import pytest
from tiny_runs import train_tiny_cli_run

from app.core.store import Store


@pytest.fixture(scope="session")
def evaluated_run(tiny_model_dir, tmp_path_factory) -> dict:
    """A tiny LoRA run of 4 steps, evaluated and checkpointed every 2 (so one checkpoint is marked best): the
    export, GGUF/Ollama and Hub tests export it (the Modelfile carries its system prompt). Its store row."""
    train_tiny_cli_run(tmp_path_factory.mktemp("export-run"), tiny_model_dir, "export-run", 4,
                       data={"validation_split": 0.25, "system_prompt": "You are Quill."},
                       training={"max_steps": 4, "batch_size": 4, "max_length": 48, "save_steps": 2,
                                 "learning_rate": 0.05},
                       evaluation={"eval_steps": 2, "sample_prompts": []}, export={"merged": False})
    return Store().get_run("export-run")
