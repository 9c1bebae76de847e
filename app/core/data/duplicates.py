"""Exact and near duplicates within a file, and rows shared between a training and a validation file.

Keys (64-bit hashes of a string: Python's SipHash, salted per process, so keys are only ever compared within one
process; a collision between different rows is astronomically unlikely):
  exact  the normalised example (messages after format mapping, or the text) with each turn's role and content:
         two rows in different source layouts that mean the same conversation are exact duplicates.
  near   the example's text, case-folded, with punctuation removed and whitespace collapsed ("Hello,  World!"
         and "hello world" match). A simple normalised-text hash, not MinHash: it finds copies that differ in
         case, spacing and punctuation, not paraphrases or one changed word.

Memory: 24 bytes a row (three compact arrays), never the rows themselves; groups are found at the end by sorting
the hashes with numpy.
"""

from __future__ import annotations

import re
import string
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field

_PUNCTUATION = re.compile(r"[^\w\s]|_")
_ASCII_PUNCTUATION = str.maketrans("", "", string.punctuation)

MAX_GROUPS = 1000  # groups listed in a report; all are counted


def exact_text(example: list[dict] | str) -> str:
    """The example as one string: each turn's role and content between separator characters."""
    if isinstance(example, str):
        return "\x1d" + example
    return "\x1e".join(f"{m['role']}\x1f{m['content']}" for m in example)


def near_text(example: list[dict] | str) -> str:
    """The example's words: case-folded, punctuation removed, whitespace collapsed; roles kept as words."""
    text = example if isinstance(example, str) else "\n".join(f"{m['role']} {m['content']}" for m in example)
    text = text.casefold()
    text = text.translate(_ASCII_PUNCTUATION) if text.isascii() else _PUNCTUATION.sub("", text)
    return " ".join(text.split())


def exact_key(example: list[dict] | str) -> int:
    return hash(exact_text(example))


def near_key(example: list[dict] | str) -> int:
    return hash(near_text(example))


@dataclass
class DuplicateReport:
    """`rows`: rows that repeat an earlier one (what dedupe would drop); `groups`: the sets of lines involved."""

    groups: int = 0
    rows: int = 0
    lines: list[list[int]] = field(default_factory=list)  # each group's line numbers, at most MAX_GROUPS groups


@dataclass
class LeakageReport:
    """Training rows whose normalised text is also in the validation file."""

    validation_file: str
    rows: int = 0  # training rows affected
    validation_rows: int = 0  # validation rows affected
    pairs: list[dict] = field(default_factory=list)  # {"train_lines": [...], "validation_lines": [...]}


class RowHashes:
    """Exact and near keys of every usable row with its line number."""

    def __init__(self) -> None:
        self.exact = array("q")
        self.near = array("q")
        self.lines = array("q")

    def add(self, example: list[dict] | str, line: int) -> None:
        self.exact.append(exact_key(example))
        self.near.append(near_key(example))
        self.lines.append(line)

    def __len__(self) -> int:
        return len(self.lines)

    def exact_duplicates(self) -> DuplicateReport:
        report = DuplicateReport()
        for group in _groups(self.exact):
            report.groups += 1
            report.rows += len(group) - 1
            if len(report.lines) < MAX_GROUPS:
                report.lines.append([self.lines[i] for i in group])
        return report

    def near_duplicates(self) -> DuplicateReport:
        """Groups with the same near key but more than one distinct exact key; `rows` counts the distinct
        variants beyond the first (exact copies are counted by `exact_duplicates`, so near dedupe drops both)."""
        report = DuplicateReport()
        for group in _groups(self.near):
            variants = len({self.exact[i] for i in group})
            if variants < 2:
                continue
            report.groups += 1
            report.rows += variants - 1
            if len(report.lines) < MAX_GROUPS:
                report.lines.append([self.lines[i] for i in group])
        return report

    def leakage(self, validation: RowHashes, validation_file: str) -> LeakageReport:
        import numpy as np

        report = LeakageReport(validation_file)
        train, val = _np(self.near), _np(validation.near)
        shared = np.intersect1d(train, val)
        if not len(shared):
            return report
        in_train, in_val = np.isin(train, shared), np.isin(val, shared)
        report.rows, report.validation_rows = int(in_train.sum()), int(in_val.sum())
        train_lines, val_lines = {}, {}
        for idx in np.flatnonzero(in_train).tolist():
            train_lines.setdefault(self.near[idx], []).append(self.lines[idx])
        for idx in np.flatnonzero(in_val).tolist():
            val_lines.setdefault(validation.near[idx], []).append(validation.lines[idx])
        for key in sorted(train_lines, key=lambda k: train_lines[k][0])[:MAX_GROUPS]:
            report.pairs.append({"train_lines": train_lines[key], "validation_lines": val_lines[key]})
        return report


def _np(values: array):
    import numpy as np

    return np.frombuffer(values, dtype=np.int64) if len(values) else np.zeros(0, dtype=np.int64)


def _groups(keys: array) -> Iterator[list[int]]:
    """Indices of equal keys, groups of two or more, each in ascending order, ordered by their first index.

    Lazy: a file where every row has a copy does not build all its groups at once."""
    import numpy as np

    if len(keys) < 2:
        return
    values = _np(keys)
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    ends = np.append(starts[1:], len(ordered))
    big = np.flatnonzero(ends - starts > 1)
    big = big[np.argsort(order[starts[big]], kind="stable")]  # a stable sort puts each group's first index first
    for g in big.tolist():
        yield order[starts[g]:ends[g]].tolist()
