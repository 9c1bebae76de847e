"""The training engine: `run(config, sink, stop)` = prepare data → load model → apply method → train → save → report.

The loop is the stage's TRL trainer (stages/: SFT, PT, DPO, ORPO, SimPO, KTO, RM, GRPO, RLOO; transformers' Trainer for
CLS); we add data preparation, the method, the EventCallback, the run store and the export. Heavy imports happen
inside functions so that importing this module stays cheap.
"""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import math
import os
import platform
import shutil
import sqlite3
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from ..config import RunConfig, parse_config
from ..diskfull import is_disk_full, run_disk_full
from ..distributed import ranks
from ..distributed.launch import check_world_size
from ..distributed.settings import SHARDED
from ..distributed.strategies import unused_parameters
from ..errors import Cancelled, ConfigError, DataError, ExportError, ModelError, StudioError
from ..events import EventSink, StopFlag
from ..hardware import checkpointed_layers, return_freed_memory
from ..messages import Term, Text
from ..paths import run_dir
from ..runs.checkpoints import last_checkpoint, partial_checkpoints
from ..runs.context import RunContext
from ..store import ACTIVE_STATUSES, Store, new_run_id, pid_alive, run_seconds, unwritable
from . import heap
from .recovery import train_recovering

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

log = logging.getLogger(__name__)


@dataclass
class RunResult:
    run_id: str
    status: str
    error: str | None = None
    hint: str | None = None


def library_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for pkg in ("torch", "transformers", "peft", "trl", "datasets", "accelerate", "bitsandbytes"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            pass
    return out


def _device_and_precision(config: RunConfig, sink: EventSink) -> tuple[str, str]:
    """The device's label and the precision the run computes in (hardware.resolve_precision); a method the device
    cannot run is refused before any model is loaded."""
    from ..hardware import resolve_precision, torch_device

    info = torch_device()
    if info.kind == "mps" and config.method.name == "qlora":
        raise ConfigError([("method.name", Text("QLoRA quantises the base with bitsandbytes, whose 4/8-bit "
                                                "kernels do not run on Apple's GPU (mps)"))],
                          Text("Choose LoRA (or DoRA): the base stays in full precision, the adapters are "
                               "the same."))
    precision = resolve_precision(config.training.precision, info)
    if config.training.precision == "fp16" and precision != "fp16":
        sink.emit("warning", message=Text("fp16 mixed precision needs a GPU: this run trains in fp32 on the "
                                          "CPU."),
                  hint=Text("Set training.precision to auto (bf16 where the CPU has it, else fp32)."))
    return (f"cuda ({info.name})" if info.kind == "cuda" else info.name), precision


def _make_sampler(config: RunConfig, model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, prompts: list[str],
                  ctx: RunContext):
    if not prompts:
        return None

    def sample(step: int) -> None:
        import torch

        was_training = model.training
        model.eval()
        for prompt in prompts:
            messages = [{"role": "user", "content": prompt}]
            enc = tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt",
                                                return_dict=True).to(model.device)
            with torch.no_grad():
                out = model.generate(**enc, max_new_tokens=config.evaluation.sample_max_new_tokens,
                                     do_sample=False, use_cache=True, pad_token_id=tokenizer.pad_token_id)
            text = tokenizer.decode(out[0, enc["input_ids"].shape[1]:], skip_special_tokens=True).strip()
            ctx.store.add_sample(ctx.run_id, step, prompt, text)
            ctx.sink.emit("sample", step=step, prompt=prompt, output=text)
        if was_training:
            model.train()

    return sample


def _sample_prompts(config: RunConfig, prepared: Any) -> list[str]:
    if config.evaluation.sample_prompts is not None:
        return list(config.evaluation.sample_prompts)
    return list(prepared.stats.get("sample_prompts", []))[:2]


def refuse_unresumable(stage: str) -> None:
    """StudioError for a stage whose trainer cannot continue from a checkpoint (resume and extend)."""
    from ..stages import STAGES

    if STAGES[stage].not_resumable:
        raise StudioError(STAGES[stage].not_resumable, Text("Start it again as a new run (clone its config)."))


def run(config: RunConfig, sink: EventSink, stop: StopFlag | None = None, *, run_id: str | None = None,
        resume: str | None = None, store: Store | None = None, callbacks: list | None = None) -> RunResult:
    """Train one run from start to finish (or resume one). Always ends with a `finished` event. `callbacks`:
    transformers TrainerCallbacks added to the trainer's own (the tests watch the state a resume restores).
    One rank of several (distributed/ranks.py): rank 0 alone writes the store, the events and the run's files."""
    steady = heap.steady_heap()  # first: before the process compiles a bf16 kernel
    log.info("heap settings applied: %s", ", ".join(steady) or "none (the environment sets them)")
    if config is not None and config.distributed.world_size > 1 and not ranks.launched():
        raise StudioError(Text("This run trains on {world_size} processes, which a launcher starts; here it "
                               "would train on one.", world_size=config.distributed.world_size),
                          Text("Start it with finetune-studio train, queue run, extend or tune (or the app's "
                               "Start or Run queue): they launch its processes (distributed/launch.py "
                               "`train`)."))
    store = store or Store()
    main = ranks.is_main()
    if not main:
        sink, store = ranks.SilentSink(), ranks.ReadOnlyStore(store)
    stop = stop or StopFlag()
    checkpoint = None
    if resume:
        row = store.get_run(resume)
        run_id = row["id"]
        if row["status"] == "completed":
            raise StudioError(Text("Run {run_id} has already completed.", run_id=run_id),
                              Text("Clone its config (Runs page, or copy its run.yaml) and raise epochs or "
                                   "max_steps."))
        # (its own launcher's pid: rank 0 of this launch marked it running before this rank read it)
        if row["status"] in ACTIVE_STATUSES and pid_alive(row.get("pid")) and row.get("pid") != ranks.owner_pid():
            raise StudioError(Text("Run {run_id} is still running (process {pid}).",
                                   run_id=run_id, pid=row['pid']),
                              Text("Stop it first, or wait for it to finish."))
        check_world_size(row, ranks.world_size())
        config = parse_config(yaml.safe_load(row["config"]))
        refuse_unresumable(config.training.stage)
        checkpoint = last_checkpoint(run_dir(run_id))
        partial = partial_checkpoints(run_dir(run_id))
        if checkpoint is None:
            said = (Text("Run {run_id} has no complete checkpoint to resume from: {partial} was being written "
                         "when it stopped.", run_id=run_id, partial=", ".join(p.name for p in partial)) if partial
                    else Text("Run {run_id} has no complete checkpoint to resume from.", run_id=run_id))
            raise StudioError(said,
                              Text("Start it again as a new run (clone its config)."))
        for path in partial if main else ():  # nothing continues from them; the trainer writes those steps again
            shutil.rmtree(path, ignore_errors=True)
        store.update_run(run_id, status="running", error=None, hint=None, finished=None, pid=ranks.owner_pid(),
                         earlier_seconds=run_seconds(row) or 0.0)  # its duration goes on from there
    else:
        run_id = run_id or new_run_id()
    folder = run_dir(run_id)
    folder.mkdir(parents=True, exist_ok=True)
    if not resume:
        if main:
            config.save(folder / "run.yaml")
        store.create_run(run_id, name=config.name or run_id, config_yaml=config.to_yaml(), model=config.model.source,
                         method=config.method.name, stage=config.training.stage, versions=json.dumps(library_versions()),
                         world_size=ranks.world_size(), pid=ranks.owner_pid())
    ctx = RunContext(run_id, folder, sink, store, stop, name="model")
    try:
        status = train_recovering(lambda cfg, ckpt, extra: _train(cfg, ctx, ckpt, [*(callbacks or []), *extra]),
                                  config, ctx, checkpoint)  # out of memory: halves the batch
        store.update_run(run_id, status=status, finished=time.time())
        sink.emit("finished", run_id=run_id, status=status, error=None, hint=None)
        return RunResult(run_id, status)
    except Cancelled:
        store.update_run(run_id, status="cancelled", finished=time.time())
        sink.emit("finished", run_id=run_id, status="cancelled", error=None, hint=None)
        return RunResult(run_id, "cancelled")
    except (DataError, ModelError) as exc:  # the data or the model was refused: the run did not fail, it never ran
        return _fail(run_id, exc.message, exc.hint, sink, store, status="rejected")
    except StudioError as exc:
        if is_disk_full(exc, folder):  # the run's own export filled the disk: the run's words, not an export's
            return _disk_full(run_id, config, folder, sink, store)
        return _fail(run_id, exc.message, exc.hint, sink, store)
    except Exception as exc:  # the run must end with a last word, whatever happened
        if not is_disk_full(exc, folder):
            log.error("run %s failed:\n%s", run_id, traceback.format_exc())
            message, hint = _explain(exc)
            return _fail(run_id, message, hint, sink, store)
        log.debug("run %s: the disk is full:\n%s", run_id, traceback.format_exc())  # the message says it all
        return _disk_full(run_id, config, folder, sink, store)


def _disk_full(run_id: str, config: RunConfig, folder: Path, sink: EventSink, store: Store) -> RunResult:
    """A full disk's last word: how much to free on which disk, and from which step to resume."""
    for path in partial_checkpoints(folder):  # half-written: free their space for the next try
        shutil.rmtree(path, ignore_errors=True)
    targets = {kind for kind in ("adapter", "merged") if getattr(config.export, kind)}
    message, hint = run_disk_full(store.get_run(run_id), targets, config.export.dtype, folder, last_checkpoint(folder))
    return _fail(run_id, message, hint, sink, store)


def _explain(exc: Exception) -> tuple[str, str]:
    text = f"{exc.__class__.__name__}: {exc}"
    if "out of memory" in str(exc).lower() or isinstance(exc, MemoryError):
        return ("The device ran out of memory: " + text,
                "Lower training.batch_size or training.max_length, turn on gradient checkpointing, or use QLoRA.")
    return text, "See the run's log (logs/worker.log in the run folder) for the full traceback."


def _fail(run_id: str, message: str, hint: str, sink: EventSink, store: Store, status: str = "failed") -> RunResult:
    """Record and announce the failure; a store or events file that cannot be written (a full disk) does not keep
    the `finished` event from the worker's stream (the next command's reaping marks the row failed). One rank of
    several records its error for the others; the run ends with the earliest (the others' came from losing it)."""
    if status == "failed" and ranks.world_size() > 1:
        ranks.record_error(run_dir(run_id), message, hint)
        first = ranks.first_error(run_dir(run_id))
        if first is not None and first["rank"] != ranks.rank():
            message, hint = (Text("Process {rank}: {message}", rank=first["rank"], message=first["message"]),
                             first.get("hint"))
    try:
        store.update_run(run_id, status=status, error=message, hint=hint, finished=time.time())
    except sqlite3.OperationalError as exc:
        if not unwritable(exc):
            raise
        log.error("run %s: could not record its end in the store: %s", run_id, exc)
    try:
        sink.emit("finished", run_id=run_id, status=status, error=message, hint=hint)
    except OSError as exc:  # the events file; the stream and the other sinks had the event first (TeeSink)
        log.error("run %s: could not append the finished event: %s", run_id, exc)
    return RunResult(run_id, status, message, hint)


def _plan(config: RunConfig, info: Any, lengths: list[int] | None, precision: str,
          ctx: RunContext, settings: list | None = None) -> tuple[RunConfig, dict]:
    """The memory planner's word on the run: refuse a CPU run that would run out of RAM (or its budget), decide "auto"
    gradient checkpointing (how many layers: recorded in the stored config, as an automatic choice with its reason
    beside `settings`, the ones chosen from the data, and said as a warning event when turned on) and lean memory
    (freed memory returned to the system at once from here on), and estimate the seconds per step from the device's
    measured throughput. Returns the decided config and the `started` event's estimates and settings."""
    from ..auto_settings import Choice
    from ..hardware import detect_device, plan_run
    from ..step_time import device_throughput, step_seconds

    device = detect_device()
    # FSDP checkpoints with its own wrapper, all layers or none (distributed/strategies.py)
    fsdp = ranks.world_size() > 1 and config.distributed.strategy == "fsdp" and device.kind == "cuda"
    plan = plan_run(config, info, lengths, device, layerwise=not fsdp)  # one that would run out of RAM: refused
    layers = checkpointed_layers(plan.config.training, info.num_layers)
    settings = list(settings or [])
    if plan.reason:  # "auto" checkpointing decided
        settings.append(Choice("training", "checkpoint_layers", layers, plan.reason))
        ctx.store.update_run(ctx.run_id, auto_settings=json.dumps([choice.to_dict() for choice in settings]))
    if plan.config != config:  # "auto" settings decided: the stored config says what runs
        config = plan.config
        if ranks.is_main():
            config.save(ctx.folder / "run.yaml")
        ctx.store.update_run(ctx.run_id, config=config.to_yaml())
    if config.training.lean_memory is True:
        return_freed_memory()
    if plan.decision:
        ctx.warn(plan.decision, Text("Set training.gradient_checkpointing to true or false to choose yourself."))
    seconds = step_seconds(info, config.method, config.training, layers / info.num_layers,
                           device_throughput(device, precision))
    return config, {"memory_estimate": plan.memory["total"], "step_seconds_estimate": round(seconds, 2),
                    "settings": [choice.to_dict() for choice in settings]}


def _choose_settings(config: RunConfig, tokenizer: PreTrainedTokenizerBase, model_folder: Path,
                     ctx: RunContext) -> tuple[RunConfig, list, Any]:
    """The settings the config leaves to the data and the model (auto_settings.py), chosen: the stored config says
    what runs, and the run's record keeps each choice and its reason (`auto_settings`, and the `started` event).
    Also the rows they were measured on, tokenised (sft; else None), for the data preparation."""
    from ..auto_settings import resolve
    from ..models import describe_model

    if not config.training.auto and not config.method.auto:
        return config, [], None
    ctx.phase(Text("Choosing settings from the data"), 0, 0)
    info = describe_model(str(model_folder), trust_remote_code=config.model.trust_remote_code)
    config, choices, tokenised = resolve(config, tokenizer, info.num_parameters, info.context_length, ctx.stop,
                                         ranks.world_size(), ctx.sink)
    if ranks.is_main():
        config.save(ctx.folder / "run.yaml")
    ctx.store.update_run(ctx.run_id, config=config.to_yaml(),
                         auto_settings=json.dumps([choice.to_dict() for choice in choices]))
    return config, choices, tokenised


def _train(config: RunConfig, ctx: RunContext, checkpoint: Path | None, extra_callbacks: list | None = None) -> str:
    """Train, then export (rank 0, a model not split across processes). What only training needed (the trainer, its
    callbacks and sampler, the optimizer) is gone once `_fit` returns: the exports get the trained model as its one
    reference, and let it go before their checks reload a model from disk (export.weights.Trained)."""
    status, config, tokenizer, trained = _fit(config, ctx, checkpoint, extra_callbacks)
    if trained is None:
        return status
    try:
        _save_outputs(config, ctx, trained, tokenizer)
    except ExportError as exc:
        if is_disk_full(exc, ctx.folder):
            raise
        # an export's hint ("export again") is not the run's: its training is done and checkpointed
        raise ExportError(Text("The training finished, but saving its result failed: {message}",
                               message=exc.message),
                          Text("The run's checkpoints are kept: resume it to save the result again (Runs ▸ "
                               "Resume, or finetune-studio train --resume {run_id}). If it fails the same "
                               "way, report it with the run's log (logs/worker.log in its folder).",
                               run_id=ctx.run_id)) from exc
    return status


def _fit(config: RunConfig, ctx: RunContext, checkpoint: Path | None,
         extra_callbacks: list | None) -> tuple[str, RunConfig, PreTrainedTokenizerBase, Any]:
    """Prepare, load, train: the status, the config as the run settled it, the tokenizer, and the trained model to
    export (an export.weights.Trained; None where this process exports nothing: cancelled, not rank 0, split)."""
    from accelerate.utils import extract_model_from_parallel
    from transformers import PrinterCallback, set_seed

    from ..data import ensure_chat_template
    from ..export.weights import Trained
    from ..methods import (
        adalora_schedule,
        apply_method,
        count_parameters,
        loraplus_optimizer,
        resolve_adapter,
        save_initial_adapter,
    )
    from ..models import describe_model, load_tokenizer, model_dir
    from ..stages import STAGES, stage_module
    from ..stages.common import base_args, load_model
    from .callbacks import (
        AdaLoraCallback,
        BestCheckpointCallback,
        EventCallback,
        HeapTrimCallback,
        LayerCheckpointing,
    )

    run_id, folder, sink, store = ctx.run_id, ctx.folder, ctx.sink, ctx.store
    spec, stage = STAGES[config.training.stage], stage_module(config.training.stage)
    with _main_process_first():  # a model converted and data tokenised once, then read from the caches
        model_folder = model_dir(config.model.source, config.model.revision, ctx.phase)
        ctx.check_stop()
        tokenizer = load_tokenizer(str(model_folder), trust_remote_code=config.model.trust_remote_code)
        if not ensure_chat_template(tokenizer):
            ctx.warn(Text("The model has no chat template; using a ChatML fallback."),
                     Text("Exports will carry this template, so chat clients render prompts the same way."))
        config, settings, tokenised = _choose_settings(config, tokenizer, model_folder, ctx)
        # every rank: the same split and fingerprint; the rows the settings were measured on are not read again
        prepared = stage.prepare(config, tokenizer, sink, ctx.stop) if tokenised is None else \
            stage.prepare(config, tokenizer, sink, ctx.stop, tokenised)
    store.update_run(run_id, dataset_fingerprint=prepared.fingerprint, dataset_rows=prepared.stats.get("rows"))
    if ranks.world_size() > 1:  # each rank prepared the data alone: the same split, or the ranks train different runs
        log.info("rank %d of %d: data fingerprint %s, %d training rows", ranks.rank(), ranks.world_size(),
                 prepared.fingerprint, len(prepared.train))
    if prepared.stats.get("truncated"):
        ctx.warn(Text("{truncated} examples are longer than max_length ({max_length} tokens) and were "
                      "truncated.",
                      truncated=prepared.stats['truncated'], max_length=config.training.max_length),
                 Text("Raise training.max_length if the ends of those answers matter."))
    ctx.check_stop()

    device, precision = _device_and_precision(config, sink)
    lengths = [len(ids) for ids in prepared.train["input_ids"]] if "input_ids" in prepared.train.column_names else None
    info = describe_model(str(model_folder), trust_remote_code=config.model.trust_remote_code)
    config, planned = _plan(config, info, lengths, precision, ctx, settings)
    ctx.phase(Text("Loading the model"), 0, 1)
    init_adapter = resolve_adapter(config.method.init_adapter, store, run_id) if config.method.init_adapter else None
    set_seed(config.training.seed)  # a new adapter's or head's weights: the same config trains the same model
    model = apply_method(load_model(config, model_folder, precision, prepared.stats.get("num_labels")),
                         config.method, config.training.gradient_checkpointing,
                         total_steps=_total_steps(config, len(prepared.train)),
                         task="SEQ_CLS" if spec.head == "sequence" else "CAUSAL_LM", init_adapter=init_adapter)
    if config.method.name in ("pissa", "olora") and ranks.is_main():
        save_initial_adapter(model, folder / "initial-adapter")  # to convert the result for the original base
    trainable, total = count_parameters(model)
    ctx.check_stop()

    has_eval = prepared.eval is not None
    args = base_args(config, folder / "checkpoints", precision, has_eval) | {
        "ddp_find_unused_parameters": unused_parameters(model.config)}
    sampler = _make_sampler(config, model, tokenizer, _sample_prompts(config, prepared), ctx) \
        if spec.head == "causal" else None
    callback = EventCallback(run_id, sink, store, ctx.stop, sampler, info={
        "run_dir": str(folder), "trainable_params": trainable, "total_params": total, "device": device,
        "precision": precision, "dataset": prepared.stats, "stage": spec.name, **planned}, metric_keys=spec.metrics,
        perplexity=spec.name in ("pt", "sft"))
    store.update_run(run_id, device=device, trainable_params=trainable, total_params=total)
    callbacks: list[Any] = [callback, HeapTrimCallback(), *(extra_callbacks or [])]
    early = _early_stopping(config, args["save_steps"], has_eval, sink)
    if has_eval:  # after EventCallback, which records the checkpoints it marks (rank 0 marks the best)
        best = BestCheckpointCallback(run_id, sink, store, early) if ranks.is_main() else None
        callbacks += [c for c in (early, best) if c is not None]
    if config.method.name == "adalora":
        callbacks.append(AdaLoraCallback(model, lambda steps: adalora_schedule(config.method, steps)))
    if args["activation_checkpointing"] and (layers := checkpointed_layers(config.training, info.num_layers)) < \
            info.num_layers:  # the Trainer's checkpointing (not FSDP's), on some of the layers
        callbacks.append(LayerCheckpointing(layers))
    trained = {p: p.dtype for p in model.parameters() if p.requires_grad}
    trainer = stage.make_trainer(config, model, tokenizer, prepared, args, callbacks=callbacks,
                                 optimizers=(loraplus_optimizer(model, config.method, config.training), None))
    # TRL's trainers (1.12) cast a quantised model's trainable weights to bf16 whatever the precision: on a CPU
    # without bf16 every adapter product would be emulated and AdamW would update bf16 weights. Keep PEFT's fp32
    # adapters (bf16 compute on a GPU comes from autocast), which our fused LoRA linears and the planner expect.
    for param, dtype in trained.items():
        if param.dtype != dtype:
            param.data = param.data.to(dtype)
    trainer.remove_callback(PrinterCallback)  # it prints log dicts to stdout; our events carry the metrics
    applied = _strategy(trainer, config)
    callback.info.update(world_size=ranks.world_size(), strategy=applied)
    store.update_run(run_id, world_size=ranks.world_size(), strategy=applied)
    if ranks.world_size() > 1 and applied != config.distributed.strategy:
        ctx.warn(Text("This run trains with ddp, not {strategy}: accelerate splits a model (FSDP, DeepSpeed "
                      "ZeRO) across GPU processes only, so each CPU process holds the whole model.",
                      strategy=config.distributed.strategy),
                 Text("Set distributed.strategy to ddp to say so, or run on GPUs to split the model."))
    _check_dropped(config, len(prepared.train), len(trainer.train_dataset), sink)
    trainer.train(resume_from_checkpoint=str(checkpoint) if checkpoint else None)
    if callback.stopped_by_user:
        return "cancelled", config, tokenizer, None
    if has_eval and not any("eval_loss" in h for h in trainer.state.log_history):
        trainer.evaluate()
    if hasattr(stage, "finish"):
        stage.finish(trainer)
    if not ranks.is_main():
        return "completed", config, tokenizer, None
    if applied in SHARDED:
        ctx.warn(Text("The run trained with {applied}: each process holds a part of the model, so the "
                      "adapter and merged model are exported from its final checkpoint, not in the run.",
                      applied=applied),
                 Text("finetune-studio export {run_id} --checkpoint final", run_id=ctx.run_id))
        return "completed", config, tokenizer, None
    _release_training_state(trainer)
    # accelerate left the model's forward under the run's autocast (bf16/fp16 over fp32 weights): exports and their
    # parity checks compute the weights as they are, in the dtype they are held in (parity.py)
    return "completed", config, tokenizer, Trained(extract_model_from_parallel(trainer.model,
                                                                               keep_fp32_wrapper=False))


def _release_training_state(trainer: Any) -> None:
    """Let go of what only training needed, before the exports: AdamW's states (8 bytes a trained weight: 1 GiB for
    a full fine-tune of the demo model), the scheduler, the gradients; the freed heap goes back to the system. The
    final checkpoint on disk keeps them for a resume. (The trainer itself goes when `_fit` returns.)"""
    from .heap import trim_heap

    trainer.accelerator.free_memory()
    trainer.optimizer, trainer.lr_scheduler = None, None
    trainer.callback_handler.optimizer, trainer.callback_handler.lr_scheduler = None, None
    trainer.model.zero_grad(set_to_none=True)
    gc.collect()
    trim_heap()


def _strategy(trainer: Any, config: RunConfig) -> str:
    """How the processes share the model, as the trainer set it up (what the run's record shows)."""
    if getattr(trainer, "is_fsdp_enabled", False) or getattr(trainer, "is_deepspeed_enabled", False):
        return config.distributed.strategy
    return "ddp" if ranks.world_size() > 1 else "single process"


@contextlib.contextmanager
def _main_process_first():
    """Several ranks: start the process group (gloo on a CPU, NCCL on GPUs: each rank on its own GPU from here on)
    and let rank 0 through first, the others after it; one process alone: nothing to wait for."""
    if ranks.world_size() == 1:
        yield
        return
    import torch
    from accelerate import PartialState

    state = PartialState(cpu=not (torch.cuda.is_available() or torch.backends.mps.is_available()))
    with state.main_process_first():
        yield


def _check_dropped(config: RunConfig, rows: int, kept: int, sink: EventSink) -> None:
    """The preference trainers drop rows whose prompt alone fills max_length: say so, and stop if none is left."""
    if kept == rows:
        return
    message = Text("{dropped} of {rows} training examples have a prompt of {max_length} tokens or more (with the "
                   "chat template) and were left out.", dropped=rows - kept, rows=rows,
                   max_length=config.training.max_length)
    if kept == 0:
        raise DataError(message, Text("Raise training.max_length, or shorten the prompts."))
    sink.emit("warning", message=message, hint=Text("Raise training.max_length to keep them."))


def _early_stopping(config: RunConfig, save_steps: int, has_eval: bool, sink: EventSink) -> Any:
    """transformers' EarlyStoppingCallback when patience is set and there is validation data, else None."""
    from transformers import EarlyStoppingCallback

    ev = config.evaluation
    if not ev.early_stopping_patience:
        return None
    if not has_eval:
        sink.emit("warning", message=Text("Early stopping is off: the run has no validation data."),
                  hint=Text("Set data.validation or a data.validation_split above 0."))
        return None
    if save_steps != config.training.save_steps:
        sink.emit("warning", message=Text("Early stopping: checkpoints are saved every {save_steps} steps, "
                                          "at each evaluation, instead of every {every}.",
                                          save_steps=save_steps, every=config.training.save_steps),
                  hint=Text("The best checkpoint can only be kept if one is saved at every evaluation."))
    return EarlyStoppingCallback(ev.early_stopping_patience, ev.early_stopping_threshold)


def _total_steps(config: RunConfig, rows: int) -> int:
    """Optimizer steps the trainer will run, computed as transformers does (AdaLoRA needs it before the trainer)."""
    t = config.training
    if t.max_steps:
        return t.max_steps
    batches = math.ceil(rows / (t.batch_size * int(os.environ.get("WORLD_SIZE", "1"))))
    return max(math.ceil(t.epochs * max(math.ceil(batches / t.gradient_accumulation), 1)), 1)


def _save_outputs(config: RunConfig, ctx: RunContext, trained: Any, tokenizer: PreTrainedTokenizerBase) -> None:
    """The run's exports, from the trained model in `trained` (export.weights.Trained, its one reference): the first
    export lets it go once it has saved it and taken its reference logits, before a check reloads a model."""
    from ..export.weights import Trained, export_adapter, export_context, export_merged
    from ..methods import METHODS, plain_lora_model
    from ..stages import STAGES

    spec, folder = METHODS[config.method.name], ctx.folder
    exports = export_context(ctx.run_id, sink=ctx.sink, store=ctx.store)  # once begun, the run's exports finish
    if STAGES[config.training.stage].head == "sequence":  # a scoring / labelling model: its own exports
        from ..stages.head_export import export_head

        is_peft = trained.peft  # the merge starts from the saved adapter
        folders = {"adapter": folder / "adapter" if is_peft and (config.export.adapter or config.export.merged)
                   else None, "merged": folder / "merged" if config.export.merged or not is_peft else None}
        export_head(config, trained, tokenizer, exports, {k: v for k, v in folders.items() if v is not None})
        return
    if not spec.uses_adapter:  # full, freeze, bias: the trained model is the whole model
        export_merged(config, trained, tokenizer, folder / "merged", exports)
        return
    if config.method.name in ("pissa", "olora") and (config.export.adapter or config.export.merged):
        converted = Trained(plain_lora_model(trained.model, folder / "initial-adapter", folder / ".converted-adapter",
                                             config.model.trust_remote_code))
        trained.release()  # the exports take the converted model
        trained = converted
        shutil.rmtree(folder / ".converted-adapter", ignore_errors=True)  # loaded: the export saves it again
    if config.export.adapter or config.export.merged:
        export_adapter(config, trained, tokenizer, folder / "adapter", exports)
    if config.export.merged and not spec.mergeable:
        ctx.warn(Text("{title} adds virtual tokens instead of changing weights, so it cannot be merged into "
                      "the model: saved the adapter only.", title=Term(spec.title)),
                 Text("Load the adapter on the base model (Chat does this), or train with LoRA for a merged "
                      "model."))
    elif config.export.merged:
        export_merged(config, trained, tokenizer, folder / "merged", exports)
