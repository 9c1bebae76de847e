"""dpo, orpo, simpo and kto: TRL's preference trainers on conversational rows (data/pairs.py).

dpo: trl.DPOTrainer (loss sigmoid, ipo or hinge). orpo: trl.experimental.orpo.ORPOTrainer. simpo:
trl.experimental.cpo.CPOTrainer with loss_type "simpo" and no behaviour-cloning term (cpo_alpha 0), as the SimPO
paper trains. kto: trl.KTOTrainer on answers labelled good or bad.

DPO and KTO compare with a frozen reference: for an adapter TRL adds a frozen copy of it named "ref" (removed
again before the export, see `finish`); for full and freeze tuning it loads a second copy of the base model.
ORPO and SimPO need no reference.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..data.prepare import Prepared
from .common import conversation_prompts, leave_out_full_prompts
from .registry import STAGES

if TYPE_CHECKING:
    from ..config import RunConfig


def prepare(config: RunConfig, tokenizer: Any, sink: Any, stop: Any) -> Prepared:
    from datasets import Dataset

    from ..data.stage_data import load_stage_rows
    from ..data.templating import char_budget

    spec = STAGES[config.training.stage]
    rows = load_stage_rows(config.data, spec.formats, spec.title, sink, stop,
                           budget=char_budget(tokenizer, config.training.max_length))
    leave_out_full_prompts(rows, tokenizer, config.training.max_length, sink)
    stats = {"format": rows.format, "rows": rows.rows, "train_rows": len(rows.train), "eval_rows": len(rows.eval),
             "max_length": config.training.max_length,
             "sample_prompts": conversation_prompts(rows.eval + rows.train)}
    if config.training.stage in ("orpo", "simpo"):
        stats["truncated"] = sum(any([cut_answer(row, key, tokenizer, config.training.max_length)
                                      for key in ("chosen", "rejected")]) for row in rows.train + rows.eval)
    if rows.format == "kto":
        good = sum(r["label"] for r in rows.train)
        stats.update(desirable=good, undesirable=len(rows.train) - good)
    return Prepared(Dataset.from_list(rows.train), Dataset.from_list(rows.eval) if rows.eval else None, stats,
                    rows.fingerprint, rows.format)


def cut_answer(row: dict, key: str, tokenizer: Any, max_length: int) -> bool:
    """Cut the text of row[key] (a one-answer list) so that the templated prompt + answer, with an end token, fits
    `max_length`; True when it was cut. TRL's ORPOTrainer and CPOTrainer cut a pair that does not fit to max_length
    minus its longer answer's length, which leaves an empty answer (a NaN loss) once that answer alone is longer."""
    message = row[key][-1]
    cut = False
    while (over := len(tokenizer.apply_chat_template(row["prompt"] + row[key], tokenize=True, return_dict=True)[
            "input_ids"]) + 1 - max_length) > 0 and message["content"]:
        ids = tokenizer(message["content"], add_special_tokens=False)["input_ids"]
        message["content"], cut = tokenizer.decode(ids[:max(len(ids) - over, 0)]), True
    return cut


def make_trainer(config: RunConfig, model: Any, tokenizer: Any, prepared: Prepared, args: dict,
                 **kwargs: Any) -> Any:
    s, stage, max_length = config.stage, config.training.stage, config.training.max_length
    if stage == "dpo":
        from trl import DPOConfig, DPOTrainer

        trainer_args, trainer = DPOConfig(**args, beta=s.beta, loss_type=[s.dpo_loss], max_length=max_length), \
            DPOTrainer
    elif stage == "orpo":
        from trl.experimental.orpo import ORPOConfig, ORPOTrainer

        trainer_args, trainer = ORPOConfig(**args, beta=s.beta, max_length=max_length), ORPOTrainer
    elif stage == "simpo":
        from trl.experimental.cpo import CPOConfig, CPOTrainer

        trainer_args, trainer = CPOConfig(**args, loss_type="simpo", cpo_alpha=0.0, beta=s.beta,
                                          simpo_gamma=s.simpo_gamma, max_length=max_length), CPOTrainer
    else:
        from trl import KTOConfig, KTOTrainer

        trainer_args, trainer = KTOConfig(**args, beta=s.beta, desirable_weight=s.kto_desirable_weight,
                                          undesirable_weight=s.kto_undesirable_weight, max_length=max_length), \
            KTOTrainer
    return trainer(model=model, args=trainer_args, train_dataset=prepared.train, eval_dataset=prepared.eval,
                   processing_class=tokenizer, **kwargs)


def finish(trainer: Any) -> None:
    """Drop the frozen reference adapter TRL added, so the exports hold the trained adapter alone."""
    model = trainer.model
    if hasattr(model, "peft_config") and "ref" in model.peft_config:
        model.set_adapter("default")
        model.delete_adapter("ref")
