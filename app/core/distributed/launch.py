"""Launching a run of several processes on this machine: `train` starts torch's launcher (torchrun) with one process
per GPU (or per share of the CPU cores), each running `train` again as one rank, and stays their parent.

The parent is what the GUI's supervisor, the queue and a terminal see as the worker: the same command line, the same
pid for Stop (a SIGTERM here writes the stop file every rank watches; they agree on the step, checkpoint and end
`cancelled`), the same process group for Force stop (killing it kills torchrun, and each rank dies with it:
ranks.end_with_launcher), and rank 0's events on its stdout. When no rank said the run's last word (a rank was
killed, or hung until the launcher gave up), the parent says it: `failed`, with the first rank's recorded error.
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
from ..events import FINAL_STATUSES, EventSink
from ..store import Store, log_tail
from . import ranks

log = logging.getLogger(__name__)


def launcher_command(processes: int, rank_args: list[str]) -> list[str]:
    """torchrun for one machine: `processes` ranks, a free port found by its own rendezvous (--standalone, so two
    runs side by side never collide), no restarts (a failed rank fails the run)."""
    return [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nnodes", "1",
            "--nproc-per-node", str(processes), "--max-restarts", "0", "-m", "app", *rank_args]


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
            f"Run {run['id']} trained on {trained} process(es); this resume would use {processes}.",
            f"Resume it on {trained}: finetune-studio train --resume {run['id']} --processes {trained} (on a "
            "machine with that many GPUs), or clone its config to start a new run on another number.")


def supervise(rank_args: list[str], *, run_id: str, folder: Path, processes: int, devices: str | list[int],
              stop_file: Path, events_stream: IO[str] | None, sink: EventSink) -> str:
    """Run the ranks to the end and return the run's status. `rank_args`: the `train` arguments every rank gets
    (config or --resume, the run id, --events, --stop-file). `events_stream`: where rank 0's JSON events go (the
    ranks inherit it as their stdout); `sink`: where the parent's own last word goes when no rank said it."""
    ranks.clear_errors(folder)
    command = launcher_command(processes, rank_args)
    log.info("launching %d processes: %s", processes, subprocess.list2cmdline(command))
    proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=events_stream,
                            env=rank_environment(devices, processes))
    stops = []

    def stop(signum, _frame):  # a stop for the ranks: the file they all watch; a second one ends them now
        stops.append(signum)
        if len(stops) == 1:
            log.info("stop requested by signal %s: asking the ranks to checkpoint and stop", signum)
            stop_file.parent.mkdir(parents=True, exist_ok=True)
            stop_file.touch()
        else:
            proc.kill()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        code = proc.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return _outcome(run_id, folder, code, bool(stops), sink)


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
        status, error, hint = "failed", f"Process {first['rank']}: {first['message']}", first.get("hint")
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
