"""How a command speaks the event protocol (app/core/events.py) when a program runs it: `--events jsonl`.

stdout then carries the events alone: the command's `phase`, `progress` and `warning` events, a `result` with the
answer its `--json` prints, and a last `finished` (completed, cancelled, or failed with the error and its hint).
Without it the same work reports to a ProgressPrinter on stderr and the command prints its answer for people.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable
from typing import IO, Any

from app.core.errors import Cancelled, DataError, ModelError, StudioError
from app.core.events import EventSink, JsonlEventWriter, ProgressPrinter, StopFlag

log = logging.getLogger(__name__)


def add_events_option(parser) -> None:
    parser.add_argument("--events", choices=["jsonl", "text"], default="text",
                        help="jsonl: stdout carries one JSON event per line (for the GUI and scripts), the answer "
                             "in a `result` event")


def events_stdout() -> IO[str]:
    """A stream to the real stdout for events alone: anything else that writes to fd 1 (libraries, C code, print)
    goes to stderr from now on."""
    out = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return out


def failure(exc: StudioError) -> dict:
    """The `finished` fields of a command that raised `exc`: refused data or model is `rejected`, else `failed`."""
    status = "rejected" if isinstance(exc, (DataError, ModelError)) else "failed"
    return {"status": status, **exc.to_dict()}


def run_command(args, work: Callable[[EventSink, StopFlag], Any], show: Callable[[Any], None], *,
                code: Callable[[Any, StopFlag], int] = lambda _answer, _stop: 0, stop_signals: bool = True) -> int:
    """Run `work(sink, stop)` and answer with what it returns: `show(answer)` prints it for people, or, with
    `--events jsonl`, a `result` event and `finished` carry it; `code(answer, stop)` is the exit code. With
    `stop_signals` a stop signal (Ctrl+C, the GUI's Cancel) sets `stop`, else it interrupts the work at once
    (KeyboardInterrupt: cleanups run); either way the command ends cancelled."""
    stop = StopFlag()
    if stop_signals:
        stop.install_signal_handlers()
    if args.events != "jsonl":
        answer = work(ProgressPrinter(), stop)
        show(answer)
        return code(answer, stop)
    sink = JsonlEventWriter(events_stdout())
    try:
        answer = work(sink, stop)
    except Cancelled as exc:
        sink.emit("finished", status="cancelled", **exc.to_dict())
        return 130
    except KeyboardInterrupt:
        sink.emit("finished", status="cancelled", error="Interrupted.", hint=None)
        return 130
    except StudioError as exc:
        sink.emit("finished", **failure(exc))
        return 2
    except Exception as exc:  # the stream ends with a last word whatever happened; the traceback goes to stderr
        log.exception("%s failed", args.cmd)
        sink.emit("finished", status="failed", error=f"{type(exc).__name__}: {exc}",
                  hint="See the log for details.")
        return 1
    sink.emit("result", data=answer)
    sink.emit("finished", status="cancelled" if stop.is_set() else "completed", error=None, hint=None)
    return code(answer, stop)


def print_json(obj) -> None:
    print(json.dumps(obj, indent=2, default=str))
