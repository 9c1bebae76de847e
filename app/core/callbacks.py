"""EventCallback: turns a transformers Trainer's life into protocol events, store rows and graceful stops."""

from __future__ import annotations

import logging
import math
import time
from pathlib import Path
from typing import Any

from transformers import TrainerCallback

from .events import EventSink, StopFlag
from .store import Store

log = logging.getLogger(__name__)

_TRAIN_KEYS = ("loss", "learning_rate", "grad_norm")
_EVAL_SKIP = ("eval_runtime", "eval_samples_per_second", "eval_steps_per_second")


class EventCallback(TrainerCallback):
    """Reports progress, metrics, checkpoints and samples; asks the trainer to save and stop when `stop` is set."""

    def __init__(self, run_id: str, sink: EventSink, store: Store, stop: StopFlag, sampler: Any = None,
                 info: dict | None = None):
        self.run_id, self.sink, self.store, self.stop, self.sampler = run_id, sink, store, stop, sampler
        self.info = info or {}
        self.stopped_by_user = False
        self.last_loss: float | None = None
        self._t0 = self._last_log_time = time.time()
        self._first_step: int | None = None
        self._last_tokens = 0

    # ---- life cycle ----
    def on_train_begin(self, args, state, control, **kwargs):
        self._t0 = self._last_log_time = time.time()
        self._first_step = state.global_step
        self._last_tokens = state.num_input_tokens_seen
        self.store.update_run(self.run_id, status="running", total_steps=state.max_steps, started=self._t0)
        self.sink.emit("started", run_id=self.run_id, total_steps=state.max_steps, start_step=state.global_step,
                       **self.info)

    def on_step_end(self, args, state, control, **kwargs):
        elapsed = time.time() - self._t0
        done = state.global_step - (self._first_step or 0)
        eta = elapsed / done * (state.max_steps - state.global_step) if done else None
        self.sink.emit("progress", step=state.global_step, total_steps=state.max_steps,
                       epoch=round(state.epoch or 0.0, 4), elapsed=round(elapsed, 2),
                       eta=round(eta, 1) if eta is not None else None)
        if self.stop.is_set() and not self.stopped_by_user:
            self.stopped_by_user = True
            self.sink.emit("warning", message="Stop requested: saving a checkpoint, then stopping.", hint="")
            control.should_save = True
            control.should_training_stop = True
        return control

    def on_log(self, args, state, control, logs=None, **kwargs):
        logs = logs or {}
        metrics = {k: float(v) for k, v in logs.items() if isinstance(v, (int, float))
                   and (k in _TRAIN_KEYS or (k.startswith("eval_") and k not in _EVAL_SKIP))}
        if "eval_loss" in metrics:
            metrics["eval_perplexity"] = math.exp(min(metrics["eval_loss"], 50.0))
        if "loss" in metrics:
            now = time.time()
            tokens = state.num_input_tokens_seen
            if now > self._last_log_time and tokens > self._last_tokens:
                metrics["tokens_per_second"] = (tokens - self._last_tokens) / (now - self._last_log_time)
            self._last_log_time, self._last_tokens = now, tokens
            self.last_loss = metrics["loss"]
        if not metrics:
            return
        epoch = round(state.epoch or 0.0, 4)
        self.store.add_metrics(self.run_id, state.global_step, metrics, epoch=epoch)
        self.store.update_run(self.run_id, last_step=state.global_step,
                              **({"final_loss": self.last_loss} if self.last_loss is not None else {}))
        self.sink.emit("metrics", step=state.global_step, epoch=epoch, metrics=metrics)

    def on_save(self, args, state, control, **kwargs):
        path = Path(args.output_dir) / f"checkpoint-{state.global_step}"
        latest = Path(args.output_dir) / "latest"
        tmp = latest.with_suffix(".tmp")
        tmp.write_text(path.name)
        tmp.replace(latest)
        self.store.add_artifact(self.run_id, "checkpoint", path, {"step": state.global_step})
        self.sink.emit("checkpoint", step=state.global_step, path=str(path))
        if self.sampler is not None and not self.stopped_by_user:
            self.sampler(state.global_step)
