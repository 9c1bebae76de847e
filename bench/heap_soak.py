"""Does the heap stay flat? `python -m bench.heap_soak [--steps N] [--precision bf16] [--variants off,mimalloc]`.

Trains the demo model (LoRA r16 all-linear, batch 4, max_length 256, padding-free: every step's batch has other
shapes) on the in-repo alpaca rows for `--steps` optimizer steps, once per variant, each in its own process, and
prints the resident memory after steps at 10/25/50/75/100 % of the run, the slope of resident memory over the second
half (MiB per step), the wall and CPU seconds per step over the second half (on a loaded machine compare the CPU
figure) and the whole process's peak. A variant is one or more of these parts, joined by `+`:

- `off`: no trims (glibc's malloc under the engine's other settings; `asis` drops those); `trim`: with the engine's
  HeapTrimCallback (app/core/training/callbacks.py: a trim when the heap climbs 15 % past the first steps' working
  set); `every`: malloc_trim after every step;
- `mimalloc`: mimalloc 3 from the cmeel-mimalloc wheel (`pip install cmeel-mimalloc`), preloaded; `jemalloc`,
  `tcmalloc`: Debian's libjemalloc2 and libtcmalloc-minimal4, preloaded, where installed (no PyPI wheel ships them);
- `mmap=N`, `arena=N`, `trim_threshold=N`, `top_pad=N`: glibc's MALLOC_MMAP_THRESHOLD_, MALLOC_ARENA_MAX,
  MALLOC_TRIM_THRESHOLD_, MALLOC_TOP_PAD_; `purge=N`: mimalloc's MIMALLOC_PURGE_DELAY (ms; -1 never purges);
  `hugetlb=1`: glibc's tunable glibc.malloc.hugetlb (2.35+: its mmaps and heap advised as transparent huge pages, so
  a freshly mapped block faults in 2 MiB at a time, not 4 KiB);
- `bucket=N`: padding-free rows padded to a multiple of N tokens (a pad sequence with its own positions, no labels),
  so that the steps see fewer distinct shapes (the count is printed);
- `cache=N`: oneDNN's cache of compiled kernels (ONEDNN_PRIMITIVE_CACHE_CAPACITY) holds N (oneDNN's own default:
  1,024);
- `asis`: without the engine's `heap.steady_heap()` (its kernel cache bound and fixed mmap threshold): `asis+trim` is
  the engine before issue #26 item 1; `mmap=N` and `cache=N` replace the engine's values (it keeps what the
  environment sets). The engine fixes the threshold only with huge pages, which a training command starts itself
  with and a child here does not: `trim+hugetlb=1` is what `train` runs.

The variants run one after the other on the same machine in one invocation: compare them with each other, not with
other runs. Run it with OMP_NUM_THREADS=1 on a machine shared with other work: two threads that wait for each other in
every parallel region slowed a step by two orders of magnitude at a load average of 20.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import SAMPLES

VARIANTS = ("trim", "off", "every")


PRELOADS = {"jemalloc": "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2",
            "tcmalloc": "/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4"}


def mimalloc() -> Path:
    """libmimalloc.so.3 of the cmeel-mimalloc wheel (`pip install cmeel-mimalloc`: not a dependency of ours)."""
    import importlib.metadata

    found = [f for f in importlib.metadata.files("cmeel-mimalloc") or [] if f.name == "libmimalloc.so.3"]
    return Path(found[0].locate()).resolve()


def variant_env(variant: str) -> dict:
    """The environment a variant's child starts with: `mmap=N`, `arena=N`, `trim_threshold=N` (glibc's variables),
    `cache=N` (oneDNN's kernel cache), `jemalloc`/`tcmalloc`/`mimalloc` (LD_PRELOAD); parts joined by `+`."""
    env = dict(os.environ)
    for part in variant.split("+"):
        key, _, value = part.partition("=")
        if key == "mmap":
            env["MALLOC_MMAP_THRESHOLD_"] = value
        elif key == "arena":
            env["MALLOC_ARENA_MAX"] = value
        elif key == "trim_threshold":
            env["MALLOC_TRIM_THRESHOLD_"] = value
        elif key == "top_pad":
            env["MALLOC_TOP_PAD_"] = value
        elif key == "purge":
            env["MIMALLOC_PURGE_DELAY"] = value
        elif key == "hugetlb":
            env["GLIBC_TUNABLES"] = f"glibc.malloc.hugetlb={value}"
        elif key == "cache":
            env["ONEDNN_PRIMITIVE_CACHE_CAPACITY"] = value
        elif key == "mimalloc":
            env["LD_PRELOAD"] = str(mimalloc())
        elif key in PRELOADS:
            env["LD_PRELOAD"] = PRELOADS[key]
    return env


class _Mallinfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
                                                        "fsmblks", "uordblks", "fordblks", "keepcost")]


def malloc_mib() -> tuple[float, ...]:
    """glibc's own account (mallinfo2, every arena), MiB: the heaps' size (sbrk and arena mappings), the blocks
    mapped for themselves, in use, and free inside the heaps; empty under another allocator or without glibc 2.33+."""
    try:
        mallinfo2 = ctypes.CDLL("libc.so.6").mallinfo2
    except (OSError, AttributeError):
        return ()
    if os.environ.get("LD_PRELOAD"):
        return ()
    mallinfo2.restype = _Mallinfo2
    info = mallinfo2()
    return tuple(value / 2**20 for value in (info.arena, info.hblkhd, info.uordblks, info.fordblks))


def child(variant: str, steps: int, precision: str) -> dict:
    from transformers import TrainerCallback

    from app.core.config import parse_config
    from app.core.events import ListSink
    from app.core.training import callbacks, heap, kernels, trainer

    trace: list[tuple[int, float, float]] = []
    live = os.environ.get("HEAP_SOAK_LIVE")  # each step's row as it comes (--save), to follow a long soak

    class Every(TrainerCallback):
        def on_step_end(self, args, state, control, **kwargs):
            heap.trim_heap()

    class Record(TrainerCallback):  # after the engine's callbacks: what the step leaves held
        def on_step_end(self, args, state, control, **kwargs):
            faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt  # the cost of mapping blocks afresh
            trace.append((state.global_step, time.monotonic(), heap.resident_bytes() / 2**20, time.process_time(),
                          faults, *malloc_mib()))
            if live:
                with open(live, "a", encoding="utf-8") as fh:
                    fh.write(json.dumps(trace[-1]) + "\n")

    parts = dict(part.partition("=")[::2] for part in variant.split("+"))
    if "asis" in parts:
        heap.steady_heap = lambda: []  # the engine before it
    shapes: set[int] = set()
    if "bucket" in parts:
        multiple = int(parts["bucket"])

        class Bucketed(kernels.SequenceBoundsCollator):
            def __call__(self, features):
                import torch

                batch = self.collate(features)
                ids = batch.get("position_ids")
                if ids is not None and ids.shape[0] == 1 and ids.shape[1] % multiple:
                    pad = multiple - ids.shape[1] % multiple
                    fill = {"input_ids": 0, "labels": -100}
                    for key, value in list(batch.items()):
                        if torch.is_tensor(value) and value.dim() == 2 and value.shape[1] == ids.shape[1]:
                            extra = torch.arange(pad).unsqueeze(0) if key == "position_ids" else \
                                value.new_full((1, pad), fill.get(key, 0))
                            batch[key] = torch.cat([value, extra.to(value.dtype)], dim=1)
                if ids is not None and ids.shape[0] == 1:
                    batch.update(kernels.sequence_bounds(batch["position_ids"]))
                    shapes.add(batch["position_ids"].shape[1])
                return batch
        trainer.SequenceBoundsCollator = Bucketed
    trims: list[int] = []
    if "trim" in parts:
        class Counted(callbacks.HeapTrimCallback):
            def __init__(self):
                super().__init__()
                self.trims = trims
        callbacks.HeapTrimCallback = Counted
    else:
        callbacks.HeapTrimCallback = TrainerCallback  # no trim from the engine
    data = Path(tempfile.mkdtemp()) / "alpaca.jsonl"
    rows = json.loads((SAMPLES / "alpaca_en_demo.json").read_text(encoding="utf-8"))
    data.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    config = parse_config({
        "model": {"source": "demo"}, "data": {"train": str(data), "validation_split": 0.0},
        "method": {"name": "lora", "rank": 16, "alpha": 32, "target_modules": "all-linear"},
        "training": {"max_steps": steps, "batch_size": 4, "max_length": 256, "precision": precision,
                     "lean_memory": False, "save_steps": 100_000},
        "evaluation": {"sample_prompts": []}, "export": {"merged": False, "adapter": False},
    })
    from app.core.training import engine

    result = engine.run(config, ListSink(), callbacks=[Every(), Record()] if "every" in parts else [Record()])
    assert result.status == "completed", result.error
    return {"trace": trace, "trims": trims, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "shapes": len(shapes)}


def summary(variant: str, answer: dict) -> str:
    trace = answer["trace"]
    n = len(trace)
    half = trace[n // 2:]
    xs, ys = [row[0] for row in half], [row[2] for row in half]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum((x - mx) ** 2 for x in xs)
    per_step = (half[-1][1] - half[0][1]) / (len(half) - 1)
    cpu_per_step = (half[-1][3] - half[0][3]) / (len(half) - 1)
    if len(half[0]) > 4:  # page faults a step over the second half: what mapping blocks afresh costs, load or not
        trims = f"{(half[-1][4] - half[0][4]) / (len(half) - 1):,.0f} faults/step; "
    else:
        trims = ""
    marks = " ".join(f"{trace[max(int(n * q) - 1, 0)][2]:,.0f}" for q in (0.1, 0.25, 0.5, 0.75, 1.0))
    parts = {part.partition("=")[0] for part in variant.split("+")}
    trims += f"{len(answer['trims'])} trims" if "trim" in parts else ("every step" if "every" in parts else "none")
    if answer["shapes"]:
        trims += f", {answer['shapes']} batch lengths"
    return (f"| {variant} | {marks} | {slope:+.2f} | {per_step:.2f} | {cpu_per_step:.2f} | {answer['peak_mb']:,.0f} | "
            f"{trims} |")


def breakdown(answer: dict) -> str:
    """glibc's account at the same marks: heaps / mapped blocks / in use / free in the heaps (MiB), and the second
    half's slope of each; empty where the child had no glibc account."""
    trace = answer["trace"]
    n = len(trace)
    if not trace or len(trace[0]) < 9:
        return ""
    names = ("heaps", "mapped", "in use", "free in heaps")
    half = trace[n // 2:]
    xs = [row[0] for row in half]
    cells = []
    for i, name in enumerate(names, start=5):
        ys = [row[i] for row in half]
        mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
        slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum((x - mx) ** 2 for x in xs)
        marks = " / ".join(f"{trace[max(int(n * q) - 1, 0)][i]:,.0f}" for q in (0.1, 0.25, 0.5, 0.75, 1.0))
        cells.append(f"{name} {marks} ({slope:+.2f}/step)")
    return "  glibc, MiB at 10/25/50/75/100 %: " + "; ".join(cells)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--precision", default="bf16", choices=["fp32", "bf16"])
    parser.add_argument("--variants", default=",".join(VARIANTS[:2]))
    parser.add_argument("--breakdown", action="store_true", help="also glibc's account: heaps, mapped, in use, free")
    parser.add_argument("--save", help="a folder: each variant's steps as JSON (step, time, MiB, CPU s, page faults, "
                                           "glibc's account)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print("RESULT " + json.dumps(child(args.child, args.steps, args.precision)), flush=True)
        return
    print(f"demo model, LoRA r16, batch 4 × 256, {args.precision}, {args.steps} steps")
    print("| variant | MiB held at 10/25/50/75/100 % | slope, 2nd half (MiB/step) | s/step, 2nd half | "
          "CPU s/step, 2nd half | peak MiB | trims |\n| --- | --- | ---: | ---: | ---: | ---: | --- |")
    for variant in args.variants.split(","):
        started = time.monotonic()
        env = variant_env(variant)
        if args.save:
            Path(args.save).mkdir(parents=True, exist_ok=True)
            env["HEAP_SOAK_LIVE"] = str(Path(args.save) / f"{args.precision}-{variant}.steps")
        out = subprocess.run([sys.executable, "-m", "bench.heap_soak", "--child", variant, "--steps", str(args.steps),
                              "--precision", args.precision], capture_output=True, text=True, check=False,
                             env=env)
        line = next((ln for ln in out.stdout.splitlines() if ln.startswith("RESULT ")), None)
        if line is None:
            print(f"| {variant} | failed: {out.stderr.strip().splitlines()[-1:]} |")
            continue
        answer = json.loads(line[len("RESULT "):])
        print(summary(variant, answer) + f" <!-- {time.monotonic() - started:.0f} s -->", flush=True)
        if args.save:
            (Path(args.save) / f"{args.precision}-{variant}.json").write_text(json.dumps(answer), encoding="utf-8")
        if args.breakdown and breakdown(answer):
            print(breakdown(answer), flush=True)


if __name__ == "__main__":
    main()
