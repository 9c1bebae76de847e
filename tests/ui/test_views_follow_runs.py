"""The window's views of the run history follow the runs (issue #25 item 6): the status bar names the run that is
starting, not the last one; Compare and Runs, when shown, read the store again as a run starts and ends; the title
names the run while it trains, then the setup again."""

from __future__ import annotations

import pytest
from studio_fakes import chat_rows, config_with_data, fake_models, write_jsonl  # noqa: F401

from app.ui.main_window import MainWindow
from app.ui.settings import open_settings

pytestmark = pytest.mark.usefixtures("fake_models")


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("FINETUNE_STUDIO_HOME", str(tmp_path / "home"))  # a run history of this test's own
    data = write_jsonl(tmp_path / "chat.jsonl", chat_rows(4))
    win = MainWindow(config_with_data(data), settings=open_settings(tmp_path / "gui.ini"))
    qtbot.addWidget(win)
    win.show()
    return win


def listed(page, run_id: str) -> str | None:
    """The status the page's run list shows for `run_id` (None: not listed)."""
    return next((run["status"] for run in page.model.runs if run["id"] == run_id), None)


@pytest.mark.parametrize("view", ["compare", "runs"])
def test_a_shown_view_and_the_status_bar_follow_each_run(qtbot, window, fake_worker, view):
    qtbot.waitUntil(window.ready, timeout=10000)
    train = window.train_page
    train.supervisor.worker_command = fake_worker("complete", "--steps", "3")
    window.show_page(view)
    page = window.page(view)
    labels: list[str] = []
    train.run_state_changed.connect(lambda state: labels.append(window.run_label.text()))

    ids = []
    for _ in range(2):
        with qtbot.waitSignal(train.run_completed, timeout=10000):
            ids.append(train.try_start(window.state.config))
        assert train.supervisor.wait(5000)
        assert listed(page, ids[-1]) == "completed"  # no Refresh clicked: the page read the store as the run ended
    first, second = ids
    assert labels[0] == f"Run {first}: starting"
    starting = [label for label in labels if label.endswith(": starting")]
    assert starting == [f"Run {first}: starting", f"Run {second}: starting"]  # never the last run's id


def test_the_title_names_the_training_run_then_the_setup(qtbot, window, fake_worker):
    qtbot.waitUntil(window.ready, timeout=10000)
    setup = window.windowTitle()
    assert setup == f"Finetune Studio — {window.state.config.name or 'new run'}"
    train = window.train_page
    train.supervisor.worker_command = fake_worker("complete", "--steps", "3")
    titles: dict[str, str] = {}
    train.run_state_changed.connect(lambda state: titles.setdefault(state, window.windowTitle()))
    with qtbot.waitSignal(train.run_completed, timeout=10000):
        run_id = train.try_start(window.state.config)
    assert train.supervisor.wait(5000)
    assert titles["starting"] == f"Finetune Studio — {run_id} (starting)"  # not recorded yet: its id
    assert titles["running"] == "Finetune Studio — fake-complete (running)"  # the name the run has in the store
    assert titles["completed"] == setup
