"""Helpers shared by the core tests."""

from __future__ import annotations

import json
from pathlib import Path

import yaml


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
    assert main(["train", str(folder / "run.yaml")]) == 0
    return folder
