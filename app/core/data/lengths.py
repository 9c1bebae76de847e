"""Token lengths of a dataset: percentiles, a histogram, and what `max_length` would truncate.

Lengths are kept in a compact array (4 bytes a row); the statistics are computed once at the end.
"""

from __future__ import annotations

import math
from array import array

from .templating import Encoded

HISTOGRAM_BINS = 12


class LengthStats:
    """Collects one `Encoded` per usable row (encoded with truncation at `max_length`, if any)."""

    def __init__(self, max_length: int | None):
        self.max_length = max_length
        self.lengths = array("I")
        self.trained = 0  # trained tokens before truncation (assistant tokens; every token of a text row)
        self.cut = 0  # trained tokens that truncation removes

    def add(self, encoded: Encoded) -> None:
        self.lengths.append(encoded.full_length)
        self.trained += encoded.trained_tokens + encoded.assistant_tokens_cut
        self.cut += encoded.assistant_tokens_cut

    def to_dict(self, bins: int = HISTOGRAM_BINS) -> dict | None:
        if not self.lengths:
            return None
        import numpy as np

        values = np.frombuffer(self.lengths, dtype=np.uint32).astype(np.int64)
        ordered = np.sort(values)
        n = len(ordered)

        def pct(q: float) -> int:
            return int(ordered[min(n - 1, int(q * n))])

        over = int((values > self.max_length).sum()) if self.max_length else 0
        return {"min": int(ordered[0]), "max": int(ordered[-1]), "mean": round(float(values.mean()), 1),
                "p50": pct(0.5), "p95": pct(0.95), "total": int(values.sum()), "max_length": self.max_length,
                "truncated": over, "truncated_share": round(over / n, 4),
                "trained_tokens": self.trained, "assistant_tokens_cut": self.cut,
                "assistant_tokens_cut_share": round(self.cut / self.trained, 4) if self.trained else 0.0,
                "histogram": histogram(values, bins)}


def nice_width(raw: float) -> int:
    """The smallest 1, 2 or 5 times a power of ten that is at least `raw` (and at least 1)."""
    if raw <= 1:
        return 1
    power = 10 ** math.floor(math.log10(raw))
    for step in (1, 2, 5, 10):
        if step * power >= raw:
            return int(step * power)
    return int(10 * power)


def histogram(values, bins: int = HISTOGRAM_BINS) -> list[dict]:
    """Equal-width bins with round edges: [{"start", "end" (exclusive), "count"}]; the counts sum to len(values)."""
    import numpy as np

    lo, hi = int(values.min()), int(values.max())
    width = nice_width((hi - lo + 1) / bins)
    start = lo // width * width
    counts = np.bincount((values - start) // width, minlength=(hi - start) // width + 1)
    return [{"start": start + i * width, "end": start + (i + 1) * width, "count": int(c)}
            for i, c in enumerate(counts.tolist())]


def histogram_lines(stats: dict, width: int = 30) -> list[str]:
    """The histogram as text bars, one line a bin; bins past max_length are marked."""
    bins = stats["histogram"]
    peak = max(b["count"] for b in bins) or 1
    limit = stats.get("max_length")
    lines = []
    for b in bins:
        bar = "█" * max(1 if b["count"] else 0, round(width * b["count"] / peak))
        mark = "  (truncated)" if limit and b["start"] >= limit else ""
        lines.append(f"{b['start']:>7}–{b['end'] - 1:<7} {b['count']:>8}  {bar}{mark}")
    return lines
