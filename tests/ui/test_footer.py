"""The steps' footer: on the last step, Next is "Start training →" and starts the run (issue #25 item 10: the Train
page was one more click before its Start)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from studio_fakes import chat_rows, config_with_data, fake_models, write_jsonl  # noqa: F401

from app.ui.main_window import MainWindow
from app.ui.runner import RunSupervisor
from app.ui.settings import open_settings

pytestmark = pytest.mark.usefixtures("fake_models")


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("FINETUNE_STUDIO_HOME", str(tmp_path / "home"))
    win = MainWindow(config_with_data(write_jsonl(tmp_path / "chat.jsonl", chat_rows(4))),
                     settings=open_settings(tmp_path / "gui.ini"))
    qtbot.addWidget(win)
    win.show()
    return win


def test_start_training_on_the_last_step_starts_the_run(qtbot, window, monkeypatch):
    spawned: list[list[str]] = []
    monkeypatch.setattr(RunSupervisor, "_spawn", lambda self, args, stop_for, run_id: spawned.append(args))
    qtbot.waitUntil(window.ready, timeout=10000)
    window.show_page("method")
    assert window.next_button.text() == "Next →"
    qtbot.mouseClick(window.next_button, Qt.MouseButton.LeftButton)
    assert window.current_page() == "hyperparameters" and window.next_button.text() == "Start training →"
    qtbot.mouseClick(window.next_button, Qt.MouseButton.LeftButton)
    assert window.current_page() == "train" and len(spawned) == 1 and spawned[0][0] == "train"


def test_start_training_when_a_step_is_not_ready_shows_that_step(qtbot, window, tmp_path, monkeypatch):
    spawned: list[list[str]] = []
    monkeypatch.setattr(RunSupervisor, "_spawn", lambda self, args, stop_for, run_id: spawned.append(args))
    window.steps["data"].set_file(str(tmp_path / "missing.jsonl"))
    window.show_page("hyperparameters")
    qtbot.mouseClick(window.next_button, Qt.MouseButton.LeftButton)
    assert window.current_page() == "data" and spawned == []
    assert window.statusBar().currentMessage() == "Not ready: Choose a training file."
