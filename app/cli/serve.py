"""`serve RUN [RUN2 ...] [--compare-base] [--port 8000] [--host H --api-key KEY | --generate-api-key]`: an
OpenAI-compatible HTTP server for runs (app/core/serving/); `--events jsonl` for the GUI (a `listening` event)."""

from __future__ import annotations

import secrets
import sys

from app.cli.events import events_stdout, failure
from app.core.errors import StudioError
from app.core.wording import plural
from app.logsetup import route_library_logs


def cmd_serve(args) -> int:
    from app.core.events import JsonlEventWriter, ProgressPrinter, StopFlag
    from app.core.serving.server import serve

    api_key = secrets.token_urlsafe(24) if args.generate_api_key else args.api_key
    stop = StopFlag()
    stop.install_signal_handlers()  # uvicorn takes SIGINT/SIGTERM while it serves, and hands them back
    route_library_logs()
    if args.events != "jsonl":
        printer = ProgressPrinter()

        class _Sink:
            def emit(self, event: str, **fields) -> None:
                if event != "listening":
                    printer.emit(event, **fields)
                    return
                print(f"Serving {', '.join(fields['models'])} at {fields['url']} (Ctrl+C stops)", file=sys.stderr)
                if "api_key" in fields:
                    print(f"API key (shown once): {fields['api_key']}", file=sys.stderr)

        answer = serve(args.models, _Sink(), stop, compare_base=args.compare_base, host=args.host, port=args.port,
                       api_key=api_key, show_key=args.generate_api_key)
        print(f"Stopped after {plural(answer['requests'], 'request')}.", file=sys.stderr)
        return 0
    sink = JsonlEventWriter(events_stdout())
    try:
        answer = serve(args.models, sink, stop, compare_base=args.compare_base, host=args.host, port=args.port,
                       api_key=api_key, show_key=args.generate_api_key)
    except StudioError as exc:
        sink.emit("finished", **failure(exc))
        return 2
    sink.emit("result", data=answer)
    sink.emit("finished", status="completed", error=None, hint=None)
    return 0


def add_parsers(sub) -> None:
    s = sub.add_parser("serve", help="serve runs over an OpenAI-compatible HTTP API",
                       description="Load the base model once and serve each run's adapter (and with --compare-base "
                                   "the base) under its own model name: GET /v1/models, POST /v1/chat/completions, "
                                   "POST /v1/completions. Stops on Ctrl+C.")
    s.add_argument("models", nargs="+", metavar="RUN",
                   help="run id/name, 'demo' or a model folder; several must be runs of one base model")
    s.add_argument("--compare-base", action="store_true", help="serve the first run's base model too")
    s.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this machine only; any other needs an API key)")
    s.add_argument("--port", type=int, default=8000, help="port to listen on (0: any free port)")
    key = s.add_mutually_exclusive_group()
    key.add_argument("--api-key", help="the key clients must send (Authorization: Bearer KEY)")
    key.add_argument("--generate-api-key", action="store_true", help="make a random key and print it once")
    s.add_argument("--events", choices=["jsonl", "text"], default="text",
                   help="jsonl, for programs (the GUI): stdout carries JSON events, `listening` once it serves")
    s.set_defaults(func=cmd_serve)
