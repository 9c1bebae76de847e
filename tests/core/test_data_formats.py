"""Format detection and normalisation to chat messages, on the public sample files and hand-made rows."""

from __future__ import annotations

import itertools

import pytest
from sample_data import LLAMAFACTORY as SAMPLES

from app.core.data import RowProblem, detect_format, read_rows, to_messages
from app.core.data.formats import normalise


def sample_rows(name: str, n: int = 50) -> list[dict]:
    return [r.data for r in itertools.islice(read_rows(SAMPLES / name), n)]


@pytest.mark.parametrize(("name", "fmt", "note"), [
    ("alpaca_en_demo.json", "alpaca", ""),
    ("identity.json", "alpaca", ""),
    ("dpo_en_demo.json", "preference", "sft trains on the chosen answer"),
    ("kto_en_demo.json", "kto", "true/false 'label'"),
    ("glaive_toolcall_en_demo.json", "sharegpt", "tool calls"),
    ("v1_sft_demo.jsonl", "messages", ""),
    ("v1_dpo_demo.jsonl", "preference", ""),
    ("c4_demo.jsonl", "text", ""),
])
def test_sample_files_detect_and_every_row_normalises(name, fmt, note):
    rows = [r.data for r in read_rows(SAMPLES / name)]
    detection = detect_format(rows[:50])
    assert (detection.format, detection.confidence) == (fmt, 1.0)
    assert note in detection.reason
    for row in rows:
        example = normalise(row, fmt)
        if fmt == "text":
            assert isinstance(example, str) and example
        else:
            assert example[-1]["role"] == "assistant"


def test_glaive_tool_turns_map_to_alternating_roles():
    row = next(r for r in sample_rows("glaive_toolcall_en_demo.json", 300)
               if [t["from"] for t in r["conversations"]] == ["human", "function_call", "observation", "gpt"])
    messages = to_messages(row, "sharegpt")
    assert [m["role"] for m in messages] == ["user", "assistant", "user", "assistant"]
    assert messages[1]["content"].startswith('{"name": ')


def test_preference_rows_train_on_the_chosen_answer():
    row = sample_rows("dpo_en_demo.json", 1)[0]
    messages = to_messages(row, "sharegpt")
    assert messages[-1] == {"role": "assistant", "content": row["chosen"]["value"]}
    assert row["rejected"]["value"] not in [m["content"] for m in messages]


def test_typed_content_parts_are_flattened():
    row = {"messages": [{"role": "user", "content": [{"type": "text", "value": "hi"}], "loss_weight": 0.0},
                        {"role": "assistant", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]}]}
    assert to_messages(row, "messages") == [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "a\nb"}]
    row["messages"][0]["content"].append({"type": "image", "image": "x.png"})
    with pytest.raises(RowProblem, match="'image' content part"):
        to_messages(row, "messages")


def test_alpaca_with_system_history_and_input():
    row = {"system": "Be brief.", "history": [["q1", "a1"]], "instruction": "Sum", "input": "1 2", "output": "3"}
    assert to_messages(row, "alpaca") == [
        {"role": "system", "content": "Be brief."}, {"role": "user", "content": "q1"},
        {"role": "assistant", "content": "a1"}, {"role": "user", "content": "Sum\n1 2"},
        {"role": "assistant", "content": "3"}]


def test_prompt_completion_and_column_mapping_and_system_prompt():
    row = {"question": "Why?", "answer": "Because."}
    columns = {"question": "prompt", "answer": "completion"}
    assert detect_format([row], columns).format == "prompt_completion"
    assert to_messages(row, "prompt_completion", columns, system_prompt="You are terse.") == [
        {"role": "system", "content": "You are terse."}, {"role": "user", "content": "Why?"},
        {"role": "assistant", "content": "Because."}]
    own_system = {"messages": [{"role": "system", "content": "Mine."}, {"role": "user", "content": "x"},
                               {"role": "assistant", "content": "y"}]}
    assert to_messages(own_system, "messages", system_prompt="Other.")[0]["content"] == "Mine."


def test_prompt_completion_as_message_lists_and_json_text_from_csv():
    row = {"prompt": [{"role": "user", "content": "hi"}], "completion": '[{"role": "assistant", "content": "yo"}]'}
    assert [m["role"] for m in to_messages(row, "prompt_completion")] == ["user", "assistant"]


@pytest.mark.parametrize(("row", "fmt", "message"), [
    ({"instruction": "x", "output": ""}, "alpaca", "'output' is empty: empty assistant turn"),
    ({"instruction": "x"}, "alpaca", "missing field 'output'"),
    ({"instruction": 3, "output": "y"}, "alpaca", "'instruction' must be text, got int"),
    ({"prompt": "x", "completion": "  "}, "prompt_completion", "empty assistant turn"),
    ({"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "content": ""}]}, "messages",
     "messages[1]: empty assistant turn"),
    ({"messages": [{"role": "assistant", "content": "x"}, {"role": "user", "content": "y"}]}, "messages",
     "turn 1 is 'assistant' where 'user' was expected"),
    ({"messages": [{"role": "user", "content": "x"}, {"role": "user", "content": "y"}]}, "messages",
     "turn 2 is 'user' where 'assistant' was expected"),
    ({"messages": [{"role": "user", "content": "x"}]}, "messages", "ends with a user turn"),
    ({"messages": [{"role": "user", "content": None}]}, "messages", "content must be text, got null"),
    ({"messages": [{"role": "robot", "content": "x"}]}, "messages", "unknown role 'robot'"),
    ({"conversations": []}, "sharegpt", "'conversations' is empty"),
    ({"text": "x"}, "text", "not conversations"),
])
def test_malformed_rows_raise_row_problem(row, fmt, message):
    with pytest.raises(RowProblem, match=message.replace("[", r"\[").replace("]", r"\]")):
        to_messages(row, fmt)


def test_unknown_layout_suggests_a_mapping():
    detection = detect_format([{"question": "a", "answer": "b"}])
    assert (detection.format, detection.confidence) == ("unknown", 0.0)
    assert "{question: prompt, answer: completion}" in detection.reason


def test_mixed_rows_give_partial_confidence():
    rows = [{"text": "a"}] * 3 + [{"prompt": "p", "completion": "c"}]
    detection = detect_format(rows)
    assert (detection.format, detection.confidence) == ("text", 0.75)
