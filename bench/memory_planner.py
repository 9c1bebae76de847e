"""The memory planner against measured peaks: `python -m bench.memory_planner [--steps N] [--only I,J]`.

Trains the demo model (SmolLM2-135M-Instruct, full depth) for `--steps` optimizer steps per setting (at least 2
for full fine-tuning, whose AdamW states exist from the second step on), each in its own process, on continued
pre-training blocks of the in-repo c4 sample (every micro-batch is exactly batch × max_length tokens, the planner's
worst case), and prints the planner's estimate (app.core.hardware.estimate_memory), the measured peak RSS and the
error, and the RSS before the model loads (the runtime's baseline) and once it is loaded. A warm-up child
tokenises the data first. The settings vary method, batch, max_length and checkpointing;
`tests/core/test_planner.py` keeps the measured figures and checks the estimate against them.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

from bench import SAMPLES

DATA = SAMPLES / "c4_demo.jsonl"
MiB = 1024**2
# (method, batch, max_length, gradient checkpointing)
SETTINGS = [("lora", 4, 256, False), ("lora", 8, 256, False), ("lora", 8, 256, True), ("lora", 2, 1024, False),
            ("full", 4, 256, False), ("full", 4, 256, True), ("qlora", 8, 256, False), ("qlora", 4, 256, True),
            ("lora", 4, 512, False), ("lora", 2, 1024, True)]


def config_for(model: str, data: Path, method: str, batch: int, length: int, checkpointing: bool, steps: int):
    from app.core.config import parse_config

    return parse_config({
        "model": {"source": model}, "data": {"train": str(data), "validation_split": 0.0, "max_samples": 64},
        "method": {"name": method},
        "training": {"stage": "pt", "max_steps": steps, "batch_size": batch, "max_length": length,
                     "gradient_checkpointing": checkpointing, "save_steps": 10_000, "precision": "fp32",
                     "lean_memory": True},  # what the estimates model
        "evaluation": {"sample_prompts": []}, "export": {"merged": False, "adapter": False},
    })


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / MiB


def child(setting: int, model: str, data: Path, steps: int) -> dict:
    from app.core.events import ListSink
    from app.core.training import engine

    marks = {}

    class Sink(ListSink):  # the RSS before the model loads (the runtime's baseline) and once it is loaded
        def emit(self, event: str, **fields) -> None:
            super().emit(event, **fields)
            if event == "phase" and fields.get("message") == "Loading the model":
                marks.setdefault("before_model_mb", rss_mb())
            elif event == "started":
                marks["model_loaded_mb"] = rss_mb()

    if SETTINGS[setting][0] == "full":
        steps = max(steps, 2)  # AdamW's states (twice the weights) exist from the second step on
    result = engine.run(config_for(model, data, *SETTINGS[setting], steps), Sink())
    assert result.status == "completed", result.error
    return {"peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, **marks}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--only", help="comma-separated setting numbers")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--model", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print("RESULT " + json.dumps(child(args.child, args.model, args.data, args.steps)), flush=True)
        return
    from app.core.hardware import estimate_memory
    from app.core.models import demo_model_dir, describe_model

    model = str(demo_model_dir())
    info = describe_model(model)
    home = tempfile.mkdtemp(prefix="bench-planner-")  # shared: the data is tokenised once
    chosen = [int(i) for i in args.only.split(",")] if args.only else range(len(SETTINGS))
    print(f"model: {info.name} ({info.num_parameters / 1e6:.0f} M parameters); data: {args.data.name} as pt blocks;"
          f" {args.steps} step(s), fp32, CPU")
    print(f"{'#':>2} {'method':6} {'batch':>5} {'len':>4} {'ckpt':4} {'estimate':>9} {'measured':>9} {'error':>7} "
          f"{'baseline':>9} {'loaded':>7}")
    # The first child tokenises the data into the shared home, and the heap it leaves behind would count in its
    # peak and be reused by its activations: run it once more before measuring.
    for n, i in enumerate([chosen[0], *chosen]):
        method, batch, length, ckpt = SETTINGS[i]
        config = config_for(model, args.data, *SETTINGS[i], args.steps)
        est = estimate_memory(info, config.method, config.training, device="cpu")
        cmd = [sys.executable, "-m", "bench.memory_planner", "--child", str(i), "--model", model,
               "--steps", str(args.steps), "--data", str(args.data)]
        env = {**os.environ, "FINETUNE_STUDIO_HOME": home, "TOKENIZERS_PARALLELISM": "false"}
        out = subprocess.run(cmd, capture_output=True, text=True, env=env)
        line = next((ln for ln in out.stdout.splitlines() if ln.startswith("RESULT ")), None)
        if line is None:
            sys.exit(f"setting {i} failed:\n{out.stderr[-3000:]}")
        if n == 0:
            continue
        result = json.loads(line[7:])
        measured, estimate = result["peak_rss_mb"], est["total"] / MiB
        print(f"{i:>2} {method:6} {batch:>5} {length:>4} {'on' if ckpt else 'off':4} {estimate:8.0f}M "
              f"{measured:8.0f}M {estimate / measured - 1:+7.1%} {result.get('before_model_mb', 0):8.0f}M "
              f"{result.get('model_loaded_mb', 0):6.0f}M   "
              + " ".join(f"{k} {v / MiB:.0f}" for k, v in est.items() if k != "total"), flush=True)


if __name__ == "__main__":
    main()
