"""Turn the configured data files into tokenised train/eval datasets for supervised fine-tuning.

read -> detect format -> normalise every row (any problem stops the run, listing them all) -> max_samples ->
split -> tokenise with assistant-only labels -> `datasets.Dataset`s with columns `input_ids` and `labels`
(-100 where no loss is computed; no padding, no attention mask: the collator pads).

`stop` (anything with `is_set()`, e.g. `app.core.events.StopFlag`) is checked between rows while reading and
tokenising; once it is set, `Cancelled` is raised and nothing is cached.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import Cancelled, DataError
from ..messages import Text
from .formats import UNKNOWN, RowProblem, normalise
from .inspection import detect_in
from .mixing import mix
from .problems import Problem, problems_error
from .sources import check_file, is_hub_id, open_rows, resolve_source
from .templating import ConversationEncoder, Encoded, encode_text
from .versions import sha256_of

log = logging.getLogger(__name__)

CACHE_VERSION = "2"  # bump when tokenisation or the stats change, so old caches are not reused
PROGRESS_STEPS = 50  # a progress event every ~2%
SAMPLE_PROMPTS = 2  # user prompts the engine answers at each checkpoint


@dataclass
class Prepared:
    train: Any  # datasets.Dataset: input_ids, labels
    eval: Any | None
    stats: dict
    fingerprint: str
    format: str


@dataclass
class _Loaded:
    format: str
    examples: list  # normalised rows: message lists, or texts (format "text")
    problems: list[Problem]
    problem_count: int


def _check_stop(stop) -> None:
    if stop is not None and stop.is_set():
        raise Cancelled()


def _load(path: Path, fmt: str, cfg, limit: int | None, stop=None) -> _Loaded:
    rows, _total = open_rows(path)
    detection, head = detect_in(rows, fmt, cfg.columns)
    if detection.format == UNKNOWN:
        raise DataError(Text("Cannot tell the format of {name}: {reason}",
                             name=path.name, reason=detection.reason),
                        Text("Choose the format yourself, and map your columns to its names in the column "
                             "mapping."))
    loaded = _Loaded(detection.format, [], [], 0)
    for row in itertools.chain(head, rows):
        if limit is not None and len(loaded.examples) + loaded.problem_count >= limit:
            break
        _check_stop(stop)
        problem = row.error
        if row.data is not None:
            try:
                loaded.examples.append(normalise(row.data, detection.format, cfg.columns, cfg.system_prompt))
            except RowProblem as exc:
                problem = str(exc)
        if problem is not None:
            loaded.problem_count += 1
            if len(loaded.problems) < 50:
                loaded.problems.append(Problem(row.where(path), row.line, problem))
    if not loaded.examples and not loaded.problem_count:
        raise DataError(Text("{name} contains no examples.", name=path.name),
                        Text("Add rows to the file, or pick another one."))
    return loaded


def fingerprint(paths: list[Path], fmt: str, columns: dict, train_on: str, mix: list[dict] | None = None) -> str:
    """sha256 over each source's content hash (a file's bytes, a folder's files), the format, the column mapping,
    what is trained on and the mix (datasets' paths, weights, max examples, formats, mappings)."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(sha256_of(path).encode())
    digest.update(json.dumps([fmt, sorted(columns.items()), train_on]).encode())
    if mix:
        digest.update(json.dumps(mix, sort_keys=True).encode())
    return digest.hexdigest()


def _download_sources(cfg, sink=None, stop=None):
    """`cfg` with hub dataset ids replaced by their downloaded folders (progress as 'download' phase events)."""
    def progress(message: str, done: int, total: int | None) -> None:
        if sink is not None:
            sink.emit("phase", name="download", message=message, current=done, total=total)

    def local(spec: str | None) -> str | None:
        return str(resolve_source(spec, progress, stop)) if spec and is_hub_id(spec) else spec

    return cfg.model_copy(update={"train": local(cfg.train), "validation": local(cfg.validation),
                                  "test": local(cfg.test),
                                  "mix": [m.model_copy(update={"path": local(m.path)}) for m in cfg.mix]})


def _cache_key(fp: str, cfg, tokenizer, max_length: int) -> str:
    template = getattr(tokenizer, "chat_template", None) or ""
    backend = getattr(tokenizer, "backend_tokenizer", None)
    pre = backend.pre_tokenizer.__getstate__() if backend is not None and backend.pre_tokenizer else b""
    parts = [CACHE_VERSION, fp, getattr(tokenizer, "name_or_path", ""), len(tokenizer), template, pre, max_length,
             cfg.system_prompt, cfg.max_samples, cfg.validation_split, cfg.seed, cfg.test, cfg.test_split]
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()[:32]


def split_indices(n: int, share: float, seed: int) -> tuple[list[int], list[int]]:
    """Deterministic hold-out: indices for train (in file order) and eval; at least one row stays in train."""
    if share <= 0 or n < 2:
        return list(range(n)), []
    n_eval = min(n - 1, max(1, round(n * share)))
    held = set(random.Random(seed).sample(range(n), n_eval))
    return [i for i in range(n) if i not in held], sorted(held)


def split_positions(n: int, validation_split: float, test_split: float, seed: int
                    ) -> tuple[list[int], list[int], list[int]]:
    """Where a run's training, validation and test rows lie among the `n` examples of its training file (in file
    order): `validation_split` of them held out (none with a validation file), then `test_split` of them (of all
    `n`) from the rest (none with a test file)."""
    train, held = split_indices(n, validation_split, seed)
    if test_split <= 0:
        return train, held, []
    kept, tested = split_indices(len(train), test_split * n / max(1, len(train)), seed + 1)
    return [train[i] for i in kept], held, [train[i] for i in tested]


@dataclass
class Examples:
    """The normalised examples of each split, exactly as training sees them (test rows are never trained on)."""
    format: str
    train: list
    validation: list
    test: list
    rows: int  # rows read from the train and validation files
    mix: list[dict] = field(default_factory=list)  # per mixed-in dataset: path, format, weight, rows, train_rows


def split_examples(cfg, stop=None) -> Examples:
    """Read and normalise `cfg` (a DataConfig) and split it: the validation rows are the same with or without a
    test share; test rows come from `cfg.test`, else `cfg.test_split` of the remaining training rows."""
    train_path = check_file(cfg.train)
    val_path = check_file(cfg.validation) if cfg.validation else None
    test_path = check_file(cfg.test) if cfg.test else None
    train = _load(train_path, cfg.format, cfg, cfg.max_samples, stop)
    val = _load(val_path, cfg.format, cfg, None, stop) if val_path else None
    test = _load(test_path, cfg.format, cfg, None, stop) if test_path else None
    loaded = [x for x in (train, val, test) if x is not None]
    count = sum(x.problem_count for x in loaded)
    if count:
        raise problems_error([p for x in loaded for p in x.problems], count)
    train_idx, eval_idx, test_idx = split_positions(len(train.examples),
                                                    0.0 if val is not None else cfg.validation_split,
                                                    0.0 if test is not None else cfg.test_split, cfg.seed)
    train_examples = [train.examples[i] for i in train_idx]
    eval_examples = val.examples if val is not None else [train.examples[i] for i in eval_idx]
    test_examples = test.examples if test is not None else [train.examples[i] for i in test_idx]
    rows = len(train.examples) + (len(val.examples) if val else 0)
    train_examples, eval_examples, mixed = _mix_in(cfg, train_examples, eval_examples, val is not None, stop)
    return Examples(train.format, train_examples, eval_examples, test_examples, rows, mixed)


def _mix_in(cfg, train: list, validation: list, has_validation_file: bool, stop=None) -> tuple[list, list, list]:
    """Training and validation examples with `cfg.mix`'s datasets mixed in (see mixing.py), and what each gave."""
    if not cfg.mix:
        return train, validation, []
    parts, problems, count = [], [], 0
    for i, source in enumerate(cfg.mix, start=1):
        loaded = _load(check_file(source.path), source.format, cfg.model_copy(update={"columns": source.columns}),
                       source.max_samples, stop)
        problems, count = problems + loaded.problems, count + loaded.problem_count
        kept, held = split_indices(len(loaded.examples), 0.0 if has_validation_file else cfg.validation_split, cfg.seed + i)
        parts.append((source, loaded, [loaded.examples[j] for j in kept]))
        validation = validation + [loaded.examples[j] for j in held]
    if count:
        raise problems_error(problems, count)
    train, counts = mix([train] + [pool for _s, _l, pool in parts], [1.0] + [s.weight for s, _l, _p in parts],
                        cfg.seed)
    return train, validation, [
        {"path": s.path, "format": loaded.format, "weight": s.weight, "rows": len(loaded.examples),
         "train_rows": n} for (s, loaded, _pool), n in zip(parts, counts[1:], strict=True)]


class _Tokeniser:
    def __init__(self, tokenizer, max_length: int, train_on: str, sink, total: int, stop=None):
        self.encoder = ConversationEncoder(tokenizer, max_length, train_on)
        self.tokenizer, self.max_length, self.sink, self.total, self.stop = tokenizer, max_length, sink, total, stop
        self.done = 0
        self.every = max(1, total // PROGRESS_STEPS)

    def run(self, examples: list) -> list[Encoded]:
        out = []
        for example in examples:
            _check_stop(self.stop)
            out.append(encode_text(self.tokenizer, example, self.max_length) if isinstance(example, str)
                       else self.encoder.encode(example))
            self.done += 1
            if self.sink is not None and (self.done % self.every == 0 or self.done == self.total):
                self.sink.emit("phase", name="tokenize", message=Text("Tokenising examples"), current=self.done,
                               total=self.total)
        return out


def _columns(encoded: list[Encoded], max_length: int, counts: dict[str, int]) -> dict[str, list]:
    """The rows cut to `max_length` tokens as dataset columns, counting the truncated ones, the answer tokens cut
    and the rows left with no answer token (dropped)."""
    columns: dict[str, list] = {"input_ids": [], "labels": []}
    for row in encoded:
        row = row.cut(max_length)
        counts["truncated"] += row.truncated
        counts["assistant_tokens_cut"] += row.assistant_tokens_cut
        if row.trained_tokens == 0:
            counts["dropped"] += 1
        else:
            columns["input_ids"].append(row.input_ids)
            columns["labels"].append(row.labels)
    return columns


@dataclass
class Tokenised:
    """The rows of a DataConfig read, split and tokenised once, each cut at `limit` tokens only (tokenise_sft): what
    the automatic settings measure (auto_settings), and what prepare_sft then cuts to the chosen max_length instead
    of reading and tokenising the data again."""
    cfg: Any  # the DataConfig, hub datasets downloaded
    fingerprint: str
    format: str
    examples: Examples
    train: list[Encoded]
    validation: list[Encoded]
    limit: int


def _identify(cfg) -> tuple[str, str]:
    """The data's format (detected from the training file's first rows) and its fingerprint."""
    train_path = check_file(cfg.train)
    val_path = check_file(cfg.validation) if cfg.validation else None
    detection, _head = detect_in(open_rows(train_path)[0], cfg.format, cfg.columns)
    return detection.format, fingerprint([p for p in (train_path, val_path) if p] + [check_file(m.path) for m in
                                                                                      cfg.mix],
                                         detection.format, cfg.columns, cfg.train_on, [m.model_dump() for m in cfg.mix])


def _tokenise(cfg, tokenizer, limit: int, fmt: str, fp: str, sink=None, stop=None) -> Tokenised:
    if sink is not None:
        sink.emit("phase", name="read", message=Text("Reading {name}", name=check_file(cfg.train).name), current=0,
                  total=None)
    examples = split_examples(cfg, stop)
    tok = _Tokeniser(tokenizer, limit, cfg.train_on, sink, len(examples.train) + len(examples.validation), stop)
    return Tokenised(cfg, fp, fmt, examples, tok.run(examples.train), tok.run(examples.validation), limit)


def profile_path(cfg, tokenizer, limit: int, sink=None, stop=None) -> Path | None:
    """Where the token lengths of `cfg`'s training rows, tokenised up to `limit`, are kept between runs (beside the
    tokenised data, keyed like it: the data's content, split settings and tokenizer); None for an unknown format."""
    from ..paths import data_home

    cfg = _download_sources(cfg, sink, stop)
    fmt, fp = _identify(cfg)
    if fmt == UNKNOWN:
        return None
    return data_home() / "cache" / "sft" / f"profile-{_cache_key(fp, cfg, tokenizer, f'profile {limit}')}.json"


def tokenise_sft(cfg, tokenizer, limit: int, sink=None, stop=None) -> Tokenised:
    """Read, validate and split `cfg` (a DataConfig) and tokenise its training and validation rows, each cut at
    `limit` tokens; errors as prepare_sft's."""
    _check_stop(stop)
    cfg = _download_sources(cfg, sink, stop)
    fmt, fp = _identify(cfg)
    return _tokenise(cfg, tokenizer, limit, fmt, fp, sink, stop)


def sample_prompts(eval_examples: list, train_examples: list, n: int = SAMPLE_PROMPTS) -> list[str]:
    """Up to `n` distinct user prompts (each conversation's last user message), from the validation examples
    first, then the training ones, in their (deterministic) order; none for plain text."""
    prompts: list[str] = []
    for example in itertools.chain(eval_examples, train_examples):
        if len(prompts) >= n:
            break
        if isinstance(example, str):
            continue
        user = next((m["content"] for m in reversed(example) if m["role"] == "user"), None)
        if user and user.strip() and user not in prompts:
            prompts.append(user)
    return prompts


def prepare_sft(cfg, tokenizer, max_length: int, sink=None, cache_dir: str | Path | None = None,
                use_cache: bool = True, stop=None, tokenised: Tokenised | None = None) -> Prepared:
    """Read, validate, split and tokenise `cfg` (a DataConfig); DataError lists every malformed row as
    `file:line: problem`; `Cancelled` once `stop.is_set()`. `tokenised`: `cfg`'s rows already read and tokenised
    (tokenise_sft, with a limit of at least `max_length`), cut to `max_length` here instead of read again."""
    from datasets import Dataset, load_from_disk

    _check_stop(stop)
    if tokenised is not None and tokenised.limit < max_length:
        raise ValueError(f"rows tokenised up to {tokenised.limit} tokens cannot be cut to {max_length}")
    if tokenised is None:
        cfg = _download_sources(cfg, sink, stop)
        fmt, fp = _identify(cfg)
    else:
        cfg, fmt, fp = tokenised.cfg, tokenised.format, tokenised.fingerprint

    cache = None
    if use_cache and fmt != UNKNOWN:
        from ..paths import data_home

        cache = Path(cache_dir) if cache_dir else data_home() / "cache" / "sft"
        cache = cache / _cache_key(fp, cfg, tokenizer, max_length)
        if (cache / "stats.json").is_file():
            stats = json.loads((cache / "stats.json").read_text(encoding="utf-8"))
            log.info("using tokenised data from %s", cache)
            eval_ds = load_from_disk(str(cache / "eval")) if (cache / "eval").is_dir() else None
            return Prepared(load_from_disk(str(cache / "train")), eval_ds, {**stats, "cached": True}, fp, fmt)

    if tokenised is None:
        tokenised = _tokenise(cfg, tokenizer, max_length, fmt, fp, sink, stop)
    examples = tokenised.examples
    counts = {"truncated": 0, "assistant_tokens_cut": 0, "dropped": 0}
    train_cols = _columns(tokenised.train, max_length, counts)
    eval_cols = _columns(tokenised.validation, max_length, counts)
    if not train_cols["input_ids"]:
        raise DataError(Text("No training example keeps any answer tokens within {max_length} tokens.",
                             max_length=max_length),
                        Text("Raise the max length, or shorten the prompts."))
    stats = {
        "format": fmt, "rows": examples.rows + sum(m["rows"] for m in examples.mix),
        "train_rows": len(train_cols["input_ids"]), "eval_rows": len(eval_cols["input_ids"]),
        **counts, "max_length": max_length,
        "tokens": sum(map(len, train_cols["input_ids"])),
        "trained_tokens": sum(1 for labels in train_cols["labels"] for x in labels if x != -100),
        "sample_prompts": sample_prompts(examples.validation, examples.train),
        "mix": examples.mix,
        "cached": False,
    }
    prepared = Prepared(Dataset.from_dict(train_cols), Dataset.from_dict(eval_cols) if eval_cols["input_ids"]
                        else None, stats, fp, fmt)
    if cache is not None:
        save_cache(cache, prepared)
    return prepared


def save_cache(cache: Path, prepared: Prepared, what: str = "tokenised data") -> None:
    """Write the cache beside its final place and rename it in, so a half-written cache is never read."""
    tmp = cache.with_name(cache.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        prepared.train.save_to_disk(str(tmp / "train"))
        if prepared.eval is not None:
            prepared.eval.save_to_disk(str(tmp / "eval"))
        (tmp / "stats.json").write_text(json.dumps(prepared.stats), encoding="utf-8")
        shutil.rmtree(cache, ignore_errors=True)
        tmp.rename(cache)
    except OSError as exc:
        log.warning("could not cache %s in %s: %s", what, cache, exc)
        shutil.rmtree(tmp, ignore_errors=True)
