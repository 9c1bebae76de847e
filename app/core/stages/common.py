"""What every stage shares: loading the model (a causal LM, or one with a sequence-classification head) and the
TrainingArguments every TRL config takes (schedule, precision, checkpoints, evaluation, logging)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..distributed.settings import SHARDED
from ..messages import Text
from .registry import STAGES

if TYPE_CHECKING:
    from ..config import RunConfig


def load_model(config: RunConfig, folder: Path, precision: str, num_labels: int | None = None) -> Any:
    """The base model for the run's stage and method: a causal LM, or (rm, cls) the same weights with a
    classification head of `num_labels` outputs (1 for a reward model)."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM, AutoModelForSequenceClassification

    from ..distributed.ranks import world_size
    from ..methods import METHODS, quantization_config
    from ..training.kernels import gpu_kernels

    compute = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(precision, torch.float32)
    kwargs: dict[str, Any] = {"trust_remote_code": config.model.trust_remote_code}
    if config.method.name == "qlora":
        kwargs["quantization_config"] = quantization_config(config.method, compute)
        kwargs["dtype"] = compute
        if config.distributed.strategy in SHARDED and world_size() > 1 and config.method.bits == 4:
            # QLoRA + FSDP / ZeRO-3: the 4-bit weights are stored in the compute dtype, so they split like the rest
            kwargs["quantization_config"].bnb_4bit_quant_storage = compute
    elif METHODS[config.method.name].half_base and (torch.cuda.is_available() or precision == "bf16"):
        # frozen base in half precision, adapters in fp32 (bf16 compute via autocast): on a CPU too, where an fp32
        # base costs its weights twice over (fp32, and the bf16 copy autocast casts and keeps for the backward)
        kwargs["dtype"] = compute
    else:
        kwargs["dtype"] = torch.float32  # master weights in fp32; bf16/fp16 via autocast (fp16 trains in fp32 on a CPU)
    if torch.cuda.is_available():
        if not (config.distributed.strategy in SHARDED and world_size() > 1):  # FSDP, ZeRO-3 place the parts
            kwargs["device_map"] = {"": torch.cuda.current_device()}  # this rank's GPU (PartialState set it)
        if "attn_implementation" in (found := gpu_kernels(precision)):
            kwargs["attn_implementation"] = found["attn_implementation"]
    if STAGES[config.training.stage].head == "sequence":
        base = AutoConfig.from_pretrained(folder, trust_remote_code=config.model.trust_remote_code)
        # the head scores the last real token of each row, which it finds by the pad token
        pad = base.pad_token_id if base.pad_token_id is not None else base.eos_token_id
        model = AutoModelForSequenceClassification.from_pretrained(folder, num_labels=num_labels or 1,
                                                                   pad_token_id=pad, **kwargs)
    else:
        model = AutoModelForCausalLM.from_pretrained(folder, **kwargs)
    model.config.use_cache = False  # packed / padding-free sequences are only isolated without the cache
    return model


TRACKER_PACKAGES = {"tensorboard": "tensorboard", "wandb": "wandb", "mlflow": "mlflow"}


def tracker(name: str) -> str:
    """`training.report_to` for transformers, once its package is importable: a missing one is a ConfigError with
    the extra to install, not a traceback mid-run; wandb without an API key logs offline (never blocks)."""
    import importlib.util
    import os

    from ..errors import ConfigError

    if name == "none":
        return name
    if importlib.util.find_spec(TRACKER_PACKAGES[name]) is None:
        raise ConfigError([("training.report_to", Text("{name} is not installed", name=name))],
                          Text("pip install 'finetune-studio[{name}]', or set training.report_to to none.", name=name))
    if name == "wandb" and not os.environ.get("WANDB_API_KEY"):
        os.environ.setdefault("WANDB_MODE", "offline")
    return name


def base_args(config: RunConfig, out: Path, precision: str, has_eval: bool) -> dict[str, Any]:
    """TrainingArguments shared by every stage's TRL config; several ranks add their strategy's (FSDP, DeepSpeed)."""
    import torch

    from ..distributed.ranks import world_size
    from ..distributed.strategies import trainer_args
    from ..training.kernels import gpu_kernels

    t, ev = config.training, config.evaluation
    eval_strategy = "no" if not has_eval else ("steps" if ev.eval_steps else "epoch")
    eval_steps, save_steps = ev.eval_steps, t.save_steps
    patience = has_eval and ev.early_stopping_patience
    if patience:  # keeping the best model needs a checkpoint at every evaluation: same steps for both
        eval_strategy, eval_steps = "steps", ev.eval_steps or t.save_steps
        save_steps = eval_steps
    return dict(
        output_dir=str(out), num_train_epochs=t.epochs, max_steps=t.max_steps or -1,
        per_device_train_batch_size=t.batch_size, per_device_eval_batch_size=t.batch_size,
        gradient_accumulation_steps=t.gradient_accumulation, learning_rate=t.learning_rate,
        lr_scheduler_type=t.lr_scheduler, warmup_steps=t.warmup_ratio,  # a float below 1 is a share of the steps
        weight_decay=t.weight_decay,
        max_grad_norm=t.max_grad_norm, seed=t.seed, data_seed=t.seed,
        bf16=precision == "bf16", fp16=precision == "fp16",
        use_cpu=not (torch.cuda.is_available() or torch.backends.mps.is_available()),
        activation_checkpointing=t.gradient_checkpointing,  # transformers 5: gradient_checkpointing is its deprecated alias
        logging_steps=t.logging_steps, logging_first_step=True, report_to=tracker(t.report_to), disable_tqdm=True,
        save_strategy="steps", save_steps=save_steps, save_total_limit=t.save_total_limit,
        eval_strategy=eval_strategy, eval_steps=eval_steps,
        # eval_loss ranks checkpoints: rotation keeps the best; with early stopping it is loaded at the end
        metric_for_best_model="eval_loss" if has_eval else None, greater_is_better=False,
        load_best_model_at_end=bool(patience),
        remove_unused_columns=False, dataloader_num_workers=0, save_only_model=False,
        use_liger_kernel=gpu_kernels(precision).get("use_liger_kernel", False),
    ) | trainer_args(config, precision, world_size(), gpus=torch.cuda.is_available())


def conversation_prompts(rows: list[dict], n: int = 2) -> list[str]:
    """Up to `n` distinct last user messages of the rows' prompts: what the sampler asks at each checkpoint."""
    out: list[str] = []
    for row in rows:
        prompt = row.get("prompt")
        user = next((m["content"] for m in reversed(prompt) if m["role"] == "user"), None) \
            if isinstance(prompt, list) else None
        if user and user not in out:
            out.append(user)
        if len(out) >= n:
            break
    return out


def leave_out_full_prompts(rows: Any, tokenizer: Any, max_length: int, sink: Any) -> None:
    """Drop the rows (a StageRows' train and eval) whose templated prompt leaves no room for an answer in
    `max_length` tokens, with a warning; a DataError when no training row is left. DPO and KTO would drop them
    themselves, ORPO and SimPO would train on an empty answer (a NaN loss), rm would score the prompt alone."""
    from ..errors import DataError

    def fits(row: dict) -> bool:
        return len(tokenizer.apply_chat_template(row["prompt"], add_generation_prompt=True, tokenize=True,
                                                 return_dict=True)["input_ids"]) < max_length

    before = len(rows.train)
    rows.train, rows.eval = [r for r in rows.train if fits(r)], [r for r in rows.eval if fits(r)]
    if len(rows.train) < before and sink is not None:
        sink.emit("warning", message=Text("{dropped} training examples have a prompt of {max_length} tokens or more "
                                          "(with the chat template): no room for an answer, so they were left out.",
                                          dropped=before - len(rows.train), max_length=max_length),
                  hint=Text("Raise training.max_length to keep them."))
    if not rows.train:
        raise DataError(Text("Every training example's prompt fills training.max_length ({max_length} tokens) with "
                             "the chat template.", max_length=max_length),
                        Text("Raise training.max_length, or shorten the prompts."))
