"""Chat templating and labels with the real demo tokenizer (SmolLM2-135M-Instruct, ChatML template)."""

from __future__ import annotations

import itertools

import pytest

from app.core.data import IGNORE_INDEX, encode_conversation, encode_text, ensure_chat_template
from app.core.data.templating import CHATML_EOS_TEMPLATE, CHATML_TEMPLATE, default_system_prompt
from app.core.errors import DataError


@pytest.fixture
def tokenizer(demo_tokenizer):
    """The session's demo tokenizer (conftest); shared, so a test that changes it works on a deepcopy."""
    return demo_tokenizer


TWO_TURNS = [
    {"role": "user", "content": "Hi"},
    {"role": "assistant", "content": "Hello there"},
    {"role": "user", "content": "And?"},
    {"role": "assistant", "content": "Bye now."},
]


def trained_runs(tokenizer, encoded) -> list[str]:
    """The decoded runs of consecutive trained tokens."""
    pairs = zip(encoded.input_ids, encoded.labels, strict=True)
    return [tokenizer.decode([i for i, _ in group])
            for trained, group in itertools.groupby(pairs, key=lambda p: p[1] != IGNORE_INDEX) if trained]


def test_demo_tokenizer_is_chatml_with_default_system_prompt(tokenizer):
    assert tokenizer.eos_token == "<|im_end|>"
    text = tokenizer.apply_chat_template(TWO_TURNS[:2], tokenize=False)
    assert text.startswith("<|im_start|>system\nYou are a helpful AI assistant named SmolLM")
    assert default_system_prompt(tokenizer) == "You are a helpful AI assistant named SmolLM, trained by Hugging Face"


def test_only_assistant_content_and_its_end_token_are_trained(tokenizer):
    encoded = encode_conversation(tokenizer, TWO_TURNS, max_length=512)
    assert tokenizer.decode(encoded.input_ids) == tokenizer.apply_chat_template(TWO_TURNS, tokenize=False)
    assert trained_runs(tokenizer, encoded) == ["Hello there<|im_end|>", "Bye now.<|im_end|>"]
    assert all(label in (IGNORE_INDEX, token) for token, label in zip(encoded.input_ids, encoded.labels, strict=True))
    untrained = tokenizer.decode([t for t, lab in zip(encoded.input_ids, encoded.labels, strict=True)
                                  if lab == IGNORE_INDEX])
    assert untrained.endswith("<|im_start|>assistant\n\n")  # header trained never; the newline after the end neither
    assert "Hi" in untrained and "And?" in untrained and "SmolLM" in untrained
    assert (encoded.truncated, encoded.assistant_tokens_cut, encoded.full_length) == (False, 0, len(encoded.input_ids))


def test_own_system_message_replaces_the_default(tokenizer):
    messages = [{"role": "system", "content": "Be terse."}, *TWO_TURNS[:2]]
    encoded = encode_conversation(tokenizer, messages, max_length=512)
    assert "SmolLM" not in tokenizer.decode(encoded.input_ids)
    assert trained_runs(tokenizer, encoded) == ["Hello there<|im_end|>"]


def test_train_on_all_labels_every_token(tokenizer):
    encoded = encode_conversation(tokenizer, TWO_TURNS, max_length=512, train_on="all")
    assert encoded.labels == encoded.input_ids


def test_truncation_counts_the_answer_tokens_cut(tokenizer):
    full = encode_conversation(tokenizer, TWO_TURNS, max_length=512)
    cut = encode_conversation(tokenizer, TWO_TURNS, max_length=full.full_length - 4)
    assert cut.truncated and len(cut.input_ids) == full.full_length - 4 == len(cut.labels)
    # the last 4 tokens are "now", ".", "<|im_end|>" (trained) and "\n" (not trained)
    assert cut.assistant_tokens_cut == 3
    assert cut.input_ids == full.input_ids[:-4]
    prompt_only = encode_conversation(tokenizer, TWO_TURNS, max_length=20)
    assert prompt_only.trained_tokens == 0 and prompt_only.assistant_tokens_cut == full.trained_tokens


def test_template_that_merges_across_the_answer_boundary_is_refused(tokenizer):
    tokenizer = _with_template(tokenizer, "{% for m in messages %}{{ m['role'] + ': ' + m['content'] + eos_token }}"
                                          "{% endfor %}{% if add_generation_prompt %}{{ 'assistant: ' }}{% endif %}")
    with pytest.raises(DataError, match="cannot be located") as err:
        encode_conversation(tokenizer, TWO_TURNS, max_length=512)
    assert "'all'" in err.value.hint
    assert encode_conversation(tokenizer, TWO_TURNS, max_length=512, train_on="all").trained_tokens > 0


def test_ensure_chat_template_sets_chatml_only_when_missing(tokenizer):
    assert ensure_chat_template(tokenizer) is True
    bare = _with_template(tokenizer, None)
    assert ensure_chat_template(bare) is False
    assert bare.chat_template == CHATML_TEMPLATE  # the tokenizer has <|im_end|> as a token


def test_chatml_fallback_ends_turns_with_eos_when_the_vocab_lacks_chatml():
    class NoChatML:
        chat_template = None
        eos_token = "</s>"
        unk_token_id = 0

        def convert_tokens_to_ids(self, token):
            return self.unk_token_id

    tokenizer = NoChatML()
    assert ensure_chat_template(tokenizer) is False
    assert tokenizer.chat_template == CHATML_EOS_TEMPLATE


def test_encode_text_appends_eos_and_truncates(tokenizer):
    encoded = encode_text(tokenizer, "The sky is blue.", max_length=512)
    assert encoded.input_ids[-1] == tokenizer.eos_token_id and encoded.labels == encoded.input_ids
    assert tokenizer.decode(encoded.input_ids) == "The sky is blue.<|im_end|>"
    short = encode_text(tokenizer, "The sky is blue.", max_length=3)
    assert short.truncated and len(short.input_ids) == 3
    assert short.assistant_tokens_cut == encoded.full_length - 3


def _with_template(tokenizer, template):
    import copy

    clone = copy.deepcopy(tokenizer)
    clone.chat_template = template
    return clone


class _Template:
    """A tokenizer's apply_chat_template alone: ChatML, with `default` as the system turn when there is none."""

    def __init__(self, default: str | None):
        self.default = default

    def apply_chat_template(self, messages, tokenize=False):
        if self.default is not None and messages[0]["role"] != "system":
            messages = [{"role": "system", "content": self.default}, *messages]
        return "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages)


@pytest.mark.parametrize("default", ["You are Quill.", "system says hi", None])
def test_the_default_system_prompt_is_what_the_template_adds_by_itself(default):
    assert default_system_prompt(_Template(default)) == default
