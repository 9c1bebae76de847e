"""Chat with a model or a run: load it (merged export, or adapter on its base) and stream replies token by token.

`serve_jsonl` is the protocol the GUI speaks to a long-lived `finetune-studio chat MODEL [--with MODEL2] --events
jsonl` process: requests are JSON lines on stdin, events are JSON lines on stdout in the envelope of every worker
(app/core/events.py: "event", "time", fields), each naming its model key. One process
serves one model, or (with --with) several keys sharing one base model: runs' LoRA adapters on it and the base
itself (see `shared_base`); requests for several keys that arrive together are answered in one batched generate,
each key with its own adapter (app/core/chat/generate.py), so both stream at once.

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
import queue
import threading
import time
from typing import Any, TextIO

from ..errors import ModelError, StudioError
from ..events import EventSink
from ..messages import Text
from .load import load_for_chat, load_shared_for_chat, memory_bytes

log = logging.getLogger(__name__)


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

    from .generate import BASE_ADAPTER, Answer, stream_answers

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
            emit("error", key, error=Text("Could not load {key}: {error}", key=key, error=str(exc)),
                 hint=Text("See the log for details."))
        out.emit("finished", status="failed", error=Text("Could not load {keys}: {error}",
                                                         keys=', '.join(keys), error=str(exc)),
                 hint=Text("See the log for details."))
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
            emit("error", request["model"], error=problem, hint=Text('Send {"model": KEY, "messages": [{"role": '
                                                                     '"user", "content": "..."}]}.'))
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
                emit("error", batch[row]["model"], error=Text("Generation failed: {error}", error=str(exc)),
                     hint=Text("Check the messages and the model's chat template."))
    out.emit("finished", status="completed", error=None, hint=None)
    return 0
