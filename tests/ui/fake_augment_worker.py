"""A stand-in for `python -m app data augment --request FILE --events jsonl`: the same events, no model.

    python tests/ui/fake_augment_worker.py --request FILE [--fail] --events jsonl
"""

from __future__ import annotations

import sys
import time

from app.core.events import JsonlEventWriter
from app.core.requests import AugmentRequest, load_request


def main() -> int:
    args = sys.argv[1:]
    sink = JsonlEventWriter(sys.stdout)
    if "--fail" in args:
        sink.emit("finished", status="rejected", error="no usable conversations.", hint="pick chat data.")
        return 2
    n = load_request(AugmentRequest, args[args.index("--request") + 1]).n
    sink.emit("phase", name="augment", message="Loading the model…", current=0, total=n)
    for i in range(n):
        time.sleep(0.02)
        sink.emit("phase", name="augment", message=f"Generating: {i + 1} of {n}", current=i + 1, total=n)
    items = [{"keep": True, "kind": "new", "seed_line": i + 1,
              "messages": [{"role": "user", "content": f"New question {i}?"},
                           {"role": "assistant", "content": f"New answer {i}."}]} for i in range(n)]
    sink.emit("result", data={"path": "review.jsonl", "items": items})
    sink.emit("finished", status="completed", error=None, hint=None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
