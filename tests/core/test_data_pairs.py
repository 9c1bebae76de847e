"""Rows of the stages beyond SFT: preference pairs, KTO labels, classification and prompts, in TRL's layout."""

from __future__ import annotations

import itertools

import pytest
from sample_data import LLAMAFACTORY as SAMPLES

from app.core.data import RowProblem, detect_format, read_rows
from app.core.data.pairs import stage_row


def rows_of(name: str, n: int = 300) -> list[dict]:
    return [r.data for r in itertools.islice(read_rows(SAMPLES / name), n)]


def test_dpo_demo_becomes_conversational_prompt_chosen_rejected():
    rows = rows_of("dpo_en_demo.json")
    assert detect_format(rows[:50]).format == "preference"
    converted = [stage_row(r, "preference") for r in rows]
    first = converted[0]
    assert first["prompt"] == [{"role": "user", "content": rows[0]["conversations"][0]["value"]}]
    assert first["chosen"] == [{"role": "assistant", "content": rows[0]["chosen"]["value"]}]
    assert first["rejected"] == [{"role": "assistant", "content": rows[0]["rejected"]["value"]}]
    assert all(r["prompt"][-1]["role"] == "user" for r in converted)


def test_kto_demo_keeps_its_labels_and_splits_off_the_answer():
    rows = rows_of("kto_en_demo.json")
    assert detect_format(rows[:50]).format == "kto"
    converted = [stage_row(r, "kto") for r in rows]
    assert [r["label"] for r in converted] == [r["label"] for r in rows]
    assert converted[0]["completion"] == [{"role": "assistant", "content": rows[0]["messages"][-1]["content"]}]
    assert converted[0]["prompt"] == [{"role": "user", "content": rows[0]["messages"][0]["content"]}]


@pytest.mark.parametrize(("row", "fmt", "expected"), [
    ({"prompt": "Hi", "chosen": "Hello", "rejected": "Go away"}, "preference",
     {"prompt": [{"role": "user", "content": "Hi"}], "chosen": [{"role": "assistant", "content": "Hello"}],
      "rejected": [{"role": "assistant", "content": "Go away"}]}),
    ({"chosen": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}],
      "rejected": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "No"}]}, "preference",
     {"prompt": [{"role": "user", "content": "Hi"}], "chosen": [{"role": "assistant", "content": "Hello"}],
      "rejected": [{"role": "assistant", "content": "No"}]}),
    ({"prompt": "2+2?", "completion": "4", "kto_tag": True}, "kto",
     {"prompt": [{"role": "user", "content": "2+2?"}], "completion": [{"role": "assistant", "content": "4"}],
      "label": True}),
    ({"text": "great film", "label": "pos"}, "classification", {"text": "great film", "label": "pos"}),
    ({"prompt": "Say hi", "answer": "hi"}, "prompt", {"prompt": [{"role": "user", "content": "Say hi"}],
                                                     "answer": "hi"}),
    ({"messages": [{"role": "user", "content": "Say hi"}, {"role": "assistant", "content": "hi"}]}, "messages",
     {"prompt": [{"role": "user", "content": "Say hi"}], "answer": "hi"}),
])
def test_rows_convert_to_the_trainers_layout(row, fmt, expected):
    assert stage_row(row, fmt) == expected


@pytest.mark.parametrize(("row", "fmt", "message"), [
    ({"prompt": "Hi", "chosen": "Same", "rejected": "Same"}, "preference", "the same answer"),
    ({"prompt": "Hi", "chosen": "Hello"}, "preference", "both 'chosen' and 'rejected'"),
    ({"prompt": "Hi", "completion": "x", "label": "yes"}, "kto", "true/false 'label'"),
    ({"text": "t", "label": True}, "classification", "class name or number"),
    ({"chosen": [{"role": "user", "content": "A"}, {"role": "assistant", "content": "x"}],
      "rejected": [{"role": "user", "content": "B"}, {"role": "assistant", "content": "y"}]}, "preference",
     "share every turn but the last"),
])
def test_unusable_rows_say_why(row, fmt, message):
    with pytest.raises(RowProblem, match=message):
        stage_row(row, fmt)
