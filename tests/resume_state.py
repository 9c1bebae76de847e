"""What a LoRA checkpoint holds, and what a resumed trainer holds when it starts: the engine's and the drills' resume
tests compare the two, so a resume that silently started from a fresh adapter, optimizer, schedule or random state
(transformers only warns when it cannot load a PEFT checkpoint) fails."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

import numpy as np
import torch
from transformers import TrainerCallback


def saved_state(checkpoint: Path) -> dict[str, Any]:
    """The files transformers wrote for a LoRA run's checkpoint, as the trainer would read them."""
    from safetensors.torch import load_file

    rng = torch.load(checkpoint / "rng_state.pth", weights_only=False)
    trainer_state = json.loads((checkpoint / "trainer_state.json").read_text())
    return {"adapter": load_file(checkpoint / "adapter_model.safetensors"),
            "optimizer": torch.load(checkpoint / "optimizer.pt", weights_only=True),
            "scheduler": torch.load(checkpoint / "scheduler.pt", weights_only=True),
            "rng": {"python": rng["python"], "numpy": rng["numpy"], "cpu": rng["cpu"]},
            "global_step": trainer_state["global_step"]}


class RestoredState(TrainerCallback):
    """Snapshots the trainer's state as the resumed run starts: adapter weights, optimizer and scheduler at
    `on_train_begin` (transformers has loaded them), the random states at the first `on_step_begin` (it restores
    them just before the first resumed batch), in the same layout as `saved_state`."""

    def __init__(self) -> None:
        self.state: dict[str, Any] = {}

    def on_train_begin(self, args, state, control, model=None, optimizer=None, lr_scheduler=None, **kwargs):
        from peft import get_peft_model_state_dict

        self.state.update(adapter={k: v.detach().clone() for k, v in get_peft_model_state_dict(model).items()},
                          optimizer=copy.deepcopy(optimizer.state_dict()),
                          scheduler=copy.deepcopy(lr_scheduler.state_dict()), global_step=state.global_step)

    def on_step_begin(self, args, state, control, **kwargs):
        if "rng" not in self.state:
            self.state["rng"] = {"python": random.getstate(), "numpy": np.random.get_state(),
                                 "cpu": torch.random.get_rng_state()}


def assert_same(restored: Any, saved: Any, where: str = "state") -> None:
    """Equal to the bit, tensors, arrays and nested containers alike; says where they differ."""
    if isinstance(saved, torch.Tensor):
        assert isinstance(restored, torch.Tensor) and restored.dtype == saved.dtype, where
        assert torch.equal(restored.cpu(), saved.cpu()), f"{where} differs from the checkpoint's"
    elif isinstance(saved, np.ndarray):
        assert np.array_equal(restored, saved), f"{where} differs from the checkpoint's"
    elif isinstance(saved, dict):
        assert restored.keys() == saved.keys(), f"{where}: keys {sorted(restored)} != {sorted(saved)}"
        for key in saved:
            assert_same(restored[key], saved[key], f"{where}[{key!r}]")
    elif isinstance(saved, (list, tuple)):
        assert len(restored) == len(saved), f"{where}: length {len(restored)} != {len(saved)}"
        for i, (a, b) in enumerate(zip(restored, saved, strict=True)):
            assert_same(a, b, f"{where}[{i}]")
    else:
        assert restored == saved, f"{where}: {restored!r} != {saved!r}"
