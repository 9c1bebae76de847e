"""Token lengths of a dataset: percentiles, a histogram, what `max_length` would truncate, and the rule that
chooses an automatic max_length from the training rows' lengths (auto_settings words it; the dataset doctor applies
it to the rows it measured).

Lengths are kept in a compact array (4 bytes a row); the statistics are computed once at the end. While the limit is
still to be chosen, each row also keeps where its trained tokens lie: one (start, end) pair of 4-byte ints per run of
trained positions (one run for a single-turn chat or a text row: 12 bytes a row with its length), enough to count
exactly the trained tokens past any limit chosen later.
"""

from __future__ import annotations

import math
import random
from array import array
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from .templating import IGNORE_INDEX, Encoded

HISTOGRAM_BINS = 12
MAX_AUTO_LENGTH = 4096  # the longest max_length the rule chooses
PROFILE_ROWS = 2000  # token lengths are measured on a seeded sample of this many training rows
PROFILE_LIMIT = MAX_AUTO_LENGTH * 4  # tokens a row is measured up to (its text cut at that length's budget)


@dataclass(frozen=True)
class AutoLength:
    """An automatic max_length and what it rests on: `basis` "longest" (the longest row, rounded up to a multiple
    of 32), "p99" (the 99th percentile: a few rows are more than twice as long) or "none" (no rows measured); `cap`
    is the most the model's context and MAX_AUTO_LENGTH allow."""
    value: int
    basis: str
    longest: int
    p99: int
    cap: int

    @property
    def capped(self) -> bool:
        """The cap, not the rows, set the value."""
        return self.value < (self.longest if self.basis == "longest" else self.p99)


def auto_max_length(lengths: Sequence[int], context_length: int) -> AutoLength:
    """The rule: the longest row rounded up to a multiple of 32, or the 99th percentile when the longest is more
    than twice it, at least 32, within the model's context (0: unknown) and MAX_AUTO_LENGTH."""
    cap = min(context_length or MAX_AUTO_LENGTH, MAX_AUTO_LENGTH)
    if not len(lengths):
        return AutoLength(min(512, cap), "none", 0, 0, cap)
    ordered = sorted(lengths)
    longest = int(ordered[-1])
    p99 = int(ordered[min(len(ordered) - 1, math.ceil(0.99 * len(ordered)) - 1)])
    basis = "longest" if longest <= 2 * p99 else "p99"
    value = max(32, min(cap, 32 * math.ceil((longest if basis == "longest" else p99) / 32)))
    return AutoLength(value, basis, longest, p99, cap)


def sample_positions(n: int, seed: int) -> Sequence[int]:
    """The positions, among `n` training rows, of those whose lengths the rule reads: all, or a seeded sample of
    PROFILE_ROWS (the positions depend on `n` and `seed` alone)."""
    return range(n) if n <= PROFILE_ROWS else random.Random(seed).sample(range(n), PROFILE_ROWS)


class LengthStats:
    """Collects one `Encoded` per usable row (encoded with truncation at `max_length`, if any). With `keep_spans`
    (max_length to be chosen once every row is measured: `settle`), rows are encoded up to PROFILE_LIMIT and the
    runs of trained positions are kept."""

    def __init__(self, max_length: int | None, keep_spans: bool = False):
        self.max_length = max_length
        self.lengths = array("I")
        self.trained = 0  # trained tokens before truncation (assistant tokens; every token of a text row)
        self.cut = 0  # trained tokens that truncation removes
        self.spans = array("I") if keep_spans else None  # start, end of each run of trained positions, flat
        self.chosen: AutoLength | None = None  # the limit `settle` chose

    def add(self, encoded: Encoded) -> None:
        self.lengths.append(encoded.full_length)
        self.trained += encoded.trained_tokens + encoded.assistant_tokens_cut
        self.cut += encoded.assistant_tokens_cut
        if self.spans is not None:
            start = None
            for i, label in enumerate(encoded.labels):
                if label != IGNORE_INDEX:
                    if start is None:
                        start = i
                elif start is not None:
                    self.spans.extend((start, i))
                    start = None
            if start is not None:
                self.spans.extend((start, len(encoded.labels)))

    def settle(self, training: Sequence[int], seed: int, context_length: int) -> AutoLength:
        """Choose max_length as a run does (auto_max_length on the sample_positions of the training rows, each
        length up to PROFILE_LIMIT) from the rows at positions `training`, and count what it cuts of every row:
        the trained tokens past it, and those a row lost past PROFILE_LIMIT already."""
        import numpy as np

        values = np.minimum(np.frombuffer(self.lengths, dtype=np.uint32), PROFILE_LIMIT)
        train = values[np.asarray(training, dtype=np.int64)]
        sample = train[np.asarray(sample_positions(len(train), seed), dtype=np.int64)]
        self.chosen = auto_max_length(sample.tolist(), context_length)
        spans = np.frombuffer(self.spans, dtype=np.uint32).astype(np.int64).reshape(-1, 2)
        past = np.clip(spans[:, 1] - np.maximum(spans[:, 0], self.chosen.value), 0, None)
        self.max_length, self.cut = self.chosen.value, self.cut + int(past.sum())
        return self.chosen

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
                "histogram": histogram(values, bins),
                "auto_length": {**asdict(self.chosen), "capped": self.chosen.capped} if self.chosen else None}


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
