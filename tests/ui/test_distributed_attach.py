"""Re-attaching the GUI to a run of two processes (issue #15): the GUI closes while two gloo ranks train the tiny
model, a new supervisor follows the same run, stops it, and nothing of it is left running."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest
import yaml
from launched import launched_by

from app.core.events import read_events
from app.core.paths import run_dir
from app.core.store import Store
from app.ui.runner import RunSupervisor

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="the ranks are found by their environment in /proc")

WORDS = ["apple", "pear", "plum", "fig", "kiwi", "lime", "date", "nut"]


def _config(folder: Path, model_dir: Path) -> Path:
    data = folder / "chat.jsonl"
    data.write_text("\n".join(json.dumps({"messages": [{"role": "user", "content": f"Say {w}"},
                                                         {"role": "assistant", "content": w}]})
                                for w in WORDS * 2) + "\n")
    config = {"name": "attached", "model": {"source": str(model_dir)},
              "data": {"train": str(data), "validation_split": 0},
              "method": {"name": "lora", "rank": 4, "dropout": 0.0},
              # far more steps than the test lets it train: it is still training when the GUI comes back
              "training": {"max_steps": 5000, "batch_size": 1, "learning_rate": 1e-2, "warmup_ratio": 0,
                           "precision": "fp32", "save_steps": 100_000, "logging_steps": 1,
                           "lr_scheduler": "constant"},
              "evaluation": {"sample_prompts": []}, "export": {"merged": False},
              "distributed": {"processes": 2}}
    path = folder / "attached.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def _running(pid: int) -> bool:
    """Whether `pid` still runs: the launcher is this test's child, so once it exits it stays a zombie until reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def test_a_new_gui_attaches_to_two_ranks_that_outlived_the_old_one_and_stops_them(qtbot, tmp_path, tiny_model_dir,
                                                                                    monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    first = RunSupervisor()
    with qtbot.waitSignal(first.metrics_received, timeout=120_000):
        run_id = first.start(_config(tmp_path, tiny_model_dir))
    launcher = first.pid
    try:
        assert len(launched_by(launcher)) >= 2
        first.shutdown()  # the GUI closes; the ranks keep training
        assert not first.is_running and _running(launcher)
        run = Store(reap=False).get_run(run_id)
        assert (run["status"], run["pid"], run["world_size"]) == ("running", launcher, 2)

        second = RunSupervisor()
        started, steps, finished = [], [], []
        second.run_started.connect(started.append)
        second.metrics_received.connect(lambda batch: steps.extend(e["step"] for e in batch))
        second.run_finished.connect(finished.append)
        with qtbot.waitSignal(second.run_started, timeout=30_000):
            second.attach(run_id)
        assert [e["run_id"] for e in started] == [run_id]
        replayed = max(steps)
        qtbot.waitUntil(lambda: max(steps) > replayed, timeout=60_000)  # new steps, not only the replay
        with qtbot.waitSignal(second.run_finished, timeout=60_000):
            second.request_stop()
        assert second.wait(10_000)
        assert [f["status"] for f in finished] == ["cancelled"]
        assert steps == sorted(set(steps))  # each step once: rank 0 alone speaks for the run

        run = Store(reap=False).get_run(run_id)
        assert (run["status"], run["world_size"]) == ("cancelled", 2)
        assert run["last_step"] < 5000
        events = list(read_events(run_dir(run_id) / "events.jsonl"))
        assert [e["event"] for e in events].count("started") == 1
        assert [e["status"] for e in events if e["event"] == "finished"] == ["cancelled"]
        logged = [step for step, _ in Store(reap=False).metric_series(run_id)["loss"]]
        assert logged == sorted(set(logged))

        deadline = time.monotonic() + 30
        while (_running(launcher) or launched_by(launcher)) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _running(launcher) and launched_by(launcher) == []
    finally:  # a failed assert must not leave two ranks training on a shared machine
        import signal

        for pid in [launcher, *launched_by(launcher)]:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
