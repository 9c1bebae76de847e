"""Launching a run of several processes on this machine: `train` starts torch's launcher (torchrun) with one process
per GPU (or per share of the CPU cores), each running `train` again as one rank, and stays their parent.

The parent is what the GUI's supervisor, the queue and a terminal see as the worker: the same command line, the same
pid for Stop (a SIGTERM here, or SIGINT, Ctrl+C at a terminal too, writes the stop file every rank watches; they
agree on the step, checkpoint and end `cancelled`), the same process group for Force stop (killing it kills this
process; torchrun, in a session of its own, dies with it and each rank with torchrun: ranks.end_with_launcher), and
rank 0's events on its stdout. When no rank said the run's last word (a rank was killed, or hung until the launcher
gave up), the parent says it: `failed`, with the first rank's recorded error.

`train` is the one entry for commands that train runs one after another in their own process (`queue run`, `extend`,
`tune`): a run of one process trains in that process (engine.run), a run of several is launched the same way, that
process the ranks' parent, rank 0's events relayed to its sink and its stop flag passed on to the ranks.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

from ..errors import StudioError
from ..events import FINAL_STATUSES, EventSink, JsonlEventWriter, StopFlag, TeeSink, decode
from ..messages import Text
from ..paths import run_dir
from ..store import Store, log_tail, new_run_id
from . import ranks

log = logging.getLogger(__name__)


def launcher_command(processes: int, rank_args: list[str]) -> list[str]:
    """torchrun for one machine (torchrun.py: one that dies with this process): `processes` ranks, a free port found by
    its own rendezvous (--standalone, so two runs side by side never collide), no restarts (a failed rank fails the
    run), each rank `python -m app RANK_ARGS`. A frozen bundle (PyInstaller) has no interpreter: its executable is
    torchrun (app/__main__.py serves `-m app.core.distributed.torchrun`) and each rank (`<exe> RANK_ARGS`)."""
    torchrun = [sys.executable, "-m", "app.core.distributed.torchrun", "--standalone", "--nnodes", "1",
                "--nproc-per-node", str(processes), "--max-restarts", "0"]
    if getattr(sys, "frozen", False):
        return [*torchrun, "--no-python", sys.executable, *rank_args]
    return [*torchrun, "-m", "app", *rank_args]


def rank_environment(devices: str | list[int], processes: int, base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment the ranks inherit: the launcher's pid (what the store records), the picked GPUs, and on a
    machine without them each rank's share of the CPU cores (torchrun would give each one thread)."""
    env = dict(os.environ if base is None else base)
    env[ranks.LAUNCHER_PID] = str(os.getpid())
    if isinstance(devices, list):
        env["CUDA_VISIBLE_DEVICES"] = ",".join(str(i) for i in devices)
    if "OMP_NUM_THREADS" not in env:
        env["OMP_NUM_THREADS"] = str(max(1, (os.cpu_count() or 1) // processes))
    return env


def check_world_size(run: dict, processes: int) -> None:
    """A resumed run continues on the world size it trained on: its data order, optimizer and random states are
    split that way (one file of random states per rank), so another world size would not continue the same run."""
    trained = int(run.get("world_size") or 1)
    if trained != processes:
        raise StudioError(
            Text("Run {id} trained on {trained} process(es); this resume would use {processes}.",
                 id=run['id'], trained=trained, processes=processes),
            Text("Resume it on {trained}: finetune-studio train --resume {id} --processes {trained} (on a "
                 "machine with that many GPUs), or clone its config to start a new run on another number.",
                 trained=trained, id=run['id']))


def train(config, sink: EventSink, stop: StopFlag | None = None, *, run_id: str | None = None,
          resume: str | None = None, store: Store | None = None, verbose: bool = False):
    """engine.run's call and answer (a RunResult) for a run of any number of processes: one trains here; several are
    launched (launch_run), rank 0's events relayed to `sink`, and `stop` (set here, or by a stop signal to this
    process, which then sets it too) stops every rank at one step."""
    import yaml

    from ..config import parse_config
    from ..training.engine import RunResult, run

    store = store or Store()
    stored = parse_config(yaml.safe_load(store.get_run(resume)["config"])) if resume else config
    if stored.distributed.world_size == 1:
        return run(config, sink, stop, run_id=run_id, resume=resume, store=store)
    run_id = resume or run_id or new_run_id()
    last_word = JsonlEventWriter(None, run_dir(run_id) / "events.jsonl")  # when no rank said it
    try:
        status = launch_run(run_id, stored.distributed, store, config=None if resume else config, resume=bool(resume),
                            sink=TeeSink(sink, last_word), relay=sink, stop=stop, verbose=verbose)
    finally:
        last_word.close()
    try:
        row = store.get_run(run_id)
    except StudioError:  # no rank got as far as creating the run (the launcher's last word says why)
        row = {}
    return RunResult(run_id, status, row.get("error"), row.get("hint"))


def launch_run(run_id: str, distributed, store: Store, *, config=None, resume: bool = False, sink: EventSink,
               events: str = "jsonl", events_stream: IO[str] | None = None, relay: EventSink | None = None,
               stop: StopFlag | None = None, stop_file: Path | None = None, verbose: bool = False) -> str:
    """Launch the ranks of run `run_id` (`config`, saved for them to read, or `resume` it) on this machine and return
    its status. `events`: the ranks' --events; their stream goes to `events_stream`, or to `relay` (jsonl);
    `stop_file`: the file every rank watches (default: the run folder's `stop`, cleared first)."""
    if distributed.machines > 1:
        raise StudioError(Text("This run trains on {machines} machines: it starts on each of them at once.",
                               machines=distributed.machines),
                          Text("Write the script that does so: finetune-studio launch-script CONFIG "
                               "--machines {machines} --processes {processes} --scheduler slurm|plain",
                               machines=distributed.machines, processes=distributed.processes))
    folder = run_dir(run_id)
    folder.mkdir(parents=True, exist_ok=True)
    if resume:
        check_world_size(store.get_run(run_id), distributed.world_size)
        rank_args = ["--resume", run_id]
    else:
        config.save(folder / "run.yaml")  # as the caller settled it (name, --processes); the ranks read it
        rank_args = [str(folder / "run.yaml"), "--run-id", run_id]
    if stop_file is None:
        stop_file = folder / "stop"
        stop_file.unlink(missing_ok=True)
    rank_args += ["--events", "jsonl" if relay is not None else events, "--stop-file", str(stop_file)]
    return supervise((["-v"] if verbose else []) + ["train", *rank_args], run_id=run_id, folder=folder,
                     processes=distributed.processes, devices=distributed.devices, stop_file=stop_file,
                     events_stream=events_stream, sink=sink, relay=relay, stop=stop)


def supervise(rank_args: list[str], *, run_id: str, folder: Path, processes: int, devices: str | list[int],
              stop_file: Path, events_stream: IO[str] | None, sink: EventSink, relay: EventSink | None = None,
              stop: StopFlag | None = None) -> str:
    """Run the ranks to the end and return the run's status. `rank_args`: the `train` arguments every rank gets
    (config or --resume, the run id, --events, --stop-file). `events_stream`: where rank 0's JSON events go (the
    ranks inherit it as their stdout), or `relay`: the sink they are passed to, event by event; `sink`: where the
    parent's own last word goes when no rank said it. `stop`: set by a stop signal here; once set (by anyone, seen
    at rank 0's next event), the ranks are asked to stop."""
    ranks.clear_errors(folder)
    command = launcher_command(processes, rank_args)
    log.info("launching %d processes: %s", processes, subprocess.list2cmdline(command))
    # torchrun in a session of its own (as it puts each rank): Ctrl+C at a terminal signals the whole foreground
    # group, and torchrun would answer it its own way (a traceback, the ranks killed 30 s later, mid-checkpoint or
    # not); the stop is this process's to pass on, and torchrun dies with it (torchrun.py).
    proc = subprocess.Popen(command, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE if relay is not None else events_stream,
                            encoding="utf-8" if relay is not None else None, env=rank_environment(devices, processes),
                            start_new_session=True)
    stops = []

    def ask_to_stop() -> None:
        stop_file.parent.mkdir(parents=True, exist_ok=True)
        stop_file.touch()

    def on_signal(signum, _frame):  # a stop for the ranks: the file they all watch; a second one ends them now
        stops.append(signum)
        if len(stops) == 1:
            log.info("stop requested by signal %s: asking the ranks to checkpoint and stop", signum)
            ask_to_stop()
            if stop is not None:
                stop.set()
        else:
            proc.kill()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        if relay is not None:
            for line in proc.stdout:
                event = decode(line)
                if event is not None:
                    relay.emit(event.pop("event"), **event)
                if stop is not None and stop.is_set() and not stop_file.exists():
                    ask_to_stop()
        code = proc.wait()
    except BaseException:  # the caller's sink failed: no rank may train on without this parent (they die with it)
        proc.kill()
        proc.wait()
        raise
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return _outcome(run_id, folder, code, bool(stops) or (stop is not None and stop.is_set()), sink)


def _outcome(run_id: str, folder: Path, code: int, stopped: bool, sink: EventSink) -> str:
    """The status rank 0 recorded, or (no rank recorded one) the parent's `finished`: the first rank's error."""
    store = Store(reap=False)
    try:
        run = store.get_run(run_id)
    except StudioError:  # no rank got as far as creating the run
        run = None
    if run is not None and run.get("status") in FINAL_STATUSES:
        return run["status"]
    first = ranks.first_error(folder)
    if first is not None:
        status, error, hint = ("failed", Text("Process {rank}: {message}", rank=first["rank"], message=first["message"]),
                               first.get("hint"))
    elif stopped:
        status, error, hint = "cancelled", "The run was stopped before it could save a checkpoint.", \
            "Start it again when you are ready."
    else:
        tail = log_tail(folder / "logs" / "worker.log", 20)
        status = "failed"
        error = f"The training processes exited (code {code}) without reporting a result." + \
            (f"\n{tail}" if tail else "")
        hint = "Read the processes' logs (logs/ in the run folder); resume from the last checkpoint once the " \
               "cause is fixed."
    if run is not None:
        store.update_run(run_id, status=status, error=error, hint=hint, finished=time.time())
    sink.emit("finished", run_id=run_id, status=status, error=error, hint=hint)
    return status
