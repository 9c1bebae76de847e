"""Split one dataset into train/validation/test files by ratio, with a seed, optionally stratified by a column.

The rows are copied as they are (same columns, same layout; written as JSON Lines), so a split keeps a KTO
`label` or a classification label. Rows that cannot be parsed are left out and counted. Two passes over the file:
the first counts rows (and their labels when stratifying), the second writes each row to its split; memory is one
byte a row for the assignment plus four for the label.

Deterministic: the same file, ratios, seed and stratification give the same files. Each split takes
round(n * ratio) rows of every stratum (train and validation first; test takes the rest).

Two splits hold out whole groups, so that the held-out rows measure generalisation (overlap.py, issue #23):
`group_by` a column (every row with one value of it lands in one split: a customer, a city, a template id), and
`hold_out_words` (words of three or more letters that occur in 2 rows up to WORD_SHARE of the rows, drawn in a
seeded order: every row that holds a drawn word goes to validation, then test, until each has its share, so no
training row holds a held-out word). Both keep what pass one reads in memory (a group id, or the row's words).
"""

from __future__ import annotations

import contextlib
import json
import logging
from array import array
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..errors import Cancelled, DataError
from ..messages import Text
from .sources import check_file, open_rows
from .versions import base_stem, check_target, datasets_dir, sha256_of, write_sidecar, writing_jsonl

log = logging.getLogger(__name__)

SPLITS = ("train", "validation", "test")
MAX_STRATA = 1000
WORD_SHARE = 0.2  # hold_out_words draws words found in at most this share of the rows (names, places, phrasings)
MISSING = "(missing)"


@dataclass
class SplitResult:
    source: str
    folder: str
    paths: dict[str, str | None]  # split -> file (None for a split with ratio 0)
    counts: dict[str, int]  # split -> rows, plus "skipped" (unparseable rows)
    labels: dict[str, dict[str, int]] | None = None  # split -> label -> rows, when stratified
    sidecar: str = ""
    seed: int = 0
    ratios: list[float] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)

    def summary(self) -> str:
        lines = [f"{self.source} → {self.folder}"]
        for name in SPLITS:
            if self.paths.get(name):
                by_label = ""
                if self.labels:
                    by_label = " (" + ", ".join(f"{k}: {v}" for k, v in self.labels[name].items()) + ")"
                lines.append(f"  {name:10} {self.counts[name]:>8} rows  {self.paths[name]}{by_label}")
        if self.counts.get("skipped"):
            lines.append(f"  left out (cannot be parsed): {self.counts['skipped']} rows")
        return "\n".join(lines)


def split_dataset(path: str | Path, ratios: tuple[float, ...] = (0.8, 0.1, 0.1), seed: int = 0,
                  stratify_by: str | None = None, out_dir: str | Path | None = None,
                  progress: Callable[[int, int | None], None] | None = None, stop=None, *,
                  group_by: str | None = None, hold_out_words: bool = False) -> SplitResult:
    """Write `train.jsonl`, `validation.jsonl`, `test.jsonl` (those with a ratio above 0) and `split.json` into
    `out_dir` (default: a new `<data home>/datasets/<stem>.split.v<N>/`). Ratios are normalised to sum to 1.
    At most one of `stratify_by`, `group_by` and `hold_out_words`."""
    source = check_file(path)
    shares = _shares(ratios)
    if sum(map(bool, (stratify_by, group_by, hold_out_words))) > 1:
        raise DataError(Text("Choose one way to split: stratified, by a column's groups, or by held-out "
                             "words."),
                        Text("Drop all but one of --stratify, --group-by and --hold-out-words."))
    folder = Path(out_dir).expanduser() if out_dir is not None else _next_split_dir(source)
    targets = {name: check_target(folder / f"{name}.jsonl", source) for name, share in zip(SPLITS, shares,
                                                                                              strict=True) if share}
    if group_by or hold_out_words:
        groups, skipped = _read_groups(source, group_by, stop)
        assignment = _assign_groups(groups, shares, seed)
        strata, names = array("I", [0] * len(groups)), []
    else:
        strata, names, skipped = _read_strata(source, stratify_by, stop)
        assignment = _assign(strata, len(names) or 1, shares, seed)
    counts = {name: 0 for name in SPLITS}
    labels = {name: dict.fromkeys(names, 0) for name in SPLITS} if stratify_by else None
    rows, total = open_rows(source)
    with contextlib.ExitStack() as stack:
        writers = {name: stack.enter_context(writing_jsonl(target)) for name, target in targets.items()}
        index = 0
        for row in rows:
            if row.data is None:
                continue
            if stop is not None and index % 10_000 == 0 and stop.is_set():
                raise Cancelled(Text("Split stopped; nothing was written."))
            name = SPLITS[assignment[index]]
            writers[name](row.data)
            counts[name] += 1
            if labels is not None:
                labels[name][names[strata[index]]] += 1
            index += 1
            if progress is not None and index % 10_000 == 0:
                progress(index, total)
    counts["skipped"] = skipped
    sidecar = write_sidecar(folder / "split.json", {
        "source": str(source), "source_sha256": sha256_of(source), "ratios": shares, "seed": seed,
        "stratify_by": stratify_by, "group_by": group_by, "hold_out_words": hold_out_words, "counts": counts,
        "labels": labels,
        "files": {name: {"path": str(t), "sha256": sha256_of(t)} for name, t in targets.items()}})
    log.info("split %s into %s: %s", source, folder, counts)
    return SplitResult(str(source), str(folder), {n: str(targets[n]) if n in targets else None for n in SPLITS},
                       counts, labels, str(sidecar), seed, shares)


def _shares(ratios: tuple[float, ...]) -> list[float]:
    ratios = list(ratios)
    if not 1 <= len(ratios) <= 3 or any(r < 0 for r in ratios) or sum(ratios) <= 0 or ratios[0] <= 0:
        raise DataError(Text("Invalid split ratios {ratios}.", ratios=ratios),
                        Text("Give train, validation and test shares, e.g. 0.8 0.1 0.1 (train above 0, none "
                             "negative)."))
    ratios += [0.0] * (3 - len(ratios))
    return [r / sum(ratios) for r in ratios]


def _next_split_dir(source: Path) -> Path:
    stem = base_stem(source)
    folder = datasets_dir()
    n = 1
    while (folder / f"{stem}.split.v{n}").exists():
        n += 1
    return folder / f"{stem}.split.v{n}"


def _label(value) -> str:
    if value is None:
        return MISSING
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _first_pass(source: Path, stop, value: Callable[[dict], Any], into) -> int:
    """Pass one over `source`: `value(row)` of each parseable row appended to `into`; how many rows cannot be
    parsed. Asked every 10,000 rows whether to stop."""
    skipped = 0
    rows, _total = open_rows(source)
    for row in rows:
        if row.data is None:
            skipped += 1
            continue
        if stop is not None and len(into) % 10_000 == 0 and stop.is_set():
            raise Cancelled(Text("Split stopped; nothing was written."))
        into.append(value(row.data))
    if not into:
        raise DataError(Text("{name} has no rows that can be read.", name=source.name),
                        Text("Check the file with `data inspect`."))
    return skipped


def _read_strata(source: Path, stratify_by: str | None, stop) -> tuple[array, list[str], int]:
    """Pass one: each parseable row's stratum id, the strata's names, and how many rows cannot be parsed."""
    strata, ids = array("I"), {}

    def stratum(data: dict) -> int:
        label = _label(data.get(stratify_by)) if stratify_by else ""
        if label not in ids:
            if len(ids) >= MAX_STRATA:
                raise DataError(Text("Column '{stratify_by}' has more than {limit} different values.",
                                     stratify_by=stratify_by, limit=MAX_STRATA),
                                Text("Stratify by a label column (a few classes), or split without "
                                     "stratifying."))
            ids[label] = len(ids)
        return ids[label]

    skipped = _first_pass(source, stop, stratum, strata)
    if stratify_by and set(ids) == {MISSING}:
        raise DataError(Text("No row has a '{stratify_by}' column to stratify by.", stratify_by=stratify_by),
                        Text("Name the label column (e.g. --stratify label), or split without stratifying."))
    return strata, list(ids) if stratify_by else [], skipped


def _assign(strata: array, n_strata: int, shares: list[float], seed: int):
    """Split index (0 train, 1 validation, 2 test) per row: within each stratum, a seeded shuffle cut by shares."""
    import numpy as np

    groups = np.frombuffer(strata, dtype=np.uint32)
    assignment = np.zeros(len(groups), dtype=np.uint8)
    rng = np.random.default_rng(seed)
    for g in range(n_strata):
        members = rng.permutation(np.flatnonzero(groups == g))
        n = len(members)
        n_train = min(n, round(n * shares[0]))
        n_val = min(n - n_train, round(n * shares[1]))
        if shares[2] == 0:
            n_val = n - n_train
        assignment[members[n_train:n_train + n_val]] = 1
        assignment[members[n_train + n_val:]] = 2
    return assignment


def _read_groups(source: Path, group_by: str | None, stop) -> tuple[list, int]:
    """Pass one for a grouped split: each parseable row's group (its `group_by` value) or its set of words."""
    from .overlap import words

    groups: list = []
    skipped = _first_pass(source, stop,
                          lambda data: _label(data.get(group_by)) if group_by else frozenset(words(data)), groups)
    if group_by and set(groups) == {MISSING}:
        raise DataError(Text("No row has a '{group_by}' column to group by.", group_by=group_by),
                        Text("Name a column whose values mark related rows (a customer, a city, a template)."))
    return groups, skipped


def _assign_groups(groups: list, shares: list[float], seed: int):
    """Split index per row, whole groups at a time: validation, then test, fill up with groups drawn in a seeded
    order until each has its share; the rest train. Words: a drawn word takes every row that holds it."""
    import random

    import numpy as np

    n = len(groups)
    assignment = np.zeros(n, dtype=np.uint8)
    rng = random.Random(seed)
    members: dict = {}
    if groups and isinstance(groups[0], frozenset):
        for i, ws in enumerate(groups):
            for w in ws:
                members.setdefault(w, []).append(i)
        most = max(2, int(n * WORD_SHARE))
        members = {w: rows for w, rows in members.items() if 2 <= len(rows) <= most}
    else:
        for i, group in enumerate(groups):
            members.setdefault(group, []).append(i)
    keys = sorted(members)
    rng.shuffle(keys)
    targets = [0, round(n * shares[1]), round(n * shares[2])]
    filled = [n, 0, 0]
    for split in (1, 2):
        for key in keys:
            if filled[split] >= targets[split]:
                break
            rows = [i for i in members[key] if assignment[i] == 0]
            if not rows or filled[split] + len(rows) > targets[split] * 1.5 + 1:
                continue  # taken already, or far too big for what is left of this split
            assignment[rows] = split
            filled[split] += len(rows)
            filled[0] -= len(rows)
    return assignment
