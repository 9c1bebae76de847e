"""What every step page shares: a title and a line of help, the state it edits, validity, background tasks."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.ui.settings import open_settings
from app.ui.state import StudioState
from app.ui.tasks import TaskGroup


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
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(24, 18, 24, 18)
        self.layout_.setSpacing(12)
        heading = QLabel(self.title)
        heading.setObjectName("pageTitle")
        helptext = QLabel(self.help)
        helptext.setObjectName("pageHelp")
        helptext.setWordWrap(True)
        self.layout_.addWidget(heading)
        self.layout_.addWidget(helptext)

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
