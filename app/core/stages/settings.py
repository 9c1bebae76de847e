"""StageConfig: the settings of the stages beyond SFT (preference, KTO, online RL, classification).

Each field names the stages it applies to; the others ignore it. `stage_problems` checks a whole RunConfig for a
stage that does not fit its data format or method, so a wrong combination is a ConfigError before any loading.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..messages import Term, Text
from ..methods.registry import METHODS
from .registry import STAGES

if TYPE_CHECKING:
    from ..config import RunConfig

RewardName = Literal["exact_match", "format", "length"]


class StageConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    beta: float = Field(
        0.1, title="Beta", description="dpo, kto, grpo, rloo: how far the model may move from where it started "
        "(higher: stays closer); ppo: the same, as the KL penalty's weight; orpo: weight of the odds-ratio term; "
        "simpo: reward scale.", ge=0.0, le=100.0,
    )
    dpo_loss: Literal["sigmoid", "ipo", "hinge"] = Field(
        "sigmoid", title="DPO loss", description="dpo: sigmoid (the DPO paper), ipo (regularised, less prone to "
        "overfitting) or hinge (SLiC).",
    )
    simpo_gamma: float = Field(
        0.5, title="SimPO margin", description="simpo: the target reward margin between chosen and rejected "
        "answers.", ge=0.0, le=10.0,
    )
    kto_desirable_weight: float = Field(
        1.0, title="Good-answer weight", description="kto: loss weight of answers labelled good (raise it when "
        "good answers are rarer than bad ones).", gt=0.0, le=100.0,
    )
    kto_undesirable_weight: float = Field(
        1.0, title="Bad-answer weight", description="kto: loss weight of answers labelled bad.", gt=0.0, le=100.0,
    )
    num_generations: int = Field(
        4, title="Answers per prompt", description="grpo, rloo: answers generated for each prompt and compared "
        "with each other; the batch size must be a multiple of it.", ge=2, le=64,
    )
    max_completion_length: int = Field(
        64, title="Answer length", description="grpo, rloo, ppo: most tokens generated per answer.", ge=1,
        le=8192,
    )
    reward_functions: list[RewardName] = Field(
        default_factory=lambda: ["exact_match"], title="Reward functions",
        description="grpo, rloo: rule-based scores summed per answer: exact_match (1 when the reference answer "
        "appears in it), format (1 when it matches Reward pattern), length (1 at Target length, less further "
        "away).",
    )
    reward_pattern: str = Field(
        r"^.+$", title="Reward pattern", description="grpo, rloo: regular expression the 'format' reward looks "
        "for in each answer.", min_length=1, max_length=1000,
    )
    reward_target_length: int = Field(
        32, title="Target length", description="grpo, rloo: answer length in words the 'length' reward prefers.",
        ge=1, le=8192,
    )
    reward_model: str | None = Field(
        None, title="Reward model", description="ppo (required), grpo, rloo: a reward model (an rm run's id or "
        "name, or a folder with a merged sequence-classification model); grpo and rloo add its score to the "
        "rule-based rewards.",
    )
    ppo_epochs: int = Field(
        4, title="PPO epochs", description="ppo: passes over each batch of generated answers before generating "
        "new ones.", ge=1, le=32,
    )
    ppo_cliprange: float = Field(
        0.2, title="Clip range", description="ppo: how far one update may change an answer's probability ratio "
        "(smaller: more cautious updates).", gt=0.0, le=1.0,
    )
    ppo_vf_coef: float = Field(
        0.1, title="Value loss weight", description="ppo: weight of the value model's loss beside the policy "
        "loss.", ge=0.0, le=10.0,
    )
    num_labels: int | None = Field(
        None, title="Number of classes", description="cls: classes to predict; empty: counted from the data.",
        ge=2, le=10000,
    )
    labels: list[str] | None = Field(
        None, title="Class names", description="cls: the class names in order (class i is labels[i]); empty: "
        "the sorted labels found in the data.",
    )

    @field_validator("reward_pattern")
    @classmethod
    def _pattern(cls, value: str) -> str:
        import re

        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(Text("not a valid regular expression: {error}", error=str(exc))) from None
        return value

    @field_validator("labels")
    @classmethod
    def _labels(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and (len(value) < 2 or len(set(value)) != len(value)):
            raise ValueError(Text("give at least two distinct class names"))
        return value


def stage_problems(config: RunConfig) -> list[tuple[str, str]]:
    """(field path, message) for each way the stage does not fit the run's data format, method or settings, and
    the method does not fit the training settings."""
    spec = STAGES[config.training.stage]
    out = []
    fmt = config.data.format
    if fmt != "auto" and fmt not in spec.formats:
        out.append(("data.format", Text("the {title} stage reads {formats} data, not {format}", title=Term(spec.title),
                                        formats=", ".join(spec.formats), format=fmt)))
    if config.method.name not in spec.methods:
        out.append(("method.name", Text("{method} does not suit the {title} stage; use one of {methods}",
                                        method=config.method.name, title=Term(spec.title),
                                        methods=", ".join(spec.methods))))
    s = config.stage
    if spec.name in ("grpo", "rloo"):
        if config.training.batch_size % s.num_generations:
            out.append(("training.batch_size", Text("must be a multiple of stage.num_generations ({n})",
                                                    n=s.num_generations)))
        if not s.reward_functions and not s.reward_model:
            out.append(("stage.reward_functions", Text("choose at least one reward function or a reward model")))
    if spec.name == "ppo" and not s.reward_model:
        out.append(("stage.reward_model", Text("PPO needs a reward model: train one first (the rm stage, on the "
                                               "same base model), then give its run id or name here")))
    if spec.name == "cls" and s.labels and s.num_labels and len(s.labels) != s.num_labels:
        out.append(("stage.labels", Text("{names} names for {classes} classes", names=len(s.labels),
                                         classes=s.num_labels)))
    method = METHODS[config.method.name]
    if config.training.gradient_checkpointing is True and not method.checkpointing:
        out.append(("training.gradient_checkpointing", Text("{method} keeps its virtual tokens in the attention "
                                                            "cache, which gradient checkpointing turns off; set it "
                                                            "to auto or false (or lower batch_size or max_length to "
                                                            "save memory)", method=method.title)))
    return out
