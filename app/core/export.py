"""Exports: adapter (PEFT format), merged model (HF safetensors), each verified by reloading and comparing logits.

Every export is written to a temporary folder and renamed into place, so a failed or cancelled export never
leaves a half-written model where a good one is expected.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from pathlib import Path
from typing import Any

from .config import RunConfig
from .errors import ExportError
from .events import EventSink
from .methods import METHODS
from .store import Store

log = logging.getLogger(__name__)

VERIFY_PROMPTS = (
    "Which is the largest planet in the solar system?",
    "Write one sentence about autumn.",
    "What is 12 times 7?",
)
# Logits of the merged model against the adapter model, both in fp32: merging is exact up to float error.
MERGE_TOLERANCE = 1e-3
# Reloaded export against the fp32 adapter model. In fp32 the logits must match; in half precision rounding moves
# them (demo model, quickstart adapter: bf16 max 4.2 / top-1 agreement 97.3%, fp16 max 0.03 / 100%), so half
# exports are judged by how often the next-token choice agrees: below the floor something is broken (a lost
# tensor or tie), below the warning level the rounding itself costs behaviour.
FP32_TOLERANCE = 1e-3
AGREEMENT_FLOOR = 0.95
AGREEMENT_WARN = 0.99


def _dtype(name: str) -> Any:
    import torch

    return {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}[name]


def _logits(model: Any, tokenizer: Any) -> Any:
    import torch

    texts = [tokenizer.apply_chat_template([{"role": "user", "content": p}], tokenize=False,
                                           add_generation_prompt=True) for p in VERIFY_PROMPTS]
    was_training = model.training
    model.eval()
    out = []
    with torch.no_grad():
        for text in texts:
            enc = tokenizer(text, return_tensors="pt", add_special_tokens=False).to(model.device)
            out.append(model(**enc, use_cache=False).logits.float().cpu())
    if was_training:
        model.train()
    return out


def _max_diff(a: list, b: list) -> float:
    return max(float((x - y).abs().max()) for x, y in zip(a, b, strict=True))


def _agreement(a: list, b: list) -> float:
    """Share of positions where both models pick the same next token."""
    same = sum(int((x.argmax(-1) == y.argmax(-1)).sum()) for x, y in zip(a, b, strict=True))
    return same / sum(x.shape[1] for x in a)


def _atomic_dir(out: Path) -> Path:
    out = Path(out)
    tmp = out.with_name(f".{out.name}.tmp-{int(time.time())}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.parent.mkdir(parents=True, exist_ok=True)
    return tmp


def _commit_dir(tmp: Path, out: Path) -> None:
    if out.exists():
        backup = out.with_name(f".{out.name}.old")
        shutil.rmtree(backup, ignore_errors=True)
        out.rename(backup)
        tmp.rename(out)
        shutil.rmtree(backup, ignore_errors=True)
    else:
        tmp.rename(out)


def _is_quantized(model: Any) -> bool:
    base = model.get_base_model() if hasattr(model, "get_base_model") else model
    return bool(getattr(base, "is_loaded_in_4bit", False) or getattr(base, "is_loaded_in_8bit", False))


def _base_folder(model: Any) -> str:
    peft_cfg = getattr(model, "peft_config", {}).get("default")
    return peft_cfg.base_model_name_or_path if peft_cfg else model.config._name_or_path


def export_adapter(config: RunConfig | None, model: Any, tokenizer: Any, out: Path, *, run_id: str | None = None,
                   store: Store | None = None, sink: EventSink | None = None) -> Path:
    """Save the adapter alone (loadable with PeftModel.from_pretrained on the base), with the tokenizer."""
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    out = Path(out)
    tmp = _atomic_dir(out)
    model.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    props: dict[str, Any] = {"base_model": _base_folder(model)}
    if (config is None or config.export.verify) and not _is_quantized(model):
        expected = _logits(model, tokenizer)
        base = AutoModelForCausalLM.from_pretrained(props["base_model"], dtype=torch.float32)
        reloaded = PeftModel.from_pretrained(base, tmp)
        props["max_abs_diff"] = _max_diff(expected, _logits(reloaded, tokenizer))
        if props["max_abs_diff"] > MERGE_TOLERANCE:
            raise ExportError(f"The saved adapter does not reproduce the trained model (max logit difference "
                              f"{props['max_abs_diff']:.3g} > {MERGE_TOLERANCE}).",
                              "Export again; if it persists, report it with the run's log.")
    _commit_dir(tmp, out)
    _record(run_id, store, sink, "adapter", out, props)
    return out


def _check_mergeable(model: Any) -> None:
    """Prompt, prefix and P-tuning add virtual tokens rather than change weights: there is nothing to merge."""
    peft_cfg = getattr(model, "peft_config", {}).get("default")
    if peft_cfg is not None and peft_cfg.is_prompt_learning:
        raise ExportError(f"A {peft_cfg.peft_type.value.lower().replace('_', ' ')} adapter adds virtual tokens and "
                          "cannot be merged into the model's weights.",
                          "Export the adapter instead and load it on the base model.")


def export_merged(config: RunConfig, model: Any, tokenizer: Any, out: Path, *, run_id: str | None = None,
                  store: Store | None = None, sink: EventSink | None = None,
                  adapter_dir: Path | None = None) -> Path:
    """Merge the adapter into a full-precision base (never into 4-bit weights) and save it in `export.dtype`.

    Verified: merged logits vs the adapter model (fp32), and the reloaded files vs the merged model.
    """
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    _check_mergeable(model)
    report = _reporter(sink)
    dtype = config.export.dtype
    is_peft = hasattr(model, "peft_config")
    if is_peft:
        report("Loading the base in full precision", 0, 4)
        adapter_dir = adapter_dir or (Path(out).parent / "adapter")
        if not (Path(adapter_dir) / "adapter_config.json").exists():
            raise ExportError(f"No adapter found in {adapter_dir}.", "Export the adapter first.")
        base = AutoModelForCausalLM.from_pretrained(_base_folder(model), dtype=torch.float32)
        reference = PeftModel.from_pretrained(base, adapter_dir)
        expected = _logits(reference, tokenizer)
        report("Merging the adapter", 1, 4)
        merged = reference.merge_and_unload()
        merge_diff = _max_diff(expected, _logits(merged, tokenizer))
        if merge_diff > MERGE_TOLERANCE:
            raise ExportError(f"Merging changed the model's outputs (max logit difference {merge_diff:.3g}).",
                              "Export the adapter instead and report this with the run's log.")
    else:
        merged, expected, merge_diff = model, _logits(model, tokenizer), 0.0

    report(f"Saving in {dtype}", 2, 4)
    tmp = _atomic_dir(out)
    merged = merged.to(_dtype(dtype))
    merged.config.use_cache = True
    merged.save_pretrained(tmp, safe_serialization=True)
    tokenizer.save_pretrained(tmp)
    if getattr(merged, "generation_config", None) is not None:
        merged.generation_config.save_pretrained(tmp)
    saved_state = {k: v.detach().clone() for k, v in merged.state_dict().items()}
    del merged

    report("Verifying the export", 3, 4)
    props: dict[str, Any] = {"dtype": dtype, "merge_max_abs_diff": merge_diff}
    if config.export.verify:
        reloaded = AutoModelForCausalLM.from_pretrained(tmp, dtype=_dtype(dtype))
        state = reloaded.state_dict()
        mismatched = [k for k, v in saved_state.items() if k in state and not torch.equal(state[k], v)]
        missing = [k for k in saved_state if k not in state]
        if mismatched or missing:
            raise ExportError(f"The saved files differ from the merged model ({len(mismatched)} tensors differ, "
                              f"{len(missing)} missing).", "Check free disk space and export again.")
        got = _logits(reloaded.float(), tokenizer)
        props["max_abs_diff"] = _max_diff(expected, got)
        props["top1_agreement"] = _agreement(expected, got)
        _judge(dtype, props, sink)
    (tmp / "README.md").write_text(model_card(config, run_id, store, props), encoding="utf-8")
    _commit_dir(tmp, Path(out))
    report("Export complete", 4, 4)
    _record(run_id, store, sink, "merged", Path(out), props)
    return Path(out)


def _judge(dtype: str, props: dict, sink: EventSink | None) -> None:
    diff, agree = props["max_abs_diff"], props["top1_agreement"]
    if dtype == "fp32" and diff > FP32_TOLERANCE:
        raise ExportError(f"The exported fp32 model's logits differ from the trained model's by {diff:.3g} "
                          f"(tolerance {FP32_TOLERANCE}).", "Check free disk space, export again, and report it.")
    if agree < AGREEMENT_FLOOR:
        raise ExportError(f"The exported {dtype} model picks a different next token than the trained model at "
                          f"{1 - agree:.1%} of positions (max logit difference {diff:.3g}).",
                          "Export in fp32 to see whether rounding is the cause; if fp32 fails too, report it.")
    if agree < AGREEMENT_WARN and sink is not None:
        sink.emit("warning", message=f"Rounding to {dtype} changes the model's next-token choice at "
                  f"{1 - agree:.1%} of positions.", hint="Export in fp16 or fp32 to keep the tuned behaviour.")


def _reporter(sink: EventSink | None):
    def report(message: str, current: int, total: int) -> None:
        if sink is not None:
            sink.emit("phase", name="export", message=message, current=current, total=total)
    return report


def _record(run_id: str | None, store: Store | None, sink: EventSink | None, kind: str, path: Path,
            props: dict) -> None:
    row = store.add_artifact(run_id, kind, path, props) if (store and run_id) else {"bytes": 0}
    if sink is not None:
        sink.emit("artifact", kind=kind, path=str(path), bytes=row["bytes"], properties=props)


def model_card(config: RunConfig, run_id: str | None, store: Store | None, props: dict) -> str:
    run = store.get_run(run_id) if (store and run_id) else {}
    metrics = store.metric_series(run_id) if (store and run_id) else {}
    final = {name: pts[-1][1] for name, pts in metrics.items()}
    lines = [
        f"# {config.name or run_id or 'Fine-tuned model'}",
        "",
        "Fine-tuned with Finetune Studio.",
        "",
        f"- Base model: `{config.model.source}`",
        f"- Method: {config.method.name}" + (f" (rank {config.method.rank}, alpha {config.method.alpha})"
                                             if "rank" in METHODS[config.method.name].settings else ""),
        f"- Stage: {config.training.stage}",
        f"- Data: `{Path(config.data.train).name}`, fingerprint `{run.get('dataset_fingerprint') or 'n/a'}`, "
        f"{run.get('dataset_rows') or 'n/a'} rows",
        f"- Export dtype: {props.get('dtype')}",
        f"- Verification: merge max |Δlogit| = {props.get('merge_max_abs_diff', 0):.3g}, "
        f"export max |Δlogit| = {props.get('max_abs_diff', float('nan')):.3g}",
        "",
        "## Final metrics",
        "",
        *(f"- {k}: {v:.4g}" for k, v in sorted(final.items())),
        "",
        "## Config",
        "",
        "```yaml",
        config.to_yaml().strip(),
        "```",
        "",
        "## Load it",
        "",
        "transformers (this folder, a merged export):",
        "",
        "```python",
        "from transformers import AutoModelForCausalLM, AutoTokenizer",
        "model = AutoModelForCausalLM.from_pretrained('path/to/this/folder')",
        "tokenizer = AutoTokenizer.from_pretrained('path/to/this/folder')",
        "```",
        "",
        "llama.cpp (a GGUF export: `finetune-studio export RUN --gguf DIR --quant f16`; the chat template is in the "
        "file):",
        "",
        "```sh",
        "llama-cli -m DIR/MODEL-f16.gguf -cnv",
        "```",
        "",
        "Ollama (an Ollama export: `finetune-studio export RUN --ollama DIR`, a GGUF and a Modelfile with the "
        "TEMPLATE, stop tokens and system prompt):",
        "",
        "```sh",
        "ollama create my-model -f DIR/Modelfile && ollama run my-model",
        "```",
        "",
    ]
    return "\n".join(lines)


def export_run(key: str, *, merged: Path | None = None, adapter: Path | None = None, checkpoint: int | None = None,
               dtype: str | None = None, gguf: Path | None = None, quant: str = "f16", ollama: Path | None = None,
               store: Store | None = None, sink: EventSink | None = None) -> dict:
    """Export a finished run (or one of its checkpoints) from the run store: the CLI's and Export page's entry.

    GGUF and Ollama targets are built from the merged model: the one exported to `merged`, or, when that was not
    asked for, a full-precision merge in a temporary folder.
    """
    import torch
    import yaml
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from .config import parse_config
    from .engine import last_checkpoint
    from .models import model_dir
    from .paths import run_dir

    store = store or Store()
    run = store.get_run(key)
    config = parse_config(yaml.safe_load(run["config"]))
    if dtype:
        config.export.dtype = dtype
    folder = run_dir(run["id"])
    source = folder / "checkpoints" / f"checkpoint-{checkpoint}" if checkpoint else None
    if source is None:
        source = folder / ("adapter" if METHODS[config.method.name].uses_adapter else "merged")
        if not source.exists():
            source = last_checkpoint(folder)
    if source is None or not Path(source).exists():
        raise ExportError(f"Run {run['id']} has nothing to export yet (no adapter, model or checkpoint).",
                          "Wait until it has saved a checkpoint, or resume it.")
    if gguf or ollama:
        from .gguf_export import check_quant

        check_quant(quant)
    tokenizer = AutoTokenizer.from_pretrained(source)
    results: dict[str, Any] = {"run_id": run["id"], "source": str(source)}
    if not METHODS[config.method.name].uses_adapter:
        model = AutoModelForCausalLM.from_pretrained(source, dtype=torch.float32)
        if merged:
            results["merged"] = str(export_merged(config, model, tokenizer, merged, run_id=run["id"], store=store,
                                                  sink=sink))
        if adapter:
            raise ExportError(f"A {METHODS[config.method.name].title} run trains the whole model: it has no adapter.",
                              "Use --merged to export the whole model.")
    else:
        base = AutoModelForCausalLM.from_pretrained(model_dir(config.model.source), dtype=torch.float32)
        model = PeftModel.from_pretrained(base, source)
        if adapter:
            results["adapter"] = str(export_adapter(config, model, tokenizer, adapter, run_id=run["id"], store=store,
                                                    sink=sink))
        if merged:
            results["merged"] = str(export_merged(config, model, tokenizer, merged, run_id=run["id"], store=store,
                                                  sink=sink, adapter_dir=Path(source)))
    if gguf or ollama:
        results.update(_export_gguf(config, model, tokenizer, source, results.get("merged"), gguf=gguf, quant=quant,
                                    ollama=ollama, run_id=run["id"], store=store, sink=sink))
    kinds = [k for k, v in (("adapter", adapter), ("merged", merged), ("gguf", gguf), ("ollama", ollama)) if v]
    latest = {a["kind"]: a for a in store.artifacts(run["id"]) if a["kind"] in kinds}
    results["artifacts"] = [latest[k] for k in kinds if k in latest]
    log.info("export results: %s", json.dumps(results, default=str))
    return results


def _export_gguf(config: RunConfig, model: Any, tokenizer: Any, source: Path, merged: str | None, *,
                 gguf: Path | None, quant: str, ollama: Path | None, run_id: str, store: Store,
                 sink: EventSink | None) -> dict:
    from .gguf_export import export_gguf_targets

    tmp = None
    if merged:
        model_dir = Path(merged)
    elif not METHODS[config.method.name].uses_adapter:
        model_dir = Path(source)
    else:  # merge in fp32 into a temporary folder, not recorded as an artifact
        tmp = _atomic_dir(Path(gguf or ollama).with_name(f"{Path(gguf or ollama).name}-merged"))
        fp32 = config.model_copy(deep=True)
        fp32.export.dtype, fp32.export.verify = "fp32", False
        model_dir = export_merged(fp32, model, tokenizer, tmp / "merged", sink=sink, adapter_dir=Path(source))
    try:
        out = export_gguf_targets(config, model_dir, gguf_dir=gguf, ollama_dir=ollama, quant=quant, run_id=run_id,
                                  store=store, sink=sink)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    return {k: str(v) for k, v in out.items()}
