"""The Train page driving a fake worker: live points, stop, failure in place, Start through the config provider."""

from __future__ import annotations

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
        page.stop()
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
    assert page.start_button.isEnabled() is False  # no config provider yet
    assert page.supervisor.wait(5000)


def test_start_button_uses_the_config_provider_and_completes(qtbot, fake_worker):
    page = TrainPage(worker_command=fake_worker("complete", "--steps", "5"))
    qtbot.addWidget(page)
    page.set_config_provider(lambda: config("from-provider"))
    assert page.start_button.isEnabled()
    with qtbot.waitSignal(page.run_completed, timeout=10_000):
        page.start_button.click()
    assert page.state == "completed"
    assert page.progress.value() == page.progress.maximum() == 5
    assert page.samples.count() == 1 and page.tabs.tabText(1) == "Samples (1)"
    assert page.plots.point_count("eval_loss") == 1
    assert "from-provider" in (run_dir(page.run_id) / "run.yaml").read_text()
    assert page.supervisor.wait(5000)


def test_an_invalid_config_is_shown_not_raised(qtbot):
    from app.core.errors import ConfigError

    page = TrainPage()
    qtbot.addWidget(page)

    def broken() -> RunConfig:
        raise ConfigError([("training.learning_rate", "must be greater than 0")])

    page.set_config_provider(broken)
    page.start_button.click()
    assert not page.error_box.isHidden() and "learning_rate" in page.error_box.error.text()
    assert page.state == "idle"
