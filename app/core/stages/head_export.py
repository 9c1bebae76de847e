"""Exports of rm and cls runs: the adapter (with its trained head) and a merged AutoModelForSequenceClassification.

A head model scores or labels text instead of generating it, so the causal-LM exports (export.py: chat-template
logits, GGUF) do not apply. The merge reloads the base in fp32 with a head of the same size, applies the saved
adapter and merges; both exports are checked by reloading them and comparing scores on a few texts.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ExportError
from ..export.parity import compare
from ..export.staging import staged
from ..export.weights import Trained
from ..messages import Text
from ..runs.context import RunContext

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

VERIFY_TEXTS = ("The weather is lovely today.", "Which is the largest planet in the solar system?",
                "I did not like this film at all.")
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


def export_head(config: Any, model: PreTrainedModel | Trained, tokenizer: PreTrainedTokenizerBase, ctx: RunContext,
                folders: dict[str, Path], adapter_dir: Path | None = None) -> None:
    """Save the adapter (with its head) to `folders["adapter"]` and/or the merged model to `folders["merged"]` (each
    when asked). The merge starts from the adapter saved there, else from `adapter_dir` (one already on disk). The
    model (a `Trained` handed over) is let go before a model is loaded from disk."""
    import torch
    from peft import PeftModel
    from transformers import AutoModelForSequenceClassification

    trained = Trained.of(model)
    del model  # from here on `trained` holds it, to let it go before the reloads
    adapter_out, merged_out, run_id = folders.get("adapter"), folders.get("merged"), ctx.run_id
    is_peft, head = trained.peft, trained.model.config  # the head's labels and padding, kept once the model goes
    trusted = config.model.trust_remote_code  # the model's own code runs in the reloads as it did in training
    num_labels = (trained.model.get_base_model() if is_peft else trained.model).config.num_labels
    expected = _scores(trained.model, tokenizer)
    if is_peft and adapter_out is not None:
        adapter_out = Path(adapter_out)
        base_folder = trained.base_folder
        note = NOTE.format(n=num_labels, how=f"(base, num_labels={num_labels}) + PeftModel.from_pretrained")
        with staged(adapter_out, "adapter", run_id) as tmp:
            trained.model.save_pretrained(tmp)
            tokenizer.save_pretrained(tmp)
            (tmp / "README.md").write_text(f"# {config.name or run_id}\n\n{note}\n", encoding="utf-8")
        ctx.record("adapter", adapter_out, {"base_model": base_folder, "head": "sequence", "num_labels": num_labels,
                                            "note": note})
        adapter_dir = adapter_out
    if merged_out is None:
        return
    merged_out = Path(merged_out)
    ctx.phase(Text("Merging the adapter and its head"), 0, 2)
    if is_peft:
        trained.release()  # the merge reloads the base and the saved adapter, not beside it
        base = AutoModelForSequenceClassification.from_pretrained(trained.base_folder, num_labels=num_labels,
                                                                  dtype=torch.float32, pad_token_id=head.pad_token_id,
                                                                  trust_remote_code=trusted)
        merged = PeftModel.from_pretrained(base, adapter_dir).merge_and_unload()
    else:
        merged = trained.model
    merged.config.id2label = head.id2label
    merged.config.label2id = head.label2id
    dtype = {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}[config.export.dtype]
    with staged(merged_out, "merged", run_id) as tmp:
        merged.to(dtype).save_pretrained(tmp, safe_serialization=True)
        tokenizer.save_pretrained(tmp)
        del merged
        trained.release()  # saved: the check reloads it alone
        ctx.phase(Text("Verifying the export"), 1, 2)
        reloaded = AutoModelForSequenceClassification.from_pretrained(tmp, dtype=torch.float32,
                                                                      trust_remote_code=trusted)
        verdict = compare([expected], [_scores(reloaded, tokenizer)], trained.dtype, config.export.dtype)
        if not verdict.passed:
            raise ExportError(Text("The merged {stage} model does not score like the trained model: "
                                   "{failure}.", stage=config.training.stage, failure=verdict.failure()),
                              Text("Export in fp32, or use the adapter."))
        note = NOTE.format(n=num_labels, how=".from_pretrained(this folder)")
        (tmp / "README.md").write_text(f"# {config.name or run_id}\n\n{note}\n", encoding="utf-8")
    ctx.phase(Text("Export complete"), 2, 2)
    ctx.record("merged", merged_out, {"dtype": config.export.dtype, "head": "sequence", "num_labels": num_labels,
                                      **verdict.report()})


def trained_labels(config: Any, run_id: str) -> list[str] | None:
    """The class names a cls run trained with: as its `started` event recorded them, else worked out from its data
    as training did (None for an rm run)."""
    from ..data.stage_data import load_stage_rows
    from ..events import read_events
    from ..paths import run_dir
    from .heads import class_names
    from .registry import STAGES

    if config.training.stage == "rm":
        return None
    path = run_dir(run_id) / "events.jsonl"
    started = next((e for e in read_events(path) if e["event"] == "started"), {}) if path.exists() else {}
    if started.get("dataset", {}).get("labels"):
        return started["dataset"]["labels"]
    spec = STAGES[config.training.stage]
    rows = load_stage_rows(config.data, spec.formats, spec.title)
    return class_names(config, rows.train + rows.eval + rows.test)


def load_trained_head(config: Any, source: Path, run_id: str) -> Any:
    """An rm/cls run's trained model from `source` (its adapter or a checkpoint, on the base loaded with a head of
    the trained size; a full run's model folder), in fp32, with its class names."""
    import torch
    from transformers import AutoConfig, AutoModelForSequenceClassification

    from ..methods import METHODS
    from ..models import model_dir

    if not METHODS[config.method.name].uses_adapter:
        return AutoModelForSequenceClassification.from_pretrained(source, dtype=torch.float32,
                                                                  trust_remote_code=config.model.trust_remote_code)
    from peft import PeftModel

    labels = trained_labels(config, run_id)
    folder = model_dir(config.model.source)
    base_config = AutoConfig.from_pretrained(folder, trust_remote_code=config.model.trust_remote_code)
    pad = base_config.pad_token_id if base_config.pad_token_id is not None else base_config.eos_token_id
    base = AutoModelForSequenceClassification.from_pretrained(folder, num_labels=len(labels) if labels else 1,
                                                              pad_token_id=pad, dtype=torch.float32,
                                                              trust_remote_code=config.model.trust_remote_code)
    if labels:
        base.config.id2label = dict(enumerate(labels))
        base.config.label2id = {name: i for i, name in enumerate(labels)}
    return PeftModel.from_pretrained(base, source)
