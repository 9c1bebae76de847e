"""The run queue and the sweep builder: a queued sweep of two tiny runs completes in order and is ranked."""

from __future__ import annotations

import json

import pytest

from app.cli import main
from app.core.config import parse_config
from app.core.errors import ConfigError
from app.core.paths import run_dir
from app.core.runs import queue
from app.core.runs.sweep import grid, rank
from app.core.store import Store


def base_config(tmp_path, model_dir):
    data = tmp_path / "chat.jsonl"
    data.write_text("\n".join(json.dumps({"messages": [{"role": "user", "content": f"Say {w}"},
                                                         {"role": "assistant", "content": w}]})
                                for w in ["apple", "pear", "plum", "fig"] * 4) + "\n")
    return parse_config({"name": "q", "model": {"source": str(model_dir)},
                         "data": {"train": str(data), "validation_split": 0.25},
                         "method": {"name": "lora", "rank": 4},
                         "training": {"max_steps": 3, "batch_size": 4, "max_length": 64, "warmup_ratio": 0.0},
                         "evaluation": {"sample_prompts": []},
                         "export": {"merged": False, "adapter": False}})


def test_grid_names_and_validates_each_combination(tmp_path):
    base = parse_config({"name": "b", "data": {"train": "x.jsonl"}})
    configs = grid(base, {"learning_rate": [1e-4, 2e-4], "method": ["lora", "dora"], "rank": []})
    assert [c.name for c in configs] == ["b lr=0.0001 lora", "b lr=0.0001 dora", "b lr=0.0002 lora",
                                         "b lr=0.0002 dora"]
    assert {(c.training.learning_rate, c.method.name) for c in configs} == {(1e-4, "lora"), (1e-4, "dora"),
                                                                           (2e-4, "lora"), (2e-4, "dora")}
    with pytest.raises(ConfigError, match="learning_rate"):
        grid(base, {"learning_rate": [5.0]})  # above the field's bound: nothing is queued


def test_items_of_a_queue_process_that_died_take_their_runs_status(tmp_path):
    store = Store(tmp_path / "q.db", reap=False)
    config = parse_config({"name": "b", "data": {"train": "x.jsonl"}})
    killed, lost = queue.add(store, config), queue.add(store, config)
    store.create_run("run-killed", name="b", config_yaml="", model="demo", method="lora", stage="sft", pid=0)
    store.update_run("run-killed", status="running", host="elsewhere")  # another host: not reaped here
    store.db["queue"].update(killed, {"status": "running", "run_id": "run-killed"})
    store.db["queue"].update(lost, {"status": "running", "run_id": None})
    queue.settle(store)
    assert [row["status"] for row in queue.items(store)] == ["running", "failed"]
    store.update_run("run-killed", status="cancelled")
    queue.settle(store)
    assert queue.items(store)[0]["status"] == "cancelled"


def test_a_queued_sweep_runs_in_queue_order_and_is_ranked(tiny_model_dir, tmp_path, capsys):
    (tmp_path / "q.yaml").write_text(base_config(tmp_path, tiny_model_dir).to_yaml())
    assert main(["sweep", str(tmp_path / "q.yaml"), "--lr", "1e-6", "5e-3"]) == 0
    sweep = capsys.readouterr().out.split(":")[0]
    store = Store()
    slow, fast = queue.items(store, sweep)
    assert (slow["name"], fast["name"]) == ("q lr=1e-06", "q lr=0.005")
    queue.move(store, fast["id"], -1)  # the fast one first
    extra = queue.add(store, base_config(tmp_path, tiny_model_dir))
    queue.cancel(store, extra)
    with pytest.raises(Exception, match="cancelled"):
        queue.cancel(store, extra)

    assert main(["queue", "run"]) == 0
    runs = {row["name"]: row for row in queue.items(store)}
    assert runs["q"]["status"] == "cancelled" and runs["q"]["run_id"] is None
    first, second = (store.get_run(runs[n]["run_id"]) for n in ("q lr=0.005", "q lr=1e-06"))
    assert first["status"] == second["status"] == "completed"
    assert first["finished"] <= second["started"] or first["created"] < second["created"]
    for run in (first, second):  # each run's folder holds what a single run's does
        folder = run_dir(run["id"])
        events = [json.loads(line)["event"] for line in (folder / "events.jsonl").read_text().splitlines()]
        assert events.count("started") == 1 and events[-1] == "finished" and "metrics" in events
        assert "run " in (folder / "logs" / "worker.log").read_text()  # the engine's own log lines

    ranked = rank(store, [first["id"], second["id"]], "eval_loss")
    assert [r["name"] for r in ranked] == ["q lr=0.005", "q lr=1e-06"]
    assert ranked[0]["eval_loss"] < ranked[1]["eval_loss"]
    capsys.readouterr()
    assert main(["queue", "rank", "--sweep", sweep, "--json"]) == 0
    assert [r["run_id"] for r in json.loads(capsys.readouterr().out)] == [first["id"], second["id"]]


def test_queued_runs_are_named_for_their_data_and_never_share_a_name(tmp_path):
    """Issue #25 item 8: an unnamed config is queued as data · method; a name a run has already gets a number."""
    from types import SimpleNamespace

    from app.core.events import StopFlag

    store = Store(tmp_path / "q.db", reap=False)
    store.create_run("earlier", name="b", config_yaml="", model="demo", method="lora", stage="sft", pid=0)
    named = parse_config({"name": "b", "data": {"train": "x.jsonl"}})
    queue.add(store, named), queue.add(store, named)
    queue.add(store, parse_config({"data": {"train": "/data/tickets.csv"}, "method": {"name": "dora"}}))
    assert [row["name"] for row in queue.items(store)] == ["b", "b", "tickets · dora"]
    trained = []

    def train(config, sink, stop, run_id, store):
        store.create_run(run_id, name=config.name, config_yaml="", model="demo", method="lora", stage="sft", pid=0)
        trained.append(config.name)
        return SimpleNamespace(status="completed")

    queue.run_queue(store, SimpleNamespace(emit=lambda *a, **k: None), StopFlag(), train=train)
    assert trained == ["b 2", "b 3", "tickets · dora"]
