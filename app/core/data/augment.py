"""Augmentation: new examples grown from seed examples by a local instruct model, for the user to review.

Two kinds of candidate, each from one seed conversation (its last user turn and the answer to it):
  rephrase  the model rewrites the question; the seed's answer stays (a rephrased question has the same answer)
  new       the model writes a new question in the style of a few seeds, then answers it
This module adds nothing by itself: `generate_candidates` returns candidates, the user keeps some, and
`save_augmented` writes the source's usable rows plus the kept candidates as a new dataset version, with a sidecar
recording the model and what was added. The model is passed in as an `Ask` function (the caller makes one with
app.core.chat.generate.sampled_replier): data sits below chat and loads no model. Generation runs where it is called (a
worker); `stop` ends it before the next candidate (the stop flag given to the ask's model, after the current token),
keeping the candidates made so far.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import DataError
from ..messages import Text
from .inspection import scan
from .sources import check_file
from .versions import check_target, next_version_path, sha256_of, write_sidecar, writing_jsonl

KINDS = ("rephrase", "new")
Ask = Callable[[str, int, int], str]  # (prompt, max_new_tokens, seed) -> the model's reply to that one user turn
REPHRASE = ("Rewrite this question with different words, keeping its meaning. Reply with the rewritten question "
            "only.\n\nQuestion: {question}")
NEW = ("Here are some questions:\n{examples}\n\nWrite one new question on a similar topic and in the same style. "
       "Reply with the new question only.")


@dataclass
class Candidate:
    kind: str  # "rephrase" or "new"
    seed_line: int  # the line of the seed example it grew from
    messages: list[dict]

    @property
    def question(self) -> str:
        return next(m["content"] for m in reversed(self.messages) if m["role"] == "user")

    @property
    def answer(self) -> str:
        return self.messages[-1]["content"]


def seed_examples(path: str | Path, fmt: str = "auto", columns: dict[str, str] | None = None,
                  limit: int = 200) -> list[tuple[int, list[dict]]]:
    """(line, messages) of the first usable conversations of a file."""
    detection, examples, _total = scan(check_file(path), fmt, columns)
    seeds = [(row.line, ex) for row, ex, _p in itertools.islice(examples, limit * 2) if isinstance(ex, list)]
    if not seeds:
        raise DataError(Text("{name} has no usable conversations to grow examples from (format: {format}).",
                             name=Path(path).name, format=detection.format),
                        Text("Augmentation needs chat examples (messages, sharegpt, alpaca or "
                             "prompt/completion)."))
    return seeds[:limit]


def _question(text: str) -> str:
    """The model's reply reduced to one question: its first non-empty line, without a label or quotes."""
    line = next((t.strip() for t in text.splitlines() if t.strip()), "")
    for label in ("Rewritten question:", "New question:", "Question:"):
        line = line.removeprefix(label).strip()
    return line.strip('"“”').strip()


def generate_candidates(seeds: list[tuple[int, list[dict]]], ask: Ask, n: int = 5, kinds: tuple[str, ...] = KINDS,
                        max_new_tokens: int = 96, seed: int = 0, progress: Callable[[int, int], None] | None = None,
                        stop: Any = None) -> list[Candidate]:
    """Up to `n` candidates, the kinds taking turns, from `seeds` (see seed_examples); `ask` is the model. Candidate
    i samples with seed `seed * 1000 + i`, so a seed gives the same candidates again."""
    rng = random.Random(seed)
    out: list[Candidate] = []
    for i in range(n):
        if stop is not None and stop.is_set():
            break
        kind, sample_seed = kinds[i % len(kinds)], seed * 1000 + i
        line, messages = seeds[rng.randrange(len(seeds))]
        context = messages[:-2] if len(messages) >= 2 else []
        if kind == "rephrase":
            question = _question(ask(REPHRASE.format(question=messages[-2]["content"]), max_new_tokens, sample_seed))
            answer = messages[-1]["content"]
        else:
            examples = "\n".join(f"- {m[-2]['content']}" for _l, m in rng.sample(seeds, min(3, len(seeds))))
            question = _question(ask(NEW.format(examples=examples), max_new_tokens, sample_seed))
            answer = ask(question, max_new_tokens, sample_seed) if question else ""
        if question and answer and question != messages[-2]["content"]:
            out.append(Candidate(kind, line, [*[m for m in context if m["role"] == "system"],
                                              {"role": "user", "content": question},
                                              {"role": "assistant", "content": answer}]))
        if progress is not None:
            progress(i + 1, n)
    return out


def save_augmented(path: str | Path, kept: list[Candidate], model_key: str, fmt: str = "auto",
                   columns: dict[str, str] | None = None, out: str | Path | None = None,
                   out_dir: str | Path | None = None) -> tuple[Path, Path]:
    """Write the source's usable rows and the kept candidates (messages format) as a new version; returns the
    file and its sidecar (the same record as a cleaning's, with one 'augment' action)."""
    source = check_file(path)
    target = check_target(Path(out) if out else next_version_path(source, out_dir), source)
    _detection, examples, _total = scan(source, fmt, columns)
    rows_in = skipped = 0
    with writing_jsonl(target) as write:
        for _row, example, _problem in examples:
            if example is None:
                skipped += 1
                continue
            rows_in += 1
            write({"text": example} if isinstance(example, str) else {"messages": example})
        for candidate in kept:
            write({"messages": candidate.messages})
    kinds = {kind: sum(c.kind == kind for c in kept) for kind in KINDS}
    sidecar = write_sidecar(target.with_name(target.name + ".actions.json"), {
        "source": str(source), "source_sha256": sha256_of(source), "format": "messages",
        "actions": [{"action": "augment", "params": {"model": model_key, **kinds},
                     "rows_in": rows_in, "rows_out": rows_in + len(kept)}],
        "counts": {"rows_in": rows_in, "rows_out": rows_in + len(kept), "skipped": skipped},
        "added": [{"kind": c.kind, "seed_line": c.seed_line, "messages": c.messages} for c in kept],
        "output_sha256": sha256_of(target)})
    return target, sidecar
