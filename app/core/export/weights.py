"""Exports: adapter (PEFT format), merged model (HF safetensors), each verified by reloading and comparing logits.

Every export is written to a staging folder and renamed into place (staging.py), so a failed or cancelled export
never leaves a half-written model where a good one is expected, and never replaces a folder that is not an export.
"""

from __future__ import annotations

import gc
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..chat.checks import add_turn_end_stop
from ..chat.checks import chat_verdict as _chat_verdict
from ..config import RunConfig
from ..errors import ExportError
from ..messages import Text
from ..runs.context import RunContext
from .merge_stream import digest
from .model_card import model_card
from .parity import compare, torch_dtype, weights_dtype
from .staging import staged

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

log = logging.getLogger(__name__)

CANCELLED = (Text("Export cancelled."), Text("Nothing half-written was kept."))

VERIFY_PROMPTS = (
    "Which is the largest planet in the solar system?",
    "Write one sentence about autumn.",
    "What is 12 times 7?",
)


@dataclass(frozen=True)
class ExportSource:
    """What an export is made from beyond the model in memory: how its model card names it, the folder of its saved
    adapter (default: `adapter` beside the merged target), and whether the model was loaded for this export alone
    (then it is released once no longer needed, so it is never held beside a second copy)."""

    label: str = "final model"
    adapter_dir: Path | None = None
    loaded_for_export: bool = False


class Trained:
    """A trained model as the exports use it: the model itself until `release()`, and what they read from it after
    that, taken here (its adapter's base folder, dtypes, device, quantisation, generation config) or once, on the
    first call (`logits`, the reference logits every check of this model compares with).

    The run hands its model over in one of these as its only reference to it (engine._fit), so that an export lets
    it go (`release()`) once it has saved what it needs and taken the reference logits, and before its check reloads
    a model from disk: the trained model and a reload are never in memory together. Given a model that its caller
    holds too (a test, an export of a loaded checkpoint), `release()` drops this reference alone."""

    def __init__(self, model: Any) -> None:
        import torch

        self.model: Any = model
        self.peft = hasattr(model, "peft_config")
        self.peft_config = getattr(model, "peft_config", {}).get("default")
        self.base_folder = _base_folder(model)
        self.dtype = weights_dtype(model)  # the precision it computes in (parity.py)
        self.fp32 = all(p.dtype == torch.float32 for p in model.parameters())
        self.quantized = _is_quantized(model)
        base = model.get_base_model() if hasattr(model, "get_base_model") else model
        self.quantization = base.config.quantization_config if self.quantized else None
        self.device = model.device
        self.embedding_dtype = model.get_input_embeddings().weight.dtype
        self.generation = _generation_config(model)
        self._logits: list | None = None

    @classmethod
    def of(cls, model: Any) -> Trained:
        """`model` if it is a Trained already, else a Trained holding it (beside its caller)."""
        return model if isinstance(model, Trained) else cls(model)

    def logits(self, tokenizer: Any) -> list:
        """The model's logits on VERIFY_PROMPTS, computed on the first call (the model must still be held)."""
        if self._logits is None:
            if self.model is None:
                raise RuntimeError("the trained model was released before its reference logits were taken")
            self._logits = _logits(self.model, tokenizer)
        return self._logits

    def release(self) -> None:
        """Drop this reference to the model and collect what it held (with a run's trainer gone, the model and the
        cycles around it), handing the freed pages back to the system."""
        from ..training.heap import trim_heap

        self.model = None
        gc.collect()
        trim_heap()


def export_context(run_id: str | None = None, **parts: Any) -> RunContext:
    """The context of an export: its phases are named "export", and a stop ends it with nothing half-written."""
    return RunContext(run_id, name="export", cancelled=CANCELLED, **parts)


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


def load_fp32(folder: str | Path, trusted: bool) -> Any:
    """The causal LM saved in `folder`, in fp32: the same weights as from_pretrained(dtype=float32) gives, read
    tensor by tensor from files opened and closed per tensor (as merge_stream does), so that no half-precision file
    stays mapped and resident beside the fp32 weights while they load (+2 bytes a parameter at the peak: on the demo
    model +547 MiB instead of +775). Anything not read so (a weight renamed on loading, a buffer) is cast as loaded."""
    import torch
    from safetensors import safe_open
    from transformers import AutoModelForCausalLM

    from .merge_stream import base_files

    model = AutoModelForCausalLM.from_pretrained(folder, dtype="auto", trust_remote_code=trusted)  # mapped, unread
    where = {}
    for file in base_files(Path(folder)):
        with safe_open(file, framework="pt") as f:
            where.update(dict.fromkeys(f.keys(), file))  # noqa: SIM118 - safe_open is not a dict
    for name, param in model.named_parameters():  # a tied weight once
        if name in where:
            with safe_open(where[name], framework="pt") as f:  # closed at once: its mapped pages leave memory
                if list(f.get_slice(name).get_shape()) == list(param.shape):
                    param.data = f.get_tensor(name).to(torch.float32)
    return model.float()


def _is_quantized(model: Any) -> bool:
    base = model.get_base_model() if hasattr(model, "get_base_model") else model
    return bool(getattr(base, "is_loaded_in_4bit", False) or getattr(base, "is_loaded_in_8bit", False))


def _base_folder(model: Any) -> str:
    peft_cfg = getattr(model, "peft_config", {}).get("default")
    return peft_cfg.base_model_name_or_path if peft_cfg else model.config._name_or_path


def _base_as_trained(trained: Trained, folder: str, trusted: bool) -> Any:
    """The base model as the trained one holds it, on its device: in its dtype (fp32 masters on a CPU, a GPU run's
    half-precision base), and for QLoRA quantised again from the same dtype with the same 4/8-bit settings (which
    gives the same weights: bitsandbytes' quantisation is deterministic), the layers left unquantised then cast as
    peft's k-bit preparation cast them in training (fp32). An fp32 base on a CPU is read tensor by tensor
    (load_fp32)."""
    from transformers import AutoModelForCausalLM, BitsAndBytesConfig

    if trained.device.type == "cpu" and trained.dtype == "fp32" and not trained.quantized:
        return load_fp32(folder, trusted)
    kwargs: dict[str, Any] = {"dtype": torch_dtype(trained.dtype), "trust_remote_code": trusted}
    if trained.device.type != "cpu":
        kwargs["device_map"] = {"": trained.device}
    if not trained.quantized:
        return AutoModelForCausalLM.from_pretrained(folder, **kwargs)
    quant = trained.quantization
    quant = quant if isinstance(quant, BitsAndBytesConfig) else BitsAndBytesConfig.from_dict(quant)
    kwargs.update(quantization_config=quant, dtype=getattr(quant, "bnb_4bit_compute_dtype", None) or kwargs["dtype"])
    base = AutoModelForCausalLM.from_pretrained(folder, **kwargs)
    for param in base.parameters():
        if param.is_floating_point():
            param.data = param.data.to(trained.embedding_dtype)
    return base


def export_adapter(config: RunConfig | None, model: PreTrainedModel | Trained, tokenizer: PreTrainedTokenizerBase,
                   out: Path, ctx: RunContext | None = None, source: ExportSource | None = None) -> Path:
    """Save the adapter alone (loadable with PeftModel.from_pretrained on the base), with the tokenizer. The model
    (a `Trained` handed over) is let go once the adapter is saved and its reference logits are taken."""
    from peft import PeftModel
    from transformers import AutoTokenizer

    trained = Trained.of(model)
    del model  # from here on `trained` holds it, to let it go before the check's reload
    ctx, source, out = ctx or export_context(), source or ExportSource(), Path(out)
    with staged(out, "adapter", ctx.run_id) as tmp:
        trained.model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        props: dict[str, Any] = {"base_model": trained.base_folder}
        trusted = config is not None and config.model.trust_remote_code  # the model's own code, as in training
        expected = trained.logits(tokenizer) if config is None or config.export.verify else None
        trained.release()
        if expected is not None:
            # like with like: the base reloaded as the trained model holds it (parity.py)
            base = _base_as_trained(trained, props["base_model"], trusted)
            reloaded = PeftModel.from_pretrained(base, tmp)
            verdict = compare(expected, _logits(reloaded, tokenizer), trained.dtype, weights_dtype(reloaded))
            del base, reloaded
            props.update(verdict.report())
            if not verdict.passed:
                raise ExportError(Text("The saved adapter does not reproduce the trained model: {failure}.",
                                       failure=verdict.failure()),
                                  Text("Export again; if it persists, report it with the run's log."))
            props.update(_chat_verdict(tokenizer, AutoTokenizer.from_pretrained(tmp, trust_remote_code=trusted),
                                       trained.generation, _warner(ctx)))
        if config is not None:
            (tmp / "README.md").write_text(model_card(config, ctx.run_id, ctx.store, props, kind="adapter",
                                                      source=source.label), encoding="utf-8")
    ctx.record("adapter", out, props)
    return out


def _check_mergeable(trained: Trained) -> None:
    """Prompt, prefix and P-tuning add virtual tokens rather than change weights: there is nothing to merge."""
    peft_cfg = trained.peft_config
    if peft_cfg is not None and peft_cfg.is_prompt_learning:
        raise ExportError(Text("A {kind} adapter adds virtual tokens and cannot be merged into the model's "
                               "weights.", kind=peft_cfg.peft_type.value.lower().replace('_', ' ')),
                          Text("Export the adapter instead and load it on the base model."))


def export_merged(config: RunConfig, model: PreTrainedModel | Trained, tokenizer: PreTrainedTokenizerBase, out: Path,
                  ctx: RunContext | None = None, source: ExportSource | None = None) -> Path:
    """Merge the adapter into a full-precision base (never into 4-bit weights) and save it in `export.dtype`,
    in shards of at most `export.max_shard_size`.

    A plain LoRA adapter (LoRA, QLoRA, rsLoRA, LoRA+, converted PiSSA/OLoRA) saved in `source.adapter_dir` (default:
    the `adapter` folder beside `out`) is merged shard by shard from the base checkpoint (merge_stream.py); any other
    adapter is merged by peft in memory. With `source.loaded_for_export`, `model` is released (its weights move to
    the meta device) once it is no longer needed, so it is never held beside a second copy; a `Trained` handed over
    is let go then too, before any model is loaded from disk. Verified: the saved shards tensor by tensor against
    what was merged, and the reloaded model's logits against the adapter model's (fp32); the in-memory merge is also
    checked against the adapter model before saving.
    """
    from transformers import AutoTokenizer

    from .merge_stream import why_not_streamed

    trained = Trained.of(model)
    del model  # from here on `trained` holds it, to let it go before a model is loaded from disk
    _check_mergeable(trained)
    trusted = config.model.trust_remote_code  # the model's own code, as in training
    ctx, source = ctx or export_context(), source or ExportSource()
    props: dict[str, Any] = {"dtype": config.export.dtype}
    adapter_dir = Path(source.adapter_dir or (Path(out).parent / "adapter"))
    streamed = False
    if trained.peft:  # the report says which merge ran, and why not the streamed one
        why = why_not_streamed(adapter_dir, Path(trained.base_folder))
        streamed = why is None
        props["merge"] = "streamed shard by shard" if streamed else f"in memory ({why})"
    with staged(Path(out), "merged", ctx.run_id) as tmp:
        merge = _merge_streamed if streamed else _merge_in_memory
        expected, generation, digests = merge(config, trained, tokenizer, tmp, adapter_dir, ctx.step,
                                              source.loaded_for_export, props)
        tokenizer.save_pretrained(tmp)
        if generation is not None:
            if added := add_turn_end_stop(tokenizer, generation):
                props["stop_token_added"] = added
            generation.save_pretrained(tmp)

        ctx.step(Text("Verifying the export"), 3, 4)
        props["shards"] = len(list(tmp.glob("*.safetensors")))
        if config.export.verify:
            _verify_shards(tmp, digests)
            reloaded = load_fp32(tmp, trusted)  # the saved weights, computed in fp32
            got = _logits(reloaded, tokenizer)
            del reloaded
            verdict = compare(expected, got, props.pop("reference_dtype"), config.export.dtype)
            props.update(verdict.report())
            if streamed and config.export.dtype == "fp32":  # the reloaded files are the merged model
                props["merge_max_abs_diff"] = props["max_abs_diff"]
            _judge(verdict, ctx)
            props.update(_chat_verdict(tokenizer, AutoTokenizer.from_pretrained(tmp, trust_remote_code=trusted),
                                       generation, _warner(ctx)))
        (tmp / "README.md").write_text(model_card(config, ctx.run_id, ctx.store, props, source=source.label),
                                       encoding="utf-8")
    ctx.step(Text("Export complete"), 4, 4)
    ctx.record("merged", Path(out), props)
    return Path(out)


def _reference(trained: Trained, adapter_dir: Path, reuse: bool, trust_remote_code: bool) -> Any:
    """The adapter model in fp32 to compare the export with (and, in memory, to merge): the trained model itself
    when `reuse` and it is not quantized, else (the trained model let go first) the base reloaded in fp32 with the
    saved adapter (running the base's own code only with `trust_remote_code`)."""
    from peft import PeftModel

    if reuse and not trained.quantized:
        return trained.model
    if not (adapter_dir / "adapter_config.json").exists():
        raise ExportError(Text("No adapter found in {adapter_dir}.", adapter_dir=adapter_dir),
                          Text("Export the adapter first."))
    trained.release()
    return PeftModel.from_pretrained(load_fp32(trained.base_folder, trust_remote_code), adapter_dir)


def _merge_streamed(config: RunConfig, trained: Trained, tokenizer: Any, tmp: Path, adapter_dir: Path, report: Any,
                    in_place: bool, props: dict) -> tuple[Any, Any, dict]:
    """Reference logits first (the only time a whole model is in memory), then base + adapter shard by shard."""
    from .merge_stream import stream_merge

    expected = None
    if config.export.verify:
        report(Text("Computing the adapter model's reference logits"), 0, 4)
        # reading logits leaves the model as it was, so a trained fp32 model serves as its own reference
        reuse = (in_place or trained.fp32) and not trained.quantized
        if reuse:
            expected, props["reference_dtype"] = trained.logits(tokenizer), trained.dtype
        else:
            reference = _reference(trained, adapter_dir, False, config.model.trust_remote_code)
            expected, props["reference_dtype"] = _logits(reference, tokenizer), weights_dtype(reference)
            del reference
    if in_place:
        trained.model.to("meta")  # ours to release: the merge reads the base from disk
    trained.release()
    report(Text("Saving in {dtype}, merging the adapter shard by shard", dtype=config.export.dtype), 2, 4)
    digests = stream_merge(Path(trained.base_folder), adapter_dir, tmp, torch_dtype(config.export.dtype),
                           config.export.max_shard_size, progress=lambda message, i, n: report(message, 2, 4),
                           trust_remote_code=config.model.trust_remote_code)
    return expected, trained.generation, digests


def _merge_in_memory(config: RunConfig, trained: Trained, tokenizer: Any, tmp: Path, adapter_dir: Path, report: Any,
                     in_place: bool, props: dict) -> tuple[Any, Any, dict]:
    """peft's merge_and_unload on an fp32 copy (or the whole-model run as trained), checked, then saved."""
    if trained.peft:
        report(Text("Loading the base in full precision"), 0, 4)
        reference = _reference(trained, adapter_dir, in_place, config.model.trust_remote_code)
        expected = _logits(reference, tokenizer)
        report(Text("Merging the adapter"), 1, 4)
        props["reference_dtype"] = weights_dtype(reference)
        merged = reference.merge_and_unload()
        del reference
        verdict = compare(expected, _logits(merged, tokenizer), props["reference_dtype"], weights_dtype(merged))
        props["merge_max_abs_diff"] = verdict.max_abs_diff
        if not verdict.passed:
            raise ExportError(Text("Merging changed the model's outputs: {failure}.",
                                   failure=verdict.failure()),
                              Text("Export the adapter instead and report this with the run's log."))
    else:
        merged, expected, props["merge_max_abs_diff"] = trained.model, trained.logits(tokenizer), 0.0
        props["reference_dtype"] = trained.dtype
    report(Text("Saving in {dtype}", dtype=config.export.dtype), 2, 4)
    merged = merged.to(torch_dtype(config.export.dtype))
    merged.config.use_cache = True
    merged.save_pretrained(tmp, safe_serialization=True, max_shard_size=config.export.max_shard_size)
    generation = _generation_config(merged)
    digests = {k: digest(v) for k, v in merged.state_dict().items()}
    if in_place or trained.peft:  # our own copy, or one the caller gave up
        merged.to("meta")  # the weights are on disk now: free them before the reload that verifies them
    del merged
    trained.release()  # a whole model handed over goes too
    return expected, generation, digests


def _verify_shards(folder: Path, digests: dict[str, str]) -> None:
    """Read the saved safetensors shard by shard and compare each tensor with the merged model's (tied weights,
    saved once, are the only ones allowed to be absent)."""
    from safetensors import safe_open

    seen, mismatched = set(), []
    for shard in sorted(folder.glob("*.safetensors")):
        with safe_open(shard, framework="pt") as f:
            for key in f.keys():  # noqa: SIM118 - safe_open is not a dict
                seen.add(key)
                if key in digests and digest(f.get_tensor(key)) != digests[key]:
                    mismatched.append(key)
    missing = [k for k in digests if k not in seen and not k.endswith("lm_head.weight")]
    if mismatched or missing:
        raise ExportError(Text("The saved files differ from the merged model ({mismatched} tensors differ, "
                               "{missing} missing).", mismatched=len(mismatched), missing=len(missing)),
                          Text("Check free disk space and export again."))


def _generation_config(model: Any) -> Any:
    base = model.get_base_model() if hasattr(model, "get_base_model") else model
    return getattr(base, "generation_config", None)


def _judge(verdict: Any, ctx: RunContext) -> None:
    if not verdict.passed:
        raise ExportError(Text("The exported {candidate} model does not answer like the trained model: "
                               "{failure}.", candidate=verdict.candidate, failure=verdict.failure()),
                          Text("Check free disk space and export again; export in fp32 to see whether "
                               "rounding is the cause, and if fp32 fails too, report it with the run's log."))
    if verdict.rounding_costs:
        ctx.warn(Text("Rounding to {candidate} changes the model's next-token choice at {share:.1%} of "
                      "positions.", candidate=verdict.candidate, share=1 - float(verdict.top1_agreement)),
                 Text("Export in fp16 or fp32 to keep the tuned behaviour."))


def _warner(ctx: RunContext):
    """The chat checks' `warn(message, hint)`: None without a sink."""
    return None if ctx.sink is None else ctx.warn
