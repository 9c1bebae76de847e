"""Render conversations with the model's chat template and compute which tokens the loss trains on.

Assistant-only loss is computed here rather than by TRL: templates without `{% generation %}` markers (SmolLM2's,
and most others) are refused by TRL's `assistant_only_loss`. For each assistant turn i we render
`messages[:i]` with the generation prompt and `messages[:i+1]` without it, check that both are prefixes of the
full rendering and that their ends fall on token boundaries of the full conversation's tokens (token for token),
and train on the tokens in between up to and including the turn's
last special token (the end-of-turn marker, e.g. `<|im_end|>`). What follows that token (ChatML's newline) and
every header, user and system token get the label -100.

Text is cut to `char_budget` characters before it is tokenised: what lies past it lies past `max_length` tokens, which
truncation drops anyway, and tokenising it would only cost memory (one 20 MB row took 6 GB).
"""

from __future__ import annotations

import logging
import os
import weakref
from dataclasses import dataclass

from ..errors import DataError
from ..messages import Text

log = logging.getLogger(__name__)

IGNORE_INDEX = -100

# ChatML, for tokenizers that have its markers as tokens (SmolLM2, Qwen, ...).
CHATML_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)
# The same shape for tokenizers without ChatML tokens: each turn ends with the tokenizer's own end-of-sequence
# token, so the end of an answer is one token the model already knows.
CHATML_EOS_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + eos_token + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)


@dataclass
class Encoded:
    """One tokenised example. `labels` is -100 where the loss is not computed; no padding is added.

    `assistant_tokens_cut` counts trained tokens (label != -100) lost to truncation; `full_length` is the
    length before truncation (of the text within the character budget: a row cut to it counts only its first
    `max_length` + 1 tokens or more, and its cut answer tokens only up to there).
    """

    input_ids: list[int]
    labels: list[int]
    truncated: bool
    assistant_tokens_cut: int
    full_length: int = 0

    @property
    def trained_tokens(self) -> int:
        return sum(1 for label in self.labels if label != IGNORE_INDEX)

    def cut(self, max_length: int) -> Encoded:
        """This example (encoded with a larger max_length) in its first `max_length` tokens: what encoding it with
        `max_length` gives (the text within that length's character budget holds the same first tokens; a row longer
        than the budget counts the answer tokens cut further)."""
        if len(self.input_ids) <= max_length:
            return self
        cut = sum(1 for label in self.labels[max_length:] if label != IGNORE_INDEX)
        return Encoded(self.input_ids[:max_length], self.labels[:max_length], True, self.assistant_tokens_cut + cut,
                       self.full_length)


def ensure_chat_template(tokenizer) -> bool:
    """Give the tokenizer a ChatML template if it has none; True if it already had one."""
    if getattr(tokenizer, "chat_template", None):
        return True
    has_chatml = tokenizer.convert_tokens_to_ids("<|im_end|>") not in (None, tokenizer.unk_token_id)
    if has_chatml or tokenizer.eos_token is None:
        tokenizer.chat_template = CHATML_TEMPLATE
    else:
        tokenizer.chat_template = CHATML_EOS_TEMPLATE
    log.info("tokenizer %s has no chat template; using ChatML%s", getattr(tokenizer, "name_or_path", "?"),
             "" if has_chatml else " ending turns with its eos token")
    return False


_PROBE_SYSTEM = "⟦system⟧"  # shares no character with a template's text at either end


def default_system_prompt(tokenizer) -> str | None:
    """The system prompt the chat template adds to a conversation that has none (SmolLM2's names itself), or None.

    Found by rendering one user turn without and with a system message: where the two differ, the second holds the
    system message and the first what the template puts there by itself (nothing, for most templates)."""
    user = [{"role": "user", "content": "Hi"}]
    bare = tokenizer.apply_chat_template(user, tokenize=False)
    with_system = tokenizer.apply_chat_template([{"role": "system", "content": _PROBE_SYSTEM}, *user], tokenize=False)
    head = len(os.path.commonprefix([bare, with_system]))
    tail = len(os.path.commonprefix([bare[head:][::-1], with_system[head:][::-1]]))
    added, replaced = bare[head:len(bare) - tail], with_system[head:len(with_system) - tail]
    return (added.strip() or None) if replaced == _PROBE_SYSTEM else None


_LONGEST_TOKEN: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # tokenizer -> characters of its longest


def char_budget(tokenizer, max_length: int) -> int:
    """Characters that hold more than `max_length` tokens whatever the text: (max_length + 1) times the longest token
    of the vocabulary (in characters of its text, a byte-level token's byte count bounding them; 81 for SmolLM2's
    runs of spaces), so cutting text there changes none of its first `max_length` tokens."""
    longest = _LONGEST_TOKEN.get(tokenizer)
    if longest is None:
        longest = _LONGEST_TOKEN[tokenizer] = max(map(len, tokenizer.get_vocab()), default=1)
    return (max_length + 1) * max(longest, 1)


def _truncate(ids: list[int], labels: list[int], max_length: int, cut_text: bool = False) -> Encoded:
    """The first `max_length` tokens; `cut_text`: the text was cut to the character budget first (so it is longer)."""
    cut = sum(1 for label in labels[max_length:] if label != IGNORE_INDEX)
    return Encoded(ids[:max_length], labels[:max_length], cut_text or len(ids) > max_length, cut, len(ids))


class ConversationEncoder:
    """Tokenises conversations for one tokenizer; reuse it across rows (it caches the special-token ids)."""

    def __init__(self, tokenizer, max_length: int, train_on: str = "assistant"):
        if train_on not in ("assistant", "all"):
            raise ValueError(Text("train_on must be 'assistant' or 'all', not {train_on!r}",
                                  train_on=train_on))
        ensure_chat_template(tokenizer)
        self.tokenizer = tokenizer
        self.max_length = max_length
        self.budget = char_budget(tokenizer, max_length)
        self.train_on = train_on
        added = getattr(tokenizer, "added_tokens_decoder", {}) or {}
        self.special_ids = set(tokenizer.all_special_ids) | {i for i, tok in added.items() if tok.special}

    def _render(self, messages: list[dict], generation_prompt: bool = False) -> str:
        return self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=generation_prompt)

    def encode(self, messages: list[dict]) -> Encoded:
        full = self._render(messages)
        cut = len(full) > self.budget
        if self.train_on == "all":
            ids = self._tokenise([full[:self.budget]])[0]
            return _truncate(ids, list(ids), self.max_length, cut)
        spans = self._assistant_spans(messages, full)
        if cut:  # answers that start past the budget lie past max_length: truncation would drop them
            full = full[:self.budget]
            spans = [(before, min(through, self.budget)) for before, through in spans if before < self.budget]
        ids, token_spans = self._locate(full, spans)
        labels = [IGNORE_INDEX] * len(ids)
        for start, end in token_spans:
            specials = [j for j in range(start, end) if ids[j] in self.special_ids]
            if specials:
                end = specials[-1] + 1
            labels[start:end] = ids[start:end]
        return _truncate(ids, labels, self.max_length, cut)

    def _tokenise(self, texts: list[str]) -> list[list[int]]:
        return [list(ids) for ids in self.tokenizer(texts, add_special_tokens=False)["input_ids"]]

    def _assistant_spans(self, messages: list[dict], full: str) -> list[tuple[int, int]]:
        """For each assistant turn: the length of the rendering before its content and of the rendering through its
        end (both prefixes of `full`)."""
        spans = []
        for i, message in enumerate(messages):
            if message["role"] == "assistant":
                before, through = self._render(messages[:i], True), self._render(messages[: i + 1])
                if not (full.startswith(before) and full.startswith(through)):
                    raise _unstable_template()
                spans.append((len(before), len(through)))
        return spans

    def _locate(self, full: str, spans: list[tuple[int, int]]) -> tuple[list[int], list[tuple[int, int]]]:
        """Token ids of `full` and each span's [start, end) token indices.

        Fast path: tokenise the text between span boundaries piece by piece; if the pieces' tokens concatenate to
        the full tokenisation, every boundary is a token boundary. Otherwise (a tokenizer that merges across a
        boundary or prefixes a space to each piece) tokenise each prefix and require it to be a token prefix.
        """
        cuts = sorted({0, len(full), *(n for span in spans for n in span)})
        pieces = [full[a:b] for a, b in zip(cuts, cuts[1:], strict=False)]
        ids, *piece_ids = self._tokenise([full, *pieces])
        if [t for piece in piece_ids for t in piece] == ids:
            index, at = {0: 0}, 0
            for cut, piece in zip(cuts[1:], piece_ids, strict=True):
                at += len(piece)
                index[cut] = at
            return ids, [(index[before], index[through]) for before, through in spans]
        log.debug("chat template pieces do not tokenise independently; using prefix tokenisation")
        prefixes = self._tokenise([full[:n] for span in spans for n in span])
        for prefix in prefixes:
            if ids[: len(prefix)] != prefix:
                raise _unstable_template()
        return ids, [(len(prefixes[2 * n]), len(prefixes[2 * n + 1])) for n in range(len(spans))]


def _unstable_template() -> DataError:
    return DataError(
        Text("The chat template renders a conversation differently from its beginnings, so the answers' "
             "tokens cannot be located for assistant-only training."),
        Text("Set 'Train on' to 'all', or use a model whose chat template renders turns one after another."))


def encode_conversation(tokenizer, messages: list[dict], max_length: int, train_on: str = "assistant") -> Encoded:
    """Tokenise one conversation with the chat template; see the module docstring for the labels."""
    return ConversationEncoder(tokenizer, max_length, train_on).encode(messages)


def encode_text(tokenizer, text: str, max_length: int) -> Encoded:
    """Tokenise plain text for language modelling: every token is trained, and the eos token is appended."""
    budget = char_budget(tokenizer, max_length)
    ids = list(tokenizer(text[:budget], add_special_tokens=True)["input_ids"])
    eos = tokenizer.eos_token_id
    if eos is not None and (not ids or ids[-1] != eos):
        ids.append(eos)
    return _truncate(ids, list(ids), max_length, len(text) > budget)
