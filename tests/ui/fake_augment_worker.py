"""A stand-in for `python -m app data augment FILE --n N ... --jsonl`: the same events, no model.

    python tests/ui/fake_augment_worker.py FILE --n N [--fail]
"""

from __future__ import annotations

import json
import sys
import time


def emit(event: str, **fields) -> None:
    sys.stdout.write(json.dumps({"event": event, **fields}) + "\n")
    sys.stdout.flush()


def main() -> int:
    args = sys.argv[1:]
    if "--fail" in args:
        print("Error: no usable conversations.\nHint: pick chat data.", file=sys.stderr)
        return 2
    n = int(args[args.index("--n") + 1])
    for i in range(n):
        time.sleep(0.02)
        emit("progress", done=i + 1, total=n)
    emit("candidates", path="review.jsonl", items=[
        {"keep": True, "kind": "new", "seed_line": i + 1,
         "messages": [{"role": "user", "content": f"New question {i}?"},
                      {"role": "assistant", "content": f"New answer {i}."}]} for i in range(n)])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
