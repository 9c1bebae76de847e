"""The main window: sidebar, pages, check marks, menus and shortcuts, persisted settings."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from studio_fakes import chat_rows, config_with_data, fake_models, write_jsonl  # noqa: F401

from app.core.config import demo_config, load_config
from app.core.store import Store
from app.ui.main_window import MainWindow, demo_preset
from app.ui.runner import RunSupervisor
from app.ui.settings import open_settings, save_setup, setup_path

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
    assert window.stack.currentWidget().widget() is window.steps["data"]
    assert "Data:" in window.home_label.text()
    qtbot.waitUntil(lambda: "…" not in window.device_label.text(), timeout=5000)
    assert window.device_label.text().startswith("Device: ")
    assert window.run_label.text() == "No run"
    assert window.built == {}  # Train, Runs, Chat, Export are built on first use


def test_sidebar_navigation(qtbot, window):
    for key in ("method", "hyperparameters", "model"):
        window.sidebar.select(key)
        assert window.stack.currentWidget().widget() is window.steps[key]
        assert window.footer.isVisible()
    for key in ("runs", "compare", "evaluate", "queue", "chat", "export", "train"):
        window.sidebar.select(key)
        assert window.stack.currentWidget().widget() is window.built[key]
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
    assert shortcuts == {"New from demo preset": "Ctrl+N", "Open config…": "Ctrl+O", "Save config…": "Ctrl+S",
                         "Start": "Ctrl+R", "Stop": "Ctrl+.", "Quit": "Ctrl+Q"}
    menus = [action.text().replace("&", "") for action in window.menuBar().actions()]
    assert menus[:2] == ["File", "Run"]
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)

    # Go: Ctrl+1 … Ctrl+5 open the steps (the pages' Alt+1 … Alt+6: test_keyboard.py).
    for i, key in enumerate(("data", "model", "method", "hyperparameters", "train")):
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

    # Ctrl+N: a new setup from the demo preset, on the Data step; its run is named for its data and method.
    window.show_page("method")
    press(qtbot, window, Qt.Key.Key_N)
    assert window.state.config == demo_config().model_copy(update={"name": None})
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


# ---- issue #25: keep my setup, one training at a time, run names ----

FAKE_CLI = Path(__file__).with_name("fake_cli.py")


@pytest.fixture
def own_home(tmp_path, monkeypatch):
    """A data home (run store) of this test's own: the runs it records do not reach the other tests."""
    monkeypatch.setenv("FINETUNE_STUDIO_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def open_window(qtbot, settings_path: Path, config=None) -> MainWindow:
    win = MainWindow(config, settings=open_settings(settings_path))
    qtbot.addWidget(win)
    win.show()
    return win


def test_the_last_setup_is_opened_on_the_next_start(qtbot, tmp_path, own_home):
    csv = tmp_path / "support.csv"
    csv.write_text("question,answer\nWhat is 2+2?,4\nCapital of France?,Paris\n", encoding="utf-8")
    first = open_window(qtbot, tmp_path / "gui.ini")
    assert first.state.config == demo_preset() and first.setup_problems == []  # nothing kept yet
    first.steps["data"].set_file(str(csv))
    first.state.update("data", format="alpaca", columns={"question": "instruction", "answer": "output"})
    first.state.update("method", name="dora", rank=8)
    first.state.update("training", precision="fp32", learning_rate=1e-4, epochs=2)
    first.state.update(None, name="support bot")
    edited = first.state.config
    assert edited.data.train == str(csv)
    first.close()

    second = open_window(qtbot, tmp_path / "gui.ini")
    assert second.state.config == edited and second.setup_problems == []
    assert second.steps["hyperparameters"].form.editor(None, "name").inner.text() == "support bot"

    assert second.new_button.isVisible() and second.new_button.defaultAction() is second.new_action
    qtbot.mouseClick(second.new_button, Qt.MouseButton.LeftButton)  # one click back to the demo, on any page
    assert second.state.config == demo_preset() and second.current_page() == "data"
    second.close()
    assert open_window(qtbot, tmp_path / "gui.ini").state.config == demo_preset()


def test_a_saved_setup_that_no_longer_fits_opens_what_still_does(qtbot, tmp_path, own_home, data_file):
    settings = open_settings(tmp_path / "gui.ini")
    kept = config_with_data(data_file)
    save_setup(settings, kept.model_copy(update={"training": kept.training.model_copy(update={"epochs": 3})}))
    path = setup_path(settings)
    path.write_text(path.read_text().replace("learning_rate: 0.0002", "learning_rate: 5.0"))
    data_file.unlink()  # the data file was deleted since
    win = open_window(qtbot, tmp_path / "gui.ini")
    config = win.state.config
    assert config.data.train == demo_preset().data.train and config.training.epochs == 3
    assert config.training.learning_rate == demo_preset().training.learning_rate
    assert win.setup_problems[0] == ("data.train", f"{data_file} no longer exists (its format and column mapping "
                                     "were dropped with it)")
    assert win.setup_problems[1][0] == "training.learning_rate"
    assert win.setup_problems[1][1].startswith("Input should be less than or equal to")
    qtbot.waitUntil(lambda: win.statusBar().currentMessage() == (
        "The last setup is open without data.train, training.learning_rate: they no longer fit, and take the demo "
        "preset's values."), timeout=5000)
    win.close()

    path.write_text("data: [unclosed", encoding="utf-8")
    broken = open_window(qtbot, tmp_path / "gui.ini")
    assert broken.state.config == demo_preset()
    assert broken.setup_problems == [(str(path), "cannot be read (ParserError): the demo preset is open")]


def test_start_is_off_while_the_queue_trains(qtbot, tmp_path, own_home, data_file, fake_worker):
    win = open_window(qtbot, tmp_path / "gui.ini", config_with_data(data_file))
    qtbot.waitUntil(win.ready, timeout=10000)
    win.show_page("train")
    train = win.train_page
    train.supervisor.worker_command = fake_worker("complete", "--steps", "3")
    with qtbot.waitSignal(train.run_completed, timeout=20000):
        qtbot.mouseClick(train.start_button, Qt.MouseButton.LeftButton)
    assert train.phase_label.text() == "Training complete" and train.start_button.isEnabled()

    win.show_page("queue")
    queue_page = win.page("queue")
    queue_page.program = [sys.executable, str(FAKE_CLI), "slow"]
    qtbot.mouseClick(queue_page.run_button, Qt.MouseButton.LeftButton)
    assert queue_page.is_running()
    win.show_page("train")
    assert not train.start_button.isEnabled() and not win.start_action.isEnabled()
    assert train.readiness_label.isVisible() and train.readiness_label.text().startswith(
        "Busy — The queue is training (")
    assert train.start_button.toolTip().startswith("Start is off: The queue is training (")
    assert "Run ▸ Allow parallel runs" in train.readiness_label.text()
    assert train.phase_label.text() == "Another training is in progress."  # not the last run's "Training complete"
    qtbot.waitUntil(lambda: queue_page.plots.point_count("loss") == 1, timeout=20000)
    assert "The queue is training (run 0 (1 of 2))." in train.readiness_label.text()  # named once it begins
    press(qtbot, win, Qt.Key.Key_R)  # Ctrl+R: nothing starts
    win.start_run()  # nor does the slot, should a call slip through
    assert not train.is_running and train.state == "completed"
    assert win.statusBar().currentMessage().startswith("Start is off: The queue is training (run 0 (1 of 2))")

    with qtbot.waitSignal(queue_page.queue_finished, timeout=20000):
        qtbot.mouseClick(queue_page.stop_button, Qt.MouseButton.LeftButton)
    assert train.start_button.isEnabled() and win.start_action.isEnabled()
    assert train.readiness_label.isHidden() and train.phase_label.text() == "Ready to train."
    assert train.supervisor.wait(5000)


def test_a_run_started_elsewhere_turns_start_off_until_it_ends(qtbot, tmp_path, own_home, data_file, request):
    win = open_window(qtbot, tmp_path / "gui.ini", config_with_data(data_file))
    qtbot.waitUntil(win.ready, timeout=10000)
    qtbot.waitUntil(lambda: "…" not in win.device_label.text(), timeout=5000)  # past the look for runs to follow
    win.show_page("train")
    train = win.train_page
    assert train.start_button.isEnabled()
    cli = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])  # a `finetune-studio train`
    request.addfinalizer(lambda: (cli.kill(), cli.wait()))
    store = Store()
    store.create_run("cli-run", name="from the CLI", config_yaml="", model="demo", method="lora", stage="sft",
                     pid=cli.pid)
    store.update_run("cli-run", status="running")
    qtbot.waitUntil(lambda: not train.start_button.isEnabled(), timeout=10000)
    assert f"Run “from the CLI” is training (process {cli.pid})." in train.readiness_label.text()
    assert not win.page("queue").run_button.isEnabled()

    win.parallel_action.trigger()  # Run ▸ Allow parallel runs: the user lifts the rule, and it is remembered
    assert train.start_button.isEnabled() and win.start_action.isEnabled() and win.page("queue").run_button.isEnabled()
    assert win.settings.value("runs/allow_parallel", False, bool)
    win.parallel_action.trigger()
    assert not train.start_button.isEnabled()

    store.update_run("cli-run", status="completed")
    qtbot.waitUntil(train.start_button.isEnabled, timeout=10000)  # the window looks again every few seconds
    assert win.start_action.isEnabled() and win.page("queue").run_button.isEnabled()


def test_runs_are_named_for_their_data_and_method_and_never_share_a_name(qtbot, tmp_path, own_home, data_file,
                                                                         spawned):
    win = open_window(qtbot, tmp_path / "gui.ini", config_with_data(data_file).model_copy(update={"name": None}))
    qtbot.waitUntil(win.ready, timeout=10000)
    name_edit = win.steps["hyperparameters"].form.editor(None, "name").inner
    assert name_edit.text() == "" and name_edit.placeholderText() == "automatic: chat · lora"
    win.show_page("train")
    train = win.train_page
    assert train.detail_label.text() == "Press Start to train the current configuration as “chat · lora”."
    qtbot.mouseClick(train.start_button, Qt.MouseButton.LeftButton)
    assert len(spawned) == 1 and load_config(spawned[0][1]).name == "chat · lora"
    assert win.state.config.name is None  # the next run is named afresh
    Store().create_run("r1", name="chat · lora", config_yaml="", model="demo", method="lora", stage="sft")

    win.state.update(None, name="chat · lora")  # a name a run already has: said where Start is, and suffixed
    assert ("A run named “chat · lora” exists: this one will be “chat · lora 2”." in train.readiness_label.text()
            and train.readiness_label.isVisible())
    win.state.update(None, name=None)
    assert "chat · lora 2" in train.start_button.toolTip()
