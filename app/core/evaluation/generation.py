"""Held-out prompts and references from a run's data, few-shot prompts, and batched greedy generation."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from ..errors import Cancelled, DataError
from ..messages import Text


@dataclass
class Item:
    messages: list[dict]  # the conversation up to the answer
    reference: str  # the answer the data gives


def to_item(example: Any) -> Item | None:
    """A normalised example as (conversation before the last answer, that answer); None for plain text and for
    rows that are not conversations (preference pairs, labelled rows: other stages)."""
    if not isinstance(example, list) or not all(isinstance(m, dict) and "role" in m for m in example):
        return None
    last = max((i for i, m in enumerate(example) if m["role"] == "assistant"), default=None)
    if last is None or not any(m["role"] == "user" for m in example[:last]):
        return None
    return Item(list(example[:last]), example[last]["content"])


def held_out(examples: list, limit: int | None, split: str) -> list[Item]:
    items = [item for item in map(to_item, examples) if item is not None]
    if not items:
        raise DataError(Text("The run's {split} split has no conversations with an answer to score.",
                             split=split),
                        Text("Evaluate a run whose data has a validation share or file (or --split test with "
                             "data.test or data.test_split), in a chat or prompt/completion format."))
    return items[:limit] if limit else items


def shots(train: list, k: int, seed: int) -> list[dict]:
    """k training examples (seeded pick) as user/assistant turns to place before each prompt."""
    items = [item for item in map(to_item, train) if item is not None]
    turns: list[dict] = []
    for item in random.Random(seed).sample(items, min(k, len(items))):
        turns += [m for m in item.messages if m["role"] != "system"]
        turns.append({"role": "assistant", "content": item.reference})
    return turns


def with_shots(messages: list[dict], turns: list[dict]) -> list[dict]:
    """The few-shot turns after any system message and before the conversation."""
    system = [m for m in messages[:1] if m["role"] == "system"]
    return [*system, *turns, *messages[len(system):]]


def generate(model: Any, tokenizer: Any, conversations: list[list[dict]], *, max_new_tokens: int,
             batch_size: int = 8, progress=None, stop=None) -> list[str]:
    """Greedy answers, `batch_size` conversations at a time (left-padded; prompts too long for the model's context
    lose their oldest tokens). `progress(done, total)` after each batch; `Cancelled` once `stop.is_set()`."""
    import torch

    context = getattr(model.config, "max_position_embeddings", None) or 2048
    side, trunc = tokenizer.padding_side, tokenizer.truncation_side
    tokenizer.padding_side, tokenizer.truncation_side = "left", "left"
    outputs: list[str] = []
    try:
        for start in range(0, len(conversations), batch_size):
            if stop is not None and stop.is_set():
                raise Cancelled(Text("Evaluation stopped."))
            texts = [tokenizer.apply_chat_template(c, add_generation_prompt=True, tokenize=False)
                     for c in conversations[start:start + batch_size]]
            enc = tokenizer(texts, return_tensors="pt", padding=True, add_special_tokens=False, truncation=True,
                            max_length=max(16, context - max_new_tokens)).to(model.device)
            with torch.no_grad():
                out = model.generate(**enc, max_new_tokens=max_new_tokens, do_sample=False, use_cache=True,
                                     pad_token_id=tokenizer.pad_token_id or tokenizer.eos_token_id)
            outputs += [t.strip() for t in tokenizer.batch_decode(out[:, enc["input_ids"].shape[1]:],
                                                                    skip_special_tokens=True)]
            if progress is not None:
                progress(len(outputs), len(conversations))
    finally:
        tokenizer.padding_side, tokenizer.truncation_side = side, trunc
    return outputs
