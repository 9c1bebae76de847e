"""The heap trim after optimizer steps (issue #26 item 1): when it trims, and that trimming returns memory."""

from __future__ import annotations

import platform
from types import SimpleNamespace

import pytest

from app.core.training import callbacks, heap

MiB = 1024**2


def run_steps(monkeypatch, held: list[int], **kwargs) -> callbacks.HeapTrimCallback:
    """Feed the callback one resident size (MiB) per step; trimming returns the heap to 1,000 MiB."""
    state = {"held": 0}
    monkeypatch.setattr(heap, "resident_bytes", lambda: state["held"] * MiB)
    monkeypatch.setattr(heap, "trim_heap", lambda: True)
    callback = callbacks.HeapTrimCallback(**kwargs)
    callback.on_train_begin(None, SimpleNamespace(global_step=0), None)
    for step, size in enumerate(held, start=1):
        state["held"] = size
        callback.on_step_end(None, SimpleNamespace(global_step=step), None)
    return callback


def test_a_climbing_heap_is_trimmed_each_time_it_passes_the_slack(monkeypatch):
    """+20 MiB a step over a 1,200 MiB working set, and a trim gives the climb back: trimmed every 10th step."""
    climb = {"since": 0}
    monkeypatch.setattr(heap, "resident_bytes", lambda: (1200 + 20 * climb["since"]) * MiB)
    monkeypatch.setattr(heap, "trim_heap", lambda: climb.update(since=0) or True)
    callback = callbacks.HeapTrimCallback(slack=0.15, warmup=5, every=10)
    callback.on_train_begin(None, SimpleNamespace(global_step=0), None)
    for step in range(1, 61):
        climb["since"] += step > 5
        callback.on_step_end(None, SimpleNamespace(global_step=step), None)
    assert callback.reference == 1200 * MiB
    assert callback.trims == [15, 25, 35, 45, 55]  # 1,400 MiB: the first size over 1,200 × 1.15


def test_a_flat_heap_is_never_trimmed(monkeypatch):
    assert run_steps(monkeypatch, [1000, 1200, 1100] + [1150, 1190, 1210, 1180] * 20).trims == []


def test_a_working_set_above_the_reference_is_trimmed_at_most_once_every_ten_steps(monkeypatch):
    callback = run_steps(monkeypatch, [1000] * 5 + [1500] * 30, slack=0.15, warmup=5, every=10)
    assert callback.trims == [6, 16, 26] and callback.reference == 1000 * MiB


@pytest.mark.skipif(platform.system() != "Linux", reason="glibc's malloc_trim")
def test_trimming_returns_freed_heap_pages_to_the_system():
    blocks = [bytearray(100_000) for _ in range(4000)]  # ~400 MB of heap (below glibc's mmap threshold) ...
    del blocks[::2]  # ... half of it freed, in holes the heap cannot shrink past
    before = heap.resident_bytes()
    assert heap.trim_heap()
    assert before - heap.resident_bytes() > 100 * MiB
    del blocks
