"""Out-of-memory recovery: when a training step runs out of device memory, halve the micro-batch, double the
gradient accumulation (the effective batch stays the same), reload the last checkpoint and go on.

The change is recorded where the GUI and the history look: the run's config (store row and run.yaml) and a
`warning` event that says what happened. `FINETUNE_STUDIO_INJECT_OOM=<step>` raises torch.OutOfMemoryError at the
start of that optimizer step, once per run, so the path can be tested on a machine without a GPU.
"""

from __future__ import annotations

import gc
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..config import RunConfig
from ..messages import Text
from ..runs.context import RunContext

log = logging.getLogger(__name__)

INJECT_ENV = "FINETUNE_STUDIO_INJECT_OOM"


def halved(config: RunConfig) -> RunConfig:
    """The same run with half the micro-batch and twice the accumulation."""
    t = config.training
    training = t.model_copy(update={"batch_size": t.batch_size // 2,
                                    "gradient_accumulation": t.gradient_accumulation * 2})
    return config.model_copy(update={"training": training})


def injected_oom() -> Any:
    """The test hook's callback when FINETUNE_STUDIO_INJECT_OOM is set, else None."""
    step = os.environ.get(INJECT_ENV)
    if not step:
        return None
    import torch
    from transformers import TrainerCallback

    class InjectOOM(TrainerCallback):
        def on_step_begin(self, args, state, control, **kwargs):
            if state.global_step + 1 == int(step):
                raise torch.OutOfMemoryError(f"injected by {INJECT_ENV} at step {step}")

    return InjectOOM()


def train_recovering(train: Callable[[RunConfig, Path | None, list], str], config: RunConfig, ctx: RunContext,
                     checkpoint: Path | None) -> str:
    """`train(config, checkpoint, extra_callbacks)`, again after each out-of-memory error with a halved
    micro-batch from the last checkpoint (or the start), until it ends or the micro-batch is already 1."""
    import torch

    from ..runs.checkpoints import last_checkpoint

    extra = [c for c in (injected_oom(),) if c is not None]
    while True:
        try:
            return train(config, checkpoint, extra)
        except torch.OutOfMemoryError as exc:
            if config.training.batch_size == 1:
                raise
            reason = (str(exc).strip().splitlines() or ["out of memory"])[0]
        extra = []  # the injected error happens once
        gc.collect()  # the failed step's tensors went with the exception
        if torch.cuda.is_available():
            torch.cuda.empty_cache()
        old, config = config.training, halved(config)
        checkpoint = last_checkpoint(ctx.folder)
        config.save(ctx.folder / "run.yaml")
        ctx.store.update_run(ctx.run_id, config=config.to_yaml())
        t = config.training
        where = (Text("its checkpoint at step {step}", step=checkpoint.name.rsplit('-', 1)[-1]) if checkpoint
                 else Text("the start"))
        log.warning("run %s ran out of memory (%s): micro-batch %d -> %d", ctx.run_id, reason, old.batch_size,
                    t.batch_size)
        ctx.sink.emit("warning", message=Text("Out of memory at batch {batch_size}: continuing from {where} "
                                              "with micro-batch {micro_batch} × accumulation "
                                              "{gradient_accumulation} (same effective batch).",
                                              batch_size=old.batch_size, where=where, micro_batch=t.batch_size,
                                              gradient_accumulation=t.gradient_accumulation),
                  hint=Text("The run's config now says training.batch_size {batch_size} and "
                            "training.gradient_accumulation {gradient_accumulation}. ({reason})",
                            batch_size=t.batch_size, gradient_accumulation=t.gradient_accumulation,
                            reason=reason),
                  changes={"training.batch_size": [old.batch_size, t.batch_size],
                           "training.gradient_accumulation": [old.gradient_accumulation, t.gradient_accumulation]})
