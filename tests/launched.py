"""The processes a launcher started: torchrun and its ranks carry the launcher's pid in their environment
(distributed.ranks.LAUNCHER_PID), which is how the multi-process tests find what is still running."""

from __future__ import annotations

import time
from pathlib import Path

from app.core.distributed.ranks import LAUNCHER_PID


def launched_by(pid: int) -> list[int]:
    """Pids of the live processes whose environment names `pid` as their launcher (Linux /proc)."""
    marker = f"{LAUNCHER_PID}={pid}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and marker in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def left_after(pid: int, seconds: float = 30) -> list[int]:
    """What `pid` launched that is still alive once it has all gone, or `seconds` have passed (launched_by's list)."""
    deadline = time.monotonic() + seconds
    while (found := launched_by(pid)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return found
