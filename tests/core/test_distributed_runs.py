"""Runs of several processes started by the commands that train runs one after another (issue #15): the queue and
`extend` launch them as `train --processes N` does (distributed/launch.py `train`), the queue's process the ranks'
parent. Two gloo ranks of the tiny model; each test has a data home of its own (the queue is the store's)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from launched import launched_by, left_after
from tiny_runs import tiny_chat_config

from app.core.events import read_events
from app.core.paths import PROJECT_ROOT, run_dir
from app.core.store import Store


@pytest.fixture
def env(tmp_path, monkeypatch) -> dict[str, str]:
    """The environment of the commands under test: a data home of this test's own, one thread per process."""
    monkeypatch.setenv("FINETUNE_STUDIO_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("OMP_NUM_THREADS", "1")  # also what ranks launched from this process inherit
    monkeypatch.setenv("PYTHONPATH", str(PROJECT_ROOT))
    return dict(os.environ)


def _edit(path: Path, section: str, **values) -> Path:
    data = yaml.safe_load(path.read_text())
    data[section].update(values)
    path.write_text(yaml.safe_dump(data))
    return path


def _queue(*configs: Path) -> list[int]:
    from app.core.config import load_config
    from app.core.runs import queue

    return [queue.add(Store(), load_config(path)) for path in configs]


def _items() -> list[dict]:
    from app.core.runs import queue

    return queue.items(Store())


def _interrupted(args: list[str], env: dict, log: Path, *, group: bool):
    """`python -m app ARGS`, sent SIGINT once its run reports progress: to the command alone, or (`group`) to its
    whole process group, as a terminal's Ctrl+C reaches a foreground job; it must exit 130. (the process, its
    events, what it had launched when signalled)"""
    with log.open("w") as err:
        proc = subprocess.Popen([sys.executable, "-m", "app", *args], stdout=subprocess.PIPE, stderr=err, text=True,
                                env=env, start_new_session=group)  # a terminal's foreground job: a group of its own
        events, launched = [], None
        for line in proc.stdout:
            events.append(json.loads(line))
            if events[-1]["event"] == "progress" and launched is None:
                launched = launched_by(proc.pid)
                (os.killpg if group else os.kill)(proc.pid, signal.SIGINT)
        assert proc.wait(timeout=300) == 130, (events[-1], log.read_text()[-4000:])
    return proc, events, launched


def _events(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_a_queue_launches_its_items_of_two_processes_and_goes_on_after_one_fails(tmp_path, tiny_model_dir, env):
    """Three items: two processes on data that does not exist (both ranks refuse it), two processes, one process.
    The refused item ends the item alone; the others complete, the 2-process one trained by two ranks (each step
    recorded once, rank 0's events once, a log per rank), the last in the queue's own process."""
    missing = _edit(tiny_chat_config(tmp_path, tiny_model_dir, "missing", 2, processes=2), "data",
                    train=str(tmp_path / "no-such-file.jsonl"))
    _queue(missing, tiny_chat_config(tmp_path, tiny_model_dir, "two", 2, processes=2),
           tiny_chat_config(tmp_path, tiny_model_dir, "one", 4))
    done = subprocess.run([sys.executable, "-m", "app", "queue", "run", "--events", "jsonl"], capture_output=True,
                          text=True, env=env, timeout=900)
    assert done.returncode == 1, done.stderr[-4000:]  # not every item completed
    items = _items()
    assert [item["status"] for item in items] == ["rejected", "completed", "completed"], done.stderr[-4000:]
    store = Store()
    refused, two, one = (store.get_run(item["run_id"]) for item in items)
    assert refused["world_size"] == 2 and "no-such-file.jsonl" in refused["error"]
    assert (two["world_size"], one["world_size"]) == (2, 1)
    for run in (two, one):
        assert run["status"] == "completed" and run["pid"] == refused["pid"]  # the queue's process: the worker
        assert [step for step, _ in store.metric_series(run["id"])["loss"]] == [1, 2, 3, 4]  # each step once
    streamed = _events(done.stdout)
    for run in (refused, two, one):  # the queue relays each run's events once: rank 1 says nothing
        mine = [e["event"] for e in streamed if e.get("run_id") == run["id"]]
        assert mine.count("started") == (run is not refused) and mine.count("finished") == 1
    assert streamed[-1]["event"] == "finished" and streamed[-1]["status"] == "completed"  # the queue's last word
    folder = run_dir(two["id"])
    assert {p.name for p in (folder / "logs").iterdir()} == {"launcher.log", "worker.log", "worker-rank1.log"}
    recorded = [e["event"] for e in read_events(folder / "events.jsonl")]
    assert recorded.count("started") == 1 and recorded[-1] == "finished"
    assert (folder / "checkpoints" / "latest").read_text() == "checkpoint-4"


def test_an_extension_of_a_two_process_run_trains_its_steps_on_two(tmp_path, tiny_model_dir, env):
    """The run trains 2 steps (half an epoch) on two processes; `extend --epochs 0.5` adds 2 steps, trained by two
    ranks from the copied checkpoint (its random states are per rank): the new run records world size 2, steps 3
    and 4 once each after the original's 1 and 2."""
    config = _edit(tiny_chat_config(tmp_path, tiny_model_dir, "base", 2, processes=2), "training", max_steps=2)
    trained = subprocess.run([sys.executable, "-m", "app", "train", str(config)], capture_output=True, text=True,
                             env=env, timeout=600)
    assert trained.returncode == 0, trained.stderr[-4000:]
    extended = subprocess.run([sys.executable, "-m", "app", "extend", "base", "--epochs", "0.5"],
                              capture_output=True, text=True, env=env, timeout=600)
    assert extended.returncode == 0, extended.stderr[-4000:]
    store = Store()
    base = store.get_run("base")
    run = next(row for row in store.list_runs() if row.get("resumed_from") == base["id"])
    assert extended.stdout.strip() == f"{run['id']}: completed"
    assert (run["status"], run["world_size"], run["last_step"]) == ("completed", 2, 4)
    assert [step for step, _ in store.metric_series(run["id"])["loss"]] == [1, 2, 3, 4]
    folder = run_dir(run["id"])
    assert [e["start_step"] for e in read_events(folder / "events.jsonl") if e["event"] == "started"] == [2]
    assert {"worker.log", "worker-rank1.log"} <= {p.name for p in (folder / "logs").iterdir()}
    assert "rank 1 of 2" in (folder / "logs" / "worker-rank1.log").read_text()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the processes' environments in /proc")
def test_a_stopped_queue_stops_the_ranks_and_leaves_none_behind(tmp_path, tiny_model_dir, env):
    """The GUI's Stop (SIGINT to `queue run`) while a 2-process item trains: its ranks checkpoint and stop at one step,
    the item ends cancelled, the next stays queued, the queue exits 130 and no process it launched is left."""
    long = _edit(tiny_chat_config(tmp_path, tiny_model_dir, "long", 2, processes=2), "training", max_steps=500,
                 save_steps=1000)
    _queue(long, tiny_chat_config(tmp_path, tiny_model_dir, "after", 4))
    log = tmp_path / "stderr.log"
    proc, events, launched = _interrupted(["queue", "run", "--events", "jsonl"], env, log, group=False)
    assert len(launched) >= 3  # torchrun and two ranks were training
    assert [item["status"] for item in _items()] == ["cancelled", "queued"]
    run = Store().get_run(_items()[0]["run_id"])
    saved = [e["step"] for e in events if e["event"] == "checkpoint"]
    assert run["status"] == "cancelled" and len(saved) == 1 and run["last_step"] == saved[0] < 500
    assert (run_dir(run["id"]) / "checkpoints" / "latest").read_text() == f"checkpoint-{saved[0]}"
    assert events[-1]["event"] == "finished" and events[-1]["status"] == "cancelled"
    assert left_after(proc.pid) == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the processes' environments in /proc")
@pytest.mark.parametrize("command", ["queue", "train"])
def test_ctrl_c_at_a_terminal_stops_a_two_process_run_at_a_checkpoint(tmp_path, tiny_model_dir, env, command):
    """Ctrl+C at a terminal: SIGINT to the whole foreground process group, the command and torchrun at once (torchrun
    puts each rank in a session of its own), while a 2-process run trains under `queue run` or `train --processes
    2`. As when the command alone is signalled: the ranks checkpoint and stop at one step, the run ends cancelled
    (the queue's next item stays queued), the command exits 130, nothing it launched is left, and no process prints
    a traceback."""
    long = _edit(tiny_chat_config(tmp_path, tiny_model_dir, "long", 2, processes=2), "training", max_steps=500,
                 save_steps=1000)
    if command == "queue":
        _queue(long, tiny_chat_config(tmp_path, tiny_model_dir, "after", 4))
        args = ["queue", "run", "--events", "jsonl"]
    else:
        args = ["train", str(long), "--events", "jsonl"]
    log = tmp_path / "stderr.log"
    proc, events, launched = _interrupted(args, env, log, group=True)
    assert len(launched) >= 3  # torchrun and two ranks were training
    run = Store().get_run(next(e["run_id"] for e in events if e["event"] == "started"))
    if command == "queue":
        assert [item["status"] for item in _items()] == ["cancelled", "queued"]
    saved = [e["step"] for e in events if e["event"] == "checkpoint"]
    assert run["status"] == "cancelled" and len(saved) == 1 and run["last_step"] == saved[0] < 500
    assert (run_dir(run["id"]) / "checkpoints" / "latest").read_text() == f"checkpoint-{saved[0]}"
    assert events[-1]["event"] == "finished" and events[-1]["status"] == "cancelled"
    assert "Traceback" not in log.read_text(), log.read_text()[-4000:]
    for path in (run_dir(run["id"]) / "logs").iterdir():
        assert "Traceback" not in path.read_text(), (path.name, path.read_text()[-4000:])
    assert left_after(proc.pid) == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's")
def test_a_queue_killed_outright_takes_its_launched_processes_with_it(tmp_path, tiny_model_dir, env):
    """SIGKILL to `queue run` alone, not its process group (the GUI's Stop when its grace runs out, a kill -9), while a
    2-process item trains: torchrun dies with it and the ranks with torchrun; the store then sees the run's worker
    gone (failed) and the item takes its run's status."""
    from app.core.runs import queue

    _queue(_edit(tiny_chat_config(tmp_path, tiny_model_dir, "killed", 2, processes=2), "training", max_steps=500,
                 save_steps=1000))
    proc = subprocess.Popen([sys.executable, "-m", "app", "queue", "run", "--events", "jsonl"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    for line in proc.stdout:
        if json.loads(line)["event"] == "progress":
            break
    assert len(launched_by(proc.pid)) >= 3  # torchrun and two ranks
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert left_after(proc.pid) == []
    store = Store()
    queue.settle(store)
    assert store.get_run(_items()[0]["run_id"])["status"] == "failed"
    assert [item["status"] for item in _items()] == ["failed"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's")
def test_a_relay_sink_that_fails_ends_the_ranks_and_raises(tmp_path, tiny_model_dir, env):
    """The caller's sink raises at rank 0's first step (a full disk, a broken pipe): launch.train raises that error
    and leaves no rank training without its parent."""
    from app.core.config import load_config
    from app.core.distributed import launch

    config = load_config(_edit(tiny_chat_config(tmp_path, tiny_model_dir, "relayed", 2, processes=2), "training",
                               max_steps=500, save_steps=1000))

    class Broken:
        def emit(self, event, **fields):
            if event == "progress":
                raise OSError("No space left on device")

    with pytest.raises(OSError, match="No space left"):
        launch.train(config, Broken(), store=Store())
    assert left_after(os.getpid()) == []


def test_tune_launches_trials_of_two_processes_and_its_stop_reaches_their_ranks(tmp_path, tiny_model_dir, env):
    """`tune` in this process on a 2-process config: trial 0 (the defaults) is launched, its rank 0's events relayed
    to the search (its validation loss judges it); trial 1 is stopped by the search's stop flag, set by the caller's
    sink at its first step: the flag reaches both ranks, which stop at one step, and the search ends there."""
    from app.core.events import StopFlag
    from app.core.runs.tune import TuneRequest, tune

    config = _edit(tiny_chat_config(tmp_path, tiny_model_dir, "tuned", 2, processes=2), "training", max_steps=12)
    config = _edit(config, "data", validation_split=0.25)
    stop, events = StopFlag(), []

    class Caller:
        def emit(self, event, **fields):
            events.append({"event": event, **fields})
            if event == "progress" and any(e["event"] == "trial" for e in events):
                stop.set()

    result = tune(TuneRequest(config=config, trials=3, metric="eval_loss"), sink=Caller(), stop=stop)
    first, second = result["trials"]
    store = Store()
    assert first["state"] == "completed" and first["value"] == first["metrics"]["eval_loss"]
    assert first["value"] == store.metric_series(first["run_id"])["eval_loss"][-1][1]
    assert second["state"] == "stopped"
    runs = [store.get_run(trial["run_id"]) for trial in (first, second)]
    assert [run["world_size"] for run in runs] == [2, 2]
    assert [run["status"] for run in runs] == ["completed", "cancelled"] and runs[1]["last_step"] < 12
    assert [e["event"] for e in events].count("started") == 2  # rank 0's, relayed once a trial
    assert launched_by(os.getpid()) == []
