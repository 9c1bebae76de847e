"""Keyboard only: every page has a shortcut, Help lists the shortcuts and links the docs, Tab follows the screen and
leaves lists and tables (issue #25 item 7)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import QApplication
from studio_fakes import active_window, fake_models  # noqa: F401

from app.core.paths import PROJECT_ROOT
from app.ui.widgets.shortcuts_dialog import plain

pytestmark = pytest.mark.usefixtures("fake_models")


@pytest.fixture
def window(qtbot, tmp_path):
    return active_window(qtbot, tmp_path, (1280, 800))


def press(qtbot, window, sequence: QKeySequence) -> None:
    """`sequence` as the user types it, on the focused widget."""
    combination = sequence[0]
    qtbot.keyClick(QApplication.focusWidget() or window, combination.key(), combination.keyboardModifiers())


def tab(qtbot, widget) -> QApplication:
    widget.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(widget.hasFocus, timeout=2000)
    qtbot.keyClick(widget, Qt.Key.Key_Tab)
    return QApplication.focusWidget()


def test_every_page_has_a_shortcut_in_the_go_menu(qtbot, window):
    keys = window.sidebar.keys()
    assert set(window.go_actions) == set(keys)
    shortcuts = [window.go_actions[key].shortcut() for key in keys]
    assert all(not s.isEmpty() for s in shortcuts) and len(set(shortcuts)) == len(keys)
    window.show_page("export")
    for key in keys:
        press(qtbot, window, window.go_actions[key].shortcut())
        assert window.current_page() == key, window.go_actions[key].shortcut().toString()
    assert [window.go_actions[k].shortcut().toString() for k in ("data", "train", "evaluate", "queue", "export")] \
        == ["Ctrl+1", "Ctrl+5", "Alt+3", "Alt+4", "Alt+6"]


def test_the_shortcuts_dialog_lists_every_action_that_has_a_shortcut(qtbot, window):
    press(qtbot, window, QKeySequence("F1"))
    dialog = window.shortcuts_dialog
    assert dialog.isVisible()
    listed = {(command, keys) for _menu, command, keys in dialog.rows()}
    with_shortcuts = [a for a in window.findChildren(QAction) if not a.shortcut().isEmpty()]
    assert len(with_shortcuts) >= 11 + 7  # the pages, File, Run and Help
    for action in with_shortcuts:
        keys = ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts())
        assert (plain(action.text()), keys) in listed
    assert ("Help", "Keyboard shortcuts", "F1, Ctrl+/") in dialog.rows()
    assert ("Go", "Evaluate", "Alt+3") in dialog.rows() and ("Run", "Start", "Ctrl+R") in dialog.rows()
    dialog.close()
    press(qtbot, window, QKeySequence("Ctrl+/"))  # the second shortcut opens it too
    assert window.shortcuts_dialog.isVisible()
    window.shortcuts_dialog.close()


def test_help_opens_the_docs(qtbot, window, monkeypatch):
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    for action in window.docs_actions:
        assert action.isEnabled()
        action.trigger()
    assert opened == [str(PROJECT_ROOT / "README.md"), str(PROJECT_ROOT / "docs")]


def test_tab_leaves_the_compare_run_list_for_the_next_field(qtbot, window):
    window.show_page("compare")
    page = window.page("compare")
    assert tab(qtbot, page.list) is page.clear_button  # below the list: Uncheck all


def test_tab_follows_the_screen(qtbot, window):
    data = window.steps["data"]
    # the file's columns, found once it is read (their combos show on the next pass of the event loop)
    qtbot.waitUntil(lambda: bool(data.mapping.combos) and all(c.isVisible() for c in data.mapping.combos.values()),
                    timeout=10000)
    assert tab(qtbot, data.format_combo) is next(iter(data.mapping.combos.values()))  # made later, shown next
    assert tab(qtbot, data.table) is window.next_button  # the table does not hold Tab

    window.show_page("hyperparameters")
    form = window.steps["hyperparameters"].form
    name, epochs = form.editor(None, "name").inner, form.editor("training", "epochs").inner
    below_name = form.editor("evaluation", "eval_steps").inner
    left = lambda widget: widget.mapTo(window, widget.rect().topLeft()).x()  # noqa: E731
    assert max(left(name), left(below_name)) < left(epochs)  # Run and Evaluation on the left, Training on the right
    assert tab(qtbot, name) is below_name  # down the left column first (it went across to Training)
    processes = form.editor("distributed", "processes").inner  # Devices, below Training (no GPU here to tick)
    assert tab(qtbot, form.editor("training", "max_length").inner) is processes
    assert tab(qtbot, processes) is form.advanced.button
    assert form.advanced.body.isAncestorOf(tab(qtbot, form.advanced.button))

    window.show_page("chat")
    chat = window.page("chat")
    assert tab(qtbot, chat.prompt) is chat.send_button
