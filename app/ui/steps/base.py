"""What every step page shares: a title and a line of help, the state it edits, validity, background tasks."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QSettings, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.ui.settings import open_settings
from app.ui.state import StudioState
from app.ui.tasks import TaskGroup


def page_layout(page: QWidget, title: str, help_text: str) -> QVBoxLayout:
    """The layout every page starts with: its title and a line of help, with the app's margins."""
    layout = QVBoxLayout(page)
    layout.setContentsMargins(24, 18, 24, 18)
    layout.setSpacing(12)
    heading = QLabel(title)
    heading.setObjectName("pageTitle")
    helptext = QLabel(help_text)
    helptext.setObjectName("pageHelp")
    helptext.setWordWrap(True)
    layout.addWidget(heading)
    layout.addWidget(helptext)
    return layout


class StepPage(QWidget):
    """A step: `validity_changed(bool)` whenever `is_valid()` may have changed."""

    key = ""
    title = ""
    help = ""
    validity_changed = Signal(bool)

    def __init__(self, state: StudioState, settings: QSettings | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.state = state
        self.settings = settings or open_settings()
        self.tasks = TaskGroup(self)
        # each step marks its title and help with QT_TRANSLATE_NOOP under its own class name
        self.title = QCoreApplication.translate(type(self).__name__, type(self).title)
        self.help = QCoreApplication.translate(type(self).__name__, type(self).help)
        self.layout_ = page_layout(self, self.title, self.help)

    def begin(self) -> None:
        """Start the page's background work (reading the data file, describing the model).

        Called once the window is on screen, so start-up never waits for it.
        """

    def is_valid(self) -> bool:
        raise NotImplementedError

    def problem(self) -> str:
        """Why the step is not valid yet (empty when it is)."""
        return ""

    def shutdown(self) -> None:
        """Stop background work and wait for it (the window is closing)."""
        self.tasks.shutdown()
