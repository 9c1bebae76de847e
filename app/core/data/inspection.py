"""Inspect a dataset file (the dataset doctor): its format, how many rows are usable, what is wrong with the
others (by line), exact and near duplicates, rows leaked into a validation file, placeholders, labels, token
lengths with a histogram and what `max_length` would cut (a given one, or the one a run would choose from the
training rows: lengths.auto_max_length), and whether the validation rows (a file, or the share a
run holds out) bring anything the training rows lack (overlap.py).

Streaming: rows are read one at a time; what is kept per row is a few hashes and a token length (see
duplicates.py and lengths.py), so a file of millions of rows never sits in memory.
"""

from __future__ import annotations

import itertools
import logging
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .duplicates import DuplicateReport, LeakageReport, RowHashes
from .formats import UNKNOWN, Detection, RowProblem, detect_format, normalise
from .lengths import PROFILE_LIMIT, LengthStats, histogram_lines
from .overlap import OverlapReport, overlap
from .placeholders import placeholders_in
from .problems import Problem
from .readers import Row
from .sources import open_rows
from .templating import ConversationEncoder, encode_text

log = logging.getLogger(__name__)

DETECT_ROWS = 50
EXAMPLES = 3
LABEL_COLUMN = "label"
MAX_LABELS = 100  # more distinct values than this: not a label column

Progress = Callable[[int, "int | None"], None]
Example = list[dict] | str


@dataclass
class InspectReport:
    path: str
    format: str
    confidence: float
    reason: str
    rows: int = 0
    valid_rows: int = 0
    columns: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0  # all problems, also those beyond the listed `problems`
    token_stats: dict | None = None
    examples: list = field(default_factory=list)  # the first normalised rows: message lists, or texts
    duplicates: DuplicateReport = field(default_factory=DuplicateReport)
    near_duplicates: DuplicateReport = field(default_factory=DuplicateReport)
    leakage: LeakageReport | None = None
    placeholders: dict[str, int] = field(default_factory=dict)  # {{name}} -> rows using it
    labels: dict[str, int] | None = None  # the 'label' column's values and their counts
    overlap: OverlapReport | None = None  # validation rows that bring nothing new beside the training rows

    def to_dict(self) -> dict:
        return {**asdict(self), "overlap": self.overlap.to_dict() if self.overlap is not None else None}

    def counts(self) -> dict:
        """The headline numbers, flat."""
        stats = self.token_stats or {}
        return {"rows": self.rows, "valid_rows": self.valid_rows, "problems": self.problem_count,
                "exact_duplicates": self.duplicates.rows, "near_duplicates": self.near_duplicates.rows,
                "leaked_rows": self.leakage.rows if self.leakage else 0,
                "truncated": stats.get("truncated", 0), "assistant_tokens_cut": stats.get("assistant_tokens_cut", 0)}

    def summary(self, details: bool = False) -> str:
        """Counts first; with `details`, every problem, duplicate group, leaked pair and the histogram."""
        lines = [f"{self.path}",
                 f"  format: {self.format} (confidence {self.confidence:.0%}): {self.reason}",
                 f"  rows: {self.rows}, usable: {self.valid_rows}, with problems: {self.problem_count}",
                 f"  columns: {', '.join(self.columns) or '(none)'}"]
        dup, near = self.duplicates, self.near_duplicates
        lines.append(f"  exact duplicates: {dup.rows} rows in {dup.groups} groups; near duplicates (same text "
                     f"ignoring case, spacing, punctuation): {near.rows} rows in {near.groups} groups")
        if self.leakage is not None:
            lines.append(f"  leakage: {self.leakage.rows} training rows also in {self.leakage.validation_file} "
                         f"({self.leakage.validation_rows} validation rows)")
        if self.overlap is not None and self.overlap.warns:
            lines.append(f"  generalisation: {self.overlap.message()}")
            lines.append(f"    {self.overlap.hint}")
        if self.placeholders:
            lines.append("  placeholders: " + ", ".join(f"{{{{{k}}}}} in {v} rows"
                                                       for k, v in self.placeholders.items()))
        if self.labels:
            most, least = max(self.labels.values()), min(self.labels.values())
            lines.append("  labels: " + ", ".join(f"{k}: {v}" for k, v in self.labels.items())
                         + (f" (imbalanced {most / least:.1f}:1)" if least and most / least >= 3 else ""))
        if self.token_stats:
            s = self.token_stats
            lines.append(f"  tokens per example: min {s['min']}, mean {s['mean']:.0f}, p50 {s['p50']}, "
                         f"p95 {s['p95']}, max {s['max']}")
            if s.get("auto_length"):
                lines.append(f"  max length auto → {s['max_length']} ({_basis(s['auto_length'])})")
            if s.get("max_length"):
                lines.append(f"  longer than {s['max_length']} tokens (truncated): {s['truncated']} "
                             f"({s['truncated_share']:.1%}), cutting {s['assistant_tokens_cut']} of "
                             f"{s['trained_tokens']} trained tokens ({s['assistant_tokens_cut_share']:.1%})")
            if details:
                lines.append("  token-length histogram:")
                lines += [f"    {line}" for line in histogram_lines(s)]
        if self.problems:
            shown = self.problems if details else self.problems[:10]
            lines.append("  problems:")
            lines += [f"    {p}" for p in shown]
            if self.problem_count > len(shown):
                lines.append(f"    ... and {self.problem_count - len(shown)} more"
                             + ("" if details else " (--details lists them)"))
        if details:
            for title, report in (("exact duplicates", dup), ("near duplicates", near)):
                if report.lines:
                    lines.append(f"  {title} (lines):")
                    lines += [f"    {', '.join(map(str, group))}" for group in report.lines]
            if self.leakage is not None and self.leakage.pairs:
                lines.append("  leakage (train lines ↔ validation lines):")
                lines += [f"    {', '.join(map(str, p['train_lines']))} ↔ {', '.join(map(str, p['validation_lines']))}"
                          for p in self.leakage.pairs]
        return "\n".join(lines)


def _basis(chosen: dict) -> str:
    """Why the automatic max length is what it is, in words."""
    if chosen["basis"] == "none":
        return "no rows measured: the common 512"
    words = (f"the longest training row has {chosen['longest']} tokens" if chosen["basis"] == "longest" else
             f"99% of the training rows fit in {chosen['p99']} tokens; the longest has {chosen['longest']}")
    return words + (f"; the model's context allows {chosen['cap']}" if chosen["capped"] else "")


def detect_in(rows: Iterator[Row], fmt: str, columns: dict[str, str] | None) -> tuple[Detection, list[Row]]:
    """The format (detected on the first valid rows when `fmt` is 'auto') and the rows read to find it."""
    head: list[Row] = []
    valid = 0
    for row in rows:
        head.append(row)
        valid += row.data is not None
        if valid >= DETECT_ROWS:
            break
    if fmt != "auto":
        return Detection(fmt, 1.0, "set by the user"), head
    return detect_format([r.data for r in head if r.data is not None], columns), head


def scan(path: str | Path, fmt: str = "auto", columns: dict[str, str] | None = None,
         system_prompt: str | None = None
         ) -> tuple[Detection, Iterator[tuple[Row, Example | None, str | None]], int | None]:
    """The file's format, and each row with its normalised example or the problem that makes it unusable."""
    rows, total = open_rows(path)
    detection, head = detect_in(rows, fmt, columns)

    def examples() -> Iterator[tuple[Row, Example | None, str | None]]:
        for row in itertools.chain(head, rows):
            if row.data is None:
                yield row, None, row.error
            elif detection.format == UNKNOWN:
                yield row, None, None
            else:
                try:
                    yield row, normalise(row.data, detection.format, columns, system_prompt), None
                except RowProblem as exc:
                    yield row, None, str(exc)

    return detection, examples(), total


def row_hashes(path: str | Path, fmt: str = "auto", columns: dict[str, str] | None = None,
               system_prompt: str | None = None) -> RowHashes:
    """The duplicate keys of every usable row of a file (for leakage checks against it)."""
    _detection, examples, _total = scan(path, fmt, columns, system_prompt)
    hashes = RowHashes()
    for row, example, _problem in examples:
        if example is not None:
            hashes.add(example, row.line)
    return hashes


def inspect_file(path: str | Path, fmt: str = "auto", columns: dict[str, str] | None = None, tokenizer=None,
                 max_length: int | str | None = None, max_problems: int = 200, progress: Progress | None = None,
                 system_prompt: str | None = None, validation: str | Path | None = None,
                 validation_split: float = 0.0, seed: int = 42, test_split: float = 0.0, context_length: int = 0,
                 train_on: str = "assistant", max_samples: int | None = None) -> InspectReport:
    """Read a whole file and report on it; token stats only when a tokenizer is given; leakage only when a
    validation file is given (read with the same format setting and column mapping). The overlap of validation and
    training rows: against the validation file, else against the rows a run holds out (`validation_split`, `seed`:
    the split prepare.split_examples makes).

    `max_length` "auto": the limit a run would choose (lengths.auto_max_length on the rows it trains on: the same
    split of the first `max_samples` rows, with `test_split` too, and sample; within `context_length`, the model's),
    and what it cuts of every row;
    rows are measured up to PROFILE_LIMIT tokens, as a run measures them. None: nothing is cut."""
    detection, examples, total = scan(path, fmt, columns, system_prompt)
    report = InspectReport(str(path), detection.format, detection.confidence, detection.reason)
    auto = max_length == "auto"
    limit = PROFILE_LIMIT if auto else max_length or 10**9
    encoder = ConversationEncoder(tokenizer, limit, train_on) if tokenizer is not None else None
    lengths = LengthStats(None if auto else max_length, keep_spans=auto)
    hashes = RowHashes()
    placeholders: Counter[str] = Counter()
    labels: Counter | None = Counter()
    columns_seen: dict[str, None] = {}
    every = max(1, (total or 10_000) // 100)
    for row, example, problem in examples:
        report.rows += 1
        if progress is not None and report.rows % every == 0:
            progress(report.rows, total)
        if row.data is not None:
            if len(columns_seen) < 1000:
                columns_seen.update(dict.fromkeys(row.data))
            if labels is not None and LABEL_COLUMN in row.data:
                labels = _count_label(labels, row.data[LABEL_COLUMN])
        if example is not None:
            report.valid_rows += 1
            if len(report.examples) < EXAMPLES:
                report.examples.append(example)
            hashes.add(example, row.line)
            placeholders.update(placeholders_in(example))
            if encoder is not None:
                lengths.add(encode_text(tokenizer, example, limit) if isinstance(example, str)
                            else encoder.encode(example))
        if problem is not None:
            report.problem_count += 1
            if len(report.problems) < max_problems:
                report.problems.append(Problem(row.where(path), row.line, problem))
    if progress is not None:
        progress(report.rows, total)
    report.columns = list(columns_seen)
    if auto and lengths.lengths:
        from .prepare import split_positions

        read = min(len(lengths.lengths), max_samples or len(lengths.lengths))
        training = split_positions(read, 0.0 if validation is not None else validation_split, test_split, seed)[0]
        lengths.settle(training, seed, context_length)
    report.token_stats = lengths.to_dict()
    report.duplicates = hashes.exact_duplicates()
    report.near_duplicates = hashes.near_duplicates()
    report.placeholders = dict(placeholders.most_common(50))
    report.labels = {str(k): v for k, v in labels.most_common()} if labels else None
    if validation is not None:
        other = row_hashes(validation, fmt, columns, system_prompt)
        report.leakage = hashes.leakage(other, str(validation))
        report.overlap = overlap(_examples(path, fmt, columns, system_prompt),
                                 _examples(validation, fmt, columns, system_prompt), "validation file")
    elif validation_split > 0 and report.valid_rows >= 2:
        report.overlap = _split_overlap(path, fmt, columns, system_prompt, report.valid_rows, validation_split, seed)
    log.info("inspected %s: %s, %d rows, %d usable", path, report.format, report.rows, report.valid_rows)
    return report


def _examples(path: str | Path, fmt: str, columns: dict[str, str] | None, system_prompt: str | None) -> Iterator:
    return (example for _row, example, _problem in scan(path, fmt, columns, system_prompt)[1] if example is not None)


def _split_overlap(path: str | Path, fmt: str, columns: dict[str, str] | None, system_prompt: str | None, rows: int,
                   share: float, seed: int) -> OverlapReport:
    """The overlap of the rows a run holds out for validation (the same seeded pick) with the rows it trains on."""
    from .prepare import split_indices

    _train, held = split_indices(rows, share, seed)
    held_set = set(held)
    validation: list = []

    def training() -> Iterator:
        for i, example in enumerate(_examples(path, fmt, columns, system_prompt)):
            if i in held_set:
                validation.append(example)
            else:
                yield example

    return overlap(training(), iter(validation), "default split")  # the held rows are gathered as training is read


def _count_label(labels: Counter, value) -> Counter | None:
    """Count a label value; None (stop counting) once the column does not look like labels."""
    if not isinstance(value, (str, int, bool)) or (value not in labels and len(labels) >= MAX_LABELS):
        return None
    labels[value] += 1
    return labels
