"""Export a run from the store: the entry point of `finetune-studio export` and the Export page.

It picks the source (the best checkpoint when evaluation marked one, else the final model, or a chosen step),
checks the target folders and free disk before loading anything, runs the chosen targets (adapter, merged, GGUF,
Ollama) and, when asked, pushes the result to the Hugging Face Hub. A stop flag is honoured between stages; a
stopped, failed or disk-full export leaves no half-written folder (each target is written aside and renamed into
place), and a folder that is not an earlier export of ours is never replaced (staging.py).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..config import RunConfig
from ..errors import ExportError, StudioError
from ..events import EventSink, StopFlag
from ..messages import Term, Text
from ..methods import METHODS
from ..requests import ExportRequest
from ..runs.context import RunContext
from ..stages import STAGES
from ..store import Store
from .space import check_disk, need_on_disk
from .staging import DiskFull, check_target
from .weights import ExportSource, export_context

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

log = logging.getLogger(__name__)

def resolve_source(run: dict, config: RunConfig, store: Store, checkpoint: int | str | None) -> tuple[Path, str]:
    """The folder to export and how to name it: `checkpoint` is a step, "best", "final" or None (the best
    checkpoint when evaluation marked one, else the final model)."""
    from ..paths import run_dir
    from ..runs.checkpoints import last_checkpoint

    folder = run_dir(run["id"])
    best = _best_checkpoint(run, store)
    if checkpoint in (None, "best") and best is not None:
        return best, Text("best checkpoint (step {step})", step=run.get('best_step'))
    if checkpoint == "best":
        raise ExportError(Text("Run {id} has no best checkpoint: it was not evaluated on validation data, or "
                               "its best checkpoint was deleted.", id=run['id']),
                          Text("Export the final model (--checkpoint final) or a step."))
    if checkpoint not in (None, "final"):
        source = folder / "checkpoints" / f"checkpoint-{int(checkpoint)}"
        if not source.is_dir():
            raise ExportError(Text("Run {id} has no checkpoint at step {checkpoint}.",
                                   id=run['id'], checkpoint=checkpoint),
                              Text("Run `finetune-studio runs show RUN` to list its checkpoints."))
        return source, Text("checkpoint at step {step}", step=int(checkpoint))
    source = folder / ("adapter" if METHODS[config.method.name].uses_adapter else "merged")
    if source.exists():
        return source, Text("final model")
    ckpt = last_checkpoint(folder)
    if ckpt is None:
        raise ExportError(Text("Run {id} has nothing to export yet (no adapter, model or checkpoint).",
                               id=run['id']),
                          Text("Wait until it has saved a checkpoint, or resume it."))
    return ckpt, Text("last checkpoint (step {step})", step=ckpt.name.split('-')[-1])


def _best_checkpoint(run: dict, store: Store) -> Path | None:
    path = run.get("best_checkpoint")
    if path and Path(path).is_dir():
        return Path(path)
    marked = [a for a in store.artifacts(run["id"], "checkpoint") if a["properties"].get("best")]
    return Path(marked[-1]["path"]) if marked and Path(marked[-1]["path"]).is_dir() else None


def export_run(request: ExportRequest, *, store: Store | None = None, sink: EventSink | None = None,
               stop: StopFlag | None = None) -> dict:
    """Export a finished run (or one of its checkpoints) as `request` says: the CLI's and Export page's entry.

    GGUF and Ollama targets are built from the merged model: the one exported to `merged`, or, when that was not
    asked for, a full-precision merge in a temporary folder.
    """
    import yaml

    from ..config import parse_config

    folders = request.folders()
    if not folders:
        raise StudioError(Text("Choose what to export."),
                          Text("Add --merged DIR, --adapter DIR, --gguf DIR and/or --ollama DIR."))
    merged, adapter, gguf, ollama, quant = request.merged, request.adapter, request.gguf, request.ollama, request.quant
    store = store or Store()
    run = store.get_run(request.run)
    data = yaml.safe_load(run["config"])
    data["export"] = {**data.get("export", {}), **{k: v for k, v in (("dtype", request.dtype),
                                                                     ("max_shard_size", request.max_shard_size)) if v}}
    config = parse_config(data)
    uses_adapter = METHODS[config.method.name].uses_adapter
    if adapter and not uses_adapter:
        raise ExportError(Text("A {title} run trains the whole model: it has no adapter.",
                               title=Term(METHODS[config.method.name].title)),
                          Text("Use --merged to export the whole model."))
    if request.push_to_hub and not (merged or adapter):
        raise ExportError(Text("--push-to-hub uploads the merged model or the adapter."),
                          Text("Add --merged or --adapter."))
    for folder in folders.values():
        check_target(folder)  # a folder that is not an earlier export of ours: refused in a second
    source, label = resolve_source(run, config, store, request.checkpoint)
    head = STAGES[config.training.stage].head == "sequence"
    if head and (gguf or ollama):
        raise ExportError(Text("Run {id} is a {lower} run: its model scores or labels text, and GGUF and "
                               "Ollama exports are for chat models.",
                               id=run['id'], lower=Term(STAGES[config.training.stage].title,
                                                    STAGES[config.training.stage].title.lower())),
                          Text("Export it with --merged (an AutoModelForSequenceClassification folder) "
                               "and/or --adapter."))
    if request.push_to_hub:
        from .hub import check_push

        check_push(request.push_to_hub)  # a bad repo id, offline mode or no token: say so before the slow work
    check_disk(run, folders, config.export.dtype, quant)
    ctx = export_context(run["id"], sink=sink, store=store, stop=stop)
    try:
        results = _write_targets(config, request, source, label, ctx)
    except DiskFull as exc:  # say how much to free on that disk
        raise DiskFull(exc.folder, need_on_disk(run, folders, config.export.dtype, quant, exc.folder)) from exc
    if request.push_to_hub:
        from .hub import push_folder

        ctx.step(Text("Pushing to the Hugging Face Hub"), 0, 1)
        folder = Path(results.get("merged") or results["adapter"])
        results["hub"] = push_folder(folder, request.push_to_hub, private=not request.public,
                                     extra=[Path(results[k]) for k in ("gguf",) if k in results])
        store.add_artifact(run["id"], "hub", folder, {"repo": request.push_to_hub, "url": results["hub"],
                                                       "private": not request.public})
    log.info("export results: %s", json.dumps(results, default=str))
    return results


def _write_targets(config: RunConfig, request: ExportRequest, source: Path, label: str, ctx: RunContext) -> dict:
    """Load the source (`label` names it) and write the targets `request` chose; the results without the Hub push."""
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from ..models import model_dir
    from .weights import export_adapter, export_merged

    uses_adapter = METHODS[config.method.name].uses_adapter
    trusted = config.model.trust_remote_code  # the model's own code runs here as it did in training
    ctx.step(Text("Loading the {label}", label=label), 0, 1)
    tokenizer = AutoTokenizer.from_pretrained(source, trust_remote_code=trusted)
    results: dict[str, Any] = {"run_id": ctx.run_id, "source": str(source), "checkpoint": label}
    loaded = ExportSource(label, Path(source) if uses_adapter else None, loaded_for_export=True)
    head = STAGES[config.training.stage].head == "sequence"
    if head:
        from ..stages.head_export import export_head, load_trained_head

        ctx.step(Text("Saving the adapter and its head") if request.adapter else
                 Text("Merging the adapter and its head"), 0, 1)
        folders = {k: v for k, v in request.folders().items() if k in ("adapter", "merged")}
        export_head(config, load_trained_head(config, source, ctx.run_id), tokenizer, ctx, folders,
                    adapter_dir=Path(source))
        results.update({k: str(v) for k, v in folders.items()})
    elif not uses_adapter:
        model = AutoModelForCausalLM.from_pretrained(source, dtype=torch.float32, trust_remote_code=trusted)
    else:
        base = AutoModelForCausalLM.from_pretrained(model_dir(config.model.source), dtype=torch.float32,
                                                    trust_remote_code=trusted)
        model = PeftModel.from_pretrained(base, source)
        if request.adapter:
            ctx.step(Text("Saving the adapter"), 0, 1)
            results["adapter"] = str(export_adapter(config, model, tokenizer, request.adapter, ctx, loaded))
    if request.merged and not head:
        results["merged"] = str(export_merged(config, model, tokenizer, request.merged, ctx, loaded))
    if request.gguf or request.ollama:
        ctx.step(Text("Converting to GGUF"), 0, 1)
        results.update(_export_gguf(config, model, tokenizer, request, source, ctx))
    kinds = [k for k in ("adapter", "merged", "gguf", "ollama") if getattr(request, k)]
    latest = {a["kind"]: a for a in ctx.store.artifacts(ctx.run_id) if a["kind"] in kinds}
    results["artifacts"] = [latest[k] for k in kinds if k in latest]
    return results


def _export_gguf(config: RunConfig, model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase,
                 request: ExportRequest, source: Path, ctx: RunContext) -> dict:
    """The GGUF and Ollama targets, from the merged model: the one exported to `request.merged`, the whole-model
    run's `source`, or else a full-precision merge of the adapter in `source` into a scratch folder."""
    from .gguf import export_gguf_targets
    from .staging import scratch
    from .weights import export_merged

    def targets(model_dir: Path) -> dict:
        return {k: str(v) for k, v in export_gguf_targets(config, model_dir, request, ctx).items()}

    if request.merged:
        return targets(Path(request.merged))
    if not METHODS[config.method.name].uses_adapter:
        return targets(Path(source))
    fp32 = config.model_copy(deep=True)  # merged in fp32 into a scratch folder, not recorded as an artifact
    fp32.export.dtype, fp32.export.verify = "fp32", False
    with scratch(Path(request.gguf or request.ollama).parent, "merge") as tmp:
        return targets(export_merged(fp32, model, tokenizer, tmp / "merged", ctx.with_(run_id=None, store=None),
                                     ExportSource(adapter_dir=Path(source), loaded_for_export=True)))
