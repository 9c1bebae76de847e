"""Read the data of a stage beyond SFT: rows in the layout its TRL trainer takes (see pairs.py), split.

read -> detect the format and check the stage reads it -> convert every row (any problem stops the run, listing
them all) -> max_samples -> validation split -> test rows (data.test, else a data.test_split share of the training
rows, taken out of training as for sft: `finetune-studio eval --split test` scores them). No tokenising: the TRL trainers apply the chat template and tokenise
these rows themselves (classification rows are tokenised by the cls stage). Given a character `budget`
(templating.char_budget), the text those trainers tokenise is cut to it first: what lies past it lies past max_length
tokens, which they truncate away (keeping the start), and a 20 MB row tokenised whole would take gigabytes.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Cancelled, DataError
from ..messages import Term, Text
from .formats import UNKNOWN, RowProblem, apply_columns
from .inspection import detect_in
from .pairs import stage_row
from .prepare import fingerprint, split_indices
from .problems import Problem, problems_error
from .sources import check_file, open_rows


@dataclass
class StageRows:
    format: str
    train: list[dict]
    eval: list[dict]
    rows: int
    fingerprint: str
    test: list[dict] = field(default_factory=list)


# The fields of a stage row that a trainer tokenises (a reference answer, a label, is compared, not tokenised).
TOKENISED = ("prompt", "chosen", "rejected", "completion", "text")


def cut_to_budget(row: dict, budget: int) -> dict:
    """`row` with each tokenised field cut to `budget` characters: a text cut there; a list of turns kept in order
    until their contents have used the budget up, the turn that crosses it cut and the rest left out (all of it past
    max_length tokens, which the trainer's truncation drops)."""
    for key in TOKENISED:
        value = row.get(key)
        if isinstance(value, str):
            row[key] = value[:budget]
        elif isinstance(value, list):
            kept, used = [], 0
            for turn in value:
                kept.append({**turn, "content": turn["content"][:budget - used]})
                used += len(turn["content"])
                if used >= budget:
                    break
            row[key] = kept
    return row


def keep_prompt_end(row: dict, budget: int) -> dict:
    """`row` with its prompt cut to its last `budget` characters, for the online trainers, which keep a long
    prompt's end (TRL truncates prompts from the left): a text's tail; a list of turns kept from the last one back
    until their contents have used the budget up, the turn that crosses it cut to its end."""
    value = row.get("prompt")
    if isinstance(value, str):
        row["prompt"] = value[-budget:]
    elif isinstance(value, list):
        kept, used = [], 0
        for turn in reversed(value):
            kept.append({**turn, "content": turn["content"][-(budget - used):]})
            used += len(turn["content"])
            if used >= budget:
                break
        row["prompt"] = kept[::-1]
    return row


def _read(path: Path, fmt: str, cfg, formats: tuple[str, ...], title: str, limit: int | None,
          stop=None, budget: int | None = None) -> tuple[str, list[dict], list[Problem], int]:
    rows, _total = open_rows(path)
    detection, head = detect_in(rows, fmt, cfg.columns)
    if detection.format == UNKNOWN:
        raise DataError(Text("Cannot tell the format of {name}: {reason}",
                             name=path.name, reason=detection.reason),
                        Text("Choose the format yourself, and map your columns to its names in the column "
                             "mapping."))
    if detection.format not in formats:
        raise DataError(Text("{name} holds {format} data ({reason}); the {title} stage reads {formats} data.",
                             name=path.name, format=detection.format, reason=detection.reason, title=Term(title),
                             formats=', '.join(formats)),
                        Text("Choose the stage that fits this data, or map its columns to the stage's format."))
    examples: list[dict] = []
    problems: list[Problem] = []
    count = 0
    for row in itertools.chain(head, rows):
        if limit is not None and len(examples) + count >= limit:
            break
        if stop is not None and stop.is_set():
            raise Cancelled()
        problem = row.error
        if row.data is not None:
            try:
                example = _with_system(stage_row(apply_columns(row.data, cfg.columns), detection.format),
                                       cfg.system_prompt)
                examples.append(example if budget is None else cut_to_budget(example, budget))
            except RowProblem as exc:
                problem = str(exc)
        if problem is not None:
            count += 1
            if len(problems) < 50:
                problems.append(Problem(row.where(path), row.line, problem))
    if not examples and not count:
        raise DataError(Text("{name} contains no examples.", name=path.name),
                        Text("Add rows to the file, or pick another one."))
    return detection.format, examples, problems, count


def _with_system(example: dict, system_prompt: str | None) -> dict:
    prompt = example.get("prompt")
    if system_prompt and system_prompt.strip() and isinstance(prompt, list) and prompt[0]["role"] != "system":
        example["prompt"] = [{"role": "system", "content": system_prompt}, *prompt]
    return example


def load_stage_rows(cfg, formats: tuple[str, ...], title: str, sink=None, stop=None,
                    validation: bool = True, budget: int | None = None) -> StageRows:
    """Read `cfg` (a DataConfig) for a stage that reads `formats`; DataError lists every unusable row as
    `file:line: problem`; `Cancelled` once `stop.is_set()`. `validation=False` keeps every row for training;
    `budget`: characters each tokenised field is cut to (cut_to_budget)."""
    train_path = check_file(cfg.train)
    val_path = check_file(cfg.validation) if cfg.validation and validation else None
    if sink is not None:
        sink.emit("phase", name="read", message=Text("Reading {name}", name=train_path.name), current=0, total=None)
    fmt, train, problems, count = _read(train_path, cfg.format, cfg, formats, title, cfg.max_samples, stop, budget)
    rows = len(train)
    if val_path is not None:
        _fmt, held, more, more_count = _read(val_path, cfg.format, cfg, formats, title, None, stop, budget)
        problems, count, rows = problems + more, count + more_count, rows + len(held)
    test: list[dict] = []
    if cfg.test:
        _fmt, test, more, more_count = _read(check_file(cfg.test), cfg.format, cfg, formats, title, None, stop)
        problems, count = problems + more, count + more_count
    if count:
        raise problems_error(problems, count)
    read = len(train)
    if val_path is None:
        kept, held_idx = split_indices(len(train), cfg.validation_split if validation else 0.0, cfg.seed)
        train, held = [train[i] for i in kept], [train[i] for i in held_idx]
    if not cfg.test and cfg.test_split > 0:  # the same share of the rows read as split_examples takes for sft
        kept, test_idx = split_indices(len(train), cfg.test_split * read / max(1, len(train)), cfg.seed + 1)
        train, test = [train[i] for i in kept], [train[i] for i in test_idx]
    fp = fingerprint([p for p in (train_path, val_path) if p], fmt, cfg.columns, cfg.train_on)
    return StageRows(fmt, train, held, rows, fp, test)
