"""On a lent GPU machine (issue #15): runs of several processes through our launcher, on CUDA.

    python -m bench.distributed_check --tokenizer DIR --data FILE [--out DIR]

Run by `bench/gpu_check.sh` after the single-GPU checks. A random-weight Qwen2 of bench.gpu_check's tiny shape
(no download), LoRA, 6 steps, a checkpoint every 3, a merged export. With two or more GPUs: `train --processes 2`
with ddp, fsdp and (when deepspeed is installed) deepspeed-zero2, the FSDP run's adapter then exported from its final
checkpoint. With one GPU: the same run started by torchrun with one process (the ranks' code, NCCL's process group,
the launcher's environment) and by `train --processes 1` (no launcher) to compare. Each case must end completed with
one `started` and one `finished` event, the world size and the strategy recorded, and every step's loss once.
Prints one line per case and writes distributed.json to --out.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from bench.gpu_check import build_model

STEPS = 6


def write_config(root: Path, name: str, model: Path, data: Path, **distributed) -> Path:
    config = {"name": name, "model": {"source": str(model)},
              "data": {"train": str(data), "max_samples": 64, "validation_split": 0},
              "method": {"name": "lora", "rank": 8},
              "training": {"max_steps": STEPS, "batch_size": 4, "max_length": 256, "save_steps": 3},
              "evaluation": {"sample_prompts": ["Say hi"], "sample_max_new_tokens": 8},
              "export": {"merged": True}, "distributed": distributed}
    path = root / f"{name}.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def run_case(name: str, command: list[str], out: Path, env: dict) -> dict:
    from app.core.events import read_events
    from app.core.paths import run_dir
    from app.core.store import Store

    t0 = time.time()
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=900)
    seconds = time.time() - t0
    (out / f"distributed-{name}.log").write_text(done.stdout + "\n--- stderr ---\n" + done.stderr)
    result = {"case": name, "exit": done.returncode, "seconds": round(seconds, 1)}
    try:
        run = Store().get_run(name)
    except Exception as exc:  # noqa: BLE001 - the case failed before its run existed: say so and go on
        return {**result, "ok": False, "error": f"no run recorded: {exc}", "stderr": done.stderr[-1500:]}
    events = [e["event"] for e in read_events(run_dir(run["id"]) / "events.jsonl")]
    losses = Store().metric_series(run["id"]).get("loss", [])
    result.update(status=run["status"], world_size=run.get("world_size"), strategy=run.get("strategy"),
                  device=run.get("device"), started=events.count("started"), finished=events.count("finished"),
                  loss_steps=[s for s, _ in losses], loss_first_last=[round(losses[0][1], 4), round(losses[-1][1], 4)]
                  if losses else None, error=run.get("error"))
    result["ok"] = (done.returncode == 0 and run["status"] == "completed" and events.count("started") == 1
                    and events.count("finished") == 1 and [s for s, _ in losses] == list(range(1, STEPS + 1)))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokenizer", type=Path, required=True)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=Path("gpu-check"))
    args = parser.parse_args()
    import torch

    args.out.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="distributed-check-"))
    os.environ["FINETUNE_STUDIO_HOME"] = str(root / "home")
    env = {**os.environ, "TOKENIZERS_PARALLELISM": "false", "PYTHONUNBUFFERED": "1"}
    model = build_model("qwen2-tiny", args.tokenizer, root)
    app = [sys.executable, "-m", "app"]
    gpus = torch.cuda.device_count()
    print(f"distributed check: {gpus} GPU(s)", flush=True)
    cases = []
    if gpus >= 2:
        strategies = ["ddp", "fsdp"] + (["deepspeed-zero2"] if importlib.util.find_spec("deepspeed") else [])
        for strategy in strategies:
            name = f"two-{strategy}"
            config = write_config(root, name, model, args.data, processes=2, strategy=strategy)
            cases.append(run_case(name, [*app, "train", str(config), "--events", "jsonl"], args.out, env))
        if cases[1]["ok"]:  # FSDP: the exports come from the final checkpoint, not from the split model in the run
            done = subprocess.run([*app, "export", "two-fsdp", "--checkpoint", "final", "--adapter",
                                   str(root / "fsdp-adapter")], capture_output=True, text=True, env=env)
            cases[1]["export_from_checkpoint_exit"] = done.returncode
            cases[1]["ok"] = cases[1]["ok"] and done.returncode == 0
    else:
        config = write_config(root, "one-launched", model, args.data)
        cases.append(run_case("one-launched", [sys.executable, "-m", "torch.distributed.run", "--standalone",
                                               "--nproc-per-node", "1", "-m", "app", "train", str(config),
                                               "--events", "jsonl"], args.out, env))
        config = write_config(root, "one-direct", model, args.data)
        cases.append(run_case("one-direct", [*app, "train", str(config), "--events", "jsonl"], args.out, env))
    for case in cases:
        print(("OK   " if case["ok"] else "FAIL ") + json.dumps(case), flush=True)
    (args.out / "distributed.json").write_text(json.dumps(cases, indent=2))
    sys.exit(0 if all(c["ok"] for c in cases) else 1)


if __name__ == "__main__":
    main()
