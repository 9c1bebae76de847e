"""Which process this is, when a launcher (torchrun, accelerate launch) started several: rank 0 alone speaks for the
run (events, store rows, samples, the checkpoints' `latest` pointer, exports); the others train and stay silent.

Read from the launcher's environment (RANK, LOCAL_RANK, WORLD_SIZE), so it costs nothing to ask before torch is
imported.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

LAUNCHER_PID = "FINETUNE_STUDIO_LAUNCHER_PID"  # the process that launched the ranks (what a GUI stops or reaps)


def launched() -> bool:
    """This process is one rank of a launch (torchrun or accelerate launch set its environment)."""
    return "LOCAL_RANK" in os.environ and "WORLD_SIZE" in os.environ


def rank() -> int:
    return int(os.environ.get("RANK", "0"))


def local_rank() -> int:
    return int(os.environ.get("LOCAL_RANK", "0"))


def world_size() -> int:
    return int(os.environ.get("WORLD_SIZE", "1"))


def is_main() -> bool:
    return rank() == 0


def owner_pid() -> int:
    """The pid that stands for the run in the store: the launcher's (killing its group ends every rank), or ours."""
    return int(os.environ.get(LAUNCHER_PID) or os.getpid())


class SilentSink:
    """The event sink of a rank other than 0: it says nothing (rank 0 reports the run)."""

    def emit(self, event: str, **fields: Any) -> None:
        pass


_WRITES = frozenset({"create_run", "update_run", "add_metrics", "add_artifact", "forget_missing_checkpoints",
                     "forget_after", "add_sample", "add_evaluation", "rename_run", "delete_run"})


class ReadOnlyStore:
    """The run store as a rank other than 0 sees it: it reads what rank 0 wrote; its writes are rank 0's to make."""

    def __init__(self, store: Any):
        self._store = store

    def __getattr__(self, name: str) -> Any:
        if name in _WRITES:
            return lambda *args, **kwargs: None
        if name == "db":
            raise AttributeError("a rank other than 0 does not write the run store")
        return getattr(self._store, name)


def agree(flag: bool, device: Any = None) -> bool:
    """`flag` as any rank has it (a logical OR over the ranks): a stop must be taken at the same step by all of them,
    or the ones that go on wait forever for the others in the next collective. Without a process group: `flag`."""
    import torch
    import torch.distributed as dist

    if not (dist.is_available() and dist.is_initialized()) or dist.get_world_size() == 1:
        return flag
    if dist.get_backend() == "nccl":
        device = device if device is not None and torch.device(device).type == "cuda" else \
            torch.device("cuda", torch.cuda.current_device())
    else:
        device = "cpu"
    value = torch.tensor([1 if flag else 0], dtype=torch.int32, device=device)
    dist.all_reduce(value, op=dist.ReduceOp.MAX)
    return bool(value.item())


def error_file(folder: Path, which: int | None = None) -> Path:
    return folder / "logs" / f"rank-{rank() if which is None else which}.error.json"


def record_error(folder: Path, message: str, hint: str | None) -> None:
    """Leave this rank's failure where rank 0 and the launcher read it: the run ends with the first rank's error, not
    with the broken connection the others saw next."""
    path = error_file(folder)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"rank": rank(), "time": time.time(), "message": message, "hint": hint}))
        tmp.replace(path)
    except OSError as exc:
        log.error("could not record rank %d's error: %s", rank(), exc)


def first_error(folder: Path, wait: float = 0.0) -> dict | None:
    """The earliest error a rank recorded for this run (waiting up to `wait` seconds for one to appear), else None."""
    deadline = time.monotonic() + wait
    while True:
        found = []
        for path in (folder / "logs").glob("rank-*.error.json"):
            try:
                found.append(json.loads(path.read_text()))
            except (OSError, ValueError):
                continue
        if found or time.monotonic() >= deadline:
            return min(found, key=lambda e: e.get("time", 0)) if found else None
        time.sleep(0.1)


def clear_errors(folder: Path) -> None:
    """A new session of the run (a resume) starts without the last one's rank errors."""
    for path in (folder / "logs").glob("rank-*.error.json"):
        path.unlink(missing_ok=True)


def end_with_launcher() -> None:
    """A rank dies with the launcher that started it (Linux: the parent-death signal): torchrun puts each rank in a
    session of its own, so killing the launcher's process group (the GUI's Force stop) would leave them training.
    torchrun itself dies with `train`'s launcher the same way (torchrun.py)."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    parent = os.getppid()
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError) as exc:
        log.warning("rank %d will not end with its launcher: %s", rank(), exc)
        return
    if os.getppid() != parent:  # the launcher died before the signal was set
        os._exit(1)
