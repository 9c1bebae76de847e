"""A run's checkpoints on disk: which are whole, which the trainer left half-written, and the one to continue from
(`checkpoints/latest` when it names a whole one)."""

from __future__ import annotations

import json
from pathlib import Path

_WEIGHTS = ("model.safetensors", "model.safetensors.index.json", "pytorch_model.bin", "pytorch_model.bin.index.json",
            "adapter_model.safetensors", "adapter_model.bin")


def checkpoint_complete(path: Path) -> bool:
    """Whether the trainer finished writing this checkpoint: transformers writes trainer_state.json after the weights,
    optimizer, scheduler and RNG state (Trainer._save_checkpoint), so weights beside a trainer state that parses
    make a whole one; a run killed or out of disk while saving leaves a folder without it."""
    try:
        state = json.loads((path / "trainer_state.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(state, dict) and "global_step" in state and any((path / name).is_file() for name in _WEIGHTS)


def _checkpoints(folder: Path) -> list[Path]:
    """The run's checkpoint-N folders, by step."""
    found = [p for p in (folder / "checkpoints").glob("checkpoint-*") if p.name.split("-")[-1].isdigit()]
    return sorted(found, key=lambda p: int(p.name.split("-")[-1]))


def partial_checkpoints(folder: Path) -> list[Path]:
    """Checkpoint folders the trainer did not finish writing (nothing can continue from them)."""
    return [p for p in _checkpoints(folder) if not checkpoint_complete(p)]


def last_checkpoint(folder: Path) -> Path | None:
    """The checkpoint `latest` names (written once the trainer has saved it whole) when it is complete, else the newest
    complete one (a run stopped between saving and pointing at it); never a partial one."""
    ckpts = folder / "checkpoints"
    try:
        named = ckpts / (ckpts / "latest").read_text(encoding="utf-8").strip()
    except OSError:
        named = None
    if named is not None and named.parent == ckpts and checkpoint_complete(named):
        return named
    complete = [p for p in _checkpoints(folder) if checkpoint_complete(p)]
    return complete[-1] if complete else None
