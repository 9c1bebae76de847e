"""Chat checks of an exported tokenizer: does it render a conversation as the trained model's tokenizer did, token
for token, and does the token that closes an assistant turn stop generation? A lost or edited chat template and a
missing end-of-sequence token are what make an exported model "talk gibberish" or never stop."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import ExportError
from ..messages import Text

CONVERSATION = [
    {"role": "system", "content": "You answer in one short sentence."},
    {"role": "user", "content": "Which is the largest planet in the solar system?"},
    {"role": "assistant", "content": "Jupiter is the largest planet."},
    {"role": "user", "content": "And the smallest one?"},
]
MARKER = "Zebra-7319"


def _render(tokenizer: Any, messages: list[dict], generation_prompt: bool) -> list[int] | None:
    try:
        text = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=generation_prompt)
    except Exception:  # a template that cannot render a plain conversation is a broken one
        return None
    return tokenizer(text, add_special_tokens=False)["input_ids"]


def stop_ids(tokenizer: Any, generation_config: Any = None) -> set[int]:
    ids = {tokenizer.eos_token_id} if tokenizer.eos_token_id is not None else set()
    eos = getattr(generation_config, "eos_token_id", None)
    ids |= set(eos) if isinstance(eos, (list, tuple)) else ({eos} if eos is not None else set())
    return ids


def turn_end_token(tokenizer: Any) -> str | None:
    """The first token the chat template writes after an assistant message (what generation must stop on)."""
    try:
        text = tokenizer.apply_chat_template([CONVERSATION[1], {"role": "assistant", "content": MARKER}],
                                             tokenize=False)
    except Exception:
        return None
    after = text.split(MARKER, 1)[1] if MARKER in text else ""
    ids = tokenizer(after, add_special_tokens=False)["input_ids"]
    return tokenizer.convert_ids_to_tokens(ids[0]) if ids else None


def chat_checks(reference: Any, exported: Any, generation_config: Any = None) -> dict[str, Any]:
    """`reference`: the trained model's tokenizer; `exported`: the one reloaded from the export.

    chat_template_ok: the exported template renders CONVERSATION (with and without a generation prompt) to the
    same token ids. eos_ok: the exported tokenizer has an end-of-sequence token and the token closing an assistant
    turn is one of its stop tokens (eos or the generation config's eos_token_id).
    """
    props: dict[str, Any] = {"eos_token": exported.eos_token}
    if reference.chat_template:
        props["chat_template_ok"] = bool(exported.chat_template) and all(
            _render(exported, CONVERSATION[: 3 + prompt], bool(prompt)) == _render(reference, CONVERSATION[: 3 + prompt],
                                                                                  bool(prompt))
            for prompt in (0, 1))
        end = turn_end_token(exported)
        props["turn_end_token"] = end
        end_id = exported.convert_tokens_to_ids(end) if end else None
        props["eos_ok"] = exported.eos_token_id is not None and end_id in stop_ids(exported, generation_config)
    else:
        props["eos_ok"] = exported.eos_token_id is not None
    return props


def add_turn_end_stop(tokenizer: Any, generation_config: Any) -> str | None:
    """When the token closing an assistant turn is not a stop token, add it to the generation config's
    eos_token_id (as Llama 3 does for <|eot_id|>) so the exported model stops there; the token added, or None."""
    end = turn_end_token(tokenizer) if tokenizer.chat_template else None
    if end is None or generation_config is None:
        return None
    end_id = tokenizer.convert_tokens_to_ids(end)
    if end_id is None or end_id == tokenizer.unk_token_id or end_id in stop_ids(tokenizer, generation_config):
        return None
    eos = generation_config.eos_token_id
    ids = list(eos) if isinstance(eos, (list, tuple)) else ([eos] if eos is not None else [])
    generation_config.eos_token_id = [*ids, end_id]
    return end


def chat_verdict(reference: Any, exported: Any, generation_config: Any = None,
                 warn: Callable[[str, str], None] | None = None) -> dict[str, Any]:
    """chat_checks; ExportError when the template differs (a broken export), a warning when generation would not
    stop at the end of an answer (the export is usable, but will run on)."""
    props = chat_checks(reference, exported, generation_config)
    if props.get("chat_template_ok") is False:
        raise ExportError(Text("The exported tokenizer's chat template does not render conversations as the "
                               "trained model's does, so the export would be prompted differently from how "
                               "it was trained."),
                          Text("Check the chat template (tokenizer_config.json / chat_template.jinja) of the "
                               "run's model and export again."))
    if not props["eos_ok"] and warn is not None:
        warn(f"The export would not stop at the end of its answer: the token that ends an assistant turn "
             f"({props.get('turn_end_token')!r}) is not an end-of-sequence token (eos_token {props['eos_token']!r}).",
             "Set the tokenizer's eos_token (or generation_config.json's eos_token_id) to the template's "
             "end-of-turn token; a merged export adds it to generation_config.json by itself.")
    return props
