"""grpo and rloo: TRL's online trainers. The model answers each prompt `num_generations` times; the rewards
(rewards.py: rule-based, and a reward model when one is given) score each answer against its group.

Prompts come from prompt-only rows or from conversations (their last answer becomes the reference answer for
the exact-match reward). There is no validation: generating answers for evaluation would double the run's cost.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..data.prepare import Prepared
from .common import conversation_prompts
from .registry import STAGES
from .rewards import reward_functions

if TYPE_CHECKING:
    from ..config import RunConfig


def prepare(config: RunConfig, tokenizer: Any, sink: Any, stop: Any) -> Prepared:
    from datasets import Dataset

    from ..data.stage_data import keep_prompt_end, load_stage_rows
    from ..data.templating import char_budget

    spec = STAGES[config.training.stage]
    rows = load_stage_rows(config.data, spec.formats, spec.title, sink, stop, validation=False)
    budget = char_budget(tokenizer, config.training.max_length)  # nothing before it could fit: not tokenised whole
    rows.train[:] = [keep_prompt_end(row, budget) for row in rows.train]
    stats = {"format": rows.format, "rows": rows.rows, "train_rows": len(rows.train), "eval_rows": 0,
             "with_answer": sum(bool(r["answer"]) for r in rows.train), "max_length": config.training.max_length,
             "sample_prompts": conversation_prompts(rows.train)}
    return Prepared(Dataset.from_list(rows.train), None, stats, rows.fingerprint, rows.format)


def make_trainer(config: RunConfig, model: Any, tokenizer: Any, prepared: Prepared, args: dict,
                 **kwargs: Any) -> Any:
    s = config.stage
    # the run's consent to its model's own code covers the reward model TRL loads from its folder (and tokenizer)
    online = dict(args, beta=s.beta, num_generations=s.num_generations,
                  max_completion_length=s.max_completion_length, use_vllm=False,
                  trust_remote_code=config.model.trust_remote_code)
    if config.training.stage == "grpo":
        from trl import GRPOConfig as Config
        from trl import GRPOTrainer as Trainer
    else:
        from trl import RLOOConfig as Config
        from trl import RLOOTrainer as Trainer
    return Trainer(model=model, reward_funcs=reward_functions(s), args=Config(**online),
                   train_dataset=prepared.train, processing_class=tokenizer, **kwargs)
