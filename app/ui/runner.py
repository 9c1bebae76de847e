"""RunSupervisor: runs a training worker process, or follows one that outlived the GUI, and turns its JSON-line
events into Qt signals.

One QThread per run consumes a queue fed by small reader threads (the worker's stdout and stderr, or the run's
`events.jsonl` when re-attaching). It coalesces what arrives (all metrics since the last hand-over, the latest
progress and phase) and passes the GUI thread at most one batch per `flush_interval` through a queued signal; the
supervisor then emits the named signals on the GUI thread. A fast trainer therefore cannot flood the event loop,
and the GUI never blocks on the worker.
"""

from __future__ import annotations

import collections
import json
import logging
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal, Slot

from app.core.events import FINAL_STATUSES, decode, encode
from app.core.messages import Text
from app.core.paths import PROJECT_ROOT, run_dir
from app.core.store import Store, log_tail, new_run_id, pid_alive
from app.ui.event_batch import EventBatch
from app.ui.worker import WorkerSignals

log = logging.getLogger(__name__)

DEFAULT_WORKER = (sys.executable, "-m", "app")
TAIL_LINES = 20
_ORPHAN_GRACE_S = 2.0  # the worker exited but a child of it still holds the pipes open
def last_session_start(path: Path) -> int:
    """Where the latest session of a run begins in its events.jsonl: a resumed run appends its events to the file,
    after the `finished` event of the session before (the earlier steps are the store's, not the replay's)."""
    previous = start = offset = 0
    with path.open("rb") as fh:
        for line in fh:
            offset += len(line)
            if b'"finished"' in line and (event := decode(line.decode("utf-8", "replace"))) is not None \
                    and event["event"] == "finished":
                previous, start = start, offset
    return previous if start == offset else start  # a file that ends with `finished`: that last session


def stop_file(run_id: str) -> Path:
    """The file whose existence asks the worker of `run_id` to checkpoint and stop."""
    return run_dir(run_id) / "stop"


class _SupervisorThread(QThread):
    """Consumes the readers' queue, coalesces, hands batches to the GUI thread, and reports a silent death."""

    batch_ready = Signal(list)

    def __init__(self, run_id: str | None, flush_interval: float, proc: subprocess.Popen | None = None,
                 pid: int | None = None, events_path: Path | None = None, stop_path: Path | None = None):
        super().__init__()
        self.run_id = run_id
        self.stop_path = stop_path
        self.proc = proc
        self.pid = proc.pid if proc is not None else pid
        self.flush_interval = flush_interval
        self.detached = threading.Event()  # the GUI lets go; the worker keeps running
        self.stop_requested = False
        self.forced = False
        self._queue: queue.Queue = queue.Queue()
        self._stderr_tail: collections.deque[str] = collections.deque(maxlen=TAIL_LINES)
        self._finished_seen = False
        if proc is not None:
            readers = [(self._read_stdout, proc.stdout), (self._read_stderr, proc.stderr)]
        else:
            readers = [(self._tail_events, events_path)]
        self._open_sources = len(readers)
        for target, arg in readers:
            threading.Thread(target=target, args=(arg,), daemon=True, name=f"run-reader-{run_id}").start()

    # ---- reader threads ----
    def _read_stdout(self, stream) -> None:
        for line in stream:
            if self.detached.is_set():
                continue  # keep draining so the worker never blocks on a full pipe
            event = decode(line)
            if event is not None:
                self._queue.put(("event", event))
            elif line.strip():
                self._queue.put(("log", line.rstrip("\n")))
        self._queue.put(("eof", None))

    def _read_stderr(self, stream) -> None:
        for line in stream:
            line = line.rstrip("\n")
            self._stderr_tail.append(line)
            if not self.detached.is_set():
                self._queue.put(("log", line))
        self._queue.put(("eof", None))

    def _tail_events(self, path: Path) -> None:
        """Replay the latest session of `events.jsonl`, then follow it until a `finished` event or until the
        worker's pid is gone."""
        pending, fh = "", None
        try:
            while not self.detached.is_set():
                if fh is None and path.exists():
                    fh = path.open(encoding="utf-8", errors="replace")
                    fh.seek(last_session_start(path))
                chunk = fh.readline() if fh is not None else ""
                if chunk:
                    pending += chunk
                    if pending.endswith("\n"):
                        line, pending = pending, ""
                        if self._put_line(line):
                            return
                elif not pid_alive(self.pid):
                    # The worker is gone: whatever it wrote last (even without a newline) is all there is.
                    rest = pending + (fh.read() if fh is not None else "")
                    for line in rest.splitlines():
                        if self._put_line(line):
                            return
                    return
                else:
                    time.sleep(0.1)
        finally:
            if fh is not None:
                fh.close()
            self._queue.put(("eof", None))

    def _put_line(self, line: str) -> bool:
        """Queue one events.jsonl line; True when it was the `finished` event."""
        event = decode(line)
        if event is not None:
            self._queue.put(("event", event))
            return event["event"] == "finished"
        return False

    # ---- consumer (this QThread) ----
    def run(self) -> None:
        batch = EventBatch()
        next_flush = time.monotonic() + self.flush_interval
        exited_at = None
        while self._open_sources and not self.detached.is_set():
            try:
                kind, payload = self._queue.get(timeout=max(0.0, next_flush - time.monotonic()))
            except queue.Empty:
                kind, payload = "", None
            if kind == "eof":
                self._open_sources -= 1
            elif kind == "log":
                batch.add_log(payload)
            elif kind == "event":
                self._on_event(payload)
                batch.add_event(payload)
            now = time.monotonic()
            if now >= next_flush:
                self._flush(batch)
                next_flush = now + self.flush_interval
                if self.proc is not None and self.proc.poll() is not None:
                    exited_at = exited_at or now
                    if now - exited_at > _ORPHAN_GRACE_S:
                        log.warning("worker exited but its output pipes stay open; no longer reading them")
                        break
        if self.detached.is_set():
            return
        if not self._finished_seen:
            batch.add_event(self._last_word())
        self._flush(batch)

    def _on_event(self, event: dict) -> None:
        if event["event"] == "started" and event.get("run_id"):
            self.run_id = event["run_id"]
        elif event["event"] == "finished":
            self._finished_seen = True

    def _flush(self, batch: EventBatch) -> None:
        items = batch.take()
        if items:
            self.batch_ready.emit(items)

    def _last_word(self) -> dict:
        """The `finished` event the worker never sent; recorded in the store and the run's events.jsonl too."""
        if self.proc is not None:
            code = self.proc.wait()
            tail = "\n".join(self._stderr_tail)
            what = Text("The training process exited (code {code}) without reporting a result.", code=code)
        else:
            code = None
            tail = log_tail(run_dir(self.run_id) / "logs" / "worker.log", TAIL_LINES) if self.run_id else ""
            what = Text("The training process ended without reporting a result.")
        fields = self._stored_outcome()
        if fields is None:
            if self.forced:
                fields = {"status": "cancelled", "error": Text("The run was force-stopped."),
                          "hint": Text("Resume it from its last checkpoint, or start it again.")}
            elif self.stop_requested:
                fields = {"status": "cancelled",
                          "error": Text("The run was stopped before it could save a checkpoint."),
                          "hint": Text("Start it again when you are ready.")}
            else:
                killed = code in (-signal.SIGKILL, 137) if hasattr(signal, "SIGKILL") else False
                fields = {"status": "failed", "error": Text("{what}\n{tail}", what=what, tail=tail) if tail else what,
                          "hint": Text("It was probably killed by the system for using too much memory: lower the "
                                       "batch size or max length, or choose QLoRA.") if killed else
                          Text("Read the last lines of its log above; resume from the last checkpoint once the "
                               "cause is fixed.")}
            self._record(fields)
        return decode(encode("finished", **fields))

    def _stored_outcome(self) -> dict | None:
        """The outcome the store already holds (a run that ended while nobody watched), else None."""
        if not self.run_id:
            return None
        try:
            run = Store(reap=False).get_run(self.run_id)
        except Exception:  # noqa: BLE001 - the worker may have died before creating its run
            return None
        if run.get("status") in FINAL_STATUSES:
            outcome = {"status": run["status"], "error": run.get("error"), "hint": run.get("hint")}
            for key in ("error_text", "hint_text"):  # the templates the store kept, as a finished event carries them
                if isinstance(run.get(key), str):
                    outcome[key] = json.loads(run[key])
            return outcome
        return None

    def _record(self, fields: dict) -> None:
        if not self.run_id:
            return
        try:
            Store(reap=False).update_run(self.run_id, finished=time.time(), **fields)
        except Exception as exc:  # noqa: BLE001 - no run row when the worker died before creating it
            log.info("could not record the outcome of run %s: %s", self.run_id, exc)
        events = run_dir(self.run_id) / "events.jsonl"
        if events.parent.exists():
            with events.open("a", encoding="utf-8") as fh:
                fh.write(encode("finished", **fields) + "\n")


class RunSupervisor(WorkerSignals):
    """Starts, resumes or re-attaches to one training run at a time and reports it through the signals every worker
    speaks (app/ui/worker.py's WorkerSignals). A training worker runs in a session of its own and may outlive the
    window, so it is a subprocess read by a thread, not a WorkerProcess (a QProcess ends with its window).
    """

    def __init__(self, parent: QObject | None = None, *, worker_command: Sequence[str] = DEFAULT_WORKER,
                 flush_interval: float = 0.05):
        """`worker_command` is the program before the `train ...` arguments (tests pass a fake worker)."""
        super().__init__(parent)
        self.worker_command = list(worker_command)
        self.flush_interval = flush_interval
        self._thread: _SupervisorThread | None = None
        self._finished = True

    # ---- state ----
    @property
    def is_running(self) -> bool:
        """A run is being watched and has not reported its end yet."""
        return self._thread is not None and not self._finished

    @property
    def run_id(self) -> str | None:
        return self._thread.run_id if self._thread is not None else None

    @property
    def pid(self) -> int | None:
        return self._thread.pid if self._thread is not None else None

    # ---- starting ----
    def start(self, config_path: str | Path, run_id: str | None = None) -> str:
        """Train the config at `config_path` as a new run; returns its id."""
        run_id = run_id or new_run_id()
        self._spawn(["train", str(config_path), "--events", "jsonl", "--run-id", run_id], run_id, run_id)
        return run_id

    def resume(self, run_id: str) -> None:
        """Continue `run_id` from its last checkpoint (the worker reports the run it trains in `run_started`)."""
        self._spawn(["train", "--resume", run_id, "--events", "jsonl"], run_id, None)

    def attach(self, run_id: str) -> None:
        """Follow a run whose worker outlived an earlier GUI: replay its events.jsonl, then follow it."""
        self._check_idle()
        run = Store(reap=False).get_run(run_id)
        self._begin(_SupervisorThread(run["id"], self.flush_interval, pid=run.get("pid"),
                                      events_path=run_dir(run["id"]) / "events.jsonl"))

    def _spawn(self, args: list[str], stop_for: str, run_id: str | None) -> None:
        self._check_idle()
        stop = stop_file(stop_for)
        stop.parent.mkdir(parents=True, exist_ok=True)
        stop.unlink(missing_ok=True)
        cmd = self.worker_command + args + ["--stop-file", str(stop)]
        env = dict(os.environ, PYTHONUNBUFFERED="1",
                   PYTHONPATH=os.pathsep.join(p for p in (str(PROJECT_ROOT), os.environ.get("PYTHONPATH")) if p))
        if os.name == "posix":
            platform_args = {"start_new_session": True, "preexec_fn": lambda: os.nice(5)}
        else:
            platform_args = {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP
                             | subprocess.BELOW_NORMAL_PRIORITY_CLASS}
        log.info("starting worker: %s", subprocess.list2cmdline(cmd))
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, encoding="utf-8", errors="replace", bufsize=1, env=env,
                                **platform_args)
        self._begin(_SupervisorThread(run_id, self.flush_interval, proc=proc, stop_path=stop))

    def _check_idle(self) -> None:
        if self._thread is not None and self._finished:
            self._thread.wait()  # it reported the end and is returning: let it go before the next run
            self._on_thread_finished()
        if self._thread is not None:
            raise RuntimeError("this supervisor is still watching a run; wait() or shutdown() first")

    def _begin(self, thread: _SupervisorThread) -> None:
        self._thread = thread
        self._finished = False
        thread.batch_ready.connect(self._dispatch)
        thread.finished.connect(self._on_thread_finished)
        thread.start()

    # ---- stopping ----
    def request_stop(self) -> None:
        """Ask the worker to checkpoint and stop (stop file and SIGTERM); it then reports `cancelled`."""
        thread = self._thread
        if thread is None or self._finished:
            return
        thread.stop_requested = True
        path = thread.stop_path or (stop_file(thread.run_id) if thread.run_id else None)
        if path is not None and path.parent.exists():
            path.touch()
        if os.name == "posix" and pid_alive(thread.pid):
            os.kill(thread.pid, signal.SIGTERM)

    def force_stop(self) -> None:
        """Kill the worker (and its children) at once; the run is reported cancelled."""
        thread = self._thread
        if thread is None or self._finished or not thread.pid:
            return
        thread.stop_requested = thread.forced = True
        try:
            if os.name == "posix":
                pid = thread.pid
                if os.getpgid(pid) == pid:
                    os.killpg(pid, signal.SIGKILL)
                else:
                    os.kill(pid, signal.SIGKILL)
            elif thread.proc is not None:
                thread.proc.kill()
        except ProcessLookupError:
            log.info("worker %s already gone", thread.pid)

    def wait(self, timeout_ms: int = 10_000) -> bool:
        """Block until the supervising thread has ended (after `run_finished`); True when it has."""
        thread = self._thread
        return thread is None or thread.wait(timeout_ms)

    def shutdown(self, timeout_ms: int = 5_000) -> None:
        """Stop watching (the worker keeps running, so a later `attach` can pick it up) and join the thread."""
        thread = self._thread
        if thread is None:
            return
        thread.detached.set()
        if not thread.wait(timeout_ms):
            log.error("run supervisor thread did not end within %d ms", timeout_ms)
        self._on_thread_finished()

    # ---- GUI thread ----
    @Slot(list)
    def _dispatch(self, items: list) -> None:
        for name, payload in items:
            if name == "run_finished":
                self._finished = True
            getattr(self, name).emit(payload)

    @Slot()
    def _on_thread_finished(self) -> None:
        thread = self._thread
        if thread is not None and thread.isFinished():
            self._finished = True
            self._thread = None
            thread.deleteLater()
