import subprocess
import sys

import pytest

from app.core.errors import RunNotFound
from app.core.paths import run_dir
from app.core.store import Store, run_seconds


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path / "studio.db")


def test_run_metrics_artifacts_story(store, tmp_path):
    store.create_run("r1", name="first", config_yaml="name: first\n", model="demo", method="lora", stage="sft")
    store.update_run("r1", status="running", versions={"torch": "2"})
    store.add_metrics("r1", 1, {"loss": 2.0, "learning_rate": 1e-4}, epoch=0.1)
    store.add_metrics("r1", 2, {"loss": 1.5})
    (tmp_path / "adapter").mkdir()
    (tmp_path / "adapter" / "w.bin").write_bytes(b"x" * 10)
    store.add_artifact("r1", "adapter", tmp_path / "adapter", {"max_abs_diff": 1e-6})
    story = store.story("first")
    assert story["status"] == "running"
    assert [p["value"] for p in story["metrics"]["loss"]] == [2.0, 1.5]
    assert story["artifacts"][0]["bytes"] == 10 and story["artifacts"][0]["properties"]["max_abs_diff"] == 1e-6
    assert story["versions"] == {"torch": "2"} and story["config"] == {"name": "first"}


def test_run_seconds_adds_the_sessions_before_a_resume_and_runs_on_while_active():
    stopped = {"status": "cancelled", "started": 1000.0, "finished": 1060.0}
    assert run_seconds(stopped) == 60.0
    resumed = {"status": "running", "started": 5000.0, "finished": None, "earlier_seconds": 60.0}
    assert run_seconds(resumed, now=5030.0) == 90.0  # the pause between the sessions is not counted
    assert run_seconds({**resumed, "status": "completed", "finished": 5100.0}) == 160.0
    assert run_seconds({"status": "pending", "created": 1000.0}, now=1005.0) == 5.0
    assert run_seconds({"status": "cancelled", "created": 1000.0}) is None  # never started
    assert run_seconds({"status": "cancelled", "created": 1000.0, "earlier_seconds": 60.0}) == 60.0  # an extension


def test_lookup_by_prefix_and_unknown(store):
    store.create_run("20260101-000000-abcd", name="x", config_yaml="", model="m", method="lora", stage="sft")
    assert store.get_run("20260101-000000")["id"] == "20260101-000000-abcd"
    with pytest.raises(RunNotFound):
        store.get_run("nope")


def test_a_run_whose_process_died_is_marked_failed_with_its_log_tail(store, tmp_path, monkeypatch):
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    run_dir = tmp_path / "runs" / "dead"
    (run_dir / "logs").mkdir(parents=True)
    (run_dir / "logs" / "worker.log").write_text("step 3\nKilled by the OOM killer\n")
    store.create_run("dead", name="dead", config_yaml="", model="m", method="lora", stage="sft",
                     )
    store.update_run("dead", status="running", pid=proc.pid, run_dir=str(run_dir))
    reopened = Store(store.path)
    run = reopened.get_run("dead")
    assert run["status"] == "failed"
    assert "OOM killer" in run["error"]


def test_delete_removes_rows_and_files(store):
    folder = run_dir("gone")  # what create_run records: runs/<id> of the data home, the one folder delete removes
    folder.mkdir(parents=True)
    store.create_run("gone", name="g", config_yaml="", model="m", method="lora", stage="sft")
    store.update_run("gone", status="completed")
    store.add_metrics("gone", 1, {"loss": 1.0})
    store.delete_run("gone")
    assert not folder.exists()
    assert store.list_runs() == [] and store.metric_series("gone") == {}
