"""RunSupervisor against a fake worker: a clean run, a crash, a hang, a graceful stop, a flood, re-attaching."""

from __future__ import annotations

import pytest

from app.core.paths import run_dir
from app.core.store import Store
from app.ui.runner import RunSupervisor


class Recorder:
    """Collects every signal a supervisor emits, in order."""

    NAMES = ("run_started", "phase_changed", "progress_changed", "metrics_received", "sample_received",
             "checkpoint_saved", "artifact_saved", "warning_raised", "log_received", "run_finished")

    def __init__(self, sup: RunSupervisor):
        self.calls: list[tuple[str, object]] = []
        for name in self.NAMES:
            getattr(sup, name).connect(lambda payload, name=name: self.calls.append((name, payload)))

    def of(self, name: str) -> list:
        return [p for n, p in self.calls if n == name]

    def metric_events(self) -> list[dict]:
        return [e for batch in self.of("metrics_received") for e in batch]


@pytest.fixture
def config_file(tmp_path):
    path = tmp_path / "run.yaml"
    path.write_text("name: fake\n")
    return path


def run_to_end(qtbot, sup, start, timeout=15_000) -> dict:
    with qtbot.waitSignal(sup.run_finished, timeout=timeout) as blocker:
        start()
    assert sup.wait(5000)
    return blocker.args[0]


def test_complete_run_reports_every_event_in_order(qtbot, fake_worker, config_file):
    sup = RunSupervisor(worker_command=fake_worker("complete", "--steps", "20"))
    rec = Recorder(sup)
    run_id = None

    def start():
        nonlocal run_id
        run_id = sup.start(config_file)

    finished = run_to_end(qtbot, sup, start)
    assert finished["status"] == "completed"
    assert not sup.is_running
    names = [n for n, _ in rec.calls if n != "log_received"]
    assert names.index("phase_changed") < names.index("run_started") < names.index("metrics_received")
    assert names[-1] == "run_finished"
    assert rec.of("run_started")[0]["run_id"] == run_id
    assert rec.of("phase_changed")[-1]["current"] == 150
    steps = [e["step"] for e in rec.metric_events()]
    assert steps[:20] == list(range(1, 21)) and rec.metric_events()[-1]["metrics"] == {"eval_loss": 0.5}
    assert rec.of("progress_changed")[-1]["step"] == 20
    assert rec.of("sample_received")[0]["output"] == "4"
    assert rec.of("checkpoint_saved") and rec.of("artifact_saved")[0]["kind"] == "adapter"
    assert rec.of("warning_raised")[0]["hint"] == "Add more data"
    assert "training begins" in "\n".join(rec.of("log_received"))
    assert Store(reap=False).get_run(run_id)["status"] == "completed"


def test_crash_reports_failed_with_stderr_tail(qtbot, fake_worker, config_file):
    sup = RunSupervisor(worker_command=fake_worker("crash"))
    run_id = None

    def start():
        nonlocal run_id
        run_id = sup.start(config_file)

    finished = run_to_end(qtbot, sup, start)
    assert finished["status"] == "failed"
    assert "code 1" in finished["error"]
    assert "Traceback" in finished["error"] and "illegal memory access" in finished["error"]
    assert finished["hint"]
    run = Store(reap=False).get_run(run_id)
    assert run["status"] == "failed" and "illegal memory access" in run["error"]
    events = (run_dir(run_id) / "events.jsonl").read_text()
    assert events.strip().splitlines()[-1].startswith('{"event": "finished"')


def test_hang_then_force_stop_is_reported(qtbot, fake_worker, config_file):
    sup = RunSupervisor(worker_command=fake_worker("hang"))
    with qtbot.waitSignal(sup.run_started, timeout=10_000):
        sup.start(config_file)
    sup.request_stop()  # ignored by the hung worker
    qtbot.wait(200)
    assert sup.is_running
    with qtbot.waitSignal(sup.run_finished, timeout=10_000) as blocker:
        sup.force_stop()
    assert blocker.args[0]["status"] == "cancelled"
    assert "force" in blocker.args[0]["error"]
    assert sup.wait(5000)


def test_graceful_stop_reports_cancelled(qtbot, fake_worker, config_file, tmp_path):
    sup = RunSupervisor(worker_command=fake_worker("stoppable"))
    with qtbot.waitSignal(sup.metrics_received, timeout=10_000):
        run_id = sup.start(config_file)
    with qtbot.waitSignal(sup.run_finished, timeout=10_000) as blocker:
        sup.request_stop()
    assert blocker.args[0]["status"] == "cancelled"
    assert blocker.args[0]["error"] is None  # the worker's own last word, not a synthesised one
    assert (run_dir(run_id) / "stop").exists()
    assert sup.wait(5000)


def test_flood_is_throttled_but_the_last_value_arrives(qtbot, fake_worker, config_file):
    sup = RunSupervisor(worker_command=fake_worker("flood"))
    rec = Recorder(sup)
    run_to_end(qtbot, sup, lambda: sup.start(config_file))
    deliveries = len(rec.of("metrics_received")) + len(rec.of("progress_changed"))
    assert deliveries < 200, deliveries  # 10,000 events arrived as far fewer signals
    metrics = rec.metric_events()
    assert len(metrics) == 5001  # every point still reaches the plots
    assert rec.of("progress_changed")[-1]["step"] == 5000


def test_attach_replays_and_follows_a_run_that_outlived_the_gui(qtbot, fake_worker, config_file):
    first = RunSupervisor(worker_command=fake_worker("stoppable"))
    with qtbot.waitSignal(first.metrics_received, timeout=10_000):
        run_id = first.start(config_file)
    first.shutdown()  # the GUI closes; the worker keeps training
    assert not first.is_running

    second = RunSupervisor()
    rec = Recorder(second)
    with qtbot.waitSignal(second.run_started, timeout=10_000):
        second.attach(run_id)
    assert rec.of("phase_changed") and rec.of("run_started")[0]["run_id"] == run_id
    with qtbot.waitSignal(second.run_finished, timeout=10_000) as blocker:
        second.request_stop()
    assert blocker.args[0]["status"] == "cancelled"
    assert rec.metric_events()
    assert second.wait(5000)


def test_attach_follows_the_latest_session_of_a_resumed_run(qtbot, fake_worker, config_file):
    """A resumed run appends to its events.jsonl after the first session's `finished`: re-attaching follows the
    session that trains now instead of ending at that old `finished`."""
    first = RunSupervisor(worker_command=fake_worker("stoppable"))
    with qtbot.waitSignal(first.metrics_received, timeout=10_000):
        run_id = first.start(config_file)
    with qtbot.waitSignal(first.run_finished, timeout=10_000):
        first.request_stop()
    assert first.wait(5000)
    stopped_at = Store(reap=False).get_run(run_id)["last_step"]
    with qtbot.waitSignal(first.metrics_received, timeout=10_000):
        first.resume(run_id)
    first.shutdown()  # the GUI closes; the resumed worker keeps training

    second = RunSupervisor()
    rec = Recorder(second)
    with qtbot.waitSignal(second.run_started, timeout=10_000):
        second.attach(run_id)
    assert [e["start_step"] for e in rec.of("run_started")] == [stopped_at]  # the resumed session's alone
    assert not rec.of("run_finished")
    with qtbot.waitSignal(second.run_finished, timeout=10_000) as blocker:
        second.request_stop()
    assert blocker.args[0]["status"] == "cancelled"
    assert all(e["step"] > stopped_at for e in rec.metric_events())
    assert second.wait(5000)


def test_attach_to_a_dead_run_marks_it_failed(qtbot, fake_worker, config_file):
    first = RunSupervisor(worker_command=fake_worker("hang"))
    with qtbot.waitSignal(first.run_started, timeout=10_000):
        run_id = first.start(config_file)
    first.shutdown()
    (run_dir(run_id) / "logs" / "worker.log").write_text("loading\nKilled\n")
    pid = Store(reap=False).get_run(run_id)["pid"]
    import os
    import signal

    os.kill(pid, signal.SIGKILL)
    qtbot.waitUntil(lambda: not _alive(pid), timeout=5000)

    second = RunSupervisor()
    with qtbot.waitSignal(second.run_finished, timeout=10_000) as blocker:
        second.attach(run_id)
    assert blocker.args[0]["status"] == "failed" and "Killed" in blocker.args[0]["error"]
    assert second.wait(5000)


def test_a_second_start_while_running_is_refused(qtbot, fake_worker, config_file):
    sup = RunSupervisor(worker_command=fake_worker("hang"))
    with qtbot.waitSignal(sup.run_started, timeout=10_000):
        sup.start(config_file)
    with pytest.raises(RuntimeError):
        sup.start(config_file)
    with qtbot.waitSignal(sup.run_finished, timeout=10_000):
        sup.force_stop()
    assert sup.wait(5000)


def _alive(pid: int) -> bool:
    import os

    try:
        os.waitpid(pid, os.WNOHANG)  # reap it if it is our child
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
