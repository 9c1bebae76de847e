"""A heap that stays flat: give the memory freed by each optimizer step back to the system (issue #26).

With padding-free batches every step's activations have other shapes. glibc keeps what they free in its arenas,
and the next step's blocks rarely fit the holes exactly, so the process's resident memory climbs with the number of
steps and never drops. On the demo model (LoRA r16 all-linear, batch 4, max_length 256, bf16 on a 2-core AVX512-BF16
CPU) it went from 3,496 MiB at step 10 to 5,616 MiB at step 100 (+10 MiB a step over the second half). `malloc_trim`
returns every free page, wherever it lies in the heap (bench/README.md "Heap" has the figures and the speed cost).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import os
import platform

from transformers import TrainerCallback


@functools.cache
def _libc_trim():
    """glibc's malloc_trim, or None (not Linux, or a C library without it, such as musl)."""
    if platform.system() != "Linux":
        return None
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


def trim_heap() -> bool:
    """Return the heap's free pages to the system; whether anything was returned (False where it cannot be)."""
    trim = _libc_trim()
    return bool(trim(0)) if trim is not None else False


def resident_bytes() -> int:
    """The process's resident memory (Linux; 0 elsewhere)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


class HeapTrimCallback(TrainerCallback):
    """Trims the heap after an optimizer step when the process holds more than `slack` above what it held after the
    first `warmup` steps (its working set), and after every evaluation.

    Trimming every step would keep the heap flattest, but then each step faults its working set in afresh (the cost
    that makes `lean_memory` slow); trimming when the climb passes the slack bounds the heap at a few trims a
    hundred steps. A working set that legitimately grows (the longest batches come late) raises the reference
    instead of trimming every step.
    """

    def __init__(self, slack: float = 0.15, warmup: int = 5):
        self.slack, self.warmup = slack, warmup
        self.reference = 0
        self.seen = 0
        self.trims: list[int] = []  # the steps after which the heap was trimmed

    def on_train_begin(self, args, state, control, **kwargs):
        self.reference, self.seen = 0, 0  # a resumed run measures its working set again

    def on_step_end(self, args, state, control, **kwargs):
        held = resident_bytes()
        self.seen += 1
        if self.seen <= self.warmup:
            self.reference = max(self.reference, held)
            return
        if held <= self.reference * (1 + self.slack):
            return
        if self.trims and state.global_step - self.trims[-1] <= 2:
            self.reference = held  # trimmed a step or two ago and over again: the working set itself grew
            return
        if trim_heap():
            self.trims.append(state.global_step)

    def on_evaluate(self, args, state, control, **kwargs):
        trim_heap()
