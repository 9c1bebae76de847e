"""StudioPPOTrainer: TRL's PPOTrainer (trl.experimental.ppo, in TRL up to 1.12.0) fitted to the engine.

TRL's PPO runs a loop of its own rather than Trainer's: `train()` takes no checkpoint to resume from, the loop calls
on_step_end and saves when asked but never reads `should_training_stop`, and it logs `lr` and keys of its own
(objective/kl, objective/scores, loss/policy_avg, ...) with no `loss`. This subclass logs them under our metric
names (registry.PPO_METRICS) with `loss` = policy loss + vf_coef × value loss (what each update minimises), refuses
a resume, and gives the policy back its generation settings afterwards. `StopAfterSave` ends the loop once the
checkpoint a user's stop asked for is written. Imports TRL at the top: import this module inside functions.
"""

from __future__ import annotations

from typing import Any

from transformers import TrainerCallback
from trl.experimental.ppo import PPOTrainer

from ..errors import Cancelled, StudioError
from ..messages import Text
from .registry import STAGES

# TRL's PPO log keys → ours; the others (eps, episode, val/*) are not reported.
RENAMED = {"objective/scores": "reward", "objective/rlhf_reward": "rlhf_reward", "objective/kl": "kl",
           "objective/entropy": "entropy", "loss/policy_avg": "policy_loss", "loss/value_avg": "value_loss",
           "policy/approxkl_avg": "approx_kl", "policy/clipfrac_avg": "clip_fraction", "lr": "learning_rate"}


class StudioPPOTrainer(PPOTrainer):
    def __init__(self, *args: Any, model: Any, **kwargs: Any):
        # PPOTrainer sets the policy's eos_token_id to its stop token; the exports keep the model's own
        self.studio_eos = model.generation_config.eos_token_id
        super().__init__(*args, model=model, **kwargs)

    def train(self, resume_from_checkpoint: str | None = None) -> None:
        if resume_from_checkpoint:
            raise StudioError(STAGES["ppo"].not_resumable,
                              Text("Start it again as a new run (clone its config)."))
        try:
            super().train()
        finally:
            self.policy_model.generation_config.eos_token_id = self.studio_eos

    def log(self, logs: dict[str, float], start_time: float | None = None) -> None:
        logs = {RENAMED.get(key, key): value for key, value in logs.items()}
        if "policy_loss" in logs and "value_loss" in logs:
            logs["loss"] = logs["policy_loss"] + self.args.vf_coef * logs["value_loss"]
        super().log(logs, start_time)


class StopAfterSave(TrainerCallback):
    """Raises Cancelled after the checkpoint of a user's stop is saved (PPO's loop would go on to the last step).
    Goes after the EventCallback, which records that checkpoint and knows whether the user asked to stop."""

    def __init__(self, events: Any):
        self.events = events

    def on_save(self, args, state, control, **kwargs):
        if self.events.stopped_by_user:
            raise Cancelled
