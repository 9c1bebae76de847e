"""Coalescing a worker's events between two hand-overs to the GUI thread, so a fast trainer cannot flood it.

Pure Python (no Qt): the runner's thread (or a WorkerProcess on the GUI thread) adds events as they arrive and takes
the batch every flush interval. Each item names the signal of app/ui/worker.py's WorkerSignals that carries it.
"""

from __future__ import annotations

from app.core.events import CHAT_EVENT_NAMES

_SIGNALS = {"started": "run_started", "sample": "sample_received", "checkpoint": "checkpoint_saved",
            "artifact": "artifact_saved", "warning": "warning_raised", "result": "result_received",
            "finished": "run_finished", "listening": "server_listening", "trial": "trial_finished", **dict.fromkeys(CHAT_EVENT_NAMES, "chat_event")}


class EventBatch:
    """What arrived since the last hand-over, in order, with metrics, progress, log lines and each phase name's
    messages coalesced (a queue's "Training NAME" phase survives the run's own preparation phases after it)."""

    def __init__(self) -> None:
        self.items: list[tuple[str, object]] = []
        self._metrics: list[dict] = []
        self._progress: dict | None = None
        self._phases: dict[str, dict] = {}  # the latest of each phase name, in the order they last arrived
        self._logs: list[str] = []

    def add_event(self, event: dict) -> None:
        name = event["event"]
        if name == "metrics":
            self._metrics.append(event)
        elif name == "progress":
            self._progress = event
        elif name == "phase":
            self._phases.pop(event.get("name"), None)
            self._phases[event.get("name")] = event
        else:
            self._settle()
            self.items.append((_SIGNALS[name], event))

    def add_log(self, line: str) -> None:
        self._logs.append(line)

    def _settle(self) -> None:
        self.items += [("phase_changed", phase) for phase in self._phases.values()]
        if self._metrics:
            self.items.append(("metrics_received", self._metrics))
        if self._progress is not None:
            self.items.append(("progress_changed", self._progress))
        if self._logs:
            self.items.append(("log_received", "\n".join(self._logs)))
        self._metrics, self._progress, self._phases, self._logs = [], None, {}, []

    def take(self) -> list[tuple[str, object]]:
        self._settle()
        items, self.items = self.items, []
        return items
