"""Chat with a model or a run: load it (merged export, or adapter on its base) and stream replies token by token.

`serve_jsonl` is the protocol the GUI speaks to a long-lived `finetune-studio chat MODEL --jsonl` process: requests
are JSON lines on stdin, events are JSON lines on stdout:

    stdin:  {"messages": [{"role": "user", "content": "Hi"}], "max_tokens": 64, "temperature": 0.7, "top_p": 0.9}
            {"stop": true}                 (ends the answer being generated; the model stays loaded)
    stdout: {"event": "loaded", "model": KEY, "memory_bytes": RSS, "seconds": S}
            {"event": "token", "text": "..."}                    (per streamed piece)
            {"event": "done", "tokens": N, "seconds": S, "tokens_per_second": R, "stopped": false,
             "trimmed": T}                 (T oldest turns left out to fit the model's context)
            {"event": "error", "error": "...", "hint": "..."}     (a bad request, or a load failure: then it exits)

EOF on stdin ends the process.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from .errors import ModelError, RunNotFound, StudioError

log = logging.getLogger(__name__)


def resolve_chat_target(key: str, prefer_merged: bool = True) -> tuple[str, Path | None]:
    """(model source, adapter folder or None) for a run id/name or a model source; a run's merged export is
    preferred to its adapter unless `prefer_merged` is off."""
    import yaml

    from .config import parse_config
    from .engine import last_checkpoint
    from .methods import METHODS
    from .paths import run_dir
    from .store import Store

    try:
        run = Store().get_run(key)
    except RunNotFound:
        return key, None
    folder = run_dir(run["id"])
    if prefer_merged and (folder / "merged" / "config.json").exists():
        return str(folder / "merged"), None
    config = parse_config(yaml.safe_load(run["config"]))
    if not METHODS[config.method.name].uses_adapter:
        ckpt = last_checkpoint(folder)
        if ckpt is None:
            raise ModelError(f"Run {run['id']} has no saved model yet.", "Wait for its first checkpoint.")
        return str(ckpt), None
    adapter = folder / "adapter" if (folder / "adapter" / "adapter_config.json").exists() else last_checkpoint(folder)
    if adapter is None:
        raise ModelError(f"Run {run['id']} has no adapter yet.", "Wait for its first checkpoint.")
    return config.model.source, adapter


def base_model_of(key: str) -> str:
    """The model a run was trained from (its `model.source`); 'demo' for anything that is not a run."""
    import yaml

    from .store import Store

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


def _load_base(source: str, tokenizer_from: Path | None, progress: Any = None) -> tuple[Any, Any]:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from .data import ensure_chat_template
    from .models import model_dir

    folder = model_dir(source, progress=progress) if not Path(source).is_dir() else Path(source)
    has_tokenizer = tokenizer_from is not None and (Path(tokenizer_from) / "tokenizer_config.json").exists()
    tokenizer = AutoTokenizer.from_pretrained(tokenizer_from if has_tokenizer else folder)  # the run's own first
    ensure_chat_template(tokenizer)
    dtype = torch.bfloat16 if torch.cuda.is_available() else torch.float32
    model = AutoModelForCausalLM.from_pretrained(folder, dtype=dtype,
                                                 device_map="auto" if torch.cuda.is_available() else None)
    return model, tokenizer


def load_for_chat(key: str, progress: Any = None) -> tuple[Any, Any]:
    """(model, tokenizer) ready for generation."""
    source, adapter = resolve_chat_target(key)
    model, tokenizer = _load_base(source, adapter, progress)
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
        raise ModelError(f"{', '.join(plain)}: not a run with an adapter.",
                         "Several runs share one base model only when each trained an adapter (LoRA and the like); "
                         "chat with other models one at a time.")
    sources = {source for source, _ in targets.values()}
    if len(sources) > 1:
        raise ModelError(f"These runs were trained on different base models ({', '.join(sorted(sources))}).",
                         "Load together only runs of one base model.")
    names = {key: f"run{i}" for i, key in enumerate(keys)}  # peft adapter names must be module-name safe
    first = keys[0]
    model, tokenizer = _load_base(sources.pop(), targets[first][1], progress)
    model = PeftModel.from_pretrained(model, targets[first][1], adapter_name=names[first])
    for key in keys[1:]:
        model.load_adapter(str(targets[key][1]), adapter_name=names[key])
    model.eval()
    return model, tokenizer, names


def fit_context(tokenizer: Any, messages: list[dict], limit: int) -> tuple[list[dict], int]:
    """Drop the oldest turns (never the system message or the last message) until the rendered prompt fits in
    `limit` tokens; returns (messages, how many were dropped). A lone last message that is still too long is kept:
    generation then cuts nothing, and the model sees a prompt past its context."""
    system = [m for m in messages[:1] if m["role"] == "system"]
    rest = messages[len(system):]
    dropped = 0
    while len(rest) > 1:
        ids = tokenizer.apply_chat_template([*system, *rest], add_generation_prompt=True, tokenize=True,
                                            return_dict=True)["input_ids"]
        if len(ids) <= limit:
            break
        cut = 2 if len(rest) > 2 and rest[0]["role"] == "user" and rest[1]["role"] == "assistant" else 1
        rest, dropped = rest[cut:], dropped + cut
    return [*system, *rest], dropped


def context_length(model: Any) -> int:
    return int(getattr(model.config, "max_position_embeddings", None) or 2048)


def stream_reply(model: Any, tokenizer: Any, messages: list[dict], *, max_new_tokens: int = 256,
                 temperature: float = 0.0, top_p: float = 1.0, stop: threading.Event | None = None,
                 stats: dict | None = None) -> Iterator[str]:
    """Yield the reply's text piece by piece as it is generated.

    Setting `stop` ends generation after the current token; `stats["tokens"]` counts the tokens generated and
    `stats["trimmed"]` the oldest turns left out so the conversation and the answer fit the model's context.
    """
    import torch
    from transformers import StoppingCriteria, StoppingCriteriaList, TextIteratorStreamer

    stats = stats if stats is not None else {}
    messages, stats["trimmed"] = fit_context(tokenizer, messages, context_length(model) - max_new_tokens)
    enc = tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt",
                                        return_dict=True).to(model.device)
    streamer = TextIteratorStreamer(tokenizer, skip_prompt=True, skip_special_tokens=True)
    prompt_len = enc["input_ids"].shape[-1]
    stats["tokens"] = 0

    class _CountAndStop(StoppingCriteria):
        def __call__(self, input_ids, scores, **kwargs):
            stats["tokens"] = int(input_ids.shape[-1] - prompt_len)
            stopped = stop is not None and stop.is_set()
            return torch.full((input_ids.shape[0],), stopped, dtype=torch.bool, device=input_ids.device)

    kwargs = {**enc, "max_new_tokens": max_new_tokens, "streamer": streamer, "use_cache": True,
              "pad_token_id": tokenizer.pad_token_id, "stopping_criteria": StoppingCriteriaList([_CountAndStop()])}
    if temperature > 0:
        kwargs.update(do_sample=True, temperature=temperature, top_p=top_p)
    else:
        kwargs.update(do_sample=False)
    thread = threading.Thread(target=model.generate, kwargs=kwargs, daemon=True)
    thread.start()
    yield from streamer
    thread.join()


def _read_requests(inp: TextIO, requests: queue.Queue, stop: threading.Event) -> None:
    """Reader thread: stop requests act at once, others queue; None marks EOF."""
    for line in inp:
        line = line.strip()
        if not line:
            continue
        try:
            request = json.loads(line)
        except json.JSONDecodeError as exc:
            request = {"invalid": f"not JSON: {exc}"}
        if isinstance(request, dict) and request.get("stop"):
            stop.set()
        else:
            requests.put(request)
    requests.put(None)


def serve_jsonl(key: str, inp: TextIO, out: TextIO, *, system: str | None = None, max_tokens: int = 256,
                temperature: float = 0.0, top_p: float = 1.0) -> int:
    """Load `key` once, then answer every request read from `inp` until EOF (see the module docstring)."""

    def emit(event: str, **fields: Any) -> None:
        out.write(json.dumps({"event": event, **fields}, ensure_ascii=False) + "\n")
        out.flush()

    started = time.monotonic()
    try:
        model, tokenizer = load_for_chat(key)
    except StudioError as exc:
        emit("error", **exc.to_dict())
        return 2
    except Exception as exc:  # noqa: BLE001 - any load failure is reported as an event, not a traceback on stdout
        log.exception("could not load %s", key)
        emit("error", error=f"Could not load {key}: {exc}", hint="See the log for details.")
        return 1
    emit("loaded", model=key, memory_bytes=memory_bytes(), seconds=round(time.monotonic() - started, 3))
    requests: queue.Queue = queue.Queue()
    stop = threading.Event()
    threading.Thread(target=_read_requests, args=(inp, requests, stop), daemon=True).start()
    while (request := requests.get()) is not None:
        messages = request.get("messages") if isinstance(request, dict) else None
        if not isinstance(messages, list) or not messages:
            emit("error", error=request.get("invalid", "The request has no messages.")
                 if isinstance(request, dict) else "The request is not a JSON object.",
                 hint='Send {"messages": [{"role": "user", "content": "..."}]}.')
            continue
        if system and messages[0].get("role") != "system":
            messages = [{"role": "system", "content": system}, *messages]
        stop.clear()
        stats: dict = {}
        t0 = time.monotonic()
        try:
            for piece in stream_reply(model, tokenizer, messages,
                                      max_new_tokens=int(request.get("max_tokens", max_tokens)),
                                      temperature=float(request.get("temperature", temperature)),
                                      top_p=float(request.get("top_p", top_p)), stop=stop, stats=stats):
                if piece:
                    emit("token", text=piece)
        except Exception as exc:  # noqa: BLE001 - e.g. a template that rejects the roles; the model stays loaded
            log.exception("generation failed")
            emit("error", error=f"Generation failed: {exc}", hint="Check the messages and the model's chat template.")
            continue
        seconds = time.monotonic() - t0
        tokens = stats.get("tokens", 0)
        emit("done", tokens=tokens, seconds=round(seconds, 3),
             tokens_per_second=round(tokens / seconds, 2) if seconds > 0 else 0.0, stopped=stop.is_set(),
             trimmed=stats.get("trimmed", 0))
    return 0
