"""Exports: adapter (PEFT format), merged model (HF safetensors), each verified by reloading and comparing logits.

Every export is written to a temporary folder and renamed into place, so a failed or cancelled export never
leaves a half-written model where a good one is expected.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .chat_checks import add_turn_end_stop
from .chat_checks import chat_verdict as _chat_verdict
from .config import RunConfig
from .errors import Cancelled, ExportError
from .events import EventSink, StopFlag
from .model_card import model_card
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
    """`.NAME.tmp-PID` beside `out`; the leftovers of an export that was killed (its process gone) are removed."""
    from .store import pid_alive

    out = Path(out)
    for stale in out.parent.glob(f".{out.name}.tmp-*"):
        pid = stale.name.rsplit("-", 1)[-1]
        if pid.isdigit() and (int(pid) == os.getpid() or not pid_alive(int(pid))):
            shutil.rmtree(stale, ignore_errors=True)
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
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


@contextmanager
def _staged(out: Path) -> Iterator[Path]:
    """A temporary folder beside `out`, renamed to `out` when the block succeeds and removed when it fails or is
    interrupted (Cancelled, KeyboardInterrupt)."""
    tmp = _atomic_dir(out)
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _commit_dir(tmp, Path(out))


def _is_quantized(model: Any) -> bool:
    base = model.get_base_model() if hasattr(model, "get_base_model") else model
    return bool(getattr(base, "is_loaded_in_4bit", False) or getattr(base, "is_loaded_in_8bit", False))


def _base_folder(model: Any) -> str:
    peft_cfg = getattr(model, "peft_config", {}).get("default")
    return peft_cfg.base_model_name_or_path if peft_cfg else model.config._name_or_path


def export_adapter(config: RunConfig | None, model: Any, tokenizer: Any, out: Path, *, run_id: str | None = None,
                   store: Store | None = None, sink: EventSink | None = None, card: dict | None = None) -> Path:
    """Save the adapter alone (loadable with PeftModel.from_pretrained on the base), with the tokenizer."""
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    out = Path(out)
    with _staged(out) as tmp:
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        props: dict[str, Any] = {"base_model": _base_folder(model)}
        if (config is None or config.export.verify) and not _is_quantized(model):
            expected = _logits(model, tokenizer)
            base = AutoModelForCausalLM.from_pretrained(props["base_model"], dtype=torch.float32)
            reloaded = PeftModel.from_pretrained(base, tmp)
            props["max_abs_diff"] = _max_diff(expected, _logits(reloaded, tokenizer))
            del base, reloaded
            if props["max_abs_diff"] > MERGE_TOLERANCE:
                raise ExportError(f"The saved adapter does not reproduce the trained model (max logit difference "
                                  f"{props['max_abs_diff']:.3g} > {MERGE_TOLERANCE}).",
                                  "Export again; if it persists, report it with the run's log.")
            props.update(_chat_verdict(tokenizer, AutoTokenizer.from_pretrained(tmp), _generation_config(model),
                                       _warner(sink)))
        if config is not None:
            (tmp / "README.md").write_text(model_card(config, run_id, store, props, kind="adapter",
                                                      **(card or {})), encoding="utf-8")
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
                  store: Store | None = None, sink: EventSink | None = None, adapter_dir: Path | None = None,
                  stop: StopFlag | None = None, card: dict | None = None, in_place: bool = False) -> Path:
    """Merge the adapter into a full-precision base (never into 4-bit weights) and save it in `export.dtype`,
    in shards of at most `export.max_shard_size`.

    `in_place`: `model` is an fp32 model loaded for this export, merged and then released (its weights move to the
    meta device): one copy of the model in memory instead of two. Verified: merged logits vs the adapter model
    (fp32), the saved shards tensor by tensor against the merged weights, and the reloaded model's logits.
    """
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    _check_mergeable(model)
    report = _reporter(sink, stop)
    dtype = config.export.dtype
    if hasattr(model, "peft_config"):
        report("Loading the base in full precision", 0, 4)
        if in_place and not _is_quantized(model):
            reference = model
        else:
            adapter_dir = adapter_dir or (Path(out).parent / "adapter")
            if not (Path(adapter_dir) / "adapter_config.json").exists():
                raise ExportError(f"No adapter found in {adapter_dir}.", "Export the adapter first.")
            base = AutoModelForCausalLM.from_pretrained(_base_folder(model), dtype=torch.float32)
            reference = PeftModel.from_pretrained(base, adapter_dir)
        expected = _logits(reference, tokenizer)
        report("Merging the adapter", 1, 4)
        merged = reference.merge_and_unload()
        del reference
        merge_diff = _max_diff(expected, _logits(merged, tokenizer))
        if merge_diff > MERGE_TOLERANCE:
            raise ExportError(f"Merging changed the model's outputs (max logit difference {merge_diff:.3g}).",
                              "Export the adapter instead and report this with the run's log.")
    else:
        merged, expected, merge_diff = model, _logits(model, tokenizer), 0.0

    props: dict[str, Any] = {"dtype": dtype, "merge_max_abs_diff": merge_diff}
    with _staged(Path(out)) as tmp:
        report(f"Saving in {dtype}", 2, 4)
        merged = merged.to(_dtype(dtype))
        merged.config.use_cache = True
        merged.save_pretrained(tmp, safe_serialization=True, max_shard_size=config.export.max_shard_size)
        tokenizer.save_pretrained(tmp)
        generation = _generation_config(merged)
        if generation is not None:
            if added := add_turn_end_stop(tokenizer, generation):
                props["stop_token_added"] = added
            generation.save_pretrained(tmp)
        digests = {k: _digest(v) for k, v in merged.state_dict().items()}
        if in_place or hasattr(model, "peft_config"):  # our own copy, or one the caller gave up
            merged.to("meta")  # the weights are on disk now: free them before the reload below
        del merged

        report("Verifying the export", 3, 4)
        props["shards"] = len(list(tmp.glob("*.safetensors")))
        if config.export.verify:
            _verify_shards(tmp, digests)
            reloaded = AutoModelForCausalLM.from_pretrained(tmp, dtype=_dtype(dtype))
            got = _logits(reloaded.float(), tokenizer)
            del reloaded
            props["max_abs_diff"] = _max_diff(expected, got)
            props["top1_agreement"] = _agreement(expected, got)
            _judge(dtype, props, sink)
            props.update(_chat_verdict(tokenizer, AutoTokenizer.from_pretrained(tmp), generation, _warner(sink)))
        (tmp / "README.md").write_text(model_card(config, run_id, store, props, **(card or {})), encoding="utf-8")
    report("Export complete", 4, 4)
    _record(run_id, store, sink, "merged", Path(out), props)
    return Path(out)


def _digest(tensor: Any) -> str:
    import hashlib

    import torch

    data = tensor.detach().contiguous().cpu().view(-1).view(torch.uint8)
    return hashlib.blake2b(data.numpy(), digest_size=16).hexdigest()


def _verify_shards(folder: Path, digests: dict[str, str]) -> None:
    """Read the saved safetensors shard by shard and compare each tensor with the merged model's (tied weights,
    saved once, are the only ones allowed to be absent)."""
    from safetensors import safe_open

    seen, mismatched = set(), []
    for shard in sorted(folder.glob("*.safetensors")):
        with safe_open(shard, framework="pt") as f:
            for key in f.keys():  # noqa: SIM118 - safe_open is not a dict
                seen.add(key)
                if key in digests and _digest(f.get_tensor(key)) != digests[key]:
                    mismatched.append(key)
    missing = [k for k in digests if k not in seen and not k.endswith("lm_head.weight")]
    if mismatched or missing:
        raise ExportError(f"The saved files differ from the merged model ({len(mismatched)} tensors differ, "
                          f"{len(missing)} missing).", "Check free disk space and export again.")


def _generation_config(model: Any) -> Any:
    base = model.get_base_model() if hasattr(model, "get_base_model") else model
    return getattr(base, "generation_config", None)


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


def _reporter(sink: EventSink | None, stop: StopFlag | None = None):
    """Report a stage as a `phase` event, after checking the stop flag (Cancelled when it is set)."""
    def report(message: str, current: int, total: int) -> None:
        if stop is not None and stop.is_set():
            raise Cancelled("Export cancelled.", "Nothing half-written was kept.")
        if sink is not None:
            sink.emit("phase", name="export", message=message, current=current, total=total)
    return report


def _warner(sink: EventSink | None):
    return None if sink is None else lambda message, hint: sink.emit("warning", message=message, hint=hint)


def _record(run_id: str | None, store: Store | None, sink: EventSink | None, kind: str, path: Path,
            props: dict) -> None:
    row = store.add_artifact(run_id, kind, path, props) if (store and run_id) else {"bytes": 0}
    if sink is not None:
        sink.emit("artifact", kind=kind, path=str(path), bytes=row["bytes"], properties=props)
