"""Qt test setup: no QThread may outlive the test that started it; no modal message box may block a test; a fake
worker for the run supervisor."""

from __future__ import annotations

import gc
import sys
import time
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QThread
from PySide6.QtWidgets import QMessageBox

FAKE_WORKER = Path(__file__).with_name("fake_worker.py")


def _running_threads() -> list[QThread]:
    return [obj for obj in gc.get_objects() if isinstance(obj, QThread) and shiboken6.isValid(obj) and obj.isRunning()]


@pytest.fixture(autouse=True)
def no_leaked_qthreads():
    """Fail the test if a QThread it started is still running shortly after it ends."""
    yield
    deadline = time.monotonic() + 1.0
    while (running := _running_threads()) and time.monotonic() < deadline:
        time.sleep(0.02)
    if running:
        for thread in running:  # do not let them crash the interpreter at exit
            thread.quit()
            thread.wait(5000)
        pytest.fail(f"test leaked running QThread(s): {running}")


@pytest.fixture(autouse=True)
def no_blocking_message_boxes(monkeypatch):
    """A static QMessageBox (warning, critical, information, question) waits for a click that never comes offscreen:
    the suite hung in such a box once. Answer it (OK, or No to a question) and fail the test with its text. Tests
    that expect a box patch QMessageBox themselves, which replaces this."""
    shown: list[str] = []

    def answering(kind: str, answer: QMessageBox.StandardButton):
        def show(parent, title, text, *args, **kwargs):
            shown.append(f"{kind} '{title}': {text}")
            return answer
        return staticmethod(show)

    ok, no = QMessageBox.StandardButton.Ok, QMessageBox.StandardButton.No
    for kind, answer in (("warning", ok), ("critical", ok), ("information", ok), ("question", no)):
        monkeypatch.setattr(QMessageBox, kind, answering(kind, answer))
    yield
    if shown:
        pytest.fail("a modal message box would have blocked the window: " + " | ".join(shown))


@pytest.fixture
def fake_worker():
    """`fake_worker("crash", "--steps", "5")`: the command prefix that makes a RunSupervisor run the fake worker."""

    def command(behaviour: str, *extra: str) -> list[str]:
        return [sys.executable, str(FAKE_WORKER), "--behaviour", behaviour, *extra]

    return command
