"""Side by side with LLaMA-Factory on one job: `python -m bench.peer_llamafactory [--precision fp32,bf16]`.

The job (issue #26): the demo model (SmolLM2-135M-Instruct), alpaca_en_demo's rows, LoRA r16 on all linear
layers, batch 4, cutoff 256 tokens, one epoch, learning rate 1e-4; each framework in its own process, at the
same precision, one after the other. The issue's job takes the first 200 rows; the repository keeps the first 64
(tests/data/llamafactory/README.md), so `--rows 200` (the default) repeats them in order to 200 rows: the same 50
optimizer steps of the same length mix, in both frameworks.

LLaMA-Factory runs from its own virtual environment, build/peer-venv (gitignored), made on the first run: CPU
torch 2.13.0 (as ours) and `llamafactory==0.9.5` from PyPI, torchvision held at the release that goes with that torch
(LLaMA-Factory's requirements would pull a newer torch through it); PyPI's torchvision and torchaudio are CUDA
builds that fail to load beside CPU torch, so torchvision is removed again and torchaudio kept without its compiled
operators (LLaMA-Factory imports it at start-up; a text model needs neither). Ours runs `python -m app train` with the run's
exports reduced to the adapter (LLaMA-Factory saves the adapter too) and no samples or validation split.

`--ours within-peer` runs ours with a memory budget (`training.memory_limit_gb`) of LLaMA-Factory's measured peak at
that precision (from the same invocation, or `--peer-peak bf16=1693,fp32=1989` with `--only ours`) less MARGIN:
"auto" gradient checkpointing then recomputes the fewest layers that fit, and the label says how many.

Prints per run: the whole process's wall time and CPU time (user + system: what the run cost, whatever else the
machine ran meanwhile), the training's non-padding tokens per second (LLaMA-Factory's own
`effective_tokens_per_sec`; ours: the tokenised rows' tokens over the training time between the `started` event and
the last step), the whole process's peak RSS (the child's own high-water mark from wait4), ours' planned peak (the
`started` event's memory_estimate) and the loss (LLaMA-Factory's `train_loss`, the mean over the run; ours, the last
logged step's). Each run's outputs (checkpoints, adapters: up to 0.7 GB a run) are deleted once read; the logs,
configs and tokenised data stay in the folder it names.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import SAMPLES

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / "build" / "peer-venv"
PEER = ["llamafactory==0.9.5"]
PINS = ["torch==2.13.0", "torchvision==0.28.0"]  # the CPU torch ours runs; torchvision's release for that torch
# PyPI's torchvision and torchaudio are CUDA builds whose operators fail to load beside CPU torch: torchvision goes
# (nothing here needs it), torchaudio stays without its compiled operators (LLaMA-Factory imports it at start-up)
VISION = "torchvision"
LR, RANK, BATCH, CUTOFF = 1e-4, 16, 4, 256
# The budget of `--ours within-peer` is the peer's peak less this share, by precision: "auto" fits the estimate times
# the precision's heap slack (hardware.HEAP_SLACK) into the budget, and the peak can pass that by what the slack
# misses. bf16 (slack 1.25): peaks up to 1.43x the estimate on this job (before the heap settings of item 1), which
# would take 14%, but at most 7.8% leaves room for the exports' check (estimated 1,560 MiB for this job), else the
# run is refused: 7%, and the row may end over the peer's peak. fp32 (slack 1.05): peaks 1.00-1.06x the estimate, at
# most 1% over the slack; 3% leaves ~2% for what moves between runs.
MARGIN = {"bf16": 0.07, "fp32": 0.03}


def ensure_venv() -> Path:
    python = VENV / "bin" / "python"
    if not (VENV / "bin" / "llamafactory-cli").exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        pins = VENV / "constraints.txt"
        pins.write_text("\n".join(PINS) + "\n", encoding="utf-8")
        subprocess.run([str(python), "-m", "pip", "install", "-q", PINS[0]], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "-c", str(pins), *PEER], check=True)
        subprocess.run([str(python), "-m", "pip", "uninstall", "-q", "-y", VISION], check=True)
        for library in VENV.glob("lib/python*/site-packages/torchaudio/lib/*.so"):
            library.unlink()
    return python


def write_rows(folder: Path, rows: int) -> Path:
    source = json.loads((SAMPLES / "alpaca_en_demo.json").read_text(encoding="utf-8"))
    data = [source[i % len(source)] for i in range(rows)]
    path = folder / "alpaca_en_demo.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    (folder / "dataset_info.json").write_text(json.dumps({"alpaca_en_demo": {"file_name": path.name}}),
                                              encoding="utf-8")
    return path


def measured(cmd: list[str], env: dict, log: Path) -> tuple[float, float, int, float]:
    """Wall seconds, peak RSS (MiB: the child's own high-water mark and its descendants'), the exit code and the
    CPU seconds (user + system) the child used."""
    started = time.monotonic()
    with log.open("w", encoding="utf-8") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=log.parent)
        _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return (time.monotonic() - started, usage.ru_maxrss / 1024, proc.returncode,
            usage.ru_utime + usage.ru_stime)


def as_dtype(model: Path, dtype: str, work: Path) -> Path:
    """A view of `model` (links to its files) whose config names `dtype`. LLaMA-Factory 0.9.5 loads the weights in
    the checkpoint's own dtype (`torch_dtype="auto"` in model/loader.py) whatever the precision flags say, and the
    demo model's checkpoint is bf16: with `bf16: false` it trains LoRA over bf16 base weights (its log: "Will use
    dtype=torch.bfloat16 as defined in model's config object"; bf16 kernels in a profile), not in fp32. With this
    view its fp32 run holds and multiplies fp32 weights, as ours does at `precision: fp32`."""
    view = work / f"model-{dtype}"
    view.mkdir(exist_ok=True)
    for item in model.iterdir():
        if item.name != "config.json" and not (view / item.name).exists():
            (view / item.name).symlink_to(item)
    config = json.loads((model / "config.json").read_text(encoding="utf-8"))
    config.update({key: dtype for key in ("dtype", "torch_dtype") if key in config} or {"dtype": dtype})
    (view / "config.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
    return view


def peer(python: Path, model: Path, data: Path, precision: str, work: Path) -> dict:
    out = work / f"peer-{precision}"
    if precision == "fp32":
        model = as_dtype(model, "float32", work)
    config = {
        "model_name_or_path": str(model), "trust_remote_code": False,
        "stage": "sft", "do_train": True, "finetuning_type": "lora", "lora_rank": RANK, "lora_alpha": 2 * RANK,
        "lora_target": "all", "dataset": "alpaca_en_demo", "dataset_dir": str(data.parent), "template": "smollm2",
        "cutoff_len": CUTOFF, "overwrite_cache": True, "preprocessing_num_workers": None,
        "output_dir": str(out), "logging_steps": 5, "save_strategy": "no", "overwrite_output_dir": True,
        "report_to": "none", "per_device_train_batch_size": BATCH, "gradient_accumulation_steps": 1,
        "learning_rate": LR, "num_train_epochs": 1.0, "lr_scheduler_type": "cosine", "warmup_ratio": 0.0,
        "bf16": precision == "bf16", "seed": 42, "include_effective_tokens_per_second": True,
        "dataloader_num_workers": 0, "use_cpu": True,  # bf16 on a CPU is refused without it
    }
    path = work / f"peer-{precision}.yaml"  # JSON is YAML; LLaMA-Factory 0.9.5 fails to read a .json config
    path.write_text(json.dumps(config), encoding="utf-8")
    env = dict(os.environ, DISABLE_VERSION_CHECK="1", HF_HUB_OFFLINE="1", WANDB_DISABLED="true")
    wall, peak, code, cpu = measured([str(python), "-m", "llamafactory.cli", "train", str(path)], env,
                                     work / f"peer-{precision}.log")
    results = json.loads((out / "all_results.json").read_text()) if (out / "all_results.json").exists() else {}
    shutil.rmtree(out, ignore_errors=True)  # its adapter and trainer state: the figures are read
    return {"wall": wall, "peak": peak, "code": code, "cpu": cpu,
            "tokens_per_second": results.get("effective_tokens_per_sec"),
            "loss": results.get("train_loss"), "train_seconds": results.get("train_runtime")}


def ours(data: Path, precision: str, work: Path, models: Path, checkpointing: bool = False,
         budget_mib: float | None = None) -> dict:
    """`python -m app train` in a data home of its own; the converted demo model from the usual models folder.
    `checkpointing`: gradient checkpointing on, as LLaMA-Factory trains by default (its
    `disable_gradient_checkpointing` is false unless set); else ours decides ("auto": on, for as few layers as
    possible, only when the run would not fit without it), within `budget_mib` where given."""
    name = f"ours-{precision}" + ("-checkpointing" if checkpointing else "") + ("-budget" if budget_mib else "")
    config = work / f"{name}.yaml"
    config.write_text(json.dumps({
        "model": {"source": "demo"}, "data": {"train": str(data), "validation_split": 0.0},
        "method": {"name": "lora", "rank": RANK, "alpha": 2 * RANK, "target_modules": "all-linear",
                   "dropout": 0.0},  # LLaMA-Factory's lora_dropout default (ours would choose 0.1 from the data)
        "training": {"epochs": 1, "batch_size": BATCH, "max_length": CUTOFF, "learning_rate": LR,
                     "precision": precision, "seed": 42, "warmup_ratio": 0.0,
                     "gradient_checkpointing": True if checkpointing else "auto",
                     "memory_limit_gb": budget_mib / 1024 if budget_mib else None},
        "evaluation": {"sample_prompts": []}, "export": {"merged": False, "adapter": True},
    }), encoding="utf-8")
    env = dict(os.environ, FINETUNE_STUDIO_HOME=str(work / "home"), FINETUNE_STUDIO_MODELS=str(models))
    log = work / f"{name}.jsonl"
    wall, peak, code, cpu = measured([sys.executable, "-m", "app", "train", str(config), "--events", "jsonl"], env,
                                     log)
    events = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line.startswith("{")]
    started = next((e for e in events if e["event"] == "started"), {})
    steps = [e for e in events if e["event"] == "progress"]
    losses = [e["metrics"]["loss"] for e in events if e["event"] == "metrics" and "loss" in e["metrics"]]
    tokens = started.get("dataset", {}).get("tokens")
    seconds = steps[-1]["elapsed"] if steps else None
    layers = next((c["value"] for c in started.get("settings", []) if c["setting"] == "checkpoint_layers"), None)
    shutil.rmtree(work / "home" / "runs", ignore_errors=True)  # checkpoints and exports; the tokenised data stays
    return {"wall": wall, "peak": peak, "code": code, "cpu": cpu, "train_seconds": seconds,
            "tokens_per_second": tokens / seconds if tokens and seconds else None,
            "loss": losses[-1] if losses else None, "estimate": started.get("memory_estimate"), "layers": layers}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--precision", default="fp32,bf16")
    parser.add_argument("--rows", type=int, default=200)
    parser.add_argument("--only", choices=["ours", "peer"])
    parser.add_argument("--ours", default="defaults,checkpointing",
                        help="our runs: defaults, checkpointing (gradient checkpointing on, as LLaMA-Factory "
                             "trains by default) and/or within-peer (a memory budget of the peer's peak less "
                             "MARGIN: " + ", ".join(f"{k} {v * 100:.0f}%%" for k, v in MARGIN.items()) + ")")
    parser.add_argument("--peer-peak", default="",
                        help="the peer's peak RSS in MiB per precision for within-peer without a peer run, e.g. "
                             "bf16=1693,fp32=1989")
    args = parser.parse_args()
    known = {k: float(v) for k, v in (item.split("=") for item in args.peer_peak.split(",") if item)}
    from app.core.models import demo_model_dir

    model = demo_model_dir()
    python = ensure_venv() if args.only != "ours" else None
    work = Path(tempfile.mkdtemp(prefix="peer-bench-"))
    data = write_rows(work, args.rows)
    print(f"demo model, {args.rows} alpaca rows, LoRA r{RANK} all-linear, batch {BATCH}, cutoff {CUTOFF}, one epoch; "
          f"logs in {work}")
    print("| run | precision | wall s | CPU s | train s | train tokens/s | peak RSS MiB | planned MiB | loss |\n"
          "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for precision in args.precision.split(","):
        runs = []
        if args.only != "ours":
            runs.append(("LLaMA-Factory 0.9.5", peer(python, model, data, precision, work)))
            known[precision] = runs[-1][1]["peak"]
        if args.only != "peer":
            for setting in args.ours.split(","):
                if setting == "within-peer":
                    if precision not in known:
                        sys.exit(f"within-peer needs the peer's {precision} peak: run the peer too, or --peer-peak")
                    budget = known[precision] * (1 - MARGIN[precision])
                    r = ours(data, precision, work, model.parent, budget_mib=budget)
                    label = f"ours, within the peer's peak ({budget:,.0f} MiB budget: checkpointing {r['layers']} layers)"
                else:
                    r = ours(data, precision, work, model.parent, setting == "checkpointing")
                    label = "ours, defaults" if setting == "defaults" else "ours, gradient checkpointing"
                runs.append((label, r))
        for name, r in runs:
            def fmt(value, spec):
                return format(value, spec) if value is not None else "–"
            failed = f" (exit {r['code']})" if r["code"] else ""
            print(f"| {name}{failed} | {precision} | {r['wall']:.1f} | {r['cpu']:.1f} | {fmt(r['train_seconds'], '.1f')} | "
                  f"{fmt(r['tokens_per_second'], '.1f')} | {r['peak']:,.0f} | "
                  f"{fmt(r['estimate'] / 2**20 if r.get('estimate') else None, ',.0f')} | {fmt(r['loss'], '.4f')} |",
                  flush=True)


if __name__ == "__main__":
    main()
