"""Qt test setup: no QThread may outlive the test that started it; a fake worker for the run supervisor."""

from __future__ import annotations

import gc
import sys
import time
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QThread

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


@pytest.fixture
def fake_worker():
    """`fake_worker("crash", "--steps", "5")`: the command prefix that makes a RunSupervisor run the fake worker."""

    def command(behaviour: str, *extra: str) -> list[str]:
        return [sys.executable, str(FAKE_WORKER), "--behaviour", behaviour, *extra]

    return command
