"""A stand-in for `python -m app chat MODEL [--with MODEL2] --events jsonl`: speaks the same protocol (the events'
envelope of app/core/events.py), loads nothing.

    python tests/ui/fake_chat_worker.py MODEL [--with MODEL2] --events jsonl

Each key answers "MODEL says: PROMPT" word by word, in a thread of its own, so the keys of one process stream
at the same time; a prompt containing "long" gets a 400-word answer (for Stop). Every event names its key.
"""

from __future__ import annotations

import json
import sys
import threading
import time

from app.core.events import JsonlEventWriter

sink = JsonlEventWriter(sys.stdout)  # one line at a time from any thread


def emit(event: str, model: str, **fields) -> None:
    sink.emit(event, model=model, **fields)


def answer(model: str, request: dict, stop: threading.Event) -> None:
    prompt = request["messages"][-1]["content"]
    words = [f"word{i} " for i in range(400)] if "long" in prompt else f"{model} says: {prompt}".split(" ")
    started, sent = time.monotonic(), 0
    for word in words[: request.get("max_tokens", 256)]:
        if stop.is_set():
            break
        emit("token", model, text=word if word.endswith(" ") else word + " ")
        sent += 1
        time.sleep(0.01)
    seconds = time.monotonic() - started
    emit("done", model, tokens=sent, seconds=seconds, tokens_per_second=sent / seconds, stopped=stop.is_set())


def main() -> int:
    args = sys.argv[1:]
    keys = [args[0], *(args[i + 1] for i, arg in enumerate(args) if arg == "--with")]
    time.sleep(0.05)
    for key in keys:
        emit("loaded", key, memory_bytes=123 * 2**20, seconds=0.05, shared=keys if len(keys) > 1 else [])
    stops = {key: threading.Event() for key in keys}
    served = set(keys)
    for line in sys.stdin:
        request = json.loads(line)
        key = request.get("model", keys[0])
        if request.get("stop"):
            for event in [stops[request["model"]]] if "model" in request else stops.values():
                event.set()
        elif "unload" in request:
            served.discard(request["unload"])
            emit("unloaded", request["unload"], memory_bytes=100 * 2**20)
            if not served:
                break
        else:
            stops[key].clear()
            threading.Thread(target=answer, args=(key, request, stops[key]), daemon=True).start()
    sink.emit("finished", status="completed", error=None, hint=None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
