"""A heap that stays flat: give the memory freed by optimizer steps back to the system (issue #26); the trainer's
callback that decides when is HeapTrimCallback in callbacks.py.

With padding-free batches every step's activations have other shapes. glibc keeps what they free in its arenas,
and the next step's blocks rarely fit the holes exactly, so the process's resident memory climbs with the number of
steps and never drops. On the demo model (LoRA r16 all-linear, batch 4, max_length 256, bf16 on a 2-core AVX512-BF16
CPU) it went from 3,496 MiB at step 10 to 5,616 MiB at step 100 (+10 MiB a step over the second half). `malloc_trim`
returns every free page, wherever it lies in the heap (bench/README.md "Heap" has the figures and the speed cost).
"""

from __future__ import annotations

import ctypes
import functools
import os
import platform


@functools.cache
def _libc_trim():
    """glibc's malloc_trim, or None (not Linux, or a C library without it, such as musl)."""
    if platform.system() != "Linux":
        return None
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim  # as hardware.return_freed_memory opens it
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
