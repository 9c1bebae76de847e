"""Training stages: pt, sft, rm, dpo, orpo, simpo, kto, grpo, rloo, ppo, cls.

`registry` holds the stage cards (STAGES), `settings` their config section (StageConfig) and the stage × format ×
method checks. The per-stage modules build each stage's data and TRL trainer; they import torch, transformers and
TRL inside functions, so importing this package stays cheap.
"""

from .registry import STAGES, StageSpec
from .settings import StageConfig, stage_problems

__all__ = ["STAGES", "StageConfig", "StageSpec", "stage_problems"]

_MODULES = {"pt": "sft", "sft": "sft", "dpo": "preference", "orpo": "preference", "simpo": "preference",
            "kto": "preference", "rm": "heads", "cls": "heads", "grpo": "online", "rloo": "online",
            "ppo": "ppo"}


def stage_module(name: str):
    """The module that prepares a stage's data and builds its trainer: `prepare(config, tokenizer, sink, stop)`
    (sft's also takes the rows the automatic settings tokenised), `make_trainer(config, model, tokenizer, prepared,
    args, **trainer_kwargs)` and optionally `finish(trainer)`."""
    import importlib

    return importlib.import_module(f".{_MODULES[name]}", __name__)
