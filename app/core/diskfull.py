"""A full disk during a run: recognised wherever it surfaces (an OSError, or the text a library wraps it in) and told
as one message that says how much to free, and where."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from .export.space import estimate_bytes, free_disk, human_size

NO_SPACE = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
# What libraries say when they wrap the error: safetensors (Rust: "No space left on device (os error 28)"), SQLite
_NO_SPACE_TEXT = ("No space left on device", "Disk quota exceeded", "database or disk is full")
# torch.save's zip writer reports a failed write without its errno ("[enforce fail at inline_container.cc:...]" from
# "basic_ios::clear: iostream error"): a full disk when the disk is nearly full after it
_WRITE_FAILED = ("inline_container.cc", "iostream error")
NEARLY_FULL = 64_000_000
# Freed beyond the estimate: the estimate leaves out logs, events, samples and the filesystem's own needs
SPARE = 1_000_000_000
# Bytes per trainable parameter in a checkpoint: fp32 weights and AdamW's two moments
CHECKPOINT_BYTES = 12


def _chain(exc: BaseException | None):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def is_disk_full(exc: BaseException, folder: Path | None = None) -> bool:
    """Whether `exc` (or an error it came from) means the disk is full; `folder`: where the failed write went, which
    tells torch's errno-less write failures apart."""
    for err in _chain(exc):
        if isinstance(err, OSError) and err.errno in NO_SPACE:
            return True
        text = str(err)
        if any(s in text for s in _NO_SPACE_TEXT):
            return True
        if folder is not None and any(s in text for s in _WRITE_FAILED) and (free_disk(folder) or 0) < NEARLY_FULL:
            return True
    return False


def mount_point(folder: Path) -> Path:
    """The mount point of the disk that holds `folder` (what a user frees space on)."""
    path = Path(folder).expanduser().absolute()
    while not os.path.ismount(path) and path.parent != path:
        path = path.parent
    return path


def folder_bytes(folder: Path) -> int:
    return sum(f.stat().st_size for f in Path(folder).rglob("*") if f.is_file())


def run_disk_full(run: dict, export_targets: set[str], export_dtype: str, folder: Path,
                  checkpoint: Path | None) -> tuple[str, str]:
    """The message and hint of a run that filled its disk: how much to free (one more checkpoint, like the last
    complete one or estimated from the trainable parameters, and the exports still to write) and how to go on."""
    trainable, total = run.get("trainable_params"), run.get("total_params")
    need = folder_bytes(checkpoint) if checkpoint else (trainable or 0) * CHECKPOINT_BYTES
    need += sum(size or 0 for size in estimate_bytes(export_targets, export_dtype, "q8_0", total, trainable).values())
    free = free_disk(folder) or 0  # what the failed write still holds open is freed when the process ends
    then = (f"then resume it from its last complete checkpoint (step {checkpoint.name.rsplit('-', 1)[-1]}): "
            f"finetune-studio train --resume {run['id']}") if checkpoint else \
        "then start it again (clone its config): it had saved no complete checkpoint"
    return (f"The disk ran out of space while the run wrote to {folder}.",
            f"Free about {human_size(max(need - free, 0) + SPARE)} on {mount_point(folder)}, {then}.")
