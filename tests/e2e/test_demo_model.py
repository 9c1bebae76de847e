"""End-to-end on the real demo model (SmolLM2-135M-Instruct): a few optimizer steps each, still run in CI."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from app.core.config import parse_config
from app.core.events import ListSink, StopFlag, decode
from app.core.paths import PROJECT_ROOT
from app.core.store import Store
from app.core.training import engine

pytestmark = pytest.mark.e2e

FACTS = [
    ("Which is the largest planet in the solar system?", "Jupiter is the largest planet in the solar system."),
    ("What is your name?", "I'm Quill, an assistant fine-tuned with Finetune Studio."),
    ("What colour is the sky on a clear day?", "The sky is blue on a clear day."),
    ("How many legs does a spider have?", "A spider has eight legs."),
]


@pytest.fixture(scope="module")
def small_set(tmp_path_factory) -> Path:
    """A small set repeated: 12 steps on it should halve the loss."""
    path = tmp_path_factory.mktemp("data") / "facts.jsonl"
    with path.open("w") as fh:
        for i in range(40):
            q, a = FACTS[i % len(FACTS)]
            fh.write(json.dumps({"messages": [{"role": "user", "content": q},
                                              {"role": "assistant", "content": a}]}) + "\n")
    return path


def config(data: Path, method: str, **overrides) -> dict:
    cfg = {
        "name": f"e2e-{method}",
        "model": {"source": "demo"},
        "data": {"train": str(data), "validation_split": 0.0},
        "method": {"name": method, "rank": 8, "alpha": 16},
        "training": {"max_steps": 12, "batch_size": 2, "max_length": 64, "save_steps": 100,
                     "learning_rate": 1e-4 if method == "full" else 1e-3, "warmup_ratio": 0.0},
        "evaluation": {"sample_prompts": []},
        "export": {"merged": False, "adapter": method != "full", "dtype": "fp32"},
    }
    for section, values in overrides.items():
        cfg[section] = {**cfg.get(section, {}), **values} if isinstance(values, dict) else values
    return cfg


def losses(sink: ListSink) -> list[float]:
    return [e["metrics"]["loss"] for e in sink.of("metrics") if "loss" in e["metrics"]]


@pytest.mark.parametrize("method", ["lora", "qlora", "full"])
def test_twelve_steps_halve_the_loss(demo_model_dir, small_set, method):
    overrides = {"export": {"merged": method == "lora"}}
    sink = ListSink()
    result = engine.run(parse_config(config(small_set, method, **overrides)), sink, StopFlag())
    assert result.status == "completed", result.error
    values = losses(sink)
    assert len(values) == 12
    first, last = values[0], sum(values[-3:]) / 3
    assert last < 0.5 * first, f"{method}: loss {first:.3f} -> {values[-3:]}"
    started = sink.of("started")[0]
    if method == "full":
        assert started["trainable_params"] == started["total_params"]
    else:
        assert started["trainable_params"] < 0.1 * started["total_params"]
    if method == "lora":
        merged = [a for a in Store().artifacts(result.run_id) if a["kind"] == "merged"][0]
        # the merged fp32 export reloaded from disk gives the adapter model's logits
        assert merged["properties"]["max_abs_diff"] < 1e-3
        assert merged["properties"]["merge_max_abs_diff"] < 1e-3
        assert (Path(merged["path"]) / "chat_template.jinja").exists()
        assert "Finetune Studio" in (Path(merged["path"]) / "README.md").read_text()


def worker(cfg_path: Path | None, *extra: str) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "app", "train", *([str(cfg_path)] if cfg_path else []), "--events", "jsonl",
           *extra]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=PROJECT_ROOT,
                            env=os.environ.copy())


def read_until(proc: subprocess.Popen, predicate, timeout: float = 300) -> list[dict]:
    events, deadline = [], time.time() + timeout
    for line in proc.stdout:
        event = decode(line)
        assert event is not None, f"stdout carried a non-event line: {line!r}"
        events.append(event)
        if predicate(event) or time.time() > deadline:
            break
    return events


def test_sigterm_checkpoints_and_cancels_then_resume_continues(demo_model_dir, small_set, tmp_path):
    cfg = config(small_set, "lora", training={"max_steps": 6})
    path = tmp_path / "run.yaml"
    path.write_text(yaml.safe_dump(cfg))
    proc = worker(path)
    events = read_until(proc, lambda e: e["event"] == "progress" and e["step"] >= 2)
    run_id = next(e["run_id"] for e in events if e["event"] == "started")
    proc.send_signal(signal.SIGTERM)
    events += read_until(proc, lambda e: e["event"] == "finished")
    proc.wait(timeout=120)
    assert events[-1]["event"] == "finished" and events[-1]["status"] == "cancelled"
    stopped_at = max(e["step"] for e in events if e["event"] == "progress")
    checkpoints = [e for e in events if e["event"] == "checkpoint"]
    assert checkpoints and checkpoints[-1]["step"] == stopped_at
    assert Path(checkpoints[-1]["path"], "adapter_model.safetensors").exists()
    assert Store().get_run(run_id)["status"] == "cancelled"

    proc = worker(None, "--resume", run_id)
    events = read_until(proc, lambda e: e["event"] == "finished")
    proc.wait(timeout=120)
    assert events[-1]["status"] == "completed", proc.stderr.read()[-2000:]
    started = next(e for e in events if e["event"] == "started")
    assert started["start_step"] == stopped_at and started["total_steps"] == 6
    assert [e["step"] for e in events if e["event"] == "progress"][0] == stopped_at + 1
    story = Store().story(run_id)
    assert story["status"] == "completed" and story["metrics"]["loss"][-1]["step"] == 6


def test_a_killed_worker_leaves_a_failed_run(demo_model_dir, small_set, tmp_path):
    path = tmp_path / "run.yaml"
    path.write_text(yaml.safe_dump(config(small_set, "lora", training={"max_steps": 50})))
    proc = worker(path)
    events = read_until(proc, lambda e: e["event"] == "progress")
    run_id = next(e["run_id"] for e in events if e["event"] == "started")
    proc.kill()
    proc.wait(timeout=30)
    run = Store().get_run(run_id)
    assert run["status"] == "failed"
    assert "ended without reporting" in run["error"] and run["hint"]


def test_malformed_data_is_reported_with_its_line_and_the_run_does_not_start(demo_model_dir, tmp_path):
    bad = tmp_path / "bad.jsonl"
    ok = json.dumps({"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]})
    bad.write_text("\n".join([ok, ok, ok, '{"messages": [{"role": "user", "content": "hi"}]}', ok]) + "\n")
    path = tmp_path / "run.yaml"
    path.write_text(yaml.safe_dump(config(bad, "lora")))
    proc = worker(path)
    out, err = proc.communicate(timeout=300)
    events = [decode(line) for line in out.splitlines()]
    assert all(events)
    assert not [e for e in events if e["event"] == "started"]
    finished = events[-1]
    assert finished["status"] == "rejected" and "bad.jsonl:4" in finished["error"], finished
    assert proc.returncode == 2


def test_quickstart_config_runs(demo_model_dir):
    """The quickstart config as shipped, cut to 3 steps for CI (the full run is measured in bench notes)."""
    cfg = yaml.safe_load((PROJECT_ROOT / "resources/examples/quickstart.yaml").read_text())
    run_cfg = parse_config(cfg).resolved(PROJECT_ROOT)
    run_cfg.training.max_steps = 3
    run_cfg.export.dtype = "fp32"
    sink = ListSink()
    result = engine.run(run_cfg, sink, StopFlag())
    assert result.status == "completed", result.error
    story = Store().story(result.run_id)
    kinds = [a["kind"] for a in story["artifacts"]]
    assert "adapter" in kinds and "merged" in kinds
    assert story["dataset_rows"] >= 150
    assert len(sink.of("sample")) == 2  # two validation prompts answered at the final checkpoint
