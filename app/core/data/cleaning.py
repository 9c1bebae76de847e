"""Cleaning actions: drop invalid rows, fill placeholders, trim whitespace, dedupe, filter by token length.

Each cleaning reads the source once (streaming) and writes a NEW file, by default `<data home>/datasets/<stem>.v<N>
.jsonl`, in messages format (`{"messages": [...]}`; `{"text": ...}` for text data; a `label` column is kept), plus
`<file>.actions.json` recording the source and its sha256, the actions with their parameters and the rows in and
out of each. The source file is only read.

Actions run in a fixed order whatever order they are given in: drop_invalid → fill → trim → dedupe →
filter_tokens (filled and trimmed rows are compared when deduplicating; lengths are measured on the final text).
Memory: deduplication keeps one 64-bit key per kept row.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..errors import Cancelled, DataError
from ..messages import Text
from .clean_options import DESCRIPTIONS, TITLES
from .duplicates import exact_key, near_key
from .formats import UNKNOWN
from .inspection import scan
from .placeholders import fill
from .problems import Problem, problems_error
from .sources import check_file
from .templating import ConversationEncoder, encode_text
from .versions import check_target, next_version_path, sha256_of, write_sidecar, writing_jsonl

log = logging.getLogger(__name__)

ORDER = ("drop_invalid", "fill", "trim", "dedupe", "filter_tokens")


class CleanActions(BaseModel):
    """What to do to a dataset; every field defaults to doing nothing."""

    model_config = ConfigDict(extra="forbid")

    drop_invalid: bool = Field(False, title=TITLES["drop_invalid"], description=DESCRIPTIONS["drop_invalid"])
    fill: dict[str, str] = Field(default_factory=dict, title=TITLES["fill"], description=DESCRIPTIONS["fill"])
    trim: bool = Field(False, title=TITLES["trim"], description=DESCRIPTIONS["trim"])
    dedupe: Literal["exact", "near"] | None = Field(None, title=TITLES["dedupe"], description=DESCRIPTIONS["dedupe"])
    min_tokens: int | None = Field(None, ge=1, le=10_000_000, title=TITLES["min_tokens"],
                                   description=DESCRIPTIONS["min_tokens"])
    max_tokens: int | None = Field(None, ge=1, le=10_000_000, title=TITLES["max_tokens"],
                                   description=DESCRIPTIONS["max_tokens"])

    @model_validator(mode="after")
    def _bounds(self) -> CleanActions:
        if self.min_tokens and self.max_tokens and self.min_tokens > self.max_tokens:
            raise ValueError(Text("min_tokens ({min_tokens}) is larger than max_tokens ({max_tokens})",
                                  min_tokens=self.min_tokens, max_tokens=self.max_tokens))
        return self

    def steps(self) -> list[tuple[str, dict]]:
        """The requested actions in the order they run, each with its parameters."""
        steps = {"drop_invalid": self.drop_invalid, "fill": bool(self.fill), "trim": self.trim,
                 "dedupe": self.dedupe is not None,
                 "filter_tokens": self.min_tokens is not None or self.max_tokens is not None}
        params = {"fill": {"values": self.fill}, "dedupe": {"mode": self.dedupe},
                  "filter_tokens": {"min_tokens": self.min_tokens, "max_tokens": self.max_tokens}}
        return [(name, params.get(name, {})) for name in ORDER if steps[name]]


@dataclass
class CleanResult:
    path: str  # the new file
    source: str
    sidecar: str
    actions: list[dict] = field(default_factory=list)  # {"action", "params", "rows_in", "rows_out", "changed"?}
    counts: dict = field(default_factory=dict)  # {"rows_in", "rows_out", "<action>_removed"/"_changed", ...}

    def to_dict(self) -> dict:
        return asdict(self)

    def summary(self) -> str:
        lines = [f"{self.source} → {self.path}",
                 f"  rows: {self.counts['rows_in']} in, {self.counts['rows_out']} out"]
        for a in self.actions:
            changed = f", {a['changed']} changed" if "changed" in a else ""
            lines.append(f"  {a['action']:14} {a['rows_in']} → {a['rows_out']}{changed}")
        lines.append(f"  actions recorded in {self.sidecar}")
        return "\n".join(lines)


def clean_dataset(path: str | Path, actions: CleanActions | dict, out_dir: str | Path | None = None,
                  out: str | Path | None = None, fmt: str = "auto", columns: dict[str, str] | None = None,
                  tokenizer=None, progress: Callable[[int, int | None], None] | None = None,
                  stop=None) -> CleanResult:
    """Apply `actions` to the dataset at `path` and write the result as a new version (see the module docstring).

    `out` names the file; else it is the next `<stem>.v<N>.jsonl` in `out_dir` (default: the data home's datasets
    folder). `stop.is_set()` is checked as rows are read; a stopped cleaning writes nothing.
    """
    actions = _validated(actions)
    source = check_file(path)
    steps = actions.steps()
    needs_tokens = actions.min_tokens is not None or actions.max_tokens is not None
    if needs_tokens and tokenizer is None:
        raise DataError(Text("Filtering by token length needs a tokenizer."),
                        Text("Choose the model whose tokenizer measures the examples (e.g. --model demo)."))
    detection, examples, total = scan(source, fmt, columns)
    if detection.format == UNKNOWN:
        raise DataError(Text("Cannot tell the format of {name}: {reason}",
                             name=source.name, reason=detection.reason),
                        Text("Choose the format yourself, and map your columns to its names in the column "
                             "mapping."))
    target = check_target(Path(out) if out else next_version_path(source, out_dir), source)
    digest = sha256_of(source)
    flow = {name: [0, 0] for name, _ in steps}  # rows in, rows out
    changed = {"fill": 0, "trim": 0}
    seen: set[int] = set()
    # lengths are measured up to one token past the larger bound, which is all the filter compares (and keeps a
    # huge row from being tokenised whole: templating.char_budget)
    encoder = ConversationEncoder(tokenizer, max(actions.min_tokens or 0, actions.max_tokens or 0)) \
        if needs_tokens else None
    problems: list[Problem] = []
    problem_count = rows_in = rows_out = 0
    every = max(1, (total or 10_000) // 100)
    with writing_jsonl(target) as write:
        for row, example, problem in examples:
            rows_in += 1
            if rows_in % every == 0:
                if stop is not None and stop.is_set():
                    raise Cancelled(Text("Cleaning stopped; nothing was written."))
                if progress is not None:
                    progress(rows_in, total)
            for name, _params in steps:
                flow[name][0] += 1
                if name == "drop_invalid":
                    keep = example is not None
                elif example is None:
                    keep = True  # no action but drop_invalid looks at an unusable row
                elif name == "fill":
                    filled = fill(example, actions.fill)
                    changed["fill"] += filled != example
                    example, keep = filled, True
                elif name == "trim":
                    trimmed = _trim(example)
                    changed["trim"] += trimmed != example
                    example, keep = trimmed, _has_text(trimmed)
                elif name == "dedupe":
                    key = exact_key(example) if actions.dedupe == "exact" else near_key(example)
                    keep = key not in seen
                    seen.add(key)
                else:
                    n = _length(tokenizer, encoder, example)
                    keep = (actions.min_tokens or 0) <= n <= (actions.max_tokens or n)
                if not keep:
                    break
                flow[name][1] += 1
            else:
                if example is None:
                    problem_count += 1
                    if len(problems) < 200:
                        problems.append(Problem(row.where(source), row.line, problem or Text("unusable row")))
                    continue
                write(_record(example, row.data))
                rows_out += 1
        if problem_count:
            error = problems_error(problems, problem_count)
            error.hint = ("Leave these rows out with the 'Drop invalid rows' action (--drop-invalid), or fix them "
                          "(the file:line tells where).")
            raise error
    if progress is not None:
        progress(rows_in, total)
    records = []
    for name, params in steps:
        record = {"action": name, "params": params, "rows_in": flow[name][0], "rows_out": flow[name][1]}
        if name in changed:
            record["changed"] = changed[name]
        records.append(record)
    counts = {"rows_in": rows_in, "rows_out": rows_out}
    for r in records:
        counts[f"{r['action']}_removed"] = r["rows_in"] - r["rows_out"]
        if "changed" in r:
            counts[f"{r['action']}_changed"] = r["changed"]
    sidecar = target.with_name(target.name + ".actions.json")
    write_sidecar(sidecar, {"source": str(source), "source_sha256": digest, "format": detection.format,
                            "columns": columns, "actions": records, "counts": counts, "output": str(target),
                            "output_sha256": sha256_of(target)})
    log.info("cleaned %s -> %s: %d rows in, %d out", source, target, rows_in, rows_out)
    return CleanResult(str(target), str(source), str(sidecar), records, counts)


def _validated(actions: CleanActions | dict) -> CleanActions:
    if isinstance(actions, CleanActions):
        return actions
    try:
        return CleanActions.model_validate(actions)
    except ValidationError as exc:
        lines = [f"  {'.'.join(map(str, e['loc'])) or '(actions)'}: {e['msg'].removeprefix('Value error, ')}"
                 for e in exc.errors()]
        raise DataError(Text("Invalid cleaning actions:\n{problems}", problems="\n".join(lines)),
                        Text("Check the options (see `finetune-studio data clean --help`).")) from None


def _trim(example: list[dict] | str) -> list[dict] | str:
    if isinstance(example, str):
        return example.strip()
    return [{**m, "content": m["content"].strip()} for m in example]


def _has_text(example: list[dict] | str) -> bool:
    if isinstance(example, str):
        return bool(example)
    return all(m["content"] for m in example if m["role"] != "system")


def _length(tokenizer, encoder: ConversationEncoder, example: list[dict] | str) -> int:
    if isinstance(example, str):
        return encode_text(tokenizer, example, encoder.max_length).full_length
    return encoder.encode(example).full_length


def _record(example: list[dict] | str, data: dict | None) -> dict:
    record = {"text": example} if isinstance(example, str) else {"messages": example}
    if data and "label" in data:
        record["label"] = data["label"]
    return record
