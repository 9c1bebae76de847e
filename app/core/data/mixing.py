"""Mixes: several datasets in one training set, each with a weight (its share of the mixed training examples).

The training file counts with weight 1 and each `data.mix` entry with its own weight. The mixed training set has as
many examples as the sources hold together (after each one's max_samples); source i gets round(total * w_i / sum(w))
of them: a source smaller than its share is repeated (every example once, in a seeded random order, before any
twice), a larger one is sampled without repeats. Validation rows are held out of each source before mixing, so a
repeated example never sits in both training and validation. Everything is deterministic under the seed.
"""

from __future__ import annotations

import random
from collections.abc import Sequence


def shares(sizes: Sequence[int], weights: Sequence[float]) -> list[int]:
    """How many examples each source contributes: proportional to the weights, summing to sum(sizes)
    (largest remainders get the rounding)."""
    total, weight = sum(sizes), sum(weights)
    exact = [total * w / weight for w in weights]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: (counts[i] - exact[i], i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def draw(items: Sequence, n: int, rng: random.Random) -> list:
    """`n` items: each once in a shuffled order, then again in the same order, as often as needed."""
    if not items:
        return []
    order = list(range(len(items)))
    rng.shuffle(order)
    return [items[order[i % len(order)]] for i in range(n)]


def mix(pools: Sequence[Sequence], weights: Sequence[float], seed: int) -> tuple[list, list[int]]:
    """The mixed training examples of several sources, shuffled together (deterministic under `seed`), and how
    many each source gave."""
    counts = shares([len(pool) for pool in pools], weights)
    out: list = []
    for i, (pool, count) in enumerate(zip(pools, counts, strict=True)):
        out += draw(pool, count, random.Random(f"mix:{seed}:{i}"))
    random.Random(f"mix:{seed}").shuffle(out)
    return out, counts
