"""A stand-in for `python -m app chat MODEL --jsonl`: speaks the same protocol, loads nothing.

    python tests/ui/fake_chat_worker.py MODEL --jsonl

Answers "MODEL says: PROMPT" word by word; a prompt containing "long" gets a 400-word answer (for Stop).
"""

from __future__ import annotations

import json
import queue
import sys
import threading
import time


def emit(event: str, **fields) -> None:
    sys.stdout.write(json.dumps({"event": event, **fields}) + "\n")
    sys.stdout.flush()


def main() -> int:
    model = sys.argv[1]
    time.sleep(0.05)
    emit("loaded", model=model, memory_bytes=123 * 2**20, seconds=0.05)
    requests: queue.Queue = queue.Queue()
    stop = threading.Event()

    def read() -> None:
        for line in sys.stdin:
            request = json.loads(line)
            stop.set() if request.get("stop") else requests.put(request)
        requests.put(None)

    threading.Thread(target=read, daemon=True).start()
    while (request := requests.get()) is not None:
        stop.clear()
        prompt = request["messages"][-1]["content"]
        words = [f"word{i} " for i in range(400)] if "long" in prompt else f"{model} says: {prompt}".split(" ")
        started, sent = time.monotonic(), 0
        for word in words[: request.get("max_tokens", 256)]:
            if stop.is_set():
                break
            emit("token", text=word if word.endswith(" ") else word + " ")
            sent += 1
            time.sleep(0.01)
        seconds = time.monotonic() - started
        emit("done", tokens=sent, seconds=seconds, tokens_per_second=sent / seconds, stopped=stop.is_set())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
