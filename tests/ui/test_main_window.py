"""The main window: sidebar, pages, check marks, menus and shortcuts, persisted settings."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from studio_fakes import chat_rows, config_with_data, fake_models, write_jsonl  # noqa: F401

from app.core.config import demo_config, load_config
from app.ui.main_window import MainWindow
from app.ui.runner import RunSupervisor
from app.ui.settings import open_settings

pytestmark = pytest.mark.usefixtures("fake_models")

ENTRIES = ["data", "model", "method", "hyperparameters", "train", "runs", "compare", "evaluate", "queue", "chat",
           "export"]


@pytest.fixture
def data_file(tmp_path):
    return write_jsonl(tmp_path / "chat.jsonl", chat_rows(4))


@pytest.fixture
def window(qtbot, tmp_path, data_file):
    win = MainWindow(config_with_data(data_file), settings=open_settings(tmp_path / "gui.ini"))
    qtbot.addWidget(win)
    win.show()
    return win


def test_window_opens_with_sidebar_and_status_bar(qtbot, window):
    assert window.sidebar.keys() == ENTRIES
    assert window.current_page() == "data"
    assert window.stack.currentWidget() is window.steps["data"]
    assert "Data:" in window.home_label.text()
    qtbot.waitUntil(lambda: "…" not in window.device_label.text(), timeout=5000)
    assert window.device_label.text().startswith("Device: ")
    assert window.run_label.text() == "No run"
    assert window.built == {}  # Train, Runs, Chat, Export are built on first use


def test_sidebar_navigation(qtbot, window):
    for key in ("method", "hyperparameters", "model"):
        window.sidebar.select(key)
        assert window.stack.currentWidget() is window.steps[key]
        assert window.footer.isVisible()
    for key in ("runs", "compare", "evaluate", "queue", "chat", "export", "train"):
        window.sidebar.select(key)
        assert window.stack.currentWidget() is window.holders[key]
        assert window.built[key].isVisible()
        assert not window.footer.isVisible()
    window.show_page("data")
    window.next_button.click()
    assert window.current_page() == "model"
    window.back_button.click()
    assert window.current_page() == "data"


def test_check_marks_follow_validity(qtbot, window, tmp_path):
    qtbot.waitUntil(lambda: all(window.sidebar.is_done(k) for k in ENTRIES[:5]), timeout=10000)
    window.steps["data"].set_file(str(tmp_path / "missing.jsonl"))
    assert not window.sidebar.is_done("data")
    assert not window.sidebar.is_done("train")  # not ready to start
    window.steps["data"].set_file(str(write_jsonl(tmp_path / "more.jsonl", chat_rows(3))))
    qtbot.waitUntil(lambda: window.sidebar.is_done("data"), timeout=10000)
    name = window.steps["hyperparameters"].form.editor(None, "name").inner
    name.setText("x" * 200)
    name.textEdited.emit(name.text())
    assert not window.sidebar.is_done("hyperparameters")
    name.setText("ok")
    name.textEdited.emit(name.text())
    assert window.sidebar.is_done("hyperparameters")


def press(qtbot, window, key: Qt.Key) -> None:
    """Ctrl+`key` as the user presses it, on the focused widget of the active window."""
    qtbot.keyClick(window.focusWidget() or window, key, Qt.KeyboardModifier.ControlModifier)


@pytest.fixture
def spawned(monkeypatch):
    """The worker processes the Train page would spawn: recorded, none started."""
    calls: list[list[str]] = []
    monkeypatch.setattr(RunSupervisor, "_spawn", lambda self, args, stop_for, run_id: calls.append(args))
    return calls


def test_menus_and_shortcuts(qtbot, window, tmp_path, monkeypatch, fake_worker):
    shortcuts = {action.text().replace("&", ""): action.shortcut().toString()
                 for action in (window.new_action, window.open_action, window.save_action, window.start_action,
                                window.stop_action, window.quit_action)}
    assert shortcuts == {"New run": "Ctrl+N", "Open config…": "Ctrl+O", "Save config…": "Ctrl+S",
                         "Start": "Ctrl+R", "Stop": "Ctrl+.", "Quit": "Ctrl+Q"}
    menus = [action.text().replace("&", "") for action in window.menuBar().actions()]
    assert menus[:2] == ["File", "Run"]
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)

    # Go: Ctrl+1 … Ctrl+9 open the steps and pages in the order of the menu.
    for i, key in enumerate(("data", "model", "method", "hyperparameters", "train", "runs", "compare", "chat",
                             "export")):
        press(qtbot, window, getattr(Qt.Key, f"Key_{i + 1}"))
        assert window.current_page() == key

    # Ctrl+S saves the config where the dialog says; Ctrl+O opens it again.
    saved = tmp_path / "saved.yaml"
    monkeypatch.setattr("app.ui.steps.hyperparameters.QFileDialog.getSaveFileName", lambda *a: (str(saved), ""))
    monkeypatch.setattr("app.ui.steps.hyperparameters.QFileDialog.getOpenFileName", lambda *a: (str(saved), ""))
    window.state.update("training", epochs=2)
    press(qtbot, window, Qt.Key.Key_S)
    assert load_config(saved).training.epochs == 2
    window.state.update("training", epochs=5)
    press(qtbot, window, Qt.Key.Key_O)
    assert window.state.config.training.epochs == 2

    # Ctrl+R starts a run (a fake worker that trains until asked to stop); Ctrl+. stops it.
    qtbot.waitUntil(window.ready, timeout=10000)
    train = window.train_page
    train.supervisor.worker_command = fake_worker("stoppable")
    press(qtbot, window, Qt.Key.Key_R)
    assert window.current_page() == "train" and train.is_running
    qtbot.waitUntil(lambda: train.state == "running", timeout=10000)
    with qtbot.waitSignal(train.run_completed, timeout=10000):
        press(qtbot, window, Qt.Key.Key_Period)
    assert train.state == "cancelled"
    assert train.supervisor.wait(5000)

    # Ctrl+N: a new run from the demo config, on the Data step.
    window.show_page("method")
    press(qtbot, window, Qt.Key.Key_N)
    assert window.state.config == demo_config()
    assert window.current_page() == "data"

    # Ctrl+Q closes the window.
    press(qtbot, window, Qt.Key.Key_Q)
    assert not window.isVisible()


def test_start_when_not_ready_shows_the_step_to_fix(qtbot, window, tmp_path):
    window.steps["data"].set_file(str(tmp_path / "missing.jsonl"))
    window.show_page("hyperparameters")
    window.start_action.trigger()  # Run ▸ Start
    assert window.current_page() == "data"
    assert "Not ready" in window.statusBar().currentMessage()
    assert "train" not in window.built


def test_start_button_when_not_ready_launches_no_worker(qtbot, window, tmp_path, spawned):
    window.steps["data"].set_file(str(tmp_path / "missing.jsonl"))
    window.sidebar.select("train")
    train = window.train_page
    assert train.readiness_label.isVisible() and "Choose a training file." in train.readiness_label.text()
    assert train.phase_label.text() == "Not ready to train."
    assert "Not ready" in train.start_button.toolTip()
    qtbot.mouseClick(train.start_button, Qt.MouseButton.LeftButton)
    assert spawned == []
    assert train.state == "idle" and not train.is_running
    assert window.current_page() == "data"  # where to fix it, as the menu's Start shows
    assert window.statusBar().currentMessage() == "Not ready: Choose a training file."


def test_start_button_when_ready_starts_one_run(qtbot, window, spawned):
    qtbot.waitUntil(window.ready, timeout=10000)
    window.sidebar.select("train")
    train = window.train_page
    assert train.readiness_label.isHidden() and train.phase_label.text() == "Ready to train."
    qtbot.mouseClick(train.start_button, Qt.MouseButton.LeftButton)
    assert len(spawned) == 1 and spawned[0][0] == "train" and spawned[0][1].endswith("run.yaml")
    assert train.state == "starting" and not train.start_button.isEnabled()


def test_settings_persist(qtbot, tmp_path, data_file):
    settings_path = tmp_path / "persist.ini"
    first = MainWindow(config_with_data(data_file), settings=open_settings(settings_path))
    qtbot.addWidget(first)
    first.show()
    first.resize(720, 610)  # within the offscreen screen (800×800)
    first.show_page("method")
    first.close()
    second = MainWindow(config_with_data(data_file), settings=open_settings(settings_path))
    qtbot.addWidget(second)
    assert second.current_page() == "method"
    assert second.height() == 610  # the width is clamped to the window's minimum on the small offscreen screen
