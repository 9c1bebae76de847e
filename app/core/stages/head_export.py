"""Exports of rm and cls runs: the adapter (with its trained head) and a merged AutoModelForSequenceClassification.

A head model scores or labels text instead of generating it, so the causal-LM exports (export.py: chat-template
logits, GGUF) do not apply. The merge reloads the base in fp32 with a head of the same size, applies the saved
adapter and merges; both exports are checked by reloading them and comparing scores on a few texts.
"""

from __future__ import annotations

import math
import shutil
import time
from pathlib import Path
from typing import Any

from ..errors import ExportError

VERIFY_TEXTS = ("The weather is lovely today.", "Which is the largest planet in the solar system?",
                "I did not like this film at all.")
TOLERANCE = 1e-3
NOTE = ("A sequence-classification model (score head, {n} output(s)): load it with "
        "AutoModelForSequenceClassification{how}. It scores or labels text; it does not chat.")


def _scores(model: Any, tokenizer: Any) -> Any:
    import torch

    was_training = model.training
    model.eval()
    with torch.no_grad():
        out = [model(**tokenizer(t, return_tensors="pt").to(model.device)).logits.float().cpu()
               for t in VERIFY_TEXTS]
    if was_training:
        model.train()
    return torch.cat(out)


def _swap_in(tmp: Path, out: Path) -> None:
    backup = out.with_name(f".{out.name}.old")
    shutil.rmtree(backup, ignore_errors=True)
    if out.exists():
        out.rename(backup)
    tmp.rename(out)
    shutil.rmtree(backup, ignore_errors=True)


def _record(store: Any, sink: Any, run_id: str, kind: str, path: Path, props: dict) -> None:
    row = store.add_artifact(run_id, kind, path, props)
    sink.emit("artifact", kind=kind, path=str(path), bytes=row["bytes"], properties=props)


def export_head(config: Any, model: Any, tokenizer: Any, folder: Path, run_id: str, store: Any, sink: Any) -> None:
    """Save the run's adapter and/or merged model as the config's export section asks."""
    import torch
    from peft import PeftModel
    from transformers import AutoModelForSequenceClassification

    is_peft = hasattr(model, "peft_config")
    num_labels = (model.get_base_model() if is_peft else model).config.num_labels
    expected = _scores(model, tokenizer)
    adapter_dir = folder / "adapter"
    if is_peft and (config.export.adapter or config.export.merged):  # the merge starts from the saved adapter
        tmp = folder / f".adapter.tmp-{int(time.time())}"
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        base_folder = model.peft_config["default"].base_model_name_or_path
        note = NOTE.format(n=num_labels, how=f"(base, num_labels={num_labels}) + PeftModel.from_pretrained")
        (tmp / "README.md").write_text(f"# {config.name or run_id}\n\n{note}\n", encoding="utf-8")
        _swap_in(tmp, adapter_dir)
        _record(store, sink, run_id, "adapter", adapter_dir, {"base_model": base_folder, "head": "sequence",
                                                             "num_labels": num_labels, "note": note})
    if not (config.export.merged or not is_peft):
        return
    sink.emit("phase", name="export", message="Merging the adapter and its head", current=0, total=2)
    if is_peft:
        base = AutoModelForSequenceClassification.from_pretrained(base_folder, num_labels=num_labels,
                                                                  dtype=torch.float32,
                                                                  pad_token_id=model.config.pad_token_id)
        merged = PeftModel.from_pretrained(base, adapter_dir).merge_and_unload()
    else:
        merged = model
    merged.config.id2label = model.config.id2label
    merged.config.label2id = model.config.label2id
    dtype = {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}[config.export.dtype]
    tmp = folder / f".merged.tmp-{int(time.time())}"
    merged.to(dtype).save_pretrained(tmp, safe_serialization=True)
    tokenizer.save_pretrained(tmp)
    sink.emit("phase", name="export", message="Verifying the export", current=1, total=2)
    reloaded = AutoModelForSequenceClassification.from_pretrained(tmp, dtype=torch.float32)
    diff = float((_scores(reloaded, tokenizer) - expected).abs().max())
    limit = TOLERANCE if config.export.dtype == "fp32" else 0.05 * max(1.0, float(expected.abs().max()))
    if not math.isfinite(diff) or diff > limit:
        shutil.rmtree(tmp, ignore_errors=True)
        raise ExportError(f"The merged {config.training.stage} model's scores differ from the trained model's by "
                          f"{diff:.3g} (limit {limit:.3g}).", "Export in fp32, or use the adapter.")
    note = NOTE.format(n=num_labels, how=".from_pretrained(this folder)")
    (tmp / "README.md").write_text(f"# {config.name or run_id}\n\n{note}\n", encoding="utf-8")
    _swap_in(tmp, folder / "merged")
    sink.emit("phase", name="export", message="Export complete", current=2, total=2)
    _record(store, sink, run_id, "merged", folder / "merged", {"dtype": config.export.dtype, "head": "sequence",
                                                               "num_labels": num_labels, "max_abs_diff": diff})
