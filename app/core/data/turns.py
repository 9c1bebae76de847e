"""One row's turns and text fields, as every format reads them: roles and their aliases, a turn's content (text
or text parts), a list of turns, the user/assistant order, and RowProblem for a row that cannot be used.
formats.py (the SFT layouts) and pairs.py (the stages' rows) both build on it."""

from __future__ import annotations

import json
from typing import Any

from ..messages import Text

ROLES = {
    "system": "system",
    "user": "user", "human": "user",
    "assistant": "assistant", "gpt": "assistant", "model": "assistant",
    # Tool use (LLaMA-Factory's glaive data): the call is the assistant speaking, the result comes back as a
    # user-side turn, which keeps turns alternating for templates without a tool role.
    "function_call": "assistant", "observation": "user", "tool": "user", "function": "user",
}


class RowProblem(ValueError):
    """A row that cannot be used as it is; its message (a messages.Text, which str() keeps) says what is wrong."""

    def __str__(self) -> str:
        return self.args[0] if self.args and isinstance(self.args[0], str) else super().__str__()



def maybe_json_list(value: Any) -> Any:
    """CSV and spreadsheets carry lists as JSON text; decode those, leave anything else alone."""
    if isinstance(value, str) and value.lstrip().startswith("["):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def check_order(messages: list[dict]) -> None:
    """Turns must alternate user/assistant after an optional system message and end with the assistant."""
    start = 1 if messages and messages[0]["role"] == "system" else 0
    body = messages[start:]
    if not body:
        raise RowProblem(Text("no user or assistant turns"))
    for i, message in enumerate(body):
        expected = "user" if i % 2 == 0 else "assistant"
        if message["role"] != expected:
            raise RowProblem(Text("turn {value} is '{role}' where '{expected}' was expected (turns must "
                                  "alternate user/assistant after an optional system message)",
                                  value=start + i + 1, role=message['role'], expected=expected))
    if body[-1]["role"] != "assistant":
        raise RowProblem(Text("the conversation ends with a user turn; it must end with the assistant's answer"))


def text_field(data: dict, field: str, *, optional: bool = False, answer: bool = False) -> str:
    """A text field; `answer` marks the field that becomes the assistant turn (for a clearer message)."""
    if field not in data or data[field] is None:
        if optional:
            return ""
        raise RowProblem(Text("missing field '{field}'", field=field))
    value = data[field]
    if not isinstance(value, str):
        raise RowProblem(Text("'{field}' must be text, got {type}", field=field, type=type(value).__name__))
    if not value.strip() and not optional:
        raise RowProblem(Text("'{field}' is empty: empty assistant turn", field=field) if answer else
                         Text("'{field}' is empty", field=field))
    return value


def turn_content(value: Any, where: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        texts = []
        for part in value:
            if isinstance(part, str):
                texts.append(part)
            elif isinstance(part, dict) and part.get("type", "text") == "text":
                text = part.get("text", part.get("value"))
                if not isinstance(text, str):
                    raise RowProblem(Text("{where}: a text part has no 'text' string", where=where))
                texts.append(text)
            else:
                kind = part.get("type") if isinstance(part, dict) else type(part).__name__
                raise RowProblem(Text("{where}: a '{kind}' content part; only text is supported",
                                      where=where, kind=kind))
        return "\n".join(texts)
    raise RowProblem(Text("{where}: content must be text, got {kind}",
                          where=where, kind=type(value).__name__ if value is not None else 'null'))


def parse_turns(value: Any, field: str) -> list[dict]:
    value = maybe_json_list(value)
    if value is None:
        raise RowProblem(Text("missing field '{field}'", field=field))
    if not isinstance(value, list):
        raise RowProblem(Text("'{field}' must be a list of turns, got {type}",
                              field=field, type=type(value).__name__))
    if not value:
        raise RowProblem(Text("'{field}' is empty", field=field))
    messages = []
    for i, turn in enumerate(value):
        where = f"{field}[{i}]"
        if not isinstance(turn, dict):
            raise RowProblem(Text("{where} must be an object, got {type}",
                                  where=where, type=type(turn).__name__))
        messages.append(parse_turn(turn, where))
    return [m for m in messages if m["role"] != "system" or m["content"].strip()]


def parse_turn(turn: dict, where: str) -> dict:
    raw = turn.get("role", turn.get("from"))
    if raw is None:
        raise RowProblem(Text("{where} has no 'role' (or 'from')", where=where))
    role = ROLES.get(str(raw).lower())
    if role is None:
        raise RowProblem(Text("{where} has unknown role '{raw}' (expected system, user/human, assistant/gpt)",
                              where=where, raw=raw))
    content = turn_content(turn.get("content", turn.get("value")), where)
    if not content.strip() and role != "system":
        raise RowProblem(Text("{where}: empty {role} turn", where=where, role=role))
    return {"role": role, "content": content}
