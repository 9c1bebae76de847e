"""Open one page alone with sample state (the demo preset): `python -m app.ui.steps.data` and friends."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from PySide6.QtWidgets import QApplication, QWidget

from app.core.config import demo_config
from app.ui.state import StudioState
from app.ui.widgets.input_rules import install_input_rules


def preview(factory: Callable[[StudioState], QWidget]) -> int:
    logging.basicConfig(level=logging.INFO)
    app = QApplication.instance() or QApplication(sys.argv)
    from app.ui.app import apply_style

    apply_style(app)
    install_input_rules(app)
    state = StudioState(demo_config())
    page = factory(state)
    page.resize(1100, 760)
    page.show()
    if hasattr(page, "begin"):
        page.begin()
    code = app.exec()
    if hasattr(page, "shutdown"):
        page.shutdown()
    return code
