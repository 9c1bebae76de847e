"""sft and pt: TRL's SFTTrainer on our own tokenised rows (input_ids + labels; -100 where no loss).

sft reads conversations and masks everything but the assistant's answers (data/prepare.py); pt reads raw text
packed into blocks of max_length tokens and learns every token (data/packing.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..config import RunConfig


def prepare(config: RunConfig, tokenizer: Any, sink: Any, stop: Any, tokenised: Any = None) -> Any:
    """`tokenised` (sft): the rows the automatic settings were measured on (auto_settings.resolve), cut to the
    chosen max length instead of read again."""
    if config.training.stage == "pt":
        from ..data.packing import prepare_pt

        return prepare_pt(config.data, tokenizer, config.training.max_length, sink=sink, stop=stop)
    from ..data import prepare_sft

    return prepare_sft(config.data, tokenizer, config.training.max_length, sink=sink, stop=stop, tokenised=tokenised)


def make_trainer(config: RunConfig, model: Any, tokenizer: Any, prepared: Any, args: dict, **kwargs: Any) -> Any:
    import torch
    from trl import SFTConfig

    from ..hardware import resolve_padding_free
    from ..methods.apply import PROMPT_LEARNING
    from ..training.trainer import StudioSFTTrainer

    # Virtual tokens go before each sequence: concatenated (padding-free) batches would hold one prefix for all.
    flash = str(getattr(model.config, "_attn_implementation", "")).startswith("flash")
    padding_free = resolve_padding_free(config.training.padding_free, "cuda" if torch.cuda.is_available() else "cpu",
                                        flash) and config.method.name not in PROMPT_LEARNING
    train = prepared.train
    if not padding_free and config.training.group_by_length and "input_ids" in train.column_names:
        # transformers' LengthGroupedSampler: shuffled megabatches of up to 50 batches, each sorted by length
        args = {**args, "train_sampling_strategy": "group_by_length", "length_column_name": "length"}
        train = train.add_column("length", [len(ids) for ids in train["input_ids"]])
    # loss_type "nll": TRL's own default (1.12: "chunked_nll") patches the model's forward with its chunked loss,
    # which would take the step instead of StudioSFTTrainer's (which covers "nll" only).
    sft_args = SFTConfig(**args, padding_free=padding_free, loss_type="nll",
                         max_length=None if padding_free else config.training.max_length,
                         dataset_kwargs={"skip_prepare_dataset": True},
                         include_num_input_tokens_seen="all" if padding_free else "non_padding")
    return StudioSFTTrainer(model=model, args=sft_args, train_dataset=train, eval_dataset=prepared.eval,
                            processing_class=tokenizer, **kwargs)
