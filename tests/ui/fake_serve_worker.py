"""A stand-in for `python -m app serve KEYS --port N --events jsonl`: the same events, no model, no socket.

    python tests/ui/fake_serve_worker.py KEY [KEY2 ...] --port N --events jsonl

It says `listening` at once (a port of 1 fails instead, as a port in use does) and serves until SIGTERM, then ends
with `result` and `finished`.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from app.core.events import JsonlEventWriter

parser = argparse.ArgumentParser()
parser.add_argument("models", nargs="+")
parser.add_argument("--port", type=int)
parser.add_argument("--events")
args = parser.parse_args()
sink = JsonlEventWriter(sys.stdout)
if args.port == 1:
    sink.emit("finished", status="failed", error="Cannot listen on 127.0.0.1:1: Permission denied.",
              hint="Pick another --port.")
    raise SystemExit(2)
stopped = threading.Event()
signal.signal(signal.SIGTERM, lambda *_: stopped.set())
sink.emit("phase", name="load", message="Loading", current=0, total=0)
sink.emit("listening", url=f"http://127.0.0.1:{args.port}/v1", host="127.0.0.1", port=args.port, models=args.models,
          memory_bytes=123_000_000)
stopped.wait()
sink.emit("result", data={"requests": 0})
sink.emit("finished", status="completed", error=None, hint=None)
