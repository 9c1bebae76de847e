"""The sidebar's marks: a step's check (done) or circle (not yet) is never a page's own icon (issue #25 item 10)."""

from __future__ import annotations

from app.core.paths import RESOURCES
from app.ui.main_window import PAGES
from app.ui.widgets.sidebar import MARKS


def test_no_page_has_a_step_mark_for_its_icon():
    icons = [name for _key, _title, name in PAGES]
    assert not set(icons) & set(MARKS.values())
    marks = {(RESOURCES / "icons" / f"{name}.svg").read_text() for name in MARKS.values()}
    assert all((RESOURCES / "icons" / f"{name}.svg").read_text() not in marks for name in icons)  # nor a copy
