"""On a lent GPU machine: our engine against the plain stack on random-weight models of real architectures.

    python -m bench.gpu_check --tokenizer DIR --data FILE [--out DIR] [--steps N] [--models qwen2-0.5b,qwen2-1.5b]

Run through `bench/gpu_check.sh`, which installs carried wheels first (the GPU machine has no internet). Models are
built from the published Qwen2-0.5B / Qwen2-1.5B shapes with random weights (no download); the tokenizer is the
demo model's (its ids fit the larger vocabulary). Per model, each in its own process: (a) our engine with its
defaults, (a+gc) the same with gradient checkpointing, (b) the minimal Trainer + PEFT LoRA script in fp32 with
dynamic padding (bench.train_throughput's). Prints non-padding tokens/s, peak GPU memory (allocated), the ratio
(a)/(b), and the memory planner's estimate against each measured peak of our engine. (a-padded) and (a-fp32) vary
one default of ours each, to show where a difference to (b) comes from.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.train_throughput import ours_config, run_ours, run_plain

# Published shapes (config.json of Qwen/Qwen2-0.5B and Qwen/Qwen2-1.5B); weights are random.
ARCHITECTURES = {
    "qwen2-0.5b": {"hidden_size": 896, "intermediate_size": 4864, "num_hidden_layers": 24, "num_attention_heads": 14,
                   "num_key_value_heads": 2},
    "qwen2-1.5b": {"hidden_size": 1536, "intermediate_size": 8960, "num_hidden_layers": 28,
                   "num_attention_heads": 12, "num_key_value_heads": 2},
    # a smoke test of this script on a CPU: `--models qwen2-tiny --steps 2`
    "qwen2-tiny": {"hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2, "num_attention_heads": 4,
                   "num_key_value_heads": 2},
}
# (a-padded) and (a-fp32) locate a gap between (a) and (b): padding-free batches, and bf16 autocast over a bf16 base.
VARIANTS = {"a": ("ours (defaults)", {}), "a+gc": ("ours + gradient checkpointing", {"gradient_checkpointing": True}),
            "a-padded": ("ours, padded batches", {"padding_free": False}),
            "a-fp32": ("ours, fp32", {"precision": "fp32"}),
            "b": ("Trainer + PEFT, fp32, dynamic padding", None)}
MiB = 1024**2


def build_model(name: str, tokenizer_dir: Path, root: Path) -> Path:
    import torch
    from transformers import AutoTokenizer, Qwen2Config, Qwen2ForCausalLM

    out = root / name
    if (out / "config.json").exists():
        return out
    config = Qwen2Config(vocab_size=151936, max_position_embeddings=32768, rope_theta=1_000_000.0,
                         tie_word_embeddings=True, rms_norm_eps=1e-6, **ARCHITECTURES[name])
    torch.manual_seed(0)
    with torch.device("cuda" if torch.cuda.is_available() else "cpu"):
        model = Qwen2ForCausalLM(config).to(torch.bfloat16)
    model.save_pretrained(out)
    AutoTokenizer.from_pretrained(tokenizer_dir).save_pretrained(out)
    return out


def child(variant: str, model: str, data: Path, steps: int, started: float, profile: Path | None = None) -> dict:
    """One variant's run; with `profile`, the host-side (Python) time per function goes to that file, which shows
    where a launch-bound step spends its time."""
    import cProfile
    import pstats

    import torch

    overrides = VARIANTS[variant][1]
    profiler = cProfile.Profile() if profile else None
    if profiler:
        profiler.enable()
    result = run_plain(model, data, steps, started) if overrides is None else \
        run_ours(model, data, steps, started, **overrides)
    if overrides and overrides.get("padding_free") is False:
        result["padding_share"] = float("nan")  # run_ours does not count padding (its default has none)
    if profiler:
        profiler.disable()
        with profile.open("w") as fh:
            pstats.Stats(profiler, stream=fh).sort_stats("tottime").print_stats(40)
    if torch.cuda.is_available():
        result["peak_gpu_mb"] = torch.cuda.max_memory_allocated() / MiB
        result["peak_gpu_reserved_mb"] = torch.cuda.max_memory_reserved() / MiB
        result["device"] = torch.cuda.get_device_name(0)
    return result


def planner_estimate(model: Path, data: Path, steps: int, overrides: dict) -> dict[str, int]:
    from app.core.hardware import estimate_memory
    from app.core.models import describe_model

    config = ours_config(str(model), data, steps, **overrides)
    if config.training.precision == "auto":
        config.training.precision = "bf16"  # what the engine resolves to on a bf16-capable GPU
    return estimate_memory(describe_model(str(model)), config.method, config.training)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokenizer", type=Path, required=True)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=Path(os.environ.get("OUT", ".")))
    parser.add_argument("--steps", type=int, default=12)
    parser.add_argument("--models", default="qwen2-0.5b,qwen2-1.5b")
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    parser.add_argument("--profile", nargs="*", default=[], metavar="VARIANT",
                        help="write a host-side profile of these variants' runs (e.g. a b) to OUT/profile-<variant>.txt")
    parser.add_argument("--child", choices=sorted(VARIANTS), help=argparse.SUPPRESS)
    parser.add_argument("--model", help=argparse.SUPPRESS)
    parser.add_argument("--started", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        os.environ.setdefault("FINETUNE_STUDIO_HOME", tempfile.mkdtemp(prefix="gpu-check-home-"))
        profile = args.out / f"profile-{args.child}.txt" if args.child in args.profile else None
        result = child(args.child, args.model, args.data, args.steps, args.started, profile)
        print("RESULT " + json.dumps(result), flush=True)
        return
    root = Path(tempfile.mkdtemp(prefix="gpu-check-models-"))
    args.out.mkdir(parents=True, exist_ok=True)
    first_model = args.models.split(",")[0]  # profiles: of the first model only
    report: dict[str, dict] = {}
    for name in args.models.split(","):
        t0 = time.time()
        model = build_model(name, args.tokenizer, root)
        print(f"{name}: random weights built in {time.time() - t0:.1f} s", flush=True)
        report[name] = {}
        for key in args.variants:
            title, overrides = VARIANTS[key]
            cmd = [sys.executable, "-m", "bench.gpu_check", "--child", key, "--model", str(model), "--steps",
                   str(args.steps), "--data", str(args.data), "--tokenizer", str(args.tokenizer),
                   "--started", str(time.time()), "--out", str(args.out)]
            if name == first_model and key in args.profile:
                cmd += ["--profile", key]
            out = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "TOKENIZERS_PARALLELISM": "false"})
            line = next((ln for ln in out.stdout.splitlines() if ln.startswith("RESULT ")), None)
            if line is None:
                print(f"  ({key}) FAILED:\n{out.stderr[-2500:]}", flush=True)
                continue
            result = json.loads(line[7:])
            if overrides is not None:
                est = planner_estimate(model, args.data, args.steps, overrides)
                result["estimate_mb"] = est["total"] / MiB
                result["estimate_parts_mb"] = {k: round(v / MiB) for k, v in est.items()}
            report[name][key] = result
            gpu = result.get("peak_gpu_mb", 0.0)
            est_text = f"  planner {result['estimate_mb']:7.0f} MB ({result['estimate_mb'] / gpu - 1:+.0%})" \
                if "estimate_mb" in result and gpu else ""
            print(f"  ({key:4}) {title:40} {result['tokens_per_second']:9.1f} tok/s  padding "
                  f"{result['padding_share']:5.1%}  peak GPU {gpu:7.0f} MB{est_text}  first step "
                  f"{result['first_step_s']:5.1f} s\n         loss: "
                  + " ".join(f"{v:.3f}" for v in result["losses"]), flush=True)
        runs = report[name]
        if "a" in runs and "b" in runs:
            a, b = runs["a"], runs["b"]
            print(f"  {name} (a)/(b): tokens/s {a['tokens_per_second'] / b['tokens_per_second']:.2f}x, peak GPU "
                  f"{a.get('peak_gpu_mb', 0) / max(b.get('peak_gpu_mb', 0), 1):.2f}x", flush=True)
    (args.out / "gpu_check.json").write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
