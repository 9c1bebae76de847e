"""The Queue page: a sweep from the current config fills the queue; reorder and remove items; run it (fake CLI);
finished runs are ranked by the chosen metric."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.core.config import demo_config
from app.core.runs import queue
from app.core.store import Store
from app.ui.pages.queue import QueuePage

FAKE_CLI = Path(__file__).with_name("fake_cli.py")


@pytest.fixture
def page(tmp_path, monkeypatch, qtbot):
    monkeypatch.setenv("FINETUNE_STUDIO_HOME", str(tmp_path / "home"))
    base = demo_config().model_copy(update={"name": "base"})
    page = QueuePage(lambda: base, program=[sys.executable, str(FAKE_CLI), "ok"])
    qtbot.addWidget(page)
    page.show()
    yield page
    page.shutdown()


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def names(page) -> list[str]:
    return [page.table.item(r, 1).text() for r in range(page.table.rowCount())]


def test_sweep_fills_the_queue_and_items_reorder_and_cancel(page, qtbot):
    page.axes["learning_rate"].setText("1e-4, 2e-4")
    page.axes["method"].setText("lora")
    click(qtbot, page.add_sweep_button)
    assert page.message.text().startswith("Queued 2 runs (sweep-")
    assert names(page) == ["base lr=0.0001 lora", "base lr=0.0002 lora"]
    page.table.selectRow(1)
    click(qtbot, page.up_button)
    assert names(page) == ["base lr=0.0002 lora", "base lr=0.0001 lora"]
    assert page.selected_item() == page.ids[0]
    click(qtbot, page.cancel_item_button)
    assert page.table.item(0, 2).text() == "cancelled"

    page.axes["rank"].setText("8, lots")
    click(qtbot, page.add_sweep_button)
    assert "'lots' is not a whole number" in page.message.text() and page.message.property("tone") == "error"


def test_run_queue_shows_progress_and_ranks_finished_runs(page, qtbot):
    store = Store()
    for name, eval_loss in (("worse", 1.5), ("better", 0.9)):
        item = queue.add(store, demo_config().model_copy(update={"name": name}))
        run_id = f"run-{name}"
        store.create_run(run_id, name=name, config_yaml="", model="demo", method="lora", stage="sft")
        store.update_run(run_id, status="completed")
        store.add_metrics(run_id, 3, {"eval_loss": eval_loss})
        store.db["queue"].update(item, {"status": "completed", "run_id": run_id})
    page.refresh()
    assert [(page.table.item(r, 1).text(), page.table.item(r, 3).text(), page.table.item(r, 4).text())
            for r in range(2)] == [("worse", "2", "1.5000"), ("better", "1", "0.9000")]
    with qtbot.waitSignal(page.queue_finished, timeout=20_000) as done:
        click(qtbot, page.run_button)
        assert not page.run_button.isEnabled()
    assert done.args == [0] and page.status.text() == "The queue is done." and page.run_button.isEnabled()


def test_the_current_runs_curves_stream_as_on_the_train_page(page, qtbot):
    """Issue #25 item 2: the runs' events that `queue run --events jsonl` relays draw the current run's curves."""
    running, current = [], []
    page.running_changed.connect(running.append)
    page.current_changed.connect(current.append)
    page.program = [sys.executable, str(FAKE_CLI), "slow"]
    click(qtbot, page.run_button)
    assert page.is_running() and running == [True]
    qtbot.waitUntil(lambda: page.plots.point_count("loss") == 1, timeout=20_000)
    assert page.live_label.text() == "Training run 0 (1 of 2) · run queued-0 · step 1 / 3"
    assert page.current() == "Training run 0 (1 of 2)" and current == ["Training run 0 (1 of 2)"]
    with qtbot.waitSignal(page.queue_finished, timeout=20_000):
        click(qtbot, page.stop_button)
    assert running == [True, False] and page.status.text() == "Stopped."

    page.program = [sys.executable, str(FAKE_CLI), "ok"]
    with qtbot.waitSignal(page.queue_finished, timeout=20_000):
        click(qtbot, page.run_button)
    assert page.plots.point_count("loss") == 3  # the second run's: each run starts its curves afresh
    assert page.live_label.text() == "The last run's curves (run 1 (2 of 2))."


def test_run_queue_is_off_while_another_training_runs(page, qtbot):
    page.set_blocked("Run “mine” is training (process 42).")
    assert not page.run_button.isEnabled() and "Run “mine” is training" in page.run_button.toolTip()
    assert page.status.text() == "Busy — Run “mine” is training (process 42)."
    page.run_queue()  # the slot refuses too
    assert not page.is_running()
    page.set_blocked("")
    assert page.run_button.isEnabled() and page.status.text() == ""


def test_a_queued_run_of_two_processes_streams_its_curves_once(tmp_path, monkeypatch, qtbot, tiny_model_dir):
    """Issue #15: Run queue on a 2-process item (the real CLI: two gloo ranks of the tiny model under `queue run`):
    rank 0's events, relayed by the queue, draw each step once; the queue ends done, the run with world size 2."""
    import json

    from app.core.config import parse_config
    from app.core.paths import PROJECT_ROOT

    monkeypatch.setenv("FINETUNE_STUDIO_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    monkeypatch.setenv("PYTHONPATH", str(PROJECT_ROOT))
    data = tmp_path / "chat.jsonl"
    data.write_text("".join(json.dumps({"messages": [{"role": "user", "content": f"Say {w}"},
                                                      {"role": "assistant", "content": w}]}) + "\n"
                            for w in ["apple", "pear", "plum", "fig"] * 4))
    config = parse_config({"name": "two", "model": {"source": str(tiny_model_dir)},
                           "data": {"train": str(data), "validation_split": 0}, "method": {"name": "lora", "rank": 4},
                           "training": {"max_steps": 4, "batch_size": 2, "precision": "fp32", "logging_steps": 1},
                           "evaluation": {"sample_prompts": []}, "export": {"merged": False},
                           "distributed": {"processes": 2}})
    queue.add(Store(), config)
    page = QueuePage(lambda: config)
    qtbot.addWidget(page)
    page.show()
    try:
        with qtbot.waitSignal(page.queue_finished, timeout=600_000) as done:
            click(qtbot, page.run_button)
    finally:
        page.shutdown()
    assert done.args == [0] and page.status.text() == "The queue is done."
    assert page.table.item(0, 2).text() == "completed"
    run = Store().get_run(queue.items(Store())[0]["run_id"])
    assert run["world_size"] == 2 and page.plots.point_count("loss") == 4  # rank 1 said nothing
