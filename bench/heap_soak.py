"""Does the heap stay flat? `python -m bench.heap_soak [--steps N] [--precision bf16] [--variants trim,off]`.

Trains the demo model (LoRA r16 all-linear, batch 4, max_length 256, padding-free: every step's batch has other
shapes) on the in-repo alpaca rows for `--steps` optimizer steps, once per variant, each in its own process, and
prints the resident memory after steps at 10/25/50/75/100 % of the run, the slope of resident memory over the second
half (MiB per step), the seconds per step over the second half and the whole process's peak:

- `trim`: the engine as it ships (app/core/training/callbacks.py HeapTrimCallback: the heap is trimmed when it climbs 15 % past the
  working set of the first steps),
- `off`: the same run without the trim callback (how glibc's heap behaves alone),
- `every`: a trim after every step (the flattest heap; its speed cost is what `trim` avoids).

The variants run one after the other on the same machine in one invocation: compare them with each other, not with
other runs.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import SAMPLES

VARIANTS = ("trim", "off", "every")


def child(variant: str, steps: int, precision: str) -> dict:
    from transformers import TrainerCallback

    from app.core.config import parse_config
    from app.core.events import ListSink
    from app.core.training import callbacks, heap

    trace: list[tuple[int, float, float]] = []

    class Every(TrainerCallback):
        def on_step_end(self, args, state, control, **kwargs):
            heap.trim_heap()

    class Record(TrainerCallback):  # after the engine's callbacks: what the step leaves held
        def on_step_end(self, args, state, control, **kwargs):
            trace.append((state.global_step, time.monotonic(), heap.resident_bytes() / 2**20))

    trims: list[int] = []
    if variant == "trim":
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

    result = engine.run(config, ListSink(), callbacks=[Every(), Record()] if variant == "every" else [Record()])
    assert result.status == "completed", result.error
    return {"trace": trace, "trims": trims, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def summary(variant: str, answer: dict) -> str:
    trace = answer["trace"]
    n = len(trace)
    half = trace[n // 2:]
    xs, ys = [s for s, _, _ in half], [mb for _, _, mb in half]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum((x - mx) ** 2 for x in xs)
    per_step = (half[-1][1] - half[0][1]) / (len(half) - 1)
    marks = " ".join(f"{trace[max(int(n * q) - 1, 0)][2]:,.0f}" for q in (0.1, 0.25, 0.5, 0.75, 1.0))
    trims = f"{len(answer['trims'])} trims" if variant == "trim" else ("every step" if variant == "every" else "none")
    return (f"| {variant} | {marks} | {slope:+.2f} | {per_step:.2f} | {answer['peak_mb']:,.0f} | {trims} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--precision", default="bf16", choices=["fp32", "bf16"])
    parser.add_argument("--variants", default=",".join(VARIANTS[:2]))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print("RESULT " + json.dumps(child(args.child, args.steps, args.precision)), flush=True)
        return
    print(f"demo model, LoRA r16, batch 4 × 256, {args.precision}, {args.steps} steps")
    print("| variant | MiB held at 10/25/50/75/100 % | slope, 2nd half (MiB/step) | s/step, 2nd half | peak MiB | "
          "trims |\n| --- | --- | ---: | ---: | ---: | --- |")
    for variant in args.variants.split(","):
        started = time.monotonic()
        out = subprocess.run([sys.executable, "-m", "bench.heap_soak", "--child", variant, "--steps", str(args.steps),
                              "--precision", args.precision], capture_output=True, text=True, check=False)
        line = next((ln for ln in out.stdout.splitlines() if ln.startswith("RESULT ")), None)
        if line is None:
            print(f"| {variant} | failed: {out.stderr.strip().splitlines()[-1:]} |")
            continue
        print(summary(variant, json.loads(line[len("RESULT "):])) + f" <!-- {time.monotonic() - started:.0f} s -->",
              flush=True)


if __name__ == "__main__":
    main()
