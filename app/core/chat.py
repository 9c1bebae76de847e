"""Chat with a model or a run: load it (merged export, or adapter on its base) and stream replies token by token.

`serve_jsonl` is the protocol the GUI speaks to a long-lived `finetune-studio chat MODEL [--with MODEL2] --events
jsonl` process: requests are JSON lines on stdin, events are JSON lines on stdout in the envelope of every worker
(app/core/events.py: "event", "time", fields), each naming its model key. One process
serves one model, or (with --with) several keys sharing one base model: runs' LoRA adapters on it and the base
itself (see `shared_base`); requests for several keys that arrive together are answered in one batched generate,
each key with its own adapter (app/core/chat_generate.py), so both stream at once.

    stdin:  {"model": KEY, "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 64, "temperature": 0.7,
             "top_p": 0.9}                 ("model" may be left out: the first key)
            {"stop": true, "model": KEY}   (ends KEY's answer; without "model" every answer; models stay loaded)
            {"unload": KEY}                (drops KEY's adapter; the process ends when no key is left)
    stdout: {"event": "loaded", "model": KEY, "memory_bytes": RSS, "seconds": S, "shared": [KEYS]}
                                           (one per key; "shared" lists the keys of a shared process)
            {"event": "token", "model": KEY, "text": "..."}                    (per streamed piece)
            {"event": "done", "model": KEY, "tokens": N, "seconds": S, "tokens_per_second": R, "stopped": false,
             "trimmed": T}                 (T oldest turns left out to fit the model's context)
            {"event": "unloaded", "model": KEY, "memory_bytes": RSS}
            {"event": "error", "model": KEY, "error": "...", "hint": "..."}
                                           (a bad request, or a load failure: then one per key, and it exits)
            {"event": "finished", "status": "completed" | "failed" | "rejected", "error": ..., "hint": ...}
                                           (the last event: EOF on stdin, every key unloaded, or a load failure)

EOF on stdin ends the process.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

from .errors import ModelError, RunNotFound, StudioError
from .events import EventSink

log = logging.getLogger(__name__)


def resolve_chat_target(key: str, prefer_merged: bool = True, allow_heads: bool = False) -> tuple[str, Path | None]:
    """(model source, adapter folder or None) for a run id/name or a model source; a run's merged export is
    preferred to its adapter unless `prefer_merged` is off. A reward model or classifier run is refused (nothing to
    chat with) unless `allow_heads` (its evaluation loads it the same way)."""
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
    config = parse_config(yaml.safe_load(run["config"]))
    if not allow_heads:
        refuse_heads(run["id"], config.training.stage)
    if prefer_merged and (folder / "merged" / "config.json").exists():
        return str(folder / "merged"), None
    if not METHODS[config.method.name].uses_adapter:
        ckpt = last_checkpoint(folder)
        if ckpt is None:
            raise ModelError(f"Run {run['id']} has no saved model yet.", "Wait for its first checkpoint.")
        return str(ckpt), None
    adapter = folder / "adapter" if (folder / "adapter" / "adapter_config.json").exists() else last_checkpoint(folder)
    if adapter is None:
        raise ModelError(f"Run {run['id']} has no adapter yet.", "Wait for its first checkpoint.")
    return config.model.source, adapter


def refuse_heads(run_id: str, stage: str) -> None:
    """A reward model or classifier (a scoring head, no language-model head) cannot chat: say so and what to use."""
    from .stages.registry import STAGES

    if STAGES[stage].head != "sequence":
        return
    does = "scores answers with its reward head" if stage == "rm" else "labels texts with its classification head"
    raise ModelError(f"Run {run_id} is a {STAGES[stage].title.lower()} ({stage} stage): it {does} and does not "
                     "generate text, so there is nothing to chat with.",
                     f"Score it on held-out data instead: the Evaluate page, or `finetune-studio eval {run_id}`.")


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


def trusts_remote_code(key: str) -> bool:
    """Whether the model behind a chat key may run its own code: what the run's config allowed when it trained; a
    model that is not a run was allowed nothing (chat takes no such flag)."""
    import yaml

    from .store import Store

    try:
        run = Store().get_run(key)
    except RunNotFound:
        return False
    return bool(((yaml.safe_load(run["config"]) or {}).get("model") or {}).get("trust_remote_code"))


def _load_base(source: str, tokenizer_from: Path | None, progress: Any = None,
               trust_remote_code: bool = False) -> tuple[Any, Any]:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from .data import ensure_chat_template
    from .models import check_remote_code, check_safetensors, model_dir

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
        raise ModelError(f"{', '.join(plain)}: not a run with an adapter.",
                         "Several runs share one base model only when each trained an adapter (LoRA and the like); "
                         "chat with other models one at a time.")
    sources = {source for source, _ in targets.values()}
    if len(sources) > 1:
        raise ModelError(f"These runs were trained on different base models ({', '.join(sorted(sources))}).",
                         "Load together only runs of one base model.")
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
    from .chat_generate import BASE_ADAPTER

    base = shared_base(keys)
    if base is None:
        raise ModelError(f"{', '.join(keys)} do not share one base model.",
                         "Load together a base model and LoRA runs trained on it, or runs of one base model.")
    model, tokenizer, names = load_adapters_for_chat([key for key in keys if key != base], progress)
    if model.device.type == "cpu":  # torch's CPU SDPA spent ~5x the CPU time of one row on two (measured on the
        model.get_base_model().set_attn_implementation("eager")  # demo model); eager attention ~2x, as it should
    return model, tokenizer, {key: names.get(key, BASE_ADAPTER) for key in keys}


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
    from .chat_generate import Answer, stream_answers

    answer = Answer(messages, max_new_tokens, temperature, top_p, stop or threading.Event())
    try:
        for _row, piece in stream_answers(model, tokenizer, [answer]):
            if piece:
                yield piece
    finally:
        if stats is not None:
            stats.update(tokens=answer.tokens, trimmed=answer.trimmed)


def sampled_replier(model: Any, tokenizer: Any, *, temperature: float = 0.8, top_p: float = 0.95,
                    stop: threading.Event | None = None) -> Callable[[str, int, int], str]:
    """`ask(prompt, max_new_tokens, seed)`: the model's whole reply to one user turn, sampled after seeding torch
    with `seed` (the same seed, the same reply). Data augmentation generates with it (data.augment.Ask)."""
    import torch

    def ask(prompt: str, max_new_tokens: int, seed: int) -> str:
        torch.manual_seed(seed)
        return "".join(stream_reply(model, tokenizer, [{"role": "user", "content": prompt}],
                                    max_new_tokens=max_new_tokens, temperature=temperature, top_p=top_p,
                                    stop=stop)).strip()

    return ask


BATCH_WAIT = 0.05  # seconds a shared process waits for the other keys' requests to answer them in one batch
EOF_MARK = object()


def _read_requests(inp: TextIO, requests: queue.Queue, stops: dict[str, threading.Event], first: str) -> None:
    """Reader thread: stop requests act at once (and an unload stops its key's answer); others queue in order, a
    new question clearing its key's stop. EOF_MARK marks the end of input."""
    for line in inp:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
        except json.JSONDecodeError as exc:
            request = {"invalid": f"not JSON: {exc}"}
        if not isinstance(request, dict):
            request = {"invalid": "The request is not a JSON object."}
        named = request.get("model")
        if request.get("stop"):
            for event in stops.values() if named is None else [stops[named]] if named in stops else []:
                event.set()
            continue
        key = request.get("unload") or request.setdefault("model", first)
        if key in stops:
            (stops[key].set if "unload" in request else stops[key].clear)()
        requests.put(request)
    requests.put(EOF_MARK)


def _problem(request: dict, served: dict) -> str | None:
    if "invalid" in request:
        return request["invalid"]
    if request["model"] not in served:
        return f"{request['model']} is not loaded in this process (it serves {', '.join(served)})."
    messages = request.get("messages")
    return None if isinstance(messages, list) and messages else "The request has no messages."


def _take_batch(first: dict, backlog: list, requests: queue.Queue, wait: float, served: dict) -> list[dict]:
    """`first` and the questions waiting (or arriving within `wait` s) that can share its generate call: for
    other keys, with the same sampling settings, and not behind an unload or the end of input."""
    deadline = time.monotonic() + wait
    while (left := deadline - time.monotonic()) > 0:
        try:
            backlog.append(requests.get(timeout=left))
        except queue.Empty:
            break
    batch, sampling = [first], (first.get("temperature"), first.get("top_p"))
    for request in list(backlog):
        if request is EOF_MARK or "unload" in request:
            break
        if (not _problem(request, served) and request["model"] not in {r["model"] for r in batch}
                and (request.get("temperature"), request.get("top_p")) == sampling):
            batch.append(request)
            backlog.remove(request)
    return batch


def with_system(messages: list[dict], system: str | None) -> list[dict]:
    """The conversation with `system` put first, unless it has a system message of its own."""
    return messages if not system or messages[0].get("role") == "system" else [
        {"role": "system", "content": system}, *messages]


def serve_jsonl(keys: list[str], inp: TextIO, out: EventSink, *, system: str | None = None, max_tokens: int = 256,
                temperature: float = 0.0, top_p: float = 1.0) -> int:
    """Load `keys` once (one model, or several sharing a base), then answer every request read from `inp` until
    EOF or until every key is unloaded (see the module docstring); `out` gets the events."""
    import gc

    from .chat_generate import BASE_ADAPTER, Answer, stream_answers

    def emit(event: str, key: str, **fields: Any) -> None:
        out.emit(event, model=key, **fields)

    keys = list(dict.fromkeys(keys))
    started = time.monotonic()
    try:
        if len(keys) == 1:
            model, tokenizer = load_for_chat(keys[0])
            served: dict[str, str | None] = {keys[0]: None}
        else:
            model, tokenizer, served = load_shared_for_chat(keys)
    except StudioError as exc:
        for key in keys:
            emit("error", key, **exc.to_dict())
        out.emit("finished", status="rejected" if isinstance(exc, ModelError) else "failed", **exc.to_dict())
        return 2
    except Exception as exc:  # noqa: BLE001 - any load failure is reported as an event, not a traceback on stdout
        log.exception("could not load %s", keys)
        for key in keys:
            emit("error", key, error=f"Could not load {key}: {exc}", hint="See the log for details.")
        out.emit("finished", status="failed", error=f"Could not load {', '.join(keys)}: {exc}",
                 hint="See the log for details.")
        return 1
    for key in keys:
        emit("loaded", key, memory_bytes=memory_bytes(), seconds=round(time.monotonic() - started, 3),
             shared=keys if len(keys) > 1 else [])
    requests: queue.Queue = queue.Queue()
    stops = {key: threading.Event() for key in keys}
    threading.Thread(target=_read_requests, args=(inp, requests, stops, keys[0]), daemon=True).start()
    backlog: list = []
    while served and (request := backlog.pop(0) if backlog else requests.get()) is not EOF_MARK:
        if "unload" in request:
            if (name := served.pop(request["unload"], None)) and name != BASE_ADAPTER:
                if set(served.values()) <= {BASE_ADAPTER}:  # peft keeps no model without an adapter: unwrap it
                    model, served = model.unload(), dict.fromkeys(served)
                else:
                    model.delete_adapter(name)
                gc.collect()
            emit("unloaded", request["unload"], memory_bytes=memory_bytes())
            continue
        if problem := _problem(request, served):
            emit("error", request["model"], error=problem, hint='Send {"model": KEY, "messages": [{"role": "user", '
                 '"content": "..."}]}.')
            continue
        batch = _take_batch(request, backlog, requests, BATCH_WAIT if len(served) > 1 else 0.0, served)
        answers = [Answer(with_system(r["messages"], system), int(r.get("max_tokens", max_tokens)),
                          float(r.get("temperature", temperature)), float(r.get("top_p", top_p)), stops[r["model"]],
                          served[r["model"]]) for r in batch]
        t0, ended = time.monotonic(), set()
        try:
            for row, piece in stream_answers(model, tokenizer, answers):
                key, answer = batch[row]["model"], answers[row]
                if piece:
                    emit("token", key, text=piece)
                elif piece is None:
                    ended.add(row)
                    seconds = time.monotonic() - t0
                    emit("done", key, tokens=answer.tokens, seconds=round(seconds, 3),
                         tokens_per_second=round(answer.tokens / seconds, 2) if seconds > 0 else 0.0,
                         stopped=answer.stop.is_set(), trimmed=answer.trimmed)
        except Exception as exc:  # noqa: BLE001 - e.g. a template that rejects the roles; the model stays loaded
            log.exception("generation failed")
            for row in set(range(len(batch))) - ended:
                emit("error", batch[row]["model"], error=f"Generation failed: {exc}",
                     hint="Check the messages and the model's chat template.")
    out.emit("finished", status="completed", error=None, hint=None)
    return 0
