"""EventCallback: turns a transformers Trainer's life into protocol events, store rows and graceful stops."""

from __future__ import annotations

import json
import logging
import math
import time
from pathlib import Path
from typing import Any

from transformers import TrainerCallback

from ..distributed import ranks
from ..events import EventSink, StopFlag
from ..messages import Text
from ..store import Store
from . import heap

log = logging.getLogger(__name__)

_TRAIN_KEYS = ("loss", "learning_rate", "grad_norm")
_EVAL_SKIP = ("eval_runtime", "eval_samples_per_second", "eval_steps_per_second")


class EventCallback(TrainerCallback):
    """Reports progress, metrics, checkpoints and samples; asks the trainer to save and stop when `stop` is set."""

    def __init__(self, run_id: str, sink: EventSink, store: Store, stop: StopFlag, sampler: Any = None,
                 info: dict | None = None, metric_keys: tuple[str, ...] = (), perplexity: bool = True):
        """`metric_keys`: the stage's own log keys reported besides loss, learning_rate and grad_norm (e.g. DPO's
        rewards/margins); their eval_ versions come through like every eval_ metric. `perplexity`: eval_loss is a
        language-modelling loss, so eval_perplexity is reported too (not for preference or classification losses)."""
        self.run_id, self.sink, self.store, self.stop, self.sampler = run_id, sink, store, stop, sampler
        self.info = info or {}
        self.train_keys, self.perplexity = _TRAIN_KEYS + tuple(metric_keys), perplexity
        self.stopped_by_user = False
        self.last_loss: float | None = None
        self._t0 = self._last_log_time = time.time()
        self._earlier = 0.0  # seconds trained before this session (a resumed run)
        self._first_step: int | None = None
        self._last_tokens = 0

    # ---- life cycle ----
    def on_train_begin(self, args, state, control, **kwargs):
        self._t0 = self._last_log_time = time.time()
        self._first_step = state.global_step
        self._last_tokens = state.num_input_tokens_seen
        self.store.forget_after(self.run_id, state.global_step)  # resumed: what came after the checkpoint is redone
        self.store.update_run(self.run_id, status="running", total_steps=state.max_steps, started=self._t0)
        self._earlier = float(self.store.get_run(self.run_id).get("earlier_seconds") or 0.0)
        self.sink.emit("started", run_id=self.run_id, total_steps=state.max_steps, start_step=state.global_step,
                       earlier_seconds=round(self._earlier, 2), **self.info)

    def on_step_end(self, args, state, control, **kwargs):
        elapsed = time.time() - self._t0
        done = state.global_step - (self._first_step or 0)
        eta = elapsed / done * (state.max_steps - state.global_step) if done else None  # this session's pace
        self.sink.emit("progress", step=state.global_step, total_steps=state.max_steps,
                       epoch=round(state.epoch or 0.0, 4), elapsed=round(self._earlier + elapsed, 2),
                       eta=round(eta, 1) if eta is not None else None)
        if ranks.agree(self.stop.is_set(), args.device) and not self.stopped_by_user:  # every rank, the same step
            self.stopped_by_user = True
            self.sink.emit("warning", message=Text("Stop requested: saving a checkpoint, then stopping."), hint="")
            control.should_save = True
            control.should_training_stop = True
        return control

    def on_epoch_end(self, args, state, control, **kwargs):
        if self.stopped_by_user:
            control.should_evaluate = False  # a stop should be quick: the epoch-end evaluation can wait
        return control

    def on_log(self, args, state, control, logs=None, **kwargs):
        logs = logs or {}
        metrics = {k: float(v) for k, v in logs.items() if isinstance(v, (int, float))
                   and (k in self.train_keys or (k.startswith("eval_") and k not in _EVAL_SKIP))}
        if "eval_loss" in metrics and self.perplexity:
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
        """The trainer has written the whole checkpoint (trainer state last) and rotated the old ones out."""
        path = Path(args.output_dir) / f"checkpoint-{state.global_step}"
        if state.is_world_process_zero:  # several ranks: rank 0 points at the checkpoint they saved together
            latest = Path(args.output_dir) / "latest"
            tmp = latest.with_suffix(".tmp")
            tmp.write_text(path.name)
            tmp.replace(latest)
        self.store.add_artifact(self.run_id, "checkpoint", path, {"step": state.global_step})
        self.store.forget_missing_checkpoints(self.run_id)
        self.sink.emit("checkpoint", step=state.global_step, path=str(path))
        if self.sampler is not None and not self.stopped_by_user:  # every rank: a split model generates with all
            self.sampler(state.global_step)


class AdaLoraCallback(TrainerCallback):
    """AdaLoRA: re-allocates ranks after every optimizer step (gradients are still there), as peft requires.

    The schedule (total steps, tinit, tfinal) is set to the trainer's own step count when training starts, so the
    estimate made before the trainer existed never leaves AdaLoRA pruning on the wrong steps.
    """

    def __init__(self, model: Any, schedule: Any):
        self.model, self.schedule = model, schedule  # schedule: total_steps -> {total_step, tinit, tfinal, ...}
        self.calls = 0

    def on_train_begin(self, args, state, control, **kwargs):
        config = self.model.peft_config["default"]
        for key, value in self.schedule(state.max_steps).items():
            setattr(config, key, value)

    def on_optimizer_step(self, args, state, control, **kwargs):
        self.model.base_model.update_and_allocate(state.global_step)
        self.calls += 1


class BestCheckpointCallback(TrainerCallback):
    """Marks the saved checkpoint with the lowest eval_loss: artifact property "best", run fields best_step,
    best_eval_loss and best_checkpoint, and an `artifact` event; says so when early stopping ended the run.

    Runs after EventCallback (which records the checkpoint artifact when it is saved). Only checkpoints saved at an
    evaluated step can be marked; the evaluation of a step comes before its save.
    """

    def __init__(self, run_id: str, sink: EventSink, store: Store, early_stopping: Any = None):
        self.run_id, self.sink, self.store, self.early_stopping = run_id, sink, store, early_stopping
        self.evals: dict[int, float] = {}
        self.saved: dict[int, Path] = {}
        self.best_step: int | None = None  # of the marked checkpoint

    def on_train_begin(self, args, state, control, **kwargs):
        # a resumed run: what its first part evaluated and saved still counts
        self.evals = {int(s): v for s, v in self.store.metric_series(self.run_id).get("eval_loss", [])}
        self.saved = {int(a["properties"]["step"]): Path(a["path"]) for a in self.store.artifacts(
            self.run_id, "checkpoint") if "step" in a["properties"] and Path(a["path"]).is_dir()}
        self.best_step = self.store.get_run(self.run_id).get("best_step")

    def on_evaluate(self, args, state, control, metrics=None, **kwargs):
        loss = (metrics or {}).get("eval_loss")
        if loss is not None and math.isfinite(loss):
            self.evals[state.global_step] = float(loss)
            self._update()

    def on_save(self, args, state, control, **kwargs):
        self.saved[state.global_step] = Path(args.output_dir) / f"checkpoint-{state.global_step}"
        self._update()

    def on_train_end(self, args, state, control, **kwargs):
        early = self.early_stopping
        if early is not None and state.global_step < state.max_steps and \
                early.early_stopping_patience_counter >= early.early_stopping_patience:
            best = (f"step {self.best_step} (eval_loss {self.evals[self.best_step]:.4f})"
                    if self.best_step in self.evals else "none")
            self.sink.emit("warning", message=Text("Stopped early at step {global_step} of {max_steps}: "
                                                   "eval_loss did not improve for {early_stopping_patience} "
                                                   "evaluation(s).",
                                                   global_step=state.global_step, max_steps=state.max_steps,
                                                   early_stopping_patience=early.early_stopping_patience),
                           hint=Text("Best checkpoint: {best}; the saved model and its exports use it.",
                                     best=best))
            self.store.update_run(self.run_id, stopped_early_at=state.global_step)

    def _update(self) -> None:
        scored = [(self.evals[step], step) for step in self.saved if step in self.evals]
        if not scored:
            return
        loss, step = min(scored)  # ties: the earlier step, as transformers' best-model tracking does
        if step == self.best_step:
            return
        self.best_step = step
        table = self.store.db["artifacts"]
        for row in self.store.artifacts(self.run_id, "checkpoint"):
            props = row["properties"]
            best = props.get("step") == step
            if bool(props.get("best")) != best:
                props = {**props, "best": True} if best else {k: v for k, v in props.items() if k != "best"}
                table.update(row["id"], {"properties": json.dumps(props)})
        path = self.saved[step]
        self.store.update_run(self.run_id, best_step=step, best_eval_loss=loss, best_checkpoint=str(path))
        size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) if path.is_dir() else 0
        self.sink.emit("artifact", kind="checkpoint", path=str(path), bytes=size,
                       properties={"step": step, "best": True, "eval_loss": loss})


class HeapTrimCallback(TrainerCallback):
    """Trims the heap after an optimizer step when the process holds more than `slack` above what it held after the
    first `warmup` steps (its working set), at most once every `every` steps; and after every evaluation.

    Trimming every step keeps the heap flattest, but then each step faults its working set in afresh (the cost that
    makes `lean_memory` slow, about 2× the seconds per step on the demo model); at most one trim in `every` steps
    costs at most one such step in `every`. Each trim gives back what the process held beyond its live memory (1.5–1.7
    GiB on the demo model), but the steps after it take much of it back: it lowers what a long run holds between its
    busiest steps, not the peak (bench/README.md "Heap"). The reference never rises: raising it after a trim let the
    heap climb on (+11 MiB a step).
    """

    def __init__(self, slack: float = 0.15, warmup: int = 5, every: int = 10):
        self.slack, self.warmup, self.every = slack, warmup, every
        self.reference = 0
        self.seen = 0
        self.trims: list[int] = []  # the steps after which the heap was trimmed

    def on_train_begin(self, args, state, control, **kwargs):
        self.reference, self.seen = 0, 0  # a resumed run measures its working set again

    def on_step_end(self, args, state, control, **kwargs):
        held = heap.resident_bytes()
        self.seen += 1
        if self.seen <= self.warmup:
            self.reference = max(self.reference, held)
            return
        if held <= self.reference * (1 + self.slack):
            return
        if self.trims and state.global_step - self.trims[-1] < self.every:
            return
        if heap.trim_heap():
            self.trims.append(state.global_step)

    def on_evaluate(self, args, state, control, **kwargs):
        heap.trim_heap()


class LayerCheckpointing(TrainerCallback):
    """Gradient checkpointing on the first `layers` decoder layers only (training.checkpoint_layers). The Trainer turns
    it on for every layer as training begins (each transformers GradientCheckpointingLayer's `gradient_checkpointing`);
    this turns it off again on the layers after the first `layers`, which then keep their activations and run once.
    The first ones, not ones spread out: the backward reaches them last, after the other layers' saved tensors are
    freed, so their recomputation never adds to the peak (hardware.estimate_memory)."""

    def __init__(self, layers: int):
        self.layers = layers

    def on_train_begin(self, args, state, control, model=None, **kwargs):
        checkpoint_first_layers(model, self.layers)


def checkpoint_first_layers(model: Any, layers: int) -> int:
    """Keep gradient checkpointing on the model's first `layers` decoder layers and turn it off on the rest; returns
    how many layers checkpoint now."""
    from transformers.modeling_layers import GradientCheckpointingLayer

    blocks = [m for m in model.modules() if isinstance(m, GradientCheckpointingLayer)]
    for index, block in enumerate(blocks):
        block.gradient_checkpointing = block.gradient_checkpointing and index < layers
    return sum(block.gradient_checkpointing for block in blocks)
