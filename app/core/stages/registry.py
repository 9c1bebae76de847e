"""The stage cards: what each training stage teaches, the data it reads, the methods that suit it, its metrics.

Pure data (no torch, no TRL): the CLI's `methods list`, the config's checks and a GUI can read it cheaply.
`formats` are data formats (app.core.data.formats) the stage accepts; `methods` the method names that make sense
for it; `metrics` the trainer's log keys reported as `metrics` events besides loss, learning_rate and grad_norm.
`head` is "causal" (a language model) or "sequence" (a classification / reward head on the model).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..messages import Term, Text
from ..methods.registry import METHODS

CONVERSATION_FORMATS = ("messages", "sharegpt", "alpaca", "prompt_completion")
ALL_METHODS = tuple(METHODS)
# Methods whose model can be copied or switched off to serve as the frozen reference, and whose trained
# weights change the model's answers: the LoRA family, IA³, LN tuning and the whole-model methods.
REFERENCE_METHODS = ("full", "freeze", "lora", "qlora", "dora", "rslora", "pissa", "olora", "loraplus",
                     "adalora", "ia3", "ln_tuning", "bias")
# A sequence-classification head is trained beside the adapter (peft's modules_to_save), which prompt learning
# and the whole-model selections do not set up.
HEAD_METHODS = ("full", "lora", "qlora", "dora", "rslora", "loraplus")
PREFERENCE_METRICS = ("rewards/chosen", "rewards/rejected", "rewards/accuracies", "rewards/margins",
                      "logps/chosen", "logps/rejected")
ONLINE_METRICS = ("reward", "reward_std", "completions/mean_length", "kl", "entropy")
ONLINE_SETTINGS = ("num_generations", "max_completion_length", "reward_functions", "reward_pattern",
                   "reward_target_length", "reward_model", "beta")
# PPO's reference is the adapter switched off (or, for whole-model methods, a frozen copy); its loop steps the
# optimizer itself, so AdaLoRA's per-step rank update and LoRA+'s own optimizer (which would leave the value model
# untrained) do not apply, and PiSSA/OLoRA move the base weights, so switching their adapter off is no reference.
PPO_METHODS = tuple(m for m in REFERENCE_METHODS if m not in ("adalora", "loraplus", "pissa", "olora"))
# PPO's log keys under our names (the Rewards and KL plot reads reward, rlhf_reward and kl; loss is computed).
PPO_METRICS = ("reward", "rlhf_reward", "kl", "entropy", "policy_loss", "value_loss", "approx_kl", "clip_fraction")


@dataclass(frozen=True)
class StageSpec:
    name: str
    title: str
    what: str
    data: str
    formats: tuple[str, ...]
    methods: tuple[str, ...] = ALL_METHODS
    metrics: tuple[str, ...] = ()
    settings: tuple[str, ...] = ()
    head: str = "causal"
    # False: the trainer cannot continue from a checkpoint (TRL's PPO loop always starts at step 0), so neither
    # resume nor extend is offered
    resumable: bool = True

    @property
    def not_resumable(self) -> Text | None:
        """Why a run of this stage cannot be resumed or extended (None when it can)."""
        return None if self.resumable else \
            Text("A {title} run cannot be continued: its trainer always starts from step 0.", title=Term(self.title))


STAGES: dict[str, StageSpec] = {
    "pt": StageSpec(
        "pt", "Continued pre-training",
        what="Teaches the model more text of a domain: it learns to continue raw text, with no prompts or answers.",
        data="Plain text: a .txt file (one document per line) or rows with a 'text' field. Tokenised and packed "
        "into blocks of max_length tokens.",
        formats=("text",),
    ),
    "sft": StageSpec(
        "sft", "Supervised fine-tuning",
        what="Teaches the model to give the answers in your examples.",
        data="Conversations or prompt/answer pairs (messages, sharegpt, alpaca, prompt_completion), or text; "
        "preference data trains on the chosen answer, KTO data on every answer.",
        formats=(*CONVERSATION_FORMATS, "text", "preference", "kto"),
    ),
    "rm": StageSpec(
        "rm", "Reward model",
        what="Trains a scoring head that gives the preferred answer a higher score than the rejected one; the "
        "result scores answers (for PPO, GRPO and RLOO) rather than chatting.",
        data="Preference pairs: prompt, chosen and rejected answers.",
        formats=("preference",), methods=HEAD_METHODS, metrics=("accuracy", "margin"), head="sequence",
    ),
    "dpo": StageSpec(
        "dpo", "DPO (direct preference optimisation)",
        what="Makes the preferred answers more likely than the rejected ones, relative to the starting model.",
        data="Preference pairs: prompt, chosen and rejected answers.",
        formats=("preference",), methods=REFERENCE_METHODS, metrics=PREFERENCE_METRICS,
        settings=("beta", "dpo_loss"),
    ),
    "orpo": StageSpec(
        "orpo", "ORPO (odds-ratio preference optimisation)",
        what="Fine-tunes on the chosen answers and pushes the rejected ones down in one step, with no reference "
        "model (less memory than DPO).",
        data="Preference pairs: prompt, chosen and rejected answers.",
        formats=("preference",), methods=REFERENCE_METHODS,
        metrics=(*PREFERENCE_METRICS, "nll_loss", "log_odds_ratio"), settings=("beta",),
    ),
    "simpo": StageSpec(
        "simpo", "SimPO (simple preference optimisation)",
        what="Prefers the chosen answers by their average log-probability with a target margin; no reference "
        "model.",
        data="Preference pairs: prompt, chosen and rejected answers.",
        formats=("preference",), methods=REFERENCE_METHODS, metrics=PREFERENCE_METRICS,
        settings=("beta", "simpo_gamma"),
    ),
    "kto": StageSpec(
        "kto", "KTO (Kahneman-Tversky optimisation)",
        what="Learns from answers marked good or bad one at a time, without pairs.",
        data="Prompt and answer with a true/false label (good/bad).",
        formats=("kto",), methods=REFERENCE_METHODS,
        metrics=("rewards/chosen", "rewards/rejected", "rewards/margins", "kl"),
        settings=("beta", "kto_desirable_weight", "kto_undesirable_weight"),
    ),
    "grpo": StageSpec(
        "grpo", "GRPO (group relative policy optimisation)",
        what="The model answers each prompt several times; answers that score above their group's average "
        "become more likely. Scores come from rule-based reward functions or a reward model.",
        data="Prompts, optionally with a reference answer ('completion', 'answer' or 'solution') for the "
        "exact-match reward.",
        formats=CONVERSATION_FORMATS + ("prompt",), methods=REFERENCE_METHODS, metrics=ONLINE_METRICS,
        settings=ONLINE_SETTINGS,
    ),
    "rloo": StageSpec(
        "rloo", "RLOO (REINFORCE leave-one-out)",
        what="Like GRPO: several answers per prompt, each judged against the average of the others.",
        data="Prompts, optionally with a reference answer for the exact-match reward.",
        formats=CONVERSATION_FORMATS + ("prompt",), methods=REFERENCE_METHODS, metrics=ONLINE_METRICS,
        settings=ONLINE_SETTINGS,
    ),
    "ppo": StageSpec(
        "ppo", "PPO (proximal policy optimisation)",
        what="The classic RLHF step: the model answers each prompt, a reward model from an rm run scores the "
        "answer, and the model moves towards higher scores while a KL penalty keeps it near where it started. A "
        "value model (initialised from the reward model) trains alongside.",
        data="Prompts (prompt rows, or conversations without their last answer). Needs a reward model: train an "
        "rm run on the same base model first.",
        formats=CONVERSATION_FORMATS + ("prompt",), methods=PPO_METHODS, metrics=PPO_METRICS,
        settings=("reward_model", "beta", "max_completion_length", "ppo_epochs", "ppo_cliprange", "ppo_vf_coef"),
        resumable=False,
    ),
    "cls": StageSpec(
        "cls", "Text classification",
        what="Puts a classification head on the model and trains it to label texts (sentiment, topic, intent).",
        data="Rows with a 'text' and a 'label' (a name or a number).",
        formats=("classification",), methods=HEAD_METHODS,
        metrics=("accuracy", "precision", "recall", "f1"), settings=("num_labels", "labels"), head="sequence",
    ),
}
