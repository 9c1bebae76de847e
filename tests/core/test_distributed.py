"""Several processes training one run (issue #15): the distributed settings, the launcher, rank 0 speaking for the
run, the strategies' configs and the planner per strategy, the launch scripts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from app.core.config import parse_config
from app.core.errors import ConfigError
from app.core.events import read_events
from app.core.paths import PROJECT_ROOT, run_dir
from app.core.store import Store

WORDS = ["apple", "pear", "plum", "fig", "kiwi", "lime", "date", "nut"]


def _base(data: str = "x.jsonl", **distributed) -> dict:
    return {"data": {"train": data}, "distributed": distributed}


# ---- settings ----

def test_distributed_defaults_to_one_process():
    config = parse_config(_base())
    assert config.distributed.processes == 1 and config.distributed.world_size == 1
    assert config.distributed.strategy == "ddp" and config.distributed.devices == "all"


@pytest.mark.parametrize(("settings", "field", "words"), [
    ({"processes": 0}, "distributed.processes", "greater than or equal to 1"),
    ({"strategy": "zero9"}, "distributed.strategy", "'ddp'"),
    ({"devices": [0, 0], "processes": 2}, "distributed.devices", "twice"),
    ({"devices": [-1]}, "distributed.devices", "start at 0"),
    ({"devices": [0, 1], "processes": 1}, "distributed", "one process trains on each picked GPU"),
    ({"cpu_offload": True}, "distributed", "cpu_offload needs"),
])
def test_distributed_settings_are_validated(settings, field, words):
    with pytest.raises(ConfigError) as caught:
        parse_config(_base(**settings))
    problems = dict(caught.value.problems)
    assert field in problems and words in problems[field], problems


def test_world_size_is_processes_times_machines():
    assert parse_config(_base(processes=4, machines=2, devices=[0, 1, 2, 3])).distributed.world_size == 8


# ---- two processes on the CPU (gloo DDP) ----

def _tiny_config(folder: Path, model_dir: Path, name: str, batch: int, **distributed) -> Path:
    data = folder / "chat.jsonl"
    data.write_text("\n".join(json.dumps({"messages": [{"role": "user", "content": f"Say {w}"},
                                                         {"role": "assistant", "content": w}]})
                                for w in WORDS * 2) + "\n")
    config = {"name": name, "model": {"source": str(model_dir)}, "data": {"train": str(data), "validation_split": 0},
              "method": {"name": "lora", "rank": 4, "dropout": 0.0},  # each rank draws its own dropout masks
              "training": {"max_steps": 4, "batch_size": batch, "learning_rate": 1e-2, "warmup_ratio": 0,
                           "precision": "fp32", "save_steps": 2, "lr_scheduler": "constant"},
              "evaluation": {"sample_prompts": ["Say fig"], "sample_max_new_tokens": 4},
              "export": {"merged": False}, "distributed": distributed}
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def _train(config: Path, *args: str) -> tuple[subprocess.CompletedProcess, float]:
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=str(PROJECT_ROOT))
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "app", "train", str(config), "--events", "jsonl", *args],
                          capture_output=True, text=True, env=env, timeout=600)
    return done, time.monotonic() - start


def _events(done: subprocess.CompletedProcess) -> list[dict]:
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def test_two_processes_train_one_run_like_one_process_with_the_same_global_batch(tmp_path, tiny_model_dir):
    """Two gloo ranks with 2 examples each train exactly what one process with 4 examples a step trains: the same
    examples every step (accelerate gives rank r the r-th of the per-device batches), the loss averaged over the
    ranks' label tokens. Both compute in fp32; they differ only in the order of sums (the gradients' all-reduce, the
    per-rank loss sums), so the losses agree to a few fp32 ulps per step, compounded over 4 AdamW steps at lr 1e-2:
    1e-4 relative is far above that and far below any difference in the examples or the averaging (~1e-1)."""
    single, single_seconds = _train(_tiny_config(tmp_path, tiny_model_dir, "one", 4))
    assert single.returncode == 0, single.stderr[-3000:]
    double, double_seconds = _train(_tiny_config(tmp_path, tiny_model_dir, "two", 2), "--processes", "2")
    assert double.returncode == 0, double.stderr[-3000:]
    print(f"\n1 process: {single_seconds:.1f} s, 2 processes: {double_seconds:.1f} s (with start-up)")
    store = Store()
    one, two = store.get_run("one"), store.get_run("two")
    assert (one["world_size"], two["world_size"]) == (1, 2)
    losses = [dict(store.metric_series(run["id"])["loss"]) for run in (one, two)]
    print("loss by step, 1 process:", losses[0], "2 processes:", losses[1])
    assert list(losses[1]) == [1, 2, 3, 4]  # one row a step: rank 1 wrote none
    for step, loss in losses[0].items():
        assert losses[1][step] == pytest.approx(loss, rel=1e-5)

    streamed = _events(double)  # rank 0's events, once
    assert [e["event"] for e in streamed].count("started") == 1
    assert [e for e in streamed if e["event"] == "finished"] == [streamed[-1]]
    assert streamed[-1]["status"] == "completed" and streamed[0]["event"] != "finished"
    assert [e["step"] for e in streamed if e["event"] == "checkpoint"] == [2, 4]
    folder = run_dir(two["id"])
    recorded = [e["event"] for e in read_events(folder / "events.jsonl")]
    assert recorded == [e["event"] for e in streamed]
    assert [a["properties"].get("step") for a in store.artifacts(two["id"], "checkpoint")] == [2, 4]
    assert len(store.artifacts(two["id"], "adapter")) == 1
    assert [s["step"] for s in store.samples(two["id"])] == [2, 4]
    assert (folder / "checkpoints" / "latest").read_text() == "checkpoint-4"
    assert not list((folder / "logs").glob("rank-*.error.json"))
    assert {p.name for p in (folder / "logs").iterdir()} == {"launcher.log", "worker.log", "worker-rank1.log"}


def test_runs_show_reports_the_world_size(capsys):
    from app.cli import main

    store = Store()
    store.create_run("ws-run", name="ws", config_yaml="{}", model="m", method="lora", stage="sft", world_size=2)
    assert main(["runs", "show", "ws-run", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["world_size"] == 2


def test_a_stop_is_taken_by_both_processes_at_the_same_step(tmp_path, tiny_model_dir):
    """The stop file appears while two ranks train: they agree on the step (or the one that went on would wait
    forever for the other), save one checkpoint together and the run ends cancelled."""
    config = _tiny_config(tmp_path, tiny_model_dir, "stopped", 2, processes=2)
    data = yaml.safe_load(config.read_text())
    data["training"].update(max_steps=200, save_steps=1000)
    config.write_text(yaml.safe_dump(data))
    stop = tmp_path / "stop"
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=str(PROJECT_ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "app", "train", str(config), "--events", "jsonl",
                             "--stop-file", str(stop)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env=env)
    events = []
    for line in proc.stdout:
        events.append(json.loads(line))
        if events[-1]["event"] == "progress" and events[-1]["step"] == 2:
            stop.touch()
    assert proc.wait(timeout=300) == 130
    assert events[-1]["event"] == "finished" and events[-1]["status"] == "cancelled"
    saved = [e["step"] for e in events if e["event"] == "checkpoint"]
    assert len(saved) == 1 and 2 <= saved[0] < 200
    run = Store().get_run("stopped")
    assert run["status"] == "cancelled" and run["last_step"] == saved[0]
    assert (run_dir(run["id"]) / "checkpoints" / "latest").read_text() == f"checkpoint-{saved[0]}"
