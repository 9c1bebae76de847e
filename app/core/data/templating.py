"""Render conversations with the model's chat template and compute which tokens the loss trains on.

Assistant-only loss is computed here rather than by TRL: templates without `{% generation %}` markers (SmolLM2's,
and most others) are refused by TRL's `assistant_only_loss`. For each assistant turn i we render
`messages[:i]` with the generation prompt and `messages[:i+1]` without it, check that both are prefixes of the
full rendering and that their ends fall on token boundaries of the full conversation's tokens (token for token),
and train on the tokens in between up to and including the turn's
last special token (the end-of-turn marker, e.g. `<|im_end|>`). What follows that token (ChatML's newline) and
every header, user and system token get the label -100.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from ..errors import DataError

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
    length before truncation.
    """

    input_ids: list[int]
    labels: list[int]
    truncated: bool
    assistant_tokens_cut: int
    full_length: int = 0

    @property
    def trained_tokens(self) -> int:
        return sum(1 for label in self.labels if label != IGNORE_INDEX)


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


def _truncate(ids: list[int], labels: list[int], max_length: int, full_length: int) -> Encoded:
    cut = sum(1 for label in labels[max_length:] if label != IGNORE_INDEX)
    return Encoded(ids[:max_length], labels[:max_length], len(ids) > max_length, cut, full_length)


class ConversationEncoder:
    """Tokenises conversations for one tokenizer; reuse it across rows (it caches the special-token ids)."""

    def __init__(self, tokenizer, max_length: int, train_on: str = "assistant"):
        if train_on not in ("assistant", "all"):
            raise ValueError(f"train_on must be 'assistant' or 'all', not {train_on!r}")
        ensure_chat_template(tokenizer)
        self.tokenizer = tokenizer
        self.max_length = max_length
        self.train_on = train_on
        added = getattr(tokenizer, "added_tokens_decoder", {}) or {}
        self.special_ids = set(tokenizer.all_special_ids) | {i for i, tok in added.items() if tok.special}

    def _render(self, messages: list[dict], generation_prompt: bool = False) -> str:
        return self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=generation_prompt)

    def encode(self, messages: list[dict]) -> Encoded:
        full = self._render(messages)
        if self.train_on == "all":
            ids = self._tokenise([full])[0]
            return _truncate(ids, list(ids), self.max_length, len(ids))
        spans = self._assistant_spans(messages, full)
        ids, token_spans = self._locate(full, spans)
        labels = [IGNORE_INDEX] * len(ids)
        for start, end in token_spans:
            specials = [j for j in range(start, end) if ids[j] in self.special_ids]
            if specials:
                end = specials[-1] + 1
            labels[start:end] = ids[start:end]
        return _truncate(ids, labels, self.max_length, len(ids))

    def _tokenise(self, texts: list[str]) -> list[list[int]]:
        return [list(ids) for ids in self.tokenizer(texts, add_special_tokens=False)["input_ids"]]

    def _assistant_spans(self, messages: list[dict], full: str) -> list[tuple[str, str]]:
        """For each assistant turn: the rendering before its content and the rendering through its end."""
        spans = []
        for i, message in enumerate(messages):
            if message["role"] == "assistant":
                before, through = self._render(messages[:i], True), self._render(messages[: i + 1])
                if not (full.startswith(before) and full.startswith(through)):
                    raise _unstable_template()
                spans.append((before, through))
        return spans

    def _locate(self, full: str, spans: list[tuple[str, str]]) -> tuple[list[int], list[tuple[int, int]]]:
        """Token ids of `full` and each span's [start, end) token indices.

        Fast path: tokenise the text between span boundaries piece by piece; if the pieces' tokens concatenate to
        the full tokenisation, every boundary is a token boundary. Otherwise (a tokenizer that merges across a
        boundary or prefixes a space to each piece) tokenise each prefix and require it to be a token prefix.
        """
        cuts = sorted({0, len(full), *(len(t) for span in spans for t in span)})
        pieces = [full[a:b] for a, b in zip(cuts, cuts[1:], strict=False)]
        ids, *piece_ids = self._tokenise([full, *pieces])
        if [t for piece in piece_ids for t in piece] == ids:
            index, at = {0: 0}, 0
            for cut, piece in zip(cuts[1:], piece_ids, strict=True):
                at += len(piece)
                index[cut] = at
            return ids, [(index[len(before)], index[len(through)]) for before, through in spans]
        log.debug("chat template pieces do not tokenise independently; using prefix tokenisation")
        prefixes = self._tokenise([t for span in spans for t in span])
        for prefix in prefixes:
            if ids[: len(prefix)] != prefix:
                raise _unstable_template()
        return ids, [(len(prefixes[2 * n]), len(prefixes[2 * n + 1])) for n in range(len(spans))]


def _unstable_template() -> DataError:
    return DataError(
        "The chat template renders a conversation differently from its beginnings, so the answers' tokens "
        "cannot be located for assistant-only training.",
        "Set 'Train on' to 'all', or use a model whose chat template renders turns one after another.")


def encode_conversation(tokenizer, messages: list[dict], max_length: int, train_on: str = "assistant") -> Encoded:
    """Tokenise one conversation with the chat template; see the module docstring for the labels."""
    return ConversationEncoder(tokenizer, max_length, train_on).encode(messages)


def encode_text(tokenizer, text: str, max_length: int) -> Encoded:
    """Tokenise plain text for language modelling: every token is trained, and the eos token is appended."""
    ids = list(tokenizer(text, add_special_tokens=True)["input_ids"])
    eos = tokenizer.eos_token_id
    if eos is not None and (not ids or ids[-1] != eos):
        ids.append(eos)
    return _truncate(ids, list(ids), max_length, len(ids))
