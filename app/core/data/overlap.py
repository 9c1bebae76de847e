"""Does the validation split measure generalisation? (issue #23 item 2)

A validation row "brings something new" when it holds a word that no training row holds: a name, a place, an item,
a word of a phrasing the model has not seen. (Pairs of adjacent words were tried and dropped: independent slots of
templated rows, a colour beside an item, make new pairs without anything new in them.) When nearly every validation row brings
nothing new (templated data split at random: the same cities, items and sentence shapes on both sides), the
validation loss falls with memorisation as much as with learning, and cannot show the difference. The doctor then
says so and suggests a split that holds out whole groups: by a column (`data split --group-by COLUMN`) or by words
(`data split --hold-out-words`: every row with a held-out word leaves training; splits.py).

Words are runs of three or more letters, lower-cased, from every string in the row (all turns and columns);
digits are left out (a quantity is not an entity). At most MAX_TRAIN_ROWS training rows are read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

WORD = re.compile(r"[^\W\d_]{3,}")
NOTHING_NEW_SHARE = 0.9  # warn when at least this share of validation rows brings nothing new
MAX_TRAIN_ROWS = 200_000
EXAMPLES = 3


def strings(value: Any, depth: int = 0) -> Iterator[str]:
    """Every string inside a row (dicts, lists, message contents), to a bounded depth."""
    if isinstance(value, str):
        yield value
    elif depth < 20 and isinstance(value, dict):
        for item in value.values():
            yield from strings(item, depth + 1)
    elif depth < 20 and isinstance(value, (list, tuple)):
        for item in value:
            yield from strings(item, depth + 1)


def words(row: Any) -> list[str]:
    return [w.lower() for text in strings(row) for w in WORD.findall(text)]


def features(row: Any) -> set[str]:
    return set(words(row))


def shown(row: Any) -> str:
    """What identifies a row to people: its last user message, else its first text (80 characters)."""
    if isinstance(row, list):
        users = [m.get("content") for m in row if isinstance(m, dict) and m.get("role") == "user"]
        if users and isinstance(users[-1], str):
            return users[-1][:80]
    return next(strings(row), "")[:80]


@dataclass
class OverlapReport:
    validation_rows: int = 0
    nothing_new: int = 0  # validation rows whose every word occurs in some training row
    examples: list[str] = field(default_factory=list)  # a few such rows (shown), for people
    source: str = ""  # "validation file" or "default split"

    @property
    def share(self) -> float:
        return self.nothing_new / self.validation_rows if self.validation_rows else 0.0

    @property
    def warns(self) -> bool:
        return self.validation_rows >= 5 and self.share >= NOTHING_NEW_SHARE

    def message(self) -> str:
        return (f"{self.nothing_new} of {self.validation_rows} validation rows ({self.share:.0%}, {self.source}) "
                "hold no word that the training rows lack (no new name, place or phrasing): validation loss cannot tell learning the "
                "task from memorising the rows.")

    hint = ("Hold out whole groups: split by a column that names them (`finetune-studio data split FILE "
            "--group-by COLUMN`) or by words (`--hold-out-words`: every row with a held-out name, place or phrase "
            "leaves training), and give the split's validation file as the validation data.")

    def to_dict(self) -> dict:
        return {**asdict(self), "share": self.share, "warns": self.warns}


def overlap(train_rows: Iterable[Any], validation_rows: Iterable[Any], source: str) -> OverlapReport:
    """How many validation rows bring nothing new beside the training rows."""
    seen: set[str] = set()
    for i, row in enumerate(train_rows):
        if i >= MAX_TRAIN_ROWS:
            break
        seen |= features(row)
    report = OverlapReport(source=source)
    for row in validation_rows:
        report.validation_rows += 1
        if features(row) <= seen:
            report.nothing_new += 1
            if len(report.examples) < EXAMPLES:
                report.examples.append(shown(row))
    return report
