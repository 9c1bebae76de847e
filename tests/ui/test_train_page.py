"""The Train page driving a fake worker: live points, Stop, failure in place, Start asking its owner to start."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.core.config import RunConfig
from app.core.paths import run_dir
from app.ui.pages.train import TrainPage


def config(name: str = "page-test") -> RunConfig:
    return RunConfig(name=name, data={"train": "train.jsonl"})


def test_start_plots_points_then_stop_is_cancelled(qtbot, fake_worker):
    page = TrainPage(worker_command=fake_worker("stoppable"))
    qtbot.addWidget(page)
    states = []
    page.run_state_changed.connect(states.append)
    run_id = page.start(config())
    assert page.is_running and (run_dir(run_id) / "run.yaml").exists()
    assert not page.start_button.isEnabled() and page.stop_button.isEnabled()
    qtbot.waitUntil(lambda: page.plots.point_count("loss") >= 3, timeout=10_000)
    page.plots.redraw()
    assert len(page.plots.curves["loss"].getData()[0]) >= 3
    assert page.progress.value() >= 1 and "Step" in page.progress.format()
    with qtbot.waitSignal(page.run_completed, timeout=10_000) as blocker:
        qtbot.mouseClick(page.stop_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [run_id]
    assert page.state == "cancelled" and not page.is_running
    assert states[:3] == ["starting", "running", "stopping"] and states[-1] == "cancelled"
    assert page.error_box.isHidden()
    assert page.supervisor.wait(5000)


def test_a_crash_shows_the_error_and_hint_in_place(qtbot, fake_worker):
    page = TrainPage(worker_command=fake_worker("crash"))
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.run_completed, timeout=10_000):
        page.start(config())
    assert page.state == "failed"
    assert not page.error_box.isHidden()
    assert "illegal memory access" in page.error_box.error.text()
    assert page.error_box.hint.text()
    assert "Traceback" in page.log_view.toPlainText()
    assert page.start_button.isEnabled()  # a failed run can be started again
    assert page.supervisor.wait(5000)


def test_start_button_asks_and_try_start_completes(qtbot, fake_worker):
    page = TrainPage(worker_command=fake_worker("complete", "--steps", "5"))
    qtbot.addWidget(page)
    page.start_requested.connect(lambda: page.try_start(config("from-provider")))
    assert page.start_button.isEnabled()
    with qtbot.waitSignal(page.run_completed, timeout=10_000):
        qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
    assert page.state == "completed"
    assert page.progress.value() == page.progress.maximum() == 5
    assert page.samples.count() == 1 and page.tabs.tabText(1) == "Samples (1)"
    assert page.plots.point_count("eval_loss") == 1
    assert "from-provider" in (run_dir(page.run_id) / "run.yaml").read_text()
    assert page.supervisor.wait(5000)


def test_a_run_that_cannot_start_is_shown_not_raised(qtbot, monkeypatch):
    page = TrainPage()
    qtbot.addWidget(page)
    monkeypatch.setattr("app.ui.pages.train.new_run_id", lambda: "../outside")  # run_dir refuses it: a ConfigError
    page.start_requested.connect(lambda: page.try_start(config()))
    qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
    assert not page.error_box.isHidden() and "outside" in page.error_box.error.text()
    assert page.state == "idle" and not page.is_running


def test_readiness_is_said_in_place_and_on_the_start_button(qtbot):
    page = TrainPage()
    qtbot.addWidget(page)
    page.show()
    page.set_readiness("Data: Choose a training file.")
    assert page.readiness_label.isVisible() and "Choose a training file." in page.readiness_label.text()
    assert page.phase_label.text() == "Not ready to train."
    assert page.detail_label.text() == "Start takes you to the step to fix."
    assert page.start_button.toolTip() == "Not ready: Data: Choose a training file. Start takes you to that step."
    assert page.start_button.isEnabled()  # the click goes to the window's check, which shows the step to fix
    page.set_readiness("")
    assert page.readiness_label.isHidden() and page.phase_label.text() == "Ready to train."
    assert page.detail_label.text() == "Press Start to train the current configuration."


def test_a_resumed_run_shows_its_whole_curve_and_counts_all_its_time(qtbot, fake_worker):
    from app.core.store import Store, run_seconds

    page = TrainPage(worker_command=fake_worker("stoppable"))
    qtbot.addWidget(page)
    run_id = page.start(config())
    qtbot.waitUntil(lambda: page.plots.point_count("loss") >= 3, timeout=10_000)
    with qtbot.waitSignal(page.run_completed, timeout=10_000):
        page.stop()
    assert page.supervisor.wait(5000)
    first = Store(reap=False).get_run(run_id)
    stopped_at, first_seconds = first["last_step"], first["finished"] - first["started"]
    assert stopped_at >= 3 and first_seconds > 0

    page.supervisor.worker_command = fake_worker("complete", "--steps", "4")
    states: list[str] = []
    page.run_state_changed.connect(lambda state: states.append(f"{page.run_id}: {state}"))
    with qtbot.waitSignal(page.run_completed, timeout=10_000):
        page.resume(run_id)
    assert states[0] == f"{run_id}: starting"  # the run's id as soon as its state changes
    steps = list(page.plots.series["loss"].view()[0])
    assert steps == list(range(1, stopped_at + 5))  # the steps before the stop, then the resumed ones, once each
    run = Store(reap=False).get_run(run_id)
    assert run["earlier_seconds"] == first_seconds
    assert run_seconds(run) == first_seconds + run["finished"] - run["started"]
    assert page.supervisor.wait(5000)


def test_the_eta_changes_only_when_a_step_completes(qtbot, monkeypatch):
    import app.ui.pages.train as train

    now = [1000.0]
    monkeypatch.setattr(train.time, "monotonic", lambda: now[0])
    page = TrainPage()
    qtbot.addWidget(page)
    page._begin("r1", "r1", "Preparing…")
    page._on_started({"run_id": "r1", "total_steps": 10, "start_step": 0})
    page._update_clock()
    assert page.time_label.text().endswith("ETA estimating…")  # no step measured yet
    page._on_progress({"step": 1, "total_steps": 10, "elapsed": 30.0, "eta": 270.0})
    assert page.time_label.text() == "Elapsed 0:30   ·   ETA 4:30"
    now[0] += 120  # a slow step: two minutes and no step completed
    page._update_clock()
    assert page.time_label.text() == "Elapsed 2:30   ·   ETA 4:30"  # the clock runs, the estimate waits
    page._on_progress({"step": 2, "total_steps": 10, "elapsed": 150.0, "eta": 600.0})
    assert page.time_label.text() == "Elapsed 2:30   ·   ETA 10:00"
    page._on_finished({"status": "completed"})
    assert page.time_label.text().endswith("ETA –")
    page._clock_timer.stop()
