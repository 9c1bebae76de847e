"""Rules for the mouse wheel and the Tab key that every widget of the app follows (issue #25 items 4 and 7).

Installed once on the application (MainWindow does it before any page is built; so do the page previews), one event
filter covers every widget, the generated forms' and the pages' own, including those written later:
- The wheel changes a spin box, combo box or slider only when it has the keyboard focus. Without this, scrolling a
  page changed whichever value passed under the pointer (the LR schedule went from cosine to constant_with_warmup
  while the user scrolled Hyperparameters). Each is given the strong focus policy (a click or Tab focuses it, the
  wheel does not), and a wheel event over one without focus is ignored, so Qt offers it to the scroll area around
  it and the page scrolls instead.
- Tab leaves a table or list for the next field instead of walking its cells (the arrow keys move inside it), so a
  keyboard user is not caught in the Compare page's run list.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractItemView, QAbstractSpinBox, QComboBox, QSlider, QWidget

WHEEL_NEEDS_FOCUS = (QAbstractSpinBox, QComboBox, QSlider)  # not QAbstractSlider: scroll bars take the wheel as is


class InputRules(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        kind = event.type()
        if kind == QEvent.Type.Polish:
            if isinstance(watched, WHEEL_NEEDS_FOCUS) and watched.focusPolicy() == Qt.FocusPolicy.WheelFocus:
                watched.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            elif isinstance(watched, QAbstractItemView):
                watched.setTabKeyNavigation(False)
        elif kind == QEvent.Type.Wheel and isinstance(watched, WHEEL_NEEDS_FOCUS) and not watched.hasFocus():
            event.ignore()  # ignored: Qt offers it to the parent next (the scroll area around the page)
            return True
        return False


def install_input_rules(app: QCoreApplication) -> None:
    """Apply the rules to every widget of `app` (once; later calls do nothing)."""
    if app.findChild(InputRules) is None:
        app.installEventFilter(InputRules(app))


def set_tab_order(parts: list[QWidget]) -> None:
    """Tab visits `parts` in this order: each part where it takes Tab itself, else the fields inside it, in their
    own order. For widgets made in another order than they show (Qt's Tab follows creation): the columns of a form."""
    window = parts[0].window()
    chain, widget = [], window.nextInFocusChain()
    while widget is not window:
        chain.append(widget)
        widget = widget.nextInFocusChain()
    stops = [w for w in chain if w.focusPolicy() & Qt.FocusPolicy.TabFocus and w.focusProxy() is None]
    ordered = [w for part in parts for w in stops if w is part or part.isAncestorOf(w)]
    for first, second in zip(ordered, ordered[1:], strict=False):
        QWidget.setTabOrder(first, second)
