"""What chat talks to: a run (its merged export, or its adapter on the base) or a model, resolved and loaded;
several runs' adapters on one shared base. Generation is chat/generate.py, the JSON-lines process chat/serve.py."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from ..errors import ModelError, RunNotFound, StudioError
from ..messages import Term, Text

log = logging.getLogger(__name__)


def resolve_chat_target(key: str, prefer_merged: bool = True, allow_heads: bool = False) -> tuple[str, Path | None]:
    """(model source, adapter folder or None) for a run id/name or a model source; a run's merged export is
    preferred to its adapter unless `prefer_merged` is off. A reward model or classifier run is refused (nothing to
    chat with) unless `allow_heads` (its evaluation loads it the same way)."""
    import yaml

    from ..config import parse_config
    from ..methods import METHODS
    from ..paths import run_dir
    from ..runs.checkpoints import last_checkpoint
    from ..store import Store

    try:
        run = Store().get_run(key)
    except RunNotFound:
        return key, None
    folder = run_dir(run["id"])
    config = parse_config(yaml.safe_load(run["config"]))
    if not allow_heads:
        refuse_heads(run["id"], config.training.stage)
    if prefer_merged and (folder / "merged" / "config.json").exists():
        return str(folder / "merged"), None
    if not METHODS[config.method.name].uses_adapter:
        ckpt = last_checkpoint(folder)
        if ckpt is None:
            raise ModelError(Text("Run {id} has no saved model yet.", id=run['id']),
                             Text("Wait for its first checkpoint."))
        return str(ckpt), None
    adapter = folder / "adapter" if (folder / "adapter" / "adapter_config.json").exists() else last_checkpoint(folder)
    if adapter is None:
        raise ModelError(Text("Run {id} has no adapter yet.", id=run['id']),
                         Text("Wait for its first checkpoint."))
    return config.model.source, adapter


def refuse_heads(run_id: str, stage: str) -> None:
    """A reward model or classifier (a scoring head, no language-model head) cannot chat: say so and what to use."""
    from ..stages.registry import STAGES

    if STAGES[stage].head != "sequence":
        return
    does = (Text("it scores answers with its reward head") if stage == "rm" else
            Text("it labels texts with its classification head"))
    raise ModelError(Text("Run {run_id} is a {lower} ({stage} stage): {does} and does not generate text, so "
                          "there is nothing to chat with.",
                          run_id=run_id, lower=Term(STAGES[stage].title, STAGES[stage].title.lower()), stage=stage, does=does),
                     Text("Score it on held-out data instead: the Evaluate page, or `finetune-studio eval "
                          "{run_id}`.", run_id=run_id))


def shared_base(keys: list[str]) -> str | None:
    """The base model that the distinct chat `keys` can share in one process, or None. They can when each is a
    run whose chat target is a plain LoRA adapter (no merged export; not DoRA or another adapter type, which
    peft's mixed batches do not compute) on one base model, or that base model itself, and one at least is a run.
    Reads the store and adapter configs only (no torch), so the GUI can ask."""
    if len(keys) < 2 or len(set(keys)) < len(keys):
        return None
    sources, adapters = set(), 0
    for key in keys:
        try:
            source, adapter = resolve_chat_target(key)
        except StudioError:
            return None
        if adapter is not None:
            settings = adapter / "adapter_config.json"
            config = json.loads(settings.read_text(encoding="utf-8")) if settings.exists() else {}
            if config.get("peft_type") != "LORA" or config.get("use_dora"):
                return None
            adapters += 1
        sources.add(source)
    return sources.pop() if adapters and len(sources) == 1 else None


def base_model_of(key: str) -> str:
    """The model a run was trained from (its `model.source`); 'demo' for anything that is not a run."""
    import yaml

    from ..store import Store

    try:
        run = Store().get_run(key)
    except RunNotFound:
        return "demo"
    return str((yaml.safe_load(run["config"]) or {}).get("model", {}).get("source") or "demo")


def memory_bytes() -> int:
    """Resident memory of this process now (Linux: /proc/self/statm), else its peak (resource), else 0."""
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError, AttributeError):
        pass
    try:
        import resource
        import sys

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024
    except (ImportError, OSError):
        return 0


def trusts_remote_code(key: str) -> bool:
    """Whether the model behind a chat key may run its own code: what the run's config allowed when it trained; a
    model that is not a run was allowed nothing (chat takes no such flag)."""
    import yaml

    from ..store import Store

    try:
        run = Store().get_run(key)
    except RunNotFound:
        return False
    return bool(((yaml.safe_load(run["config"]) or {}).get("model") or {}).get("trust_remote_code"))


def _load_base(source: str, tokenizer_from: Path | None, progress: Any = None,
               trust_remote_code: bool = False) -> tuple[Any, Any]:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from ..data import ensure_chat_template
    from ..models import check_remote_code, check_safetensors, model_dir

    folder = model_dir(source, progress=progress) if not Path(source).is_dir() else Path(source)
    check_remote_code(folder, trust_remote_code)
    for weights in sorted(folder.glob("*.safetensors")):  # a run's export or checkpoint, cut short: say which file
        check_safetensors(weights)
    has_tokenizer = tokenizer_from is not None and (Path(tokenizer_from) / "tokenizer_config.json").exists()
    tokenizer = AutoTokenizer.from_pretrained(tokenizer_from if has_tokenizer else folder,  # the run's own first
                                              trust_remote_code=trust_remote_code)
    ensure_chat_template(tokenizer)
    dtype = torch.bfloat16 if torch.cuda.is_available() else torch.float32
    model = AutoModelForCausalLM.from_pretrained(folder, dtype=dtype, trust_remote_code=trust_remote_code,
                                                 device_map="auto" if torch.cuda.is_available() else None)
    return model, tokenizer


def load_for_chat(key: str, progress: Any = None, trust_remote_code: bool | None = None) -> tuple[Any, Any]:
    """(model, tokenizer) ready for generation. `trust_remote_code`: whether the model may run its own code; None:
    what `trusts_remote_code(key)` says (a run's base model is loaded with its run's word)."""
    source, adapter = resolve_chat_target(key)
    trusted = trusts_remote_code(key) if trust_remote_code is None else trust_remote_code
    model, tokenizer = _load_base(source, adapter, progress, trusted)
    if adapter is not None:
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, adapter)
    model.eval()
    return model, tokenizer


def load_adapters_for_chat(keys: list[str], progress: Any = None) -> tuple[Any, Any, dict[str, str]]:
    """One base model with the adapters of several runs trained on it: (model, tokenizer, {run key: adapter
    name}). `model.set_adapter(name)` switches between them, `model.disable_adapter()` gives the base model, so
    several runs answer side by side for the memory of one model plus their adapters."""
    from peft import PeftModel

    targets = {key: resolve_chat_target(key, prefer_merged=False) for key in keys}
    plain = [key for key, (_, adapter) in targets.items() if adapter is None]
    if plain:
        raise ModelError(Text("{plain}: not a run with an adapter.", plain=', '.join(plain)),
                         Text("Several runs share one base model only when each trained an adapter (LoRA and "
                              "the like); chat with other models one at a time."))
    sources = {source for source, _ in targets.values()}
    if len(sources) > 1:
        raise ModelError(Text("These runs were trained on different base models ({sources}).",
                              sources=', '.join(sorted(sources))),
                         Text("Load together only runs of one base model."))
    names = {key: f"run{i}" for i, key in enumerate(keys)}  # peft adapter names must be module-name safe
    first = keys[0]
    model, tokenizer = _load_base(sources.pop(), targets[first][1], progress,
                                  all(trusts_remote_code(key) for key in keys))
    model = PeftModel.from_pretrained(model, targets[first][1], adapter_name=names[first])
    for key in keys[1:]:
        model.load_adapter(str(targets[key][1]), adapter_name=names[key])
    model.eval()
    return model, tokenizer, names


def load_shared_for_chat(keys: list[str], progress: Any = None) -> tuple[Any, Any, dict[str, str]]:
    """One process for keys that share a base (`shared_base`): (model, tokenizer, {key: adapter name}), the base
    model itself named BASE_ADAPTER, as `stream_answers` takes them."""
    from .generate import BASE_ADAPTER

    base = shared_base(keys)
    if base is None:
        raise ModelError(Text("{keys} do not share one base model.", keys=', '.join(keys)),
                         Text("Load together a base model and LoRA runs trained on it, or runs of one base "
                              "model."))
    model, tokenizer, names = load_adapters_for_chat([key for key in keys if key != base], progress)
    if model.device.type == "cpu":  # torch's CPU SDPA spent ~5x the CPU time of one row on two (measured on the
        model.get_base_model().set_attn_implementation("eager")  # demo model); eager attention ~2x, as it should
    return model, tokenizer, {key: names.get(key, BASE_ADAPTER) for key in keys}
