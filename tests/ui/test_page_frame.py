"""Every page fits a laptop: the window can be made 1024×640 on each page, and there the page's buttons are on screen
and nothing is cut off at the right (issue #25 item 3; before, the window could not be smaller than 1159×772)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, QSize
from studio_fakes import chat_rows, config_with_data, fake_models, write_jsonl  # noqa: F401

from app.core.config import demo_config
from app.core.store import Store
from app.ui.main_window import MainWindow
from app.ui.settings import open_settings

pytestmark = pytest.mark.usefixtures("fake_models")

LAPTOP = QSize(1024, 640)
KEY_BUTTONS = {  # page → where its buttons are, from the window
    "data": lambda w: [w.steps["data"].source.choose_button, w.steps["data"].source.mix_button, w.next_button],
    "model": lambda w: [w.steps["model"].gguf_button, w.steps["model"].download_button, w.next_button],
    "method": lambda w: [w.back_button, w.next_button],
    "hyperparameters": lambda w: [w.steps["hyperparameters"].save_button, w.steps["hyperparameters"].copy_button,
                                  w.next_button],
    "train": lambda w: [w.train_page.start_button, w.train_page.stop_button],
    "runs": lambda w: [w.runs_page.refresh_button, w.runs_page.compare_button,
                       *w.runs_page.detail.buttons.values()],
    "compare": lambda w: [w.page("compare").refresh_button, w.page("compare").clear_button],
    "evaluate": lambda w: [w.page("evaluate").eval_button, w.page("evaluate").cancel_button],
    "queue": lambda w: [w.page("queue").add_sweep_button, w.page("queue").cancel_item_button,
                        w.page("queue").run_button, w.page("queue").stop_button],
    "chat": lambda w: [w.page("chat").send_button, w.page("chat").stop_button, w.page("chat").clear_button],
    "export": lambda w: [w.page("export").export_button, w.page("export").cancel_button],
}


@pytest.fixture(scope="module", autouse=True)
def two_runs():
    """Runs in the store, so the Runs, Compare, Evaluate, Chat and Export pages show them (long names too)."""
    store = Store()
    for i, name in enumerate(("a run with quite a long name to see that it does not widen the page", "beta")):
        run_id = f"2025010{i}-000000-000{i}"
        store.create_run(run_id, name=name, config_yaml=demo_config().to_yaml(), model="demo", method="lora",
                         stage="sft", started=1000.0, finished=1060.0, last_step=20, trainable_params=1000)
        for step in range(1, 21):
            store.add_metrics(run_id, step, {"loss": 3.0 - step * 0.1, "learning_rate": 2e-4})
        store.update_run(run_id, status="completed", final_loss=1.0)


@pytest.fixture
def window(qtbot, tmp_path):
    win = MainWindow(config_with_data(write_jsonl(tmp_path / "chat.jsonl", chat_rows(6))),
                     settings=open_settings(tmp_path / "gui.ini"))
    qtbot.addWidget(win)
    win.show()
    return win


def on_screen(window, widget) -> bool:
    """Whether all of `widget` shows: in the window, and inside the part of its page's frame that is scrolled to."""
    frame = window.stack.currentWidget()
    where = QRect(widget.mapTo(window, widget.rect().topLeft()), widget.size())
    seen = QRect(frame.viewport().mapTo(window, frame.viewport().rect().topLeft()), frame.viewport().size())
    in_frame = frame.isAncestorOf(widget)
    return widget.isVisible() and window.rect().contains(where) and (not in_frame or seen.contains(where))


@pytest.mark.parametrize("key", list(KEY_BUTTONS))
def test_each_page_fits_1024_by_640_with_its_buttons_on_screen(qtbot, window, key):
    window.show_page(key)
    hint = window.minimumSizeHint()
    assert hint.width() <= LAPTOP.width() and hint.height() <= LAPTOP.height(), f"{key}: {hint}"
    window.resize(LAPTOP)
    qtbot.waitUntil(lambda: window.size() == LAPTOP, timeout=2000)
    frame = window.stack.currentWidget()
    assert frame.widget() is window.page(key)
    assert not frame.horizontalScrollBar().isVisible(), f"{key} is cut off at the right"
    assert frame.widget().width() <= frame.viewport().width()
    for button in KEY_BUTTONS[key](window):
        assert on_screen(window, button), f"{key}: '{button.text()}' is not on screen"


def test_a_page_taller_than_the_window_scrolls_instead_of_growing_it(qtbot, window):
    window.show_page("export")
    window.resize(LAPTOP.width(), 420)
    qtbot.waitUntil(lambda: window.height() == 420, timeout=2000)
    frame = window.stack.currentWidget()
    page = frame.widget()
    qtbot.waitUntil(frame.verticalScrollBar().isVisible, timeout=2000)
    assert page.height() >= page.minimumSizeHint().height() > frame.viewport().height()
    assert page.width() == frame.viewport().width()  # the bar took its width from the page, no bar across
    bottom = page.report  # the parity report, below the fold
    assert not on_screen(window, bottom)
    frame.ensureWidgetVisible(bottom)
    assert frame.verticalScrollBar().value() > 0


def test_a_page_that_fits_fills_its_frame_without_scroll_bars(qtbot, window):
    window.show_page("queue")
    window.resize(LAPTOP)
    qtbot.waitUntil(lambda: window.size() == LAPTOP, timeout=2000)
    frame = window.stack.currentWidget()
    assert frame.widget().size() == frame.viewport().size()
    assert not frame.verticalScrollBar().isVisible() and not frame.horizontalScrollBar().isVisible()
