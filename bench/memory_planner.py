"""The memory planner against measured peaks: `python -m bench.memory_planner [--steps N] [--only I,J] [--precision P]
[--heap H] [--whole] [--layers K,K2]`.

Trains the demo model (SmolLM2-135M-Instruct, full depth) for `--steps` optimizer steps per setting (at least 2
for full fine-tuning, whose AdamW states exist from the second step on), each in its own process, on continued
pre-training blocks of the in-repo c4 sample (every micro-batch is exactly batch × max_length tokens, the planner's
worst case), and prints the planner's estimate (app.core.hardware.estimate_memory), the measured peak RSS and the
error, and the RSS before the model loads (the runtime's baseline) and once it is loaded. A warm-up child
tokenises the data first (one step in fp32). The settings vary method, batch, max_length and checkpointing;
`tests/core/test_planner.py` keeps the measured figures and checks the estimate against them.

`--precision` (fp32 or bf16; fp16 trains in fp32 on a CPU) is the run's `training.precision`; `--heap lean` (the
default, what the estimates' working set models) returns freed memory at once (`training.lean_memory: true`),
`--heap default` leaves glibc's heap as it is, `--heap shipped` is what a `train` command runs with lean memory off
(glibc's huge-page tunable as cli/train.py restarts itself with it, so the engine's heap settings apply in full).
Besides the working-set estimate it prints the figure the run reports (the `started` event's memory_estimate,
plan_run's total: the precision's heap term included where lean memory is off) and its error. Each child also samples its RSS every 20 ms and prints the peak of each part of the run
(reading the data, loading the model, training, evaluation, sample generation, the exports), named from the
worker's events; `--whole` turns evaluation (a validation split), two sample prompts and the adapter and merged
exports on, so those parts run at all. `--layers 0,15,30` runs each chosen setting once per number of checkpointed
layers (`training.checkpoint_layers`, the first K of the model's; 0: checkpointing off) instead of its own
checkpointing. With `--steps` 3 or more it also prints the CPU seconds (user + system) and wall seconds of a step
after the first (the trainer's progress events mark the steps).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench import SAMPLES

DATA = SAMPLES / "c4_demo.jsonl"
MiB = 1024**2
# (method, batch, max_length, gradient checkpointing)
SETTINGS = [("lora", 4, 256, False), ("lora", 8, 256, False), ("lora", 8, 256, True), ("lora", 2, 1024, False),
            ("full", 4, 256, False), ("full", 4, 256, True), ("qlora", 8, 256, False), ("qlora", 4, 256, True),
            ("lora", 4, 512, False), ("lora", 2, 1024, True)]


def config_for(model: str, data: Path, method: str, batch: int, length: int, checkpointing: bool, steps: int,
               precision: str = "fp32", lean: bool = True, whole: bool = False, layers: int | None = None):
    """`layers`: checkpoint the first `layers` decoder layers (0: none) instead of `checkpointing`."""
    from app.core.config import parse_config

    if layers is not None:
        checkpointing = layers > 0
    return parse_config({
        "model": {"source": model},
        "data": {"train": str(data), "validation_split": 0.1 if whole else 0.0, "max_samples": 64},
        "method": {"name": method, "auto": []},  # the fields' rank 16, alpha 32, dropout 0.05: what is estimated
        "training": {"stage": "pt", "max_steps": steps, "batch_size": batch, "max_length": length,
                     "gradient_checkpointing": checkpointing, "checkpoint_layers": layers or None,
                     "save_steps": 10_000, "precision": precision, "lean_memory": lean},  # lean: what is estimated
        "evaluation": {"sample_prompts": ["The largest planet in the solar system is", "Once upon a time"]
                       if whole else []},
        "export": {"merged": whole, "adapter": whole},
    })


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / MiB


class PartPeaks:
    """The peak RSS of each part of a run, sampled every 20 ms in a thread. The part is named from the worker's
    events: a `phase` names its own (reading, tokenising, loading the model, export stages); `started` begins
    training; the time before a `sample` event generated that sample, the time before a `metrics` event with
    eval_loss evaluated, the time before an adapter's `artifact` event exported it."""

    def __init__(self) -> None:
        self.samples: list[tuple[float, float]] = []
        self.events: list[tuple[float, str]] = [(time.monotonic(), "start-up")]
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def _sample(self) -> None:
        while not self.done.is_set():
            self.samples.append((time.monotonic(), rss_mb()))
            time.sleep(0.02)

    def mark(self, event: str, fields: dict) -> None:
        now = time.monotonic()
        if event == "phase":
            self.events.append((now, f"{fields.get('name')}: {fields.get('message')}"))
        elif event == "started":
            self.events.append((now, "training"))
        elif event == "sample":
            self._rename_last("sample generation", now)
        elif event == "metrics" and "eval_loss" in fields.get("metrics", {}):
            self._rename_last("evaluation", now)
        elif event == "artifact" and fields.get("kind") == "adapter":  # its export says nothing before it ends
            self._rename_last("export: adapter (saved, reloaded, compared)", now)
        else:  # a boundary (a step's progress, a checkpoint): the part goes on
            self.events.append((now, self.events[-1][1]))

    def _rename_last(self, label: str, now: float) -> None:
        """The time since the last event was spent on `label`; what follows goes back to the earlier part."""
        previous = self.events[-1][1]
        if self.events[-1][0] < now:
            self.events.append((self.events[-1][0], label))
            self.events.append((now, previous))

    def peaks(self) -> dict[str, float]:
        self.done.set()
        self.thread.join()
        out: dict[str, float] = {}
        for n, (start, label) in enumerate(self.events):
            end = self.events[n + 1][0] if n + 1 < len(self.events) else float("inf")
            inside = [mb for t, mb in self.samples if start <= t < end]
            if inside:
                out[label] = max(out.get(label, 0.0), max(inside))
        return out


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child(setting: int, model: str, data: Path, steps: int, precision: str, lean: bool, whole: bool,
          layers: int | None = None) -> dict:
    from app.core.events import ListSink
    from app.core.training import engine

    marks: dict = {}
    parts = PartPeaks()
    stepped: list[tuple[int, float, float]] = []  # (step, CPU seconds, wall seconds) at each progress event

    class Sink(ListSink):  # the RSS before the model loads (the runtime's baseline) and once it is loaded
        def emit(self, event: str, **fields) -> None:
            super().emit(event, **fields)
            parts.mark(event, fields)
            if event == "phase" and fields.get("message") == "Loading the model":
                marks.setdefault("before_model_mb", rss_mb())
            elif event == "started":
                marks["model_loaded_mb"] = rss_mb()
                marks["reported_mb"] = fields.get("memory_estimate", 0) / MiB
            elif event == "progress":
                stepped.append((fields["step"], cpu_seconds(), time.monotonic()))

    if SETTINGS[setting][0] == "full":
        steps = max(steps, 2)  # AdamW's states (twice the weights) exist from the second step on
    result = engine.run(config_for(model, data, *SETTINGS[setting], steps, precision, lean, whole, layers), Sink())
    assert result.status == "completed", result.error
    if len(stepped) >= 3:  # after the first step (its warm-up)
        (first, cpu0, wall0), (last, cpu1, wall1) = stepped[1], stepped[-1]
        marks["cpu_s_per_step"] = (cpu1 - cpu0) / (last - first)
        marks["wall_s_per_step"] = (wall1 - wall0) / (last - first)
    return {"peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, **marks,
            "parts_mb": parts.peaks()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--only", help="comma-separated setting numbers")
    parser.add_argument("--precision", choices=["fp32", "bf16"], default="fp32",
                        help="training.precision (bf16 needs a CPU with AVX512-BF16 or AMX to be native)")
    parser.add_argument("--heap", choices=["lean", "default", "shipped"], default="lean",
                        help="lean: training.lean_memory true (freed memory returned at once); default: false; "
                        "shipped: false, with the huge pages a train command starts with")
    parser.add_argument("--whole", action="store_true", help="also evaluate, generate samples and export")
    parser.add_argument("--layers", help="comma-separated numbers of checkpointed layers (training.checkpoint_layers, "
                        "the first K; 0: off), each run for every chosen setting instead of its own checkpointing")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--model", help=argparse.SUPPRESS)
    args = parser.parse_args()
    lean = args.heap == "lean"
    if args.child is not None:
        result = child(args.child, args.model, args.data, args.steps, args.precision, lean, args.whole,
                       int(args.layers) if args.layers else None)
        print("RESULT " + json.dumps(result), flush=True)
        return
    from app.core.models import demo_model_dir, describe_model

    model = str(demo_model_dir())
    info = describe_model(model)
    home = tempfile.mkdtemp(prefix="bench-planner-")  # shared: the data is tokenised once
    chosen = [int(i) for i in args.only.split(",")] if args.only else range(len(SETTINGS))
    print(f"model: {info.name} ({info.num_parameters / 1e6:.0f} M parameters); data: {args.data.name} as pt blocks;"
          f" {args.steps} step(s), {args.precision}, {args.heap} heap{', whole run' if args.whole else ''}, CPU")
    print(f"{'#':>2} {'method':6} {'batch':>5} {'len':>4} {'ckpt':5} {'estimate':>9} {'measured':>9} {'error':>7} "
          f"{'reported':>9} {'error':>7} {'baseline':>9} {'loaded':>7} {'CPU s/step':>10} {'wall s/step':>11}")
    depths = [int(k) for k in args.layers.split(",")] if args.layers else [None]
    runs = [(i, k) for i in chosen for k in depths]
    # The first child tokenises the data into the shared home, and the heap it leaves behind would count in its
    # peak and be reused by its activations: run it once more before measuring.
    try:
        measure(args, model, info, home, [runs[0], *runs])
    finally:
        shutil.rmtree(home, ignore_errors=True)


def measure(args, model: str, info, home: str, runs: list) -> None:
    """Each (setting, checkpointed layers) in a child process of its own, its row printed as it ends; the first
    row is the warm-up child's."""
    from app.core.hardware import estimate_memory
    from app.core.training.heap import huge_page_tunables

    lean = args.heap == "lean"
    for n, (i, layers) in enumerate(runs):
        method, batch, length, ckpt = SETTINGS[i]
        config = config_for(model, args.data, *SETTINGS[i], args.steps, args.precision, lean, args.whole, layers)
        est = estimate_memory(info, config.method, config.training, device="cpu")
        # the warm-up child only tokenises (the data's cache does not depend on the steps or the precision): one
        # step in fp32 (a bf16 step without native bf16 took 6 min here, 7x an fp32 one)
        steps, precision = (1, "fp32") if n == 0 else (args.steps, args.precision)
        cmd = [sys.executable, "-m", "bench.memory_planner", "--child", str(i), "--model", model,
               "--steps", str(steps), "--data", str(args.data), "--precision", precision,
               "--heap", args.heap, *(["--whole"] if args.whole else []),
               *(["--layers", str(layers)] if layers is not None else [])]
        env = {**os.environ, "FINETUNE_STUDIO_HOME": home, "TOKENIZERS_PARALLELISM": "false"}
        if args.heap == "shipped" and (tunables := huge_page_tunables(env)):
            env["GLIBC_TUNABLES"] = tunables
        out = subprocess.run(cmd, capture_output=True, text=True, env=env)
        # its checkpoints and exports (up to 1.8 GB a run of full fine-tuning): a dozen would fill a small disk
        shutil.rmtree(Path(home) / "runs", ignore_errors=True)
        line = next((ln for ln in out.stdout.splitlines() if ln.startswith("RESULT ")), None)
        if line is None:
            sys.exit(f"setting {i} failed:\n{out.stderr[-3000:]}")
        result = json.loads(line[7:])
        parts = "; ".join(f"{k} {v:.0f}" for k, v in result["parts_mb"].items())
        if n == 0:
            print(f"   warm-up child (tokenises the data; 1 step, fp32), peak RSS by part, MiB: {parts}", flush=True)
            continue
        measured, estimate = result["peak_rss_mb"], est["total"] / MiB
        checkpointed = ('on' if ckpt else 'off') if layers is None else f"{layers}/{info.num_layers}"
        print(f"{i:>2} {method:6} {batch:>5} {length:>4} {checkpointed:5} {estimate:8.0f}M "
              f"{measured:8.0f}M {estimate / measured - 1:+7.1%} {result['reported_mb']:8.0f}M "
              f"{result['reported_mb'] / measured - 1:+7.1%} {result.get('before_model_mb', 0):8.0f}M "
              f"{result.get('model_loaded_mb', 0):6.0f}M {result.get('cpu_s_per_step', float('nan')):10.2f} "
              f"{result.get('wall_s_per_step', float('nan')):11.2f}   "
              + " ".join(f"{k} {v / MiB:.0f}" for k, v in est.items() if k != "total"), flush=True)
        print(f"   peak RSS by part, MiB: {parts}", flush=True)


if __name__ == "__main__":
    main()
