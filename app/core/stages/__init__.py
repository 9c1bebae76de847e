"""Training stages: pt, sft, rm, dpo, orpo, simpo, kto, grpo, rloo, cls.

`registry` holds the stage cards (STAGES), `settings` their config section (StageConfig) and the stage × format ×
method checks. The per-stage modules build each stage's data and TRL trainer; they import torch, transformers and
TRL inside functions, so importing this package stays cheap.
"""

from .registry import STAGES, UNAVAILABLE, StageSpec
from .settings import StageConfig, stage_problems

__all__ = ["STAGES", "UNAVAILABLE", "StageConfig", "StageSpec", "stage_problems"]
