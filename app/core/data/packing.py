"""Continued pre-training data: raw text tokenised and packed into fixed-length blocks, cached on disk.

read the texts ('text' rows, or a .txt file's lines) -> hold out validation documents -> tokenise each document
(in pieces of at most PIECE_CHARS characters, so a huge document needs no more memory than a small one) with the
end-of-text token after it -> concatenate -> cut into blocks of `block_size` tokens (the last partial
block is dropped) -> `datasets.Dataset`s with `input_ids` and `labels` (the same tokens: every token is learned).

The cache is keyed by the files' content hash, the tokenizer and the block size (and the split settings); a
progress event comes every ~2% of the documents, and `stop` is checked between documents.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any

from ..errors import Cancelled, DataError
from ..messages import Text
from .prepare import PROGRESS_STEPS, Prepared, fingerprint, save_cache, split_indices
from .sources import check_file
from .stage_data import load_stage_rows

log = logging.getLogger(__name__)

CACHE_VERSION = "1"  # the pieces tokenise as the whole text did: old caches stay valid


def _cache_key(fp: str, cfg, tokenizer: Any, block_size: int) -> str:
    parts = [CACHE_VERSION, fp, getattr(tokenizer, "name_or_path", ""), len(tokenizer), tokenizer.eos_token,
             block_size, cfg.max_samples, cfg.validation_split, cfg.seed, cfg.test, cfg.test_split]
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()[:32]


def pack(token_lists: list[list[int]], block_size: int) -> list[list[int]]:
    """Concatenate the documents' tokens and cut them into full blocks (the remainder is dropped)."""
    flat = [t for tokens in token_lists for t in tokens]
    return [flat[i:i + block_size] for i in range(0, len(flat) - block_size + 1, block_size)]


# A document is tokenised in pieces of at most this many characters: a fast tokenizer holds several hundred bytes
# of offsets and encodings per character while it works, so one 20 MB document took gigabytes at once.
PIECE_CHARS = 1 << 16


def pieces(text: str, size: int = PIECE_CHARS) -> list[str]:
    """`text` cut into pieces of at most `size` characters, each cut placed before a single space between two
    non-space characters where the window has one. Byte-level BPE tokenizers (GPT-2, SmolLM2, Llama 3, Qwen) start
    a word's token with the space before it and end every token before such a space, so the pieces' tokens are the
    whole text's; a window without such a space is cut hard (a token may split there: at most one in `size`)."""
    out, start = [], 0
    while len(text) - start > size:
        end = cut = start + size
        while (cut := text.rfind(" ", start + 1, cut)) > start:
            if not text[cut - 1].isspace() and not text[cut + 1].isspace():
                break
        cut = cut if cut > start else end
        out.append(text[start:cut])
        start = cut
    out.append(text[start:])
    return out


def tokenise_documents(texts: list[str], tokenizer: Any, sink: Any, stop: Any, done: int, total: int) -> list[list[int]]:
    every = max(1, total // PROGRESS_STEPS)
    eos = [tokenizer.eos_token_id] if tokenizer.eos_token_id is not None else []
    out = []
    for text in texts:
        if stop is not None and stop.is_set():
            raise Cancelled()
        out.append([t for piece in pieces(text) for t in tokenizer(piece, add_special_tokens=False)["input_ids"]]
                   + eos)
        done += 1
        if sink is not None and (done % every == 0 or done == total):
            sink.emit("phase", name="tokenize", message=Text("Tokenising and packing text"), current=done, total=total)
    return out


def prepare_pt(cfg, tokenizer: Any, block_size: int, sink: Any = None, stop: Any = None,
               cache_dir: str | Path | None = None) -> Prepared:
    """Packed blocks of `block_size` tokens from `cfg` (a DataConfig of text data); DataError when the text makes
    not even one block; `Cancelled` once `stop.is_set()` (nothing is cached then)."""
    from datasets import Dataset, load_from_disk

    from ..paths import data_home

    fp = fingerprint([check_file(p) for p in (cfg.train, cfg.validation) if p], "text", cfg.columns, "all")
    cache = (Path(cache_dir) if cache_dir else data_home() / "cache" / "pt") / _cache_key(fp, cfg, tokenizer,
                                                                                          block_size)
    if (cache / "stats.json").is_file():
        log.info("using packed data from %s", cache)
        stats = json.loads((cache / "stats.json").read_text(encoding="utf-8"))
        eval_ds = load_from_disk(str(cache / "eval")) if (cache / "eval").is_dir() else None
        return Prepared(load_from_disk(str(cache / "train")), eval_ds, {**stats, "cached": True}, fp, "text")

    rows = load_stage_rows(cfg.model_copy(update={"system_prompt": None}), ("text",), "continued pre-training",
                           sink, stop, validation=False)
    texts = [r["text"] for r in rows.train]
    if cfg.validation:
        train_texts = texts
        eval_texts = [r["text"] for r in load_stage_rows(cfg.model_copy(update={"train": cfg.validation}),
                                                         ("text",), "continued pre-training", None, stop,
                                                         validation=False).train]
    else:
        kept, held = split_indices(len(texts), cfg.validation_split, cfg.seed)
        train_texts, eval_texts = [texts[i] for i in kept], [texts[i] for i in held]
    total = len(train_texts) + len(eval_texts)
    train_tokens = tokenise_documents(train_texts, tokenizer, sink, stop, 0, total)
    eval_tokens = tokenise_documents(eval_texts, tokenizer, sink, stop, len(train_texts), total)
    train_blocks, eval_blocks = pack(train_tokens, block_size), pack(eval_tokens, block_size)
    if not train_blocks:
        raise DataError(Text("The training text has {tokens} tokens: not one block of {block_size} "
                             "(training.max_length).",
                             tokens=sum(map(len, train_tokens)), block_size=block_size),
                        Text("Lower training.max_length or add more text."))
    stats = {"format": "text", "rows": rows.rows, "documents": len(train_texts), "train_rows": len(train_blocks),
             "eval_rows": len(eval_blocks), "block_size": block_size, "max_length": block_size,
             "tokens": len(train_blocks) * block_size, "trained_tokens": len(train_blocks) * block_size,
             "dropped_tokens": sum(map(len, train_tokens)) - len(train_blocks) * block_size, "cached": False}
    prepared = Prepared(Dataset.from_dict({"input_ids": train_blocks, "labels": train_blocks}),
                        Dataset.from_dict({"input_ids": eval_blocks, "labels": eval_blocks}) if eval_blocks
                        else None, stats, fp, "text")
    save_cache(cache, prepared, "packed data")
    return prepared
