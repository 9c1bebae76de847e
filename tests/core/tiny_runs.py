"""Helpers shared by the core tests."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from app.core.errors import StudioError
from app.core.store import Store

TINY_WORDS = ["apple", "pear", "plum", "fig", "kiwi", "lime", "date", "nut"]


def tiny_chat_config(folder: Path, model_dir: Path, name: str, batch: int, **distributed) -> Path:
    """A 4-step LoRA run of the tiny model on 16 'Say <word>' rows, fp32, no dropout (each rank would draw its own
    masks), a checkpoint and a sample every 2 steps; `distributed`: its distributed section."""
    data = folder / "chat.jsonl"
    data.write_text("\n".join(json.dumps({"messages": [{"role": "user", "content": f"Say {w}"},
                                                         {"role": "assistant", "content": w}]})
                                for w in TINY_WORDS * 2) + "\n")
    config = {"name": name, "model": {"source": str(model_dir)}, "data": {"train": str(data), "validation_split": 0},
              "method": {"name": "lora", "rank": 4, "dropout": 0.0},
              "training": {"max_steps": 4, "batch_size": batch, "learning_rate": 1e-2, "warmup_ratio": 0,
                           "precision": "fp32", "save_steps": 2, "lr_scheduler": "constant"},
              "evaluation": {"sample_prompts": ["Say fig"], "sample_max_new_tokens": 4},
              "export": {"merged": False}, "distributed": distributed}
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def train_tiny_cli_run(folder: Path, model_dir: Path, name: str, repeat: int, **sections: dict) -> Path:
    """Train a tiny 'Say <word>' LoRA run through `finetune-studio train` (the CLI in-process); `sections`
    override the config's data/training/evaluation/export sections."""
    from app.cli import main

    data = folder / "chat.jsonl"
    data.write_text("\n".join(json.dumps({"messages": [{"role": "user", "content": f"Say {w}"},
                                                         {"role": "assistant", "content": w}]})
                                for w in ["apple", "pear", "plum", "fig"] * repeat) + "\n")
    config = {"name": name, "model": {"source": str(model_dir)}, "data": {"train": str(data)},
              "method": {"name": "lora", "rank": 4}}
    for section, values in sections.items():
        config[section] = {**config.get(section, {}), **values}
    (folder / "run.yaml").write_text(yaml.safe_dump(config))
    code = main(["train", str(folder / "run.yaml")])
    if code != 0:  # every test using this run would error without saying why: say the run's own last word
        try:
            row = Store().get_run(name)
            detail = f"{row['status']}: {row['error']} (hint: {row['hint']})"
        except StudioError:  # refused before it had a row (a config error): its message went to stderr
            detail = "no run was recorded; see the captured stderr above"
        raise RuntimeError(f"the tiny run {name!r} did not complete (exit {code}): {detail}")
    return folder


def trained_classifier(base, adapter, num_labels):
    """The trained model as the run left it, in fp32: the base with the adapter and its head on top, unmerged."""
    import torch
    from peft import PeftModel
    from transformers import AutoModelForSequenceClassification

    model = AutoModelForSequenceClassification.from_pretrained(base, num_labels=num_labels, dtype=torch.float32)
    return PeftModel.from_pretrained(model, adapter).eval()
