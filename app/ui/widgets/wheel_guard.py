"""The mouse wheel changes a spin box, combo box or slider only when it has the keyboard focus (issue #25 item 4).

Without this, scrolling a page with the wheel changed whichever value passed under the pointer (the LR schedule went
from cosine to constant_with_warmup while the user scrolled Hyperparameters). Installed once on the application, it
covers every such widget, the generated forms' and the pages' own: each is given the strong focus policy (a click or
Tab focuses it, the wheel does not), and a wheel event over one without focus is handed on to the widgets around it,
so the page scrolls instead.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QSlider

GUARDED = (QAbstractSpinBox, QComboBox, QSlider)  # not QAbstractSlider: scroll bars take the wheel without focus


class WheelGuard(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        kind = event.type()
        if kind == QEvent.Type.Polish and isinstance(watched, GUARDED):
            if watched.focusPolicy() == Qt.FocusPolicy.WheelFocus:
                watched.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        elif kind == QEvent.Type.Wheel and isinstance(watched, GUARDED) and not watched.hasFocus():
            event.ignore()  # ignored: Qt offers it to the parent next (the scroll area around the page)
            return True
        return False


def install_wheel_guard(app: QCoreApplication) -> None:
    """Guard every widget of `app` (once; later calls do nothing)."""
    if app.findChild(WheelGuard) is None:
        app.installEventFilter(WheelGuard(app))
