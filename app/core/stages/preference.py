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
from ..errors import DataError
from .common import conversation_prompts
from .registry import STAGES

if TYPE_CHECKING:
    from ..config import RunConfig


def prepare(config: RunConfig, tokenizer: Any, sink: Any, stop: Any) -> Prepared:
    from datasets import Dataset

    from ..data.stage_data import load_stage_rows

    spec = STAGES[config.training.stage]
    rows = load_stage_rows(config.data, spec.formats, spec.title, sink, stop)
    rows.train, dropped = _fitting(rows.train, tokenizer, config.training.max_length)
    rows.eval, _ = _fitting(rows.eval, tokenizer, config.training.max_length)
    if dropped and sink is not None:
        sink.emit("warning", message=f"{dropped} training examples have a prompt of {config.training.max_length} "
                  "tokens or more (with the chat template): no room for an answer, so they were left out.",
                  hint="Raise training.max_length to keep them.")
    if not rows.train:
        raise DataError(f"Every training example's prompt fills training.max_length ({config.training.max_length} "
                        "tokens) with the chat template.", "Raise training.max_length, or shorten the prompts.")
    stats = {"format": rows.format, "rows": rows.rows, "train_rows": len(rows.train), "eval_rows": len(rows.eval),
             "max_length": config.training.max_length,
             "sample_prompts": conversation_prompts(rows.eval + rows.train)}
    if rows.format == "kto":
        good = sum(r["label"] for r in rows.train)
        stats.update(desirable=good, undesirable=len(rows.train) - good)
    return Prepared(Dataset.from_list(rows.train), Dataset.from_list(rows.eval) if rows.eval else None, stats,
                    rows.fingerprint, rows.format)


def _fitting(rows: list[dict], tokenizer: Any, max_length: int) -> tuple[list[dict], int]:
    """The rows whose templated prompt leaves room for an answer, and how many did not. DPO and KTO drop the others
    themselves; ORPO and SimPO would train on an empty answer (a NaN loss)."""
    kept = [r for r in rows if len(tokenizer.apply_chat_template(r["prompt"], add_generation_prompt=True,
                                                                 tokenize=True, return_dict=True)["input_ids"])
            < max_length]
    return kept, len(rows) - len(kept)


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
