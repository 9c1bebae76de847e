"""Inspect a dataset file: its format, how many rows are usable, what is wrong with the others, token lengths."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .formats import UNKNOWN, Detection, RowProblem, detect_format, normalise
from .problems import Problem
from .readers import Row, open_rows
from .templating import ConversationEncoder, encode_text

log = logging.getLogger(__name__)

DETECT_ROWS = 50
EXAMPLES = 3

Progress = Callable[[int, "int | None"], None]


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

    def to_dict(self) -> dict:
        return asdict(self)

    def summary(self) -> str:
        lines = [f"{self.path}",
                 f"  format: {self.format} (confidence {self.confidence:.0%}): {self.reason}",
                 f"  rows: {self.rows}, usable: {self.valid_rows}, with problems: {self.problem_count}",
                 f"  columns: {', '.join(self.columns) or '(none)'}"]
        if self.token_stats:
            s = self.token_stats
            lines.append(f"  tokens per example: min {s['min']}, mean {s['mean']:.0f}, p50 {s['p50']}, "
                         f"p95 {s['p95']}, max {s['max']}")
            if s.get("max_length"):
                lines.append(f"  longer than {s['max_length']} tokens (truncated): {s['truncated']} "
                             f"({s['truncated_share']:.1%})")
        if self.problems:
            lines.append("  problems:")
            lines += [f"    {p}" for p in self.problems]
            if self.problem_count > len(self.problems):
                lines.append(f"    ... and {self.problem_count - len(self.problems)} more")
        return "\n".join(lines)


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


def token_stats(lengths: list[int], max_length: int | None) -> dict | None:
    if not lengths:
        return None
    ordered = sorted(lengths)

    def pct(q: float) -> int:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    over = sum(1 for n in lengths if max_length and n > max_length)
    return {"min": ordered[0], "max": ordered[-1], "mean": round(sum(lengths) / len(lengths), 1),
            "p50": pct(0.5), "p95": pct(0.95), "total": sum(lengths), "max_length": max_length,
            "truncated": over, "truncated_share": round(over / len(lengths), 4)}


def inspect_file(path: str | Path, fmt: str = "auto", columns: dict[str, str] | None = None, tokenizer=None,
                 max_length: int | None = None, max_problems: int = 200, progress: Progress | None = None,
                 system_prompt: str | None = None) -> InspectReport:
    """Read a whole file and report on it; token stats only when a tokenizer is given."""
    rows, total = open_rows(path)
    detection, head = detect_in(rows, fmt, columns)
    report = InspectReport(str(path), detection.format, detection.confidence, detection.reason)
    encoder = ConversationEncoder(tokenizer, max_length or 10**9) if tokenizer is not None else None
    lengths: list[int] = []
    columns_seen: dict[str, None] = {}
    every = max(1, (total or 10_000) // 100)
    for row in itertools.chain(head, rows):
        report.rows += 1
        if progress is not None and report.rows % every == 0:
            progress(report.rows, total)
        problem = row.error
        if row.data is not None:
            columns_seen.update(dict.fromkeys(row.data))
            if report.format == UNKNOWN:
                continue
            try:
                example = normalise(row.data, report.format, columns, system_prompt)
            except RowProblem as exc:
                problem = str(exc)
            else:
                report.valid_rows += 1
                if len(report.examples) < EXAMPLES:
                    report.examples.append(example)
                if encoder is not None:
                    encoded = (encode_text(tokenizer, example, 10**9) if isinstance(example, str)
                               else encoder.encode(example))
                    lengths.append(encoded.full_length)
        if problem is not None:
            report.problem_count += 1
            if len(report.problems) < max_problems:
                report.problems.append(Problem(str(path), row.line, problem))
    if progress is not None:
        progress(report.rows, total)
    report.columns = list(columns_seen)
    report.token_stats = token_stats(lengths, max_length)
    log.info("inspected %s: %s, %d rows, %d usable", path, report.format, report.rows, report.valid_rows)
    return report
