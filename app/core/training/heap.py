"""A heap that stays flat (issue #26 item 1): the settings a run starts with (`steady_heap`, and the huge pages a
training command starts itself again with, `huge_page_tunables`), and the trim after optimizer steps that
HeapTrimCallback in callbacks.py decides.

With padding-free batches every step's tensors have other sizes, and in bf16 on a CPU every step also compiles new
oneDNN kernels for its new shapes. glibc raises its mmap threshold each time a mapped block is freed, so after the
first step the activations live in the heap beside the kernels' memory; the next step's blocks rarely fit the holes
left, and the heap grows around them and never shrinks. On the tiny test model the process held 1,620-2,460 MiB by
step 100 instead of ~1,140 with the settings (in fp32, which runs no oneDNN kernels, 629 MiB and flat); on the demo
model bench/README.md "Heap" has the figures and the speed cost.
"""

from __future__ import annotations

import ctypes
import functools
import os
import platform
from collections.abc import Mapping
from pathlib import Path

from ..hardware import M_MMAP_THRESHOLD


@functools.cache
def _libc(name: str):
    """glibc's function `name`, or None (not Linux, or a C library without it, such as musl)."""
    if platform.system() != "Linux":
        return None
    try:
        return getattr(ctypes.CDLL("libc.so.6"), name)  # as hardware.return_freed_memory opens it
    except (OSError, AttributeError):
        return None


def trim_heap() -> bool:
    """Return the heap's free pages to the system; whether anything was returned (False where it cannot be)."""
    trim = _libc("malloc_trim")
    return bool(trim(0)) if trim is not None else False


KERNEL_CACHE = 128  # oneDNN's compiled kernels kept; its own default is 1,024
# Blocks from 256 KiB up are mapped for themselves and unmapped when freed. 1 MiB flattened the tiny test model but
# not the demo model (SmolLM2-135M): its activations are 576 or 1,536 wide, 1,152-3,072 bytes a token in bf16, so a
# step of 200-1,000 tokens frees blocks of 225 KiB-3 MiB whose sizes change with every batch; those under 1 MiB
# stayed in the heap, the next step's did not fit their holes, and the heap grew around them: glibc's own account
# (mallinfo2) over 100 steps held 538 MiB in use from step 36 on while the free space inside its heaps rose from
# 1,267 to 1,464 MiB, +5.9 MiB a step. With 256 KiB: 343 MiB free, flat from step 50 (bench/README.md "Heap");
# 512 KiB still climbed (1,777 MiB held at step 30, against 1,440 with 256 KiB and 2,340 with 1 MiB).
MMAP_THRESHOLD = 256 * 1024


def steady_heap() -> list[str]:
    """Settings under which a run's resident memory stops climbing after its warm-up; the names of those applied
    (`huge_pages`: the process started with them). Each is left as the environment sets it, if it does.

    - oneDNN's kernel cache bounded to `KERNEL_CACHE`: a bf16 product on a CPU runs a kernel compiled for its shapes,
      and padding-free batches have a new length every step, so each step compiles a new set (tens on a LoRA model,
      shared by its layers) that later steps rarely reuse; oneDNN keeps 1,024. 128 keep a step's own. oneDNN reads
      the bound when it compiles its first kernel: call this before the process runs a bf16 product (engine.run
      does, first).
    - glibc's mmap threshold fixed at `MMAP_THRESHOLD`: blocks from 256 KiB up are mapped for themselves and given
      back when freed, instead of glibc raising the threshold up to 32 MiB and keeping them in the heap.
      `lean_memory` lowers it to 64 KiB. Each such block faults in afresh every step: on 4 KiB pages a 1 MiB
      threshold cost the tiny test model 1.35x the CPU time a step, which huge pages take back for blocks from
      2 MiB up (`huge_page_tunables`), so the threshold is fixed only in a process with huge pages (the training
      commands start themselves with them). Blocks of 256 KiB-2 MiB still fault in 4 KiB at a time: the price of
      a flat heap on the demo model, 1.25x the CPU a step in bf16 and 1.1x in fp32 (bench/README.md "Heap").
    """
    applied = []
    if not (os.environ.get("ONEDNN_PRIMITIVE_CACHE_CAPACITY") or os.environ.get("DNNL_PRIMITIVE_CACHE_CAPACITY")):
        os.environ["ONEDNN_PRIMITIVE_CACHE_CAPACITY"] = str(KERNEL_CACHE)
        applied.append("kernel_cache")
    tunables = os.environ.get("GLIBC_TUNABLES", "")
    huge = f"{HUGE_PAGES}=1" in tunables or _thp_mode() == "always"  # glibc read the tunable at the start
    if huge:
        applied.append("huge_pages")
    mallopt = _libc("mallopt")
    chosen = os.environ.get("MALLOC_MMAP_THRESHOLD_") or "mmap_threshold" in tunables
    if huge and mallopt is not None and not chosen and mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD):
        applied.append("mmap_threshold")
    return applied


def _thp_mode() -> str | None:
    """The kernel's transparent huge page mode (always, madvise, never), or None where it cannot be read."""
    try:
        text = THP_MODE.read_text(encoding="ascii")
    except OSError:
        return None
    return text[text.index("[") + 1:text.index("]")] if "[" in text and "]" in text else None


HUGE_PAGES = "glibc.malloc.hugetlb"
THP_MODE = Path("/sys/kernel/mm/transparent_hugepage/enabled")


def huge_page_tunables(environ: Mapping[str, str]) -> str | None:
    """GLIBC_TUNABLES for a training process whose freshly mapped blocks fault in as 2 MiB transparent huge pages,
    not 4 KiB pages (glibc 2.35+ `glibc.malloc.hugetlb=1`: glibc advises its mappings so); None where that changes
    nothing (not glibc, an older one, the kernel's THP mode `always` or `never`) or the environment chose already.

    With the fixed mmap threshold every block from 256 KiB up is mapped afresh each step: faulted in 4 KiB at a time
    (a 1 MiB threshold) it cost the tiny test model 0.285-0.295 CPU seconds a step against glibc as it comes
    0.203-0.227, on huge pages 0.217 (bench/README.md "Heap"). glibc reads its tunables only when a process starts:
    the training commands start themselves again with them (cli/train.py exec_with_huge_pages)."""
    if platform.system() != "Linux" or HUGE_PAGES in environ.get("GLIBC_TUNABLES", ""):
        return None
    name, version = platform.libc_ver()
    try:
        if name != "glibc" or tuple(int(part) for part in version.split(".")[:2]) < (2, 35):
            return None
    except ValueError:
        return None
    if _thp_mode() != "madvise":
        return None
    return ":".join(part for part in (environ.get("GLIBC_TUNABLES"), f"{HUGE_PAGES}=1") if part)


def resident_bytes() -> int:
    """The process's resident memory (Linux; 0 elsewhere)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0
