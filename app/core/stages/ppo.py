"""ppo: TRL's PPO (`trl.experimental.ppo`, which TRL kept up to 1.12.0: pyproject pins that release for it) with a
reward model from an rm run.

The policy is the run's model with its method: with an adapter the reference is the adapter switched off, for
full or freeze tuning TRL keeps a frozen copy. The reward model and the value model both load from the rm run's
merged export, as TRL's PPO example does: the reward model stays frozen, the value model trains beside the policy
(and is not exported). Prompts are read as for grpo (online.prepare) and tokenised with the chat template; PPO
pads them on the left and treats every pad id as padding, so it gets a copy of the tokenizer whose pad token is
neither the end of an answer nor in any prompt. There is no validation, as for grpo.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..data.prepare import Prepared
from ..errors import ConfigError, ModelError
from ..messages import Text
from . import online
from .rewards import reward_model_dir

if TYPE_CHECKING:
    from ..config import RunConfig


def prepare(config: RunConfig, tokenizer: Any, sink: Any, stop: Any) -> Prepared:
    prepared = online.prepare(config, tokenizer, sink, stop)
    ids = [tokenizer.apply_chat_template(prompt, add_generation_prompt=True, tokenize=True,
                                         return_dict=True)["input_ids"] for prompt in prepared.train["prompt"]]
    return replace(prepared, train=prepared.train.add_column("input_ids", ids))


def make_trainer(config: RunConfig, model: Any, tokenizer: Any, prepared: Prepared, args: dict,
                 **kwargs: Any) -> Any:
    import torch
    from datasets import Dataset
    from transformers import AutoModelForSequenceClassification
    from trl.experimental.ppo import PPOConfig

    from ..training.callbacks import EventCallback
    from .ppo_trainer import StopAfterSave, StudioPPOTrainer

    s, t = config.stage, config.training
    folder = reward_model_dir(s.reward_model)
    check_same_tokenizer(tokenizer, folder, config.model.trust_remote_code)
    # prompts that fill max_length leave no room for an answer; the engine reports how many were left out
    train = Dataset.from_dict({"input_ids": [ids for ids in prepared.train["input_ids"] if len(ids) < t.max_length]})
    rollout = t.batch_size * t.gradient_accumulation * int(os.environ.get("WORLD_SIZE", "1"))
    ppo_args = PPOConfig(
        **args, kl_coef=s.beta, response_length=s.max_completion_length, num_ppo_epochs=s.ppo_epochs,
        cliprange=s.ppo_cliprange, vf_coef=s.ppo_vf_coef, stop_token="eos", num_sample_generations=0,
        total_episodes=t.max_steps * rollout if t.max_steps else None,  # None: epochs × rows, as TRL counts
    )
    half = torch.bfloat16 if args["bf16"] else torch.float16 if args["fp16"] else torch.float32
    common = {"num_labels": 1, "trust_remote_code": config.model.trust_remote_code}
    reward = AutoModelForSequenceClassification.from_pretrained(  # frozen: half precision on a GPU
        folder, dtype=torch.float32 if args["use_cpu"] else half, **common)
    value = AutoModelForSequenceClassification.from_pretrained(folder, dtype=torch.float32, **common)
    callbacks = list(kwargs.pop("callbacks", []))
    events = next(c for c in callbacks if isinstance(c, EventCallback))
    return StudioPPOTrainer(args=ppo_args, processing_class=ppo_tokenizer(tokenizer, train["input_ids"]),
                            model=model, ref_model=None, reward_model=reward, value_model=value,
                            train_dataset=train, callbacks=[*callbacks, StopAfterSave(events)], **kwargs)


def finish(trainer: Any) -> None:
    """The exports take the policy alone (PPO's trainer holds it wrapped together with the value model)."""
    trainer.model = trainer.accelerator.unwrap_model(trainer.model).policy


def check_same_tokenizer(tokenizer: Any, folder: Path, trust_remote_code: bool) -> None:
    """PPO hands the policy's token ids to the reward model as they are: both must share one vocabulary."""
    from transformers import AutoTokenizer

    try:
        theirs = AutoTokenizer.from_pretrained(folder, trust_remote_code=trust_remote_code).get_vocab()
    except (OSError, ValueError):
        theirs = None
    if theirs != tokenizer.get_vocab():
        raise ConfigError([("stage.reward_model", Text("the reward model in {folder} does not use this "
                                                         "model's tokenizer", folder=folder))], Text("Train the rm run on the same base model as this run."))


def ppo_tokenizer(tokenizer: Any, prompts: list[list[int]]) -> Any:
    """A copy that pads on the left with a token that is neither the end of an answer nor in any prompt."""
    import copy

    used = {tokenizer.eos_token_id, *(i for ids in prompts for i in ids)}
    candidates = (tokenizer.pad_token, tokenizer.unk_token, *tokenizer.all_special_tokens)
    free = next((tok for tok in candidates if tok is not None and tokenizer.convert_tokens_to_ids(tok) not in used),
                None)
    if free is None:
        raise ModelError(Text("PPO needs a padding token that is not the end-of-answer token and appears in "
                              "no prompt; this model's tokenizer has none."),
                         Text("Use a model whose tokenizer has a separate pad or unknown token."))
    out = copy.deepcopy(tokenizer)
    out.padding_side, out.pad_token = "left", free
    return out
