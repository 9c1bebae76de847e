"""The whole flow by clicks and typing, with REAL worker processes on a tiny random Llama.

data → model → method → hyperparameters → Start training → the plots get points → Stop → the run is listed as
cancelled on the Runs page → Resume it there → it continues from its checkpoint and completes → clone it → 3 steps →
Start training → it completes → the Runs page shows both completed. Every step is a click on a visible widget or
typing into one (the file dialog answers with the data file).
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from studio_fakes import chat_rows, write_jsonl

from app.ui.main_window import MainWindow
from app.ui.settings import open_settings
from app.ui.widgets.runs_table import RUN_ID_ROLE
from app.ui.widgets.sidebar import KEY_ROLE

# A 2-core CI box: a worker imports torch/transformers/TRL (~10 s), then each step of the tiny model ~0.5-1 s.
WORKER_START_MS = 120_000
TASK_MS = 60_000


def type_into(qtbot, widget, text: str) -> None:
    """Select what the editor holds and type over it, as a user would."""
    widget.setFocus()
    widget.selectAll()
    qtbot.keyClicks(widget, text)


def set_spin(qtbot, form, section: str, name: str, value: int) -> None:
    type_into(qtbot, form.editor(section, name).inner, str(value))
    assert form.editor(section, name).value() == value, name
    assert not form.error_text(section, name)


def click(qtbot, widget) -> None:
    assert widget.isVisible() and widget.isEnabled(), widget
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def click_sidebar(qtbot, window, key: str) -> None:
    sidebar = window.sidebar
    item = next(sidebar.item(row) for row in range(sidebar.count()) if sidebar.item(row).data(KEY_ROLE) == key)
    qtbot.mouseClick(sidebar.viewport(), Qt.MouseButton.LeftButton, pos=sidebar.visualItemRect(item).center())
    assert window.current_page() == key


def click_run(qtbot, window, run_id: str) -> None:
    """Click the run's row on the Runs page."""
    page = window.runs_page
    index = next(page.proxy.index(row, 0) for row in range(page.proxy.rowCount())
                 if page.proxy.index(row, 0).data(RUN_ID_ROLE) == run_id)
    page.table.scrollTo(index)
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=page.table.visualRect(index).center())
    assert [i.data(RUN_ID_ROLE) for i in page.table.selectionModel().selectedRows()] == [run_id]


def start_and_wait(qtbot, window) -> dict:
    """From the Hyperparameters step: click "Start training →", which starts the run and shows the Train page; wait
    for the worker's `run_started` and return it. A worker that fails before training ends the wait at once, with
    its error.
    """
    assert window.current_page() == "hyperparameters"
    assert window.next_button.text() == "Start training →"
    supervisor = window.train_page.supervisor
    seen: list[tuple[str, dict]] = []
    on_started = lambda event: seen.append(("started", event))  # noqa: E731
    on_finished = lambda event: seen.append(("finished", event))  # noqa: E731
    supervisor.run_started.connect(on_started)
    supervisor.run_finished.connect(on_finished)
    try:
        click(qtbot, window.next_button)
        assert window.current_page() == "train" and window.train_page.is_running  # no second click on Start
        qtbot.waitUntil(lambda: bool(seen), timeout=WORKER_START_MS)
    finally:
        supervisor.run_started.disconnect(on_started)
        supervisor.run_finished.disconnect(on_finished)
    kind, event = seen[0]
    assert kind == "started", f"the run ended before training: {event.get('error')}"
    return event


def runs_row(window, run_id: str) -> dict[str, str]:
    """The Runs table's cells for a run, by column title."""
    page = window.runs_page
    proxy = page.proxy
    for row in range(proxy.rowCount()):
        if proxy.index(row, 0).data(RUN_ID_ROLE) == run_id:
            titles = [proxy.headerData(c, Qt.Orientation.Horizontal) for c in range(proxy.columnCount())]
            return {title: proxy.index(row, c).data() for c, title in enumerate(titles)}
    raise AssertionError(f"run {run_id} is not on the Runs page")


@pytest.fixture
def window(qtbot, tmp_path):
    win = MainWindow(settings=open_settings(tmp_path / "gui.ini"))
    qtbot.addWidget(win)
    win.show()
    yield win
    # a failing test must not leave a worker training or a QThread running
    if "train" in win.built and win.train_page.is_running:
        win.train_page.force_stop()
        win.train_page.supervisor.wait(10_000)
    win.shutdown()


def test_data_to_trained_run_by_clicks(qtbot, window, tmp_path, tiny_model_dir, monkeypatch):
    data_file = write_jsonl(tmp_path / "chat.jsonl", chat_rows(24))
    monkeypatch.setattr("app.ui.steps.data_source.QFileDialog.getOpenFileName", lambda *a: (str(data_file), ""))

    # Data: Choose file… (the dialog answers with the file); wait for the background inspection.
    data = window.steps["data"]
    click_sidebar(qtbot, window, "data")
    click(qtbot, data.source.choose_button)
    assert window.state.config.data.train == str(data_file)
    qtbot.waitUntil(lambda: data.report is not None and not data.tasks.is_running("inspect"), timeout=TASK_MS)
    assert data.report.rows == 24 and data.report.valid_rows == 24
    assert data.table.rowCount() > 0 and "24 rows" in data.summary.text()
    assert data.is_valid()

    # Model: type the tiny model's folder as the source, press Enter, wait for it to be described.
    click(qtbot, window.next_button)
    model = window.steps["model"]
    assert window.current_page() == "model"
    type_into(qtbot, model.source_edit, str(tiny_model_dir))
    qtbot.keyClick(model.source_edit, Qt.Key.Key_Return)
    assert window.state.config.model.source == str(tiny_model_dir)
    qtbot.waitUntil(model.is_valid, timeout=TASK_MS)
    assert model.info_labels["num_layers"].text() == "2"
    assert model.status.text().startswith("Ready")

    # Method: click a card, then the LoRA card.
    click(qtbot, window.next_button)
    method = window.steps["method"]
    assert window.current_page() == "method"
    qtbot.mouseClick(method.cards["dora"], Qt.MouseButton.LeftButton)
    assert window.state.config.method.name == "dora"
    qtbot.mouseClick(method.cards["lora"], Qt.MouseButton.LeftButton)
    assert window.state.config.method.name == "lora"
    assert method.cards["lora"].radio.isChecked() and "Trains" in method.cards["lora"].trainable.text()

    # Hyperparameters: type into the generated form (save_steps is in the Advanced part).
    click(qtbot, window.next_button)
    hp = window.steps["hyperparameters"]
    assert window.current_page() == "hyperparameters"
    set_spin(qtbot, hp.form, "training", "max_steps", 12)
    set_spin(qtbot, hp.form, "training", "batch_size", 4)
    set_spin(qtbot, hp.form, "training", "max_length", 96)
    if not hp.form.advanced.is_expanded():
        qtbot.mouseClick(hp.form.advanced.button, Qt.MouseButton.LeftButton)
    set_spin(qtbot, hp.form, "training", "save_steps", 100)
    merged = hp.form.editor("export", "merged").inner  # no merged export after training: seconds off this test
    merged.setFocus()
    qtbot.keyClick(merged, Qt.Key.Key_Space)
    assert window.state.config.export.merged is False and window.state.config.export.adapter is True
    training = window.state.config.training
    assert (training.max_steps, training.batch_size, training.max_length, training.save_steps) == (12, 4, 96, 100)
    qtbot.waitUntil(window.ready, timeout=TASK_MS)
    assert all(window.sidebar.is_done(key) for key in ("data", "model", "method", "hyperparameters", "train"))

    # Start training → the worker starts, the plots get points → Stop → cancelled.
    train = window.train_page
    states: list[str] = []
    train.run_state_changed.connect(states.append)
    started = start_and_wait(qtbot, window)
    assert window.current_page() == "train"
    first_run = started["run_id"]
    assert started["total_steps"] == 12 and train.state == "running"
    qtbot.waitUntil(lambda: train.plots.point_count("loss") > 0, timeout=TASK_MS)
    assert train.plots.point_count("loss") > 0 and train.progress.value() >= 1
    with qtbot.waitSignal(train.run_completed, timeout=WORKER_START_MS) as ended:
        click(qtbot, train.stop_button)
    assert ended.args == [first_run]
    assert train.state == "cancelled" and states[-1] == "cancelled" and "stopping" in states
    assert f"Run {first_run}: cancelled" == window.run_label.text()
    stopped_at = train.progress.value()
    assert stopped_at < 12

    # Runs: the run is listed as cancelled; Resume continues it from its checkpoint to the end.
    click_sidebar(qtbot, window, "runs")
    runs = window.runs_page
    assert runs_row(window, first_run)["Status"] == "cancelled"
    click_run(qtbot, window, first_run)
    resumed: list[dict] = []
    train.supervisor.run_started.connect(resumed.append)
    with qtbot.waitSignal(train.run_completed, timeout=2 * WORKER_START_MS) as ended:
        qtbot.mouseClick(runs.detail.buttons["resume"], Qt.MouseButton.LeftButton)
    train.supervisor.run_started.disconnect(resumed.append)
    assert ended.args == [first_run] and train.state == "completed", train.error_box.error.text()
    assert resumed and resumed[0]["run_id"] == first_run and resumed[0]["start_step"] == stopped_at
    assert train.progress.value() == 12
    click_sidebar(qtbot, window, "runs")
    assert runs_row(window, first_run)["Status"] == "completed"

    # Clone it into the steps.
    click_run(qtbot, window, first_run)
    with qtbot.waitSignal(runs.clone_requested, timeout=5000) as cloned:
        qtbot.mouseClick(runs.detail.buttons["clone"], Qt.MouseButton.LeftButton)
    assert cloned.args[0].training.max_steps == 12
    assert window.current_page() == "data"
    assert window.state.config.model.source == str(tiny_model_dir)
    assert window.state.config.data.train == str(data_file)
    assert hp.form.editor("training", "max_steps").value() == 12  # the steps show the clone
    assert hp.form.editor("training", "batch_size").value() == 4
    qtbot.waitUntil(window.ready, timeout=TASK_MS)  # the clone is read and described again

    # 3 steps this time → Start training → completed.
    click_sidebar(qtbot, window, "hyperparameters")
    set_spin(qtbot, hp.form, "training", "max_steps", 3)
    assert window.state.config.training.max_steps == 3
    with qtbot.waitSignal(train.run_completed, timeout=2 * WORKER_START_MS) as ended:
        started = start_and_wait(qtbot, window)
        second_run = started["run_id"]
        assert second_run != first_run and started["total_steps"] == 3
    assert ended.args == [second_run]
    assert train.state == "completed", train.error_box.error.text()
    assert train.progress.value() == 3 and train.progress.maximum() == 3  # steps, not the export's stages
    assert train.phase_label.text() == "Training complete" and train.plots.point_count("loss") > 0

    click_sidebar(qtbot, window, "runs")
    assert runs_row(window, second_run)["Status"] == "completed"
    assert runs_row(window, first_run)["Status"] == "completed"
    assert not train.is_running
