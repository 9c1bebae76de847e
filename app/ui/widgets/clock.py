"""Durations as people read them on a clock."""

from __future__ import annotations


def clock_text(seconds: float | None) -> str:
    """0:42, 12:05 or 1:02:03; a dash when unknown."""
    if seconds is None or seconds < 0:
        return "–"
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"
