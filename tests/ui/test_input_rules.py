"""The wheel changes a combo box or spin box only when it has the focus; without focus the page scrolls instead
(issue #25 item 4)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QScrollArea, QWidget
from studio_fakes import active_window, fake_models  # noqa: F401

pytestmark = pytest.mark.usefixtures("fake_models")


@pytest.fixture
def window(qtbot, tmp_path):
    win = active_window(qtbot, tmp_path, (1024, 640), advanced=True)  # the LR schedule is an advanced field
    win.show_page("hyperparameters")
    return win


def wheel(widget, notches: int) -> None:
    """The wheel turned `notches` away from the user (negative: towards) over the middle of `widget`, as the system
    sends it (so Qt focuses a widget that takes focus by wheel, and offers an ignored event to its parents)."""
    window = widget.window()
    centre = widget.mapTo(window, widget.rect().center())
    assert window.childAt(centre) in (widget, *widget.findChildren(QWidget)), "the widget must be on screen"
    QTest.wheelEvent(window.windowHandle(), QPointF(centre), QPoint(0, 120 * notches))


def test_the_wheel_over_an_unfocused_combo_scrolls_the_page_and_leaves_the_value(qtbot, window):
    step = window.steps["hyperparameters"]
    combo = step.form.editor("training", "lr_scheduler").inner
    assert combo.focusPolicy() == Qt.FocusPolicy.StrongFocus  # the wheel alone never focuses it
    combo.setCurrentText("linear")  # so the wheel could move it either way
    assert window.state.config.training.lr_scheduler == "linear"
    scroll = step.findChild(QScrollArea)  # the form's own scroll area
    scroll.ensureWidgetVisible(combo)
    bar = scroll.verticalScrollBar()
    top = bar.value()
    assert top > 0, "the form must be scrolled down to the LR schedule for this test"
    step.form.editor(None, "name").inner.setFocus()
    qtbot.waitUntil(lambda: not combo.hasFocus(), timeout=2000)

    wheel(combo, +1)

    assert not combo.hasFocus()
    assert combo.currentText() == "linear" and window.state.config.training.lr_scheduler == "linear"
    assert bar.value() < top  # the wheel went on to the form, which scrolled up

    scroll.ensureWidgetVisible(combo)
    combo.setFocus()
    qtbot.waitUntil(combo.hasFocus, timeout=2000)
    wheel(combo, +1)

    assert combo.currentText() == "cosine" and window.state.config.training.lr_scheduler == "cosine"


def test_an_unfocused_spin_box_keeps_its_value(qtbot, window):
    step = window.steps["hyperparameters"]
    box = step.form.editor("training", "batch_size").inner
    before = box.value()
    step.form.editor(None, "name").inner.setFocus()
    qtbot.waitUntil(lambda: not box.hasFocus(), timeout=2000)
    scroll = step.findChild(QScrollArea)
    scroll.ensureWidgetVisible(box)
    wheel(box, +1)
    assert not box.hasFocus() and box.value() == before
    box.setFocus()
    qtbot.waitUntil(box.hasFocus, timeout=2000)
    scroll.ensureWidgetVisible(box)
    wheel(box, +1)
    assert box.value() == before + 1
