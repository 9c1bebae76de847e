"""RunContext: what long work on a run threads through it — the run, its folder, where events go, the store, the
stop flag — with the one progress and stop shape every job uses (`phase`, `step`, `warn`, `record`)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import Cancelled
from ..messages import Text

if TYPE_CHECKING:
    from ..events import EventSink, StopFlag
    from ..store import Store


@dataclass(frozen=True)
class RunContext:
    """The run a job works on and where it reports; every part may be absent (a check on a bare model in a test).

    `name` names the job's `phase` events ("export", "eval", "model"); `cancelled` is the message and hint of the
    Cancelled error `check_stop` raises."""

    run_id: str | None = None
    folder: Path | None = None
    sink: EventSink | None = None
    store: Store | None = None
    stop: StopFlag | None = None
    name: str = "export"
    cancelled: tuple[str, str] = (Text("Cancelled."), "")

    def with_(self, **changes: Any) -> RunContext:
        """A copy with some parts changed (a scratch export of a run that records nothing)."""
        return dataclasses.replace(self, **changes)

    def stopped(self) -> bool:
        return self.stop is not None and self.stop.is_set()

    def check_stop(self) -> None:
        """Raise Cancelled when the stop flag is set."""
        if self.stopped():
            raise Cancelled(*self.cancelled)

    def phase(self, message: str, current: int = 0, total: int = 0) -> None:
        """Report a stage of the work as a `phase` event."""
        if self.sink is not None:
            self.sink.emit("phase", name=self.name, message=message, current=current, total=total)

    def step(self, message: str, current: int = 0, total: int = 0) -> None:
        """A stage that may be cancelled before it starts: check the stop flag, then report it."""
        self.check_stop()
        self.phase(message, current, total)

    def warn(self, message: str, hint: str = "") -> None:
        if self.sink is not None:
            self.sink.emit("warning", message=message, hint=hint)

    def record(self, kind: str, path: Path, props: dict) -> None:
        """An artifact of the run: a row in the store (with a run and a store) and an `artifact` event."""
        row = self.store.add_artifact(self.run_id, kind, path, props) if (self.store and self.run_id) else {"bytes": 0}
        if self.sink is not None:
            self.sink.emit("artifact", kind=kind, path=str(path), bytes=row["bytes"], properties=props)
