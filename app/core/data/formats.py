"""Dataset layouts: detect which one a file uses and normalise each row to chat messages.

Formats:
  messages           {"messages": [{"role": "user", "content": "..."}, ...]}  (OpenAI; content may be a list of
                     text parts, [{"type": "text", "text": ...}] or LLaMA-Factory's {"type": "text", "value": ...})
  sharegpt           {"conversations": [{"from": "human", "value": "..."}, ...]}; roles human/gpt/system (also
                     user/assistant); function_call -> assistant, observation -> user (tool results); preference
                     rows ("chosen"/"rejected") train on the chosen answer
  alpaca             {"instruction", "input"?, "output", "system"?, "history"?: [[user, assistant], ...]}
  prompt_completion  {"prompt", "completion"} (strings, or lists of messages as in TRL)
  text               {"text"}: plain text, not a conversation
  preference, kto, classification, prompt: the rows of the stages beyond SFT, see pairs.py

Preference and KTO rows also train SFT (on the chosen / every given answer); the doctor reads all of them.

A user's column mapping ({their_column: our_column}) is applied to each row before anything else.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..messages import Text
from . import pairs
from .turns import (
    RowProblem,
    check_order,
    maybe_json_list,
    parse_turn,
    parse_turns,
    text_field,
    turn_content,
)

FORMATS = ("messages", "sharegpt", "alpaca", "prompt_completion", "text", "preference", "kto", "classification",
           "prompt")
STAGE_FORMATS = ("preference", "kto", "classification", "prompt")
UNKNOWN = "unknown"

# Column names people often use, and the name a format expects for them (for hints only).
_ALIASES = {
    "question": "prompt", "query": "prompt", "input": "prompt", "instruction": "prompt",
    "answer": "completion", "response": "completion", "output": "completion", "target": "completion",
    "content": "text", "document": "text", "body": "text",
}


@dataclass
class Detection:
    format: str
    confidence: float
    reason: str


def apply_columns(data: dict, columns: dict[str, str] | None) -> dict:
    """The row with the user's columns renamed ({their_col: our_col}); a renamed column wins over an existing one."""
    if not columns:
        return data
    out = {k: v for k, v in data.items() if k not in columns}
    for theirs, ours in columns.items():
        if theirs in data:
            out[ours] = data[theirs]
    return out


def row_format(row: dict) -> str | None:
    """The format one (already column-mapped) row looks like, or None."""
    if pairs.is_preference(row):
        return "preference"
    if pairs.is_kto(row):
        return "kto"
    if pairs.is_classification(row):
        return "classification"
    messages = maybe_json_list(row.get("messages"))
    if isinstance(messages, list) and messages and isinstance(messages[0], dict):
        return "sharegpt" if "from" in messages[0] and "role" not in messages[0] else "messages"
    if isinstance(maybe_json_list(row.get("conversations")), list):
        return "sharegpt"
    if "instruction" in row and "output" in row:
        return "alpaca"
    if "prompt" in row and "completion" in row:
        return "prompt_completion"
    if isinstance(row.get("text"), str):
        return "text"
    if pairs.is_prompt_only(row):
        return "prompt"
    return None


_DESCRIPTIONS = {
    "messages": Text("a 'messages' list of {role, content}"),
    "sharegpt": Text("a 'conversations' list of {from, value}"),
    "alpaca": Text("'instruction' and 'output' fields"),
    "prompt_completion": Text("'prompt' and 'completion' fields"),
    "text": Text("a 'text' field"),
    "preference": Text("'chosen' and 'rejected' answers (preference data for dpo, orpo, simpo and rm; sft trains on "
                       "the chosen answer)"),
    "kto": Text("an answer with a true/false 'label' (KTO data; sft trains on every answer regardless)"),
    "classification": Text("a 'text' and its 'label' (classification data for the cls stage)"),
    "prompt": Text("a 'prompt' alone (prompts for grpo and rloo)"),
}


def detect_format(rows: list[dict], columns: dict[str, str] | None = None) -> Detection:
    """Guess the format from sample rows (after the column mapping); confidence is the share of rows that fit."""
    rows = [apply_columns(r, columns) for r in rows if isinstance(r, dict)]
    if not rows:
        return Detection(UNKNOWN, 0.0, Text("no readable rows to look at"))
    counts: dict[str, int] = {}
    for row in rows:
        fmt = row_format(row)
        if fmt:
            counts[fmt] = counts.get(fmt, 0) + 1
    keys = list(dict.fromkeys(k for row in rows for k in row))
    if not counts:
        return Detection(UNKNOWN, 0.0, f"no known layout in columns {', '.join(keys[:12])}. " + _mapping_hint(keys))
    fmt = max(counts, key=lambda f: (counts[f], -FORMATS.index(f)))
    n = counts[fmt]
    reason = Text("{n} of {total} sampled rows have {layout}",
                  n=n, total=len(rows), layout=_DESCRIPTIONS[fmt])
    if fmt in ("sharegpt", "preference") and any(_has_tool_turns(row) for row in rows):
        reason = Text("{reason}; tool calls train as assistant turns and tool results as user turns",
                      reason=reason)
    return Detection(fmt, round(n / len(rows), 3), reason)


def _has_tool_turns(row: dict) -> bool:
    turns = maybe_json_list(row.get("conversations", row.get("messages")))
    return isinstance(turns, list) and any(
        isinstance(t, dict) and t.get("from") in ("function_call", "observation") for t in turns)


def suggest_columns(keys: list[str]) -> dict[str, str]:
    """A column mapping guessed from common names (question -> prompt, answer -> completion, body -> text), or {}."""
    mapping = {k: _ALIASES[k.lower()] for k in keys if k.lower() in _ALIASES}
    if "prompt" in mapping.values() and "completion" in mapping.values():
        return {k: v for k, v in mapping.items() if v != "text"}
    if "text" in mapping.values():
        return {k: v for k, v in mapping.items() if v == "text"}
    return {}


def _mapping_hint(keys: list[str]) -> str:
    mapping = suggest_columns(keys)
    if mapping:
        example = ", ".join(f"{k}: {v}" for k, v in mapping.items())
        return f"Map your columns, e.g. columns: {{{example}}}."
    chosen = next((k for k in keys if "chosen" in k.lower()), None)
    rejected = next((k for k in keys if "rejected" in k.lower()), None)
    if chosen and rejected:
        return f"Map the answer columns, e.g. columns: {{{chosen}: chosen, {rejected}: rejected}}."
    if any(k.endswith("messages") for k in keys):
        col = next(k for k in keys if k.endswith("messages"))
        return f"Map the conversation column, e.g. columns: {{{col}: messages}}."
    return ("Map your columns to a format's names with the column mapping, e.g. {question: prompt, "
            "answer: completion}.")


# ---- normalisation ----

def to_messages(data: dict, fmt: str, columns: dict[str, str] | None = None,
                system_prompt: str | None = None) -> list[dict]:
    """One row as [{"role": "system"|"user"|"assistant", "content": str}, ...]; RowProblem if it is unusable."""
    data = apply_columns(data, columns)
    if fmt in ("text", "classification"):
        raise RowProblem(Text("{fmt} rows are not conversations; train on their 'text' field directly",
                              fmt=fmt))
    builders = {"preference": lambda d: pairs.as_messages(d, "preference"), "kto": lambda d: pairs.as_messages(d, "kto"),
                "prompt": lambda d: pairs.as_messages(d, "prompt"), "messages": _from_messages, "sharegpt": _from_sharegpt, "alpaca": _from_alpaca,
                "prompt_completion": _from_prompt_completion}
    if fmt not in builders:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    messages = builders[fmt](data)
    if system_prompt and system_prompt.strip() and (not messages or messages[0]["role"] != "system"):
        messages.insert(0, {"role": "system", "content": system_prompt})
    check_order(messages)
    return messages


def text_of(data: dict, columns: dict[str, str] | None = None) -> str:
    """The 'text' of a text-format row; RowProblem if missing or empty."""
    return text_field(apply_columns(data, columns), "text")


def _from_messages(data: dict) -> list[dict]:
    return parse_turns(data.get("messages"), "messages")


def _from_sharegpt(data: dict) -> list[dict]:
    field = "conversations" if "conversations" in data else "messages"
    messages = parse_turns(data.get(field), field)
    chosen = data.get("chosen")
    if chosen is not None and messages[-1]["role"] == "user":
        turn = chosen if isinstance(chosen, dict) else {"from": "gpt", "value": chosen}
        messages.append(parse_turn(turn, "chosen"))
    return messages


def _from_alpaca(data: dict) -> list[dict]:
    messages = []
    system = text_field(data, "system", optional=True)
    if system.strip():
        messages.append({"role": "system", "content": system})
    history = maybe_json_list(data.get("history"))
    if history:
        if not isinstance(history, list):
            raise RowProblem(Text("'history' must be a list of [user, assistant] pairs, got {type}",
                                  type=type(history).__name__))
        for i, pair in enumerate(history):
            if not (isinstance(pair, (list, tuple)) and len(pair) == 2):
                raise RowProblem(Text("history[{i}] must be a [user, assistant] pair", i=i))
            for role, text in zip(("user", "assistant"), pair, strict=True):
                content = turn_content(text, f"history[{i}]")
                if not content.strip():
                    raise RowProblem(Text("history[{i}]: empty {role} turn", i=i, role=role))
                messages.append({"role": role, "content": content})
    instruction = text_field(data, "instruction")
    extra = text_field(data, "input", optional=True)
    prompt = f"{instruction}\n{extra}" if extra.strip() else instruction
    messages.append({"role": "user", "content": prompt})
    messages.append({"role": "assistant", "content": text_field(data, "output", answer=True)})
    return messages


def _from_prompt_completion(data: dict) -> list[dict]:
    prompt, completion = maybe_json_list(data.get("prompt")), maybe_json_list(data.get("completion"))
    if isinstance(prompt, list) or isinstance(completion, list):
        return parse_turns(prompt, "prompt") + parse_turns(completion, "completion")
    return [{"role": "user", "content": text_field(data, "prompt")},
            {"role": "assistant", "content": text_field(data, "completion", answer=True)}]


def normalise(data: dict, fmt: str, columns: dict[str, str] | None = None,
              system_prompt: str | None = None) -> list[dict] | str:
    """A row as messages (conversational formats) or as its text (format 'text'); RowProblem if unusable."""
    if fmt == "text":
        return text_of(data, columns)
    if fmt == "classification":
        return pairs.to_classification(apply_columns(data, columns))["text"]
    return to_messages(data, fmt, columns, system_prompt)
