"""The event protocol between the worker and whoever watches it: one JSON object per line.

Events (all carry `event` and `time`, seconds since the epoch):
  phase       name, message, current, total          preparation work before training (model convert, tokenise);
                                                     total 0: no count (a busy bar)
  started     run_id, run_dir, total_steps, start_step and earlier_seconds (a resumed run: its step, and the time it
              trained before), trainable_params, total_params, device, memory_estimate (bytes),
              step_seconds_estimate (the planner's), settings (each setting chosen from the data: section,
              setting, value, reason)
  progress    step, total_steps, epoch, elapsed (all the run's sessions), eta
  metrics     step, epoch, metrics: {loss, learning_rate, grad_norm, tokens_per_second, eval_loss, ...}
  sample      step, prompt, output
  checkpoint  step, path
  artifact    kind, path, bytes, properties
  warning     message, hint
  trial       `tune`: one trial ended: number, run_id, params, state, value, metrics, minutes, best, tune_id
  result      data: the command's answer, what its --json prints (export, eval, queue run, data augment/inspect)
  finished    status (completed/cancelled/failed/rejected: the data or model was refused before training), error,
              hint; a command's own `finished` is its last event (`queue run` relays its runs' events first)

A chat process (`chat KEYS --events jsonl`, app/core/chat/serve.py) streams in the same envelope, each event naming its
model key: loaded, token, done (one answer ended), unloaded, error (a bad request or a failed load), then finished.
An HTTP server (`serve RUNS --events jsonl`, app/core/serving/) sends `listening` (url, host, port, models,
memory_bytes, and api_key when it generated one) once it accepts requests, then `finished` when it stops.

Core code reports through an `EventSink` (anything with `emit(event, **fields)`) and asks a `StopFlag` whether to
stop; it knows nothing about threads, Qt or terminals.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import signal
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any, Protocol

from .messages import Text

log = logging.getLogger(__name__)

CHAT_EVENT_NAMES = ("loaded", "token", "done", "unloaded", "error")
EVENT_NAMES = ("phase", "started", "progress", "metrics", "sample", "checkpoint", "artifact", "warning", "result",
               "finished", "listening", "trial", *CHAT_EVENT_NAMES)
FINAL_STATUSES = ("completed", "cancelled", "failed", "rejected")


class EventSink(Protocol):
    def emit(self, event: str, **fields: Any) -> None: ...


def _clean(value: Any) -> Any:
    """JSON cannot carry NaN/inf; send them as null so a reader never chokes on a diverged loss."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def encode(event: str, **fields: Any) -> str:
    """One event as a JSON line. A field that is a messages.Text (a message, error or hint) also travels as its
    template and values, `<field>_text`, so the window can show it in its own language."""
    if event not in EVENT_NAMES:
        raise ValueError(f"unknown event {event!r}")
    texts = {f"{key}_text": value.to_json() for key, value in fields.items() if isinstance(value, Text)}
    return json.dumps(_clean({"event": event, "time": round(time.time(), 3), **fields, **texts}), default=str,
                      ensure_ascii=False)


def decode(line: str) -> dict | None:
    """Parse one line; anything that is not an event (stray prints, partial lines) gives None."""
    line = line.strip()
    if not line.startswith("{"):
        return None
    try:
        obj = json.loads(line)
    except json.JSONDecodeError:
        return None
    if not isinstance(obj, dict) or obj.get("event") not in EVENT_NAMES:
        return None
    return obj


def read_events(path: str | Path) -> Iterator[dict]:
    """Events from an `events.jsonl` file (skips lines that do not parse, e.g. a torn last line)."""
    path = Path(path)
    if not path.exists():
        return
    with path.open(encoding="utf-8", errors="replace") as fh:
        for line in fh:
            obj = decode(line)
            if obj is not None:
                yield obj


class JsonlEventWriter:
    """Writes each event as a JSON line to a stream (the worker's stdout) and/or appends it to a file."""

    def __init__(self, stream: IO[str] | None = None, path: str | Path | None = None):
        self.stream = stream
        self._file = None
        self._lock = threading.Lock()
        if path is not None:
            self.attach_file(path)

    def attach_file(self, path: str | Path) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._file = open(path, "a", encoding="utf-8", buffering=1)  # noqa: SIM115 - lives as long as the run

    def emit(self, event: str, **fields: Any) -> None:
        line = encode(event, **fields)
        with self._lock:
            if self.stream is not None:
                try:
                    self.stream.write(line + "\n")
                    self.stream.flush()
                except (BrokenPipeError, OSError, ValueError):
                    # The reader went away (the GUI closed and let the run continue): keep the file going.
                    self.stream = None
            if self._file is not None:
                try:
                    self._file.write(line + "\n")
                except OSError:  # a full disk: the stream goes on alone, and the error fails the run that emitted
                    file, self._file = self._file, None
                    with contextlib.suppress(OSError):
                        file.close()
                    raise

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


class ListSink:
    """Collects events in memory (tests, and callers that want the events after the fact)."""

    def __init__(self) -> None:
        self.events: list[dict] = []

    def emit(self, event: str, **fields: Any) -> None:
        self.events.append(json.loads(encode(event, **fields)))

    def of(self, event: str) -> list[dict]:
        return [e for e in self.events if e["event"] == event]


class TeeSink:
    """Sends every event to several sinks."""

    def __init__(self, *sinks: EventSink):
        self.sinks = [s for s in sinks if s is not None]

    def emit(self, event: str, **fields: Any) -> None:
        """Every sink gets the event, even when one fails (its events file on a full disk); then the error is raised."""
        error = None
        for sink in self.sinks:
            try:
                sink.emit(event, **fields)
            except Exception as exc:
                error = error or exc
        if error is not None:
            raise error


class StopFlag:
    """Asked by long work whether to stop: set by a signal (SIGINT/SIGTERM), a stop file, or `set()`."""

    def __init__(self, stop_file: str | Path | None = None):
        self._event = threading.Event()
        self.stop_file = Path(stop_file) if stop_file else None

    def set(self) -> None:
        self._event.set()

    def is_set(self) -> bool:
        if self._event.is_set():
            return True
        if self.stop_file is not None and self.stop_file.exists():
            self._event.set()
            return True
        return False

    def install_signal_handlers(self) -> None:
        """First SIGINT/SIGTERM asks for a graceful stop (checkpoint, then exit); a second one exits at once."""

        def handler(signum, _frame):
            if self._event.is_set():
                log.warning("second stop signal: exiting now")
                os._exit(130)
            log.info("stop requested by signal %s", signum)
            self._event.set()

        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, handler)


class ProgressPrinter:
    """A sink for people at a terminal: a one-line progress bar and readable messages on stderr. Its wording is for
    people only: programs (the GUI) run a command with `--events jsonl` and read the events."""

    def __init__(self, stream: IO[str] | None = None):
        self.stream = stream or sys.stderr
        self._tty = self.stream.isatty()
        self._last_metrics: dict = {}
        self._last_phase = ""
        self._progress: dict = {}

    def _bar(self) -> None:
        f = self._progress
        step, total = f["step"], f["total_steps"] or 1
        width = 24
        done = int(width * step / total)
        loss = self._last_metrics.get("loss")
        tps = self._last_metrics.get("tokens_per_second")
        extra = (f" loss {loss:.4f}" if loss is not None else "") + (f" {tps:,.0f} tok/s" if tps else "")
        eta = f.get("eta")
        eta_s = f" eta {int(eta) // 60}:{int(eta) % 60:02d}" if eta is not None else ""
        self._line(f"  [{'#' * done}{'.' * (width - done)}] {step}/{total}{extra}{eta_s}",
                   final=not self._tty or step == total)

    def _line(self, text: str, final: bool = True) -> None:
        if self._tty:
            self.stream.write("\r\033[K" + text + ("\n" if final else ""))
        elif final:
            self.stream.write(text + "\n")
        self.stream.flush()

    def emit(self, event: str, **f: Any) -> None:
        if event == "phase":
            cur, tot = f.get("current"), f.get("total")
            message = f"[{f.get('name')}] {f.get('message', '')}"
            if not self._tty and message == self._last_phase and cur != tot:
                return  # in a log file, one line per phase message and one when it completes
            self._last_phase = message
            self._line(message + (f" {cur}/{tot}" if tot else ""), final=not self._tty or cur == tot)
        elif event == "started":
            self._line(f"Run {f['run_id']} started on {f.get('device')}: {f.get('total_steps')} steps, "
                       f"{f.get('trainable_params', 0):,} of {f.get('total_params', 0):,} parameters trainable")
            if f.get("memory_estimate"):
                self._line(f"  planner: about {f['memory_estimate'] / 1024**3:.1f} GiB at the peak, "
                           f"{f.get('step_seconds_estimate', 0):.3g} s per step at least")
            for choice in f.get("settings") or []:  # the settings chosen from the data (auto_settings.py)
                self._line(f"  auto: {choice['setting']} = {choice['value']} ({choice['reason']})")
            self._line(f"  folder: {f.get('run_dir')}")
        elif event == "metrics":
            metrics = f.get("metrics", {})
            self._last_metrics.update(metrics)
            if "eval_loss" in metrics:
                self._line(f"  step {f['step']}: eval_loss {metrics['eval_loss']:.4f}")
            elif "loss" in metrics and self._progress.get("step") == f["step"]:
                self._bar()  # the step's own loss arrives just after its progress event
        elif event == "progress":
            self._progress = f
            if self._tty:
                self._bar()  # a log file gets one line per logged step, from the metrics event
        elif event == "checkpoint":
            self._line(f"  checkpoint at step {f['step']}: {f['path']}")
        elif event == "artifact":
            self._line(f"  {f['kind']}: {f['path']}")
        elif event == "sample":
            self._line(f"  sample @ {f['step']}: {f['prompt']!r} -> {f['output']!r}")
        elif event == "warning":
            self._line(f"Warning: {f['message']}" + (f"\n  Hint: {f['hint']}" if f.get("hint") else ""))
        elif event == "finished":
            status = f["status"]
            msg = f"Run {status}."
            if f.get("error"):
                msg += f" {f['error']}" + (f"\n  Hint: {f['hint']}" if f.get("hint") else "")
            self._line(msg)


def iter_lines(stream: Iterable[str]) -> Iterator[dict]:
    """Events from a line stream (a worker's stdout), skipping anything that is not an event."""
    for line in stream:
        obj = decode(line)
        if obj is not None:
            yield obj
