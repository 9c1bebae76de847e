"""Coalescing a worker's events between two hand-overs to the GUI thread, so a fast trainer cannot flood it.

Pure Python (no Qt): the runner's thread adds events as they arrive and takes the batch every flush interval.
"""

from __future__ import annotations

_SIGNALS = {"started": "run_started", "sample": "sample_received", "checkpoint": "checkpoint_saved",
            "artifact": "artifact_saved", "warning": "warning_raised", "finished": "run_finished"}


class EventBatch:
    """What arrived since the last hand-over, in order, with metrics, progress, phase and log lines coalesced."""

    def __init__(self) -> None:
        self.items: list[tuple[str, object]] = []
        self._metrics: list[dict] = []
        self._progress: dict | None = None
        self._phase: dict | None = None
        self._logs: list[str] = []

    def add_event(self, event: dict) -> None:
        name = event["event"]
        if name == "metrics":
            self._metrics.append(event)
        elif name == "progress":
            self._progress = event
        elif name == "phase":
            self._phase = event
        else:
            self._settle()
            self.items.append((_SIGNALS[name], event))

    def add_log(self, line: str) -> None:
        self._logs.append(line)

    def _settle(self) -> None:
        if self._phase is not None:
            self.items.append(("phase_changed", self._phase))
        if self._metrics:
            self.items.append(("metrics_received", self._metrics))
        if self._progress is not None:
            self.items.append(("progress_changed", self._progress))
        if self._logs:
            self.items.append(("log_received", "\n".join(self._logs)))
        self._metrics, self._progress, self._phase, self._logs = [], None, None, []

    def take(self) -> list[tuple[str, object]]:
        self._settle()
        items, self.items = self.items, []
        return items
