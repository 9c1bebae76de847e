"""Run one core function in a QThread and hand its progress and result back to the GUI thread as signals.

Core functions take a `progress(done, total, message="")` callable and a `StopFlag`; they know nothing of Qt.
This is the thin adapter: signals are emitted from the worker thread and reach GUI-thread slots through queued connections;
progress is throttled so a fast loop cannot flood the event loop.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal

from app.core.events import StopFlag

log = logging.getLogger(__name__)

PROGRESS_INTERVAL_S = 0.05


class Task(QThread):
    """`fn(progress, stop)` runs in the thread; `succeeded(result)` or `failed(exception)` follows."""

    progressed = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(object)

    def __init__(self, fn: Callable[[Callable[..., None], StopFlag], Any], parent: QObject | None = None):
        super().__init__(parent)
        self._fn = fn
        self.stop_flag = StopFlag()
        self._last_report = 0.0

    def _progress(self, done: int, total: int | None, message: str = "") -> None:
        total = int(total or 0)
        now = time.monotonic()
        if (total and done >= total) or now - self._last_report >= PROGRESS_INTERVAL_S:
            self._last_report = now
            self.progressed.emit(int(done), total, message)

    def run(self) -> None:
        try:
            result = self._fn(self._progress, self.stop_flag)
        except Exception as exc:  # noqa: BLE001 - every failure goes back to the GUI, shown in place
            log.debug("task failed", exc_info=True)
            self.failed.emit(exc)
        else:
            self.succeeded.emit(result)


class TaskGroup(QObject):
    """The background tasks of one page. Results of a task superseded by a newer one of the same name are dropped.

    `shutdown()` asks every task to stop and waits for them, so no thread outlives its page.
    """

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._running: set[Task] = set()
        self._latest: dict[str, Task] = {}

    def start(self, name: str, fn, *, done: Callable[[Any], None], error: Callable[[Exception], None],
              progress: Callable[[int, int, str], None] | None = None) -> Task:
        previous = self._latest.get(name)
        if previous is not None:
            previous.stop_flag.set()
        task = Task(fn, self)
        self._latest[name] = task
        self._running.add(task)

        def current() -> bool:
            return self._latest.get(name) is task

        def settle(handler, value) -> None:
            if current():
                del self._latest[name]  # no longer running when the handler asks
                handler(value)

        task.succeeded.connect(lambda result: settle(done, result))
        task.failed.connect(lambda exc: settle(error, exc))
        if progress is not None:
            task.progressed.connect(lambda d, t, m: current() and progress(d, t, m))
        task.finished.connect(lambda: self._finished(task))
        task.start()
        return task

    def _finished(self, task: Task) -> None:
        self._running.discard(task)
        task.deleteLater()

    def cancel(self, name: str) -> None:
        task = self._latest.pop(name, None)
        if task is not None:
            task.stop_flag.set()

    def is_running(self, name: str) -> bool:
        return name in self._latest

    def shutdown(self, timeout_ms: int = 30000) -> None:
        for task in list(self._running):
            task.stop_flag.set()
        for task in list(self._running):
            task.wait(timeout_ms)
