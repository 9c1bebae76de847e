"""Rows for the stages beyond SFT: preference pairs, KTO's labelled answers, classification and prompt-only rows.

Formats:
  preference      {"prompt", "chosen", "rejected"}: strings, or TRL's lists of messages (chosen/rejected may be
                  whole conversations that share the prompt); LLaMA-Factory's sharegpt variant
                  {"conversations": [...], "chosen": {"from": "gpt", "value"}, "rejected": {...}} (dpo_en_demo);
                  alpaca's {"instruction", "input"?, "chosen", "rejected"}; LLaMA-Factory v1's {"chosen_messages",
                  "rejected_messages"} (two whole conversations, v1_dpo_demo)
  kto             {"prompt", "completion", "label": true/false}, or a conversation ("messages"/"conversations")
                  whose last turn is the answer, with "label" or "kto_tag" (kto_en_demo)
  classification  {"text", "label"}: a class name or number
  prompt          {"prompt"} alone (GRPO/RLOO), with an optional reference "answer"/"solution"

`stage_row` turns a row into what the TRL trainers take: conversational {"prompt": [messages], "chosen":
[assistant], "rejected": [assistant]}, {"prompt", "completion", "label"}, {"text", "label"} or {"prompt",
"answer"}; the model's chat template is applied by the trainer.
"""

from __future__ import annotations

from typing import Any

from ..messages import Text
from .turns import (
    ROLES,
    RowProblem,
    check_order,
    maybe_json_list,
    parse_turn,
    parse_turns,
    text_field,
    turn_content,
)

ANSWER_FIELDS = ("answer", "solution", "completion", "output")


# LLaMA-Factory's v1 layout names the two whole conversations chosen_messages / rejected_messages.
V1_PAIR = ("chosen_messages", "rejected_messages")


def is_preference(row: dict) -> bool:
    return ("chosen" in row and "rejected" in row) or all(k in row for k in V1_PAIR)


def kto_label(row: dict) -> Any:
    return row.get("label", row.get("kto_tag"))


def is_kto(row: dict) -> bool:
    has_answer = ("prompt" in row and "completion" in row) or "messages" in row or "conversations" in row
    return has_answer and isinstance(kto_label(row), bool)


def is_classification(row: dict) -> bool:
    label = row.get("label")
    return isinstance(row.get("text"), str) and isinstance(label, (str, int)) and not isinstance(label, bool)


def is_prompt_only(row: dict) -> bool:
    return "prompt" in row and not any(k in row for k in ("completion", "chosen", "rejected", "messages"))


def _prompt_messages(data: dict) -> list[dict]:
    """The conversation before the answer: a 'prompt' (text or messages), a conversation, or alpaca fields."""
    if "prompt" in data:
        prompt = maybe_json_list(data["prompt"])
        messages = parse_turns(prompt, "prompt") if isinstance(prompt, list) else [
            {"role": "user", "content": text_field(data, "prompt")}]
    elif "conversations" in data or "messages" in data:
        field = "conversations" if "conversations" in data else "messages"
        messages = parse_turns(data[field], field)
    elif "instruction" in data:
        extra = text_field(data, "input", optional=True)
        instruction = text_field(data, "instruction")
        messages = [{"role": "user", "content": f"{instruction}\n{extra}" if extra.strip() else instruction}]
    else:
        raise RowProblem(Text("no prompt: expected 'prompt', 'conversations', 'messages' or 'instruction'"))
    system = data.get("system")
    if isinstance(system, str) and system.strip() and messages[0]["role"] != "system":
        messages.insert(0, {"role": "system", "content": system})
    return messages


def _answer(value: Any, field: str) -> dict:
    """One assistant turn from a string, a {from/role, value/content} turn or a one-turn list."""
    value = maybe_json_list(value)
    if isinstance(value, list):
        turns = parse_turns(value, field)
        if len(turns) != 1:
            raise RowProblem(Text("'{field}' must hold one assistant answer, got {n} turns",
                                  field=field, n=len(turns)))
        value = turns[0]
    if isinstance(value, dict):
        turn = value if "role" in value else parse_turn(value, field)
        turn = {"role": ROLES.get(str(turn["role"]).lower(), turn["role"]), "content": turn_content(
            turn.get("content"), field)}
    elif isinstance(value, str):
        turn = {"role": "assistant", "content": value}
    else:
        raise RowProblem(Text("'{field}' must be text or an assistant turn, got {kind}",
                              field=field, kind=type(value).__name__ if value is not None else 'null'))
    if turn["role"] != "assistant":
        raise RowProblem(Text("'{field}' is a {role} turn; it must be the assistant's answer",
                              field=field, role=turn['role']))
    if not turn["content"].strip():
        raise RowProblem(Text("'{field}' is empty", field=field))
    return turn


def _split_shared(chosen: list, rejected: list) -> tuple[list[dict], dict, dict]:
    """Whole conversations for chosen and rejected (TRL's implicit prompt): the shared turns are the prompt."""
    chosen, rejected = parse_turns(chosen, "chosen"), parse_turns(rejected, "rejected")
    if len(chosen) < 2 or chosen[:-1] != rejected[:-1]:
        raise RowProblem(Text("'chosen' and 'rejected' conversations must share every turn but the last"))
    return chosen[:-1], _answer(chosen[-1], "chosen"), _answer(rejected[-1], "rejected")


def _check_prompt(messages: list[dict]) -> list[dict]:
    check_order([*messages, {"role": "assistant", "content": "x"}])
    return messages


def to_preference(data: dict) -> dict:
    chosen = maybe_json_list(data.get("chosen", data.get(V1_PAIR[0])))
    rejected = maybe_json_list(data.get("rejected", data.get(V1_PAIR[1])))
    if chosen is None or rejected is None:
        raise RowProblem(Text("a preference row needs both 'chosen' and 'rejected'"))
    has_prompt = any(k in data for k in ("prompt", "conversations", "messages", "instruction"))
    if not has_prompt and isinstance(chosen, list) and isinstance(rejected, list) and len(chosen) > 1:
        prompt, good, bad = _split_shared(chosen, rejected)
    else:
        prompt, good, bad = _prompt_messages(data), _answer(chosen, "chosen"), _answer(rejected, "rejected")
    if good["content"] == bad["content"]:
        raise RowProblem(Text("'chosen' and 'rejected' are the same answer"))
    return {"prompt": _check_prompt(prompt), "chosen": [good], "rejected": [bad]}


def to_kto(data: dict) -> dict:
    label = kto_label(data)
    if not isinstance(label, bool):
        raise RowProblem(Text("a KTO row needs a true/false 'label' (or 'kto_tag')"))
    if "completion" in data:
        prompt, answer = _prompt_messages(data), _answer(data["completion"], "completion")
    else:
        messages = _prompt_messages(data)
        prompt, answer = messages[:-1], _answer(messages[-1], "the last turn")
    return {"prompt": _check_prompt(prompt), "completion": [answer], "label": label}


def to_classification(data: dict) -> dict:
    text, label = text_field(data, "text"), data.get("label")
    if isinstance(label, bool) or not isinstance(label, (str, int)) or (isinstance(label, str) and not label.strip()):
        raise RowProblem(Text("'label' must be a class name or number"))
    return {"text": text, "label": label}


def to_prompt(data: dict) -> dict:
    """A prompt for online RL; its reference answer (if any) feeds the exact-match reward."""
    messages = _prompt_messages(data)
    answer = next((data[k] for k in ANSWER_FIELDS if isinstance(data.get(k), str)), None)
    if messages[-1]["role"] == "assistant":  # a conversation: its last answer is the reference
        answer, messages = messages[-1]["content"], messages[:-1]
    return {"prompt": _check_prompt(messages), "answer": answer or ""}


STAGE_ROWS = {"preference": to_preference, "kto": to_kto, "classification": to_classification,
              "prompt": to_prompt, "text": lambda data: {"text": text_field(data, "text")}}


def stage_row(data: dict, fmt: str) -> dict:
    """A row in the layout the stage's trainer takes (see the module docstring); RowProblem if unusable."""
    if fmt in STAGE_ROWS:
        return STAGE_ROWS[fmt](data)
    return to_prompt(data)  # a conversational format read for GRPO/RLOO: the answer becomes the reference


def as_messages(data: dict, fmt: str) -> list[dict] | str:
    """The SFT view of these formats (the doctor and sft read them too): the prompt and the chosen (preference)
    or given (KTO) answer; classification rows as their text; prompt-only rows cannot train SFT."""
    if fmt == "preference":
        row = to_preference(data)
        return row["prompt"] + row["chosen"]
    if fmt == "kto":
        row = to_kto(data)
        return row["prompt"] + row["completion"]
    if fmt == "classification":
        return to_classification(data)["text"]
    raise RowProblem(Text("prompt-only rows have no answer to train on; use the grpo or rloo stage"))
