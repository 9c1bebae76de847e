"""The Chat page with a fake model process: side by side streaming, Stop, Clear, and no process left behind."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from app.ui.pages.chat import ChatPage

FAKE = [sys.executable, str(Path(__file__).with_name("fake_chat_worker.py"))]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (ended, not yet reaped) counts as ended
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


@pytest.fixture
def page(qtbot, tmp_path, monkeypatch):
    # an empty run history: with runs in it, the pickers default to the newest run instead of the demo model
    monkeypatch.setenv("FINETUNE_STUDIO_HOME", str(tmp_path))
    page = ChatPage(worker_command=FAKE)
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    page.side_by_side.setChecked(True)
    yield page
    page.shutdown()


def test_side_by_side_streams_both_answers_then_stop_clear_close(page, qtbot):
    page.prompt.setPlainText("Name a planet")
    page.send()
    base, tuned = page.base_column, page.tuned_column
    assert not page.send_button.isEnabled() and page.stop_button.isEnabled()
    qtbot.waitUntil(lambda: not page.is_answering(), timeout=5000)
    assert "demo says: Name a planet" in base.text() and "demo says: Name a planet" in tuned.text()
    for column in (base, tuned):
        assert "tokens/s" in column.status.text() and "123 MB" in column.status.text()
    assert page.send_button.isEnabled() and not page.stop_button.isEnabled()
    pids = [base.worker.pid(), tuned.worker.pid()]

    page.prompt.setPlainText("Write something long")  # the same processes answer again: no reload
    page.send()
    qtbot.waitUntil(lambda: "word3" in tuned.text(), timeout=5000)
    page.stop()
    qtbot.waitUntil(lambda: not page.is_answering(), timeout=3000)
    assert "[stopped]" in tuned.text() and "word399" not in tuned.text()
    assert [base.worker.pid(), tuned.worker.pid()] == pids

    page.clear()
    assert "planet" not in base.text() and "planet" not in tuned.text() and tuned.messages == []

    page.close()
    assert all(not alive(pid) for pid in pids)
