"""EventBatch (app/ui/event_batch.py, Qt-free): between two hand-overs, metrics, progress, phases and log lines are
coalesced, every other event is kept, and nothing is reordered across an event that is kept."""

from __future__ import annotations

from app.ui.event_batch import EventBatch


def metrics(step: int) -> dict:
    return {"event": "metrics", "step": step, "metrics": {"loss": 1.0 / step}}


def progress(step: int) -> dict:
    return {"event": "progress", "step": step, "epoch": 0.1 * step}


def test_a_flood_becomes_one_item_per_kind_holding_all_metrics_and_the_latest_progress():
    batch = EventBatch()
    for step in range(1, 501):
        batch.add_event(metrics(step))
        batch.add_event(progress(step))
        batch.add_log(f"line {step}")
    items = batch.take()
    assert [name for name, _ in items] == ["metrics_received", "progress_changed", "log_received"]
    assert [m["step"] for m in items[0][1]] == list(range(1, 501))  # every metric, in order: the plots need all
    assert items[1][1] == progress(500)  # only the latest position matters
    assert items[2][1] == "\n".join(f"line {step}" for step in range(1, 501))
    assert batch.take() == []  # a hand-over empties it


def test_a_kept_event_settles_what_was_coalesced_before_it():
    batch = EventBatch()
    phase = {"event": "phase", "name": "tokenize", "message": "Tokenising", "current": 0, "total": 10}
    started = {"event": "started", "run_id": "r", "total_steps": 2}
    sample = {"event": "sample", "prompt": "Hi", "output": "Hello"}
    finished = {"event": "finished", "status": "completed", "error": None, "hint": None}
    batch.add_event(phase)
    batch.add_event({**phase, "current": 10})
    batch.add_event(started)
    batch.add_event(metrics(1))
    batch.add_event(sample)
    batch.add_event(metrics(2))
    batch.add_event(progress(2))
    batch.add_event(finished)
    assert batch.take() == [("phase_changed", {**phase, "current": 10}), ("run_started", started),
                            ("metrics_received", [metrics(1)]), ("sample_received", sample),
                            ("metrics_received", [metrics(2)]), ("progress_changed", progress(2)),
                            ("run_finished", finished)]


def test_each_kept_event_names_its_signal():
    batch = EventBatch()
    events = [{"event": "checkpoint", "path": "c"}, {"event": "artifact", "kind": "adapter", "path": "a"},
              {"event": "warning", "message": "m", "hint": "h"}]
    for event in events:
        batch.add_event(event)
    assert batch.take() == list(zip(["checkpoint_saved", "artifact_saved", "warning_raised"], events, strict=True))
