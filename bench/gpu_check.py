"""On a lent GPU machine: our engine against the plain stack on random-weight models of real architectures.

    python -m bench.gpu_check --tokenizer DIR --data FILE [--out DIR] [--steps N] [--models qwen2-0.5b,qwen2-1.5b]

Run through `bench/gpu_check.sh`, which installs carried wheels first (the GPU machine has no internet). Models are
built from the published Qwen2-0.5B / Qwen2-1.5B shapes with random weights (no download); the tokenizer is the
demo model's (its ids fit the larger vocabulary). Per model, each in its own process: (a) our engine with its
defaults, (a+gc) the same with gradient checkpointing, (b) the minimal Trainer + PEFT LoRA script with dynamic
padding and (c) TRL's SFTTrainer (bench.train_throughput's), both in the precision (a) resolves to on this device.
Prints non-padding tokens/s, peak GPU memory (allocated), the ratios (a)/(b) and (a)/(c), and the memory planner's
estimate against each measured peak of our engine. (a-padded) and (a-fp32) vary one default of ours each, to show
where a difference to (b) comes from.

`--quickstart` first runs the README's quickstart end to end on the device (the demo model trained from
resources/examples/quickstart.yaml, its adapter and merged exports, then an f16 GGUF export), and prints each
export's parity verdict (parity.py's rule) with the run's loss first -> last and tokens/s.
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

from bench.train_throughput import ours_config, run_ours, run_plain, run_trl

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
            "b": ("Trainer + PEFT, dynamic padding, (a)'s precision", run_plain),
            "c": ("TRL SFTTrainer, (a)'s precision", run_trl)}
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
    from app.core.hardware import resolve_precision, torch_device

    if callable(overrides):  # a plain stack, in the precision our engine resolves to here
        result = overrides(model, data, steps, started, resolve_precision("auto", torch_device()))
        overrides = None
    else:
        result = run_ours(model, data, steps, started, **overrides)
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
    from app.core.hardware import estimate_memory, resolve_precision, torch_device
    from app.core.models import describe_model

    config = ours_config(str(model), data, steps, **overrides)
    config.training.precision = resolve_precision(config.training.precision, torch_device())
    return estimate_memory(describe_model(str(model)), config.method, config.training)


def quickstart(out: Path) -> dict:
    """The README's quickstart on this device through the CLI (train, then an f16 GGUF export), each export's parity
    verdict from the store, the loss first -> last and the mean tokens/s."""
    from app.core.store import Store

    home = Path(tempfile.mkdtemp(prefix="gpu-check-quickstart-"))
    env = {**os.environ, "FINETUNE_STUDIO_HOME": str(home), "TOKENIZERS_PARALLELISM": "false"}
    t0 = time.time()
    for cmd in (["train", "resources/examples/quickstart.yaml"],
                ["export", "quickstart", "--gguf", str(home / "gguf"), "--quant", "f16"]):
        done = subprocess.run([sys.executable, "-m", "app", *cmd], capture_output=True, text=True, env=env)
        (out / f"quickstart-{cmd[0]}.log").write_text(done.stdout + done.stderr)
        if done.returncode:
            print(f"quickstart {cmd[0]} FAILED (exit {done.returncode}):\n{done.stderr[-2500:]}", flush=True)
            return {"failed": cmd[0]}
    os.environ["FINETUNE_STUDIO_HOME"] = str(home)
    store = Store()
    run = store.get_run("quickstart")
    series = store.metric_series(run["id"])
    losses = [v for _, v in series.get("loss", [])]
    speed = [v for _, v in series.get("tokens_per_second", [])]
    verdicts = {a["kind"]: {k: a["properties"].get(k) for k in ("max_abs_diff", "top1_agreement", "parity_rule",
                                                                "greedy_agreement")}
                for a in store.artifacts(run["id"]) if a["kind"] in ("adapter", "merged", "gguf")}
    result = {"status": run["status"], "device": run.get("device"), "seconds": round(time.time() - t0, 1),
              "loss_first": losses[0] if losses else None, "loss_last": losses[-1] if losses else None,
              "tokens_per_second": sum(speed) / len(speed) if speed else None, "exports": verdicts}
    print("quickstart: " + json.dumps(result, indent=1), flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokenizer", type=Path, required=True)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=Path(os.environ.get("OUT", ".")))
    parser.add_argument("--steps", type=int, default=12)
    parser.add_argument("--models", default="qwen2-0.5b,qwen2-1.5b")
    parser.add_argument("--quickstart", action="store_true",
                        help="first run the README's quickstart end to end on this device, with its exports")
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
    report: dict[str, dict] = {"quickstart": quickstart(args.out)} if args.quickstart else {}
    first_model = args.models.split(",")[0]  # profiles: of the first model only
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
            if not callable(overrides):
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
        for other in ("b", "c"):
            if "a" in runs and other in runs:
                a, b = runs["a"], runs[other]
                print(f"  {name} (a)/({other}): tokens/s {a['tokens_per_second'] / b['tokens_per_second']:.2f}x, "
                      f"peak GPU {a.get('peak_gpu_mb', 0) / max(b.get('peak_gpu_mb', 0), 1):.2f}x", flush=True)
    (args.out / "gpu_check.json").write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
