"""prepare_sft and inspect_file end to end on small files, with the real demo tokenizer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sample_data import LLAMAFACTORY as SAMPLES

from app.core.config import DataConfig
from app.core.data import IGNORE_INDEX, inspect_file, prepare_sft
from app.core.errors import Cancelled, DataError, StudioError
from app.core.events import ListSink, StopFlag


@pytest.fixture
def tokenizer(demo_tokenizer):
    """The session's demo tokenizer (conftest)."""
    return demo_tokenizer


def conversation(i: int, answer: str | None = None) -> dict:
    return {"messages": [{"role": "user", "content": f"Question {i}?"},
                         {"role": "assistant", "content": answer if answer is not None else f"Answer {i}."}]}


def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows), encoding="utf-8")
    return path


def prepare(tokenizer, tmp_path, max_length=128, sink=None, **data):
    return prepare_sft(DataConfig(**data), tokenizer, max_length, sink=sink, cache_dir=tmp_path / "cache")


def test_prepare_splits_and_labels_answers(tokenizer, tmp_path):
    path = write_jsonl(tmp_path / "d.jsonl", [conversation(i) for i in range(20)])
    sink = ListSink()
    prepared = prepare(tokenizer, tmp_path, sink=sink, train=str(path), validation_split=0.1)
    assert prepared.format == "messages" and len(prepared.fingerprint) == 64
    assert prepared.train.column_names == ["input_ids", "labels"]
    stats = prepared.stats
    assert (stats["rows"], stats["train_rows"], stats["eval_rows"], stats["truncated"], stats["dropped"]) == \
        (20, 18, 2, 0, 0)
    assert stats["tokens"] == sum(len(ids) for ids in prepared.train["input_ids"])
    labels = prepared.train[0]["labels"]
    assert stats["trained_tokens"] > 0
    assert tokenizer.decode([t for t in labels if t != IGNORE_INDEX]) in {f"Answer {i}.<|im_end|>" for i in range(20)}
    phases = sink.of("phase")
    tokenize = [e for e in phases if e["name"] == "tokenize"]
    assert tokenize[-1]["current"] == tokenize[-1]["total"] == 20
    assert [e["current"] for e in tokenize] == sorted(e["current"] for e in tokenize)


def test_split_is_deterministic_per_seed(tokenizer, tmp_path):
    path = write_jsonl(tmp_path / "d.jsonl", [conversation(i) for i in range(40)])

    def eval_ids(seed):
        prepared = prepare_sft(DataConfig(train=str(path), validation_split=0.25, seed=seed), tokenizer, 128,
                               use_cache=False)
        return [tuple(ids) for ids in prepared.eval["input_ids"]]

    assert eval_ids(1) == eval_ids(1) and len(eval_ids(1)) == 10
    assert eval_ids(1) != eval_ids(2)


def test_malformed_rows_stop_the_run_with_every_location(tokenizer, tmp_path):
    rows = [conversation(1), conversation(2), '{"messages": [oops', conversation(4), conversation(5, answer=""),
            conversation(6), {"messages": [{"role": "assistant", "content": "x"}, {"role": "user", "content": "y"}]}]
    path = write_jsonl(tmp_path / "bad.jsonl", rows)
    with pytest.raises(DataError) as err:
        prepare(tokenizer, tmp_path, train=str(path))
    message = err.value.message
    assert "3 rows have problems" in message
    assert f"{path}:3: invalid JSON" in message
    assert f"{path}:5: messages[1]: empty assistant turn" in message
    assert f"{path}:7: turn 1 is 'assistant' where 'user' was expected" in message
    assert "Fix or remove these rows" in err.value.hint


def test_many_problems_are_summarised(tokenizer, tmp_path):
    path = write_jsonl(tmp_path / "bad.jsonl", [conversation(i, answer=" ") for i in range(25)])
    with pytest.raises(DataError) as err:
        prepare(tokenizer, tmp_path, train=str(path))
    assert err.value.message.count("empty assistant turn") == 20
    assert "... and 5 more" in err.value.message


def test_max_samples_validation_file_and_system_prompt(tokenizer, tmp_path):
    train = write_jsonl(tmp_path / "t.jsonl", [conversation(i) for i in range(10)])
    val = write_jsonl(tmp_path / "v.jsonl", [conversation(i) for i in range(3)])
    prepared = prepare(tokenizer, tmp_path, train=str(train), validation=str(val), max_samples=4,
                       system_prompt="Be terse.")
    assert (prepared.stats["train_rows"], prepared.stats["eval_rows"]) == (4, 3)
    text = tokenizer.decode(prepared.train[0]["input_ids"])
    assert text.startswith("<|im_start|>system\nBe terse.<|im_end|>") and "Question 0?" in text


def test_rows_whose_answers_are_cut_away_are_dropped_and_counted(tokenizer, tmp_path):
    long_question = {"messages": [{"role": "user", "content": "word " * 100}, {"role": "assistant", "content": "ok"}]}
    path = write_jsonl(tmp_path / "d.jsonl", [conversation(1), long_question, conversation(2)])
    prepared = prepare(tokenizer, tmp_path, max_length=64, train=str(path), validation_split=0.0)
    assert (prepared.stats["train_rows"], prepared.stats["dropped"], prepared.stats["truncated"]) == (2, 1, 1)
    assert prepared.stats["assistant_tokens_cut"] == 2  # "ok" and <|im_end|>
    assert prepared.eval is None
    only_long = write_jsonl(tmp_path / "long.jsonl", [long_question])
    with pytest.raises(DataError, match="No training example keeps any answer tokens"):
        prepare(tokenizer, tmp_path, max_length=64, train=str(only_long), validation_split=0.0)


def test_tokenised_data_is_cached_by_content(tokenizer, tmp_path):
    path = write_jsonl(tmp_path / "d.jsonl", [conversation(i) for i in range(6)])
    first = prepare(tokenizer, tmp_path, train=str(path))
    sink = ListSink()
    second = prepare(tokenizer, tmp_path, sink=sink, train=str(path))
    assert second.stats["cached"] and not first.stats["cached"]
    assert second.train["input_ids"] == first.train["input_ids"] and not sink.of("phase")
    write_jsonl(path, [conversation(i) for i in range(7)])
    third = prepare(tokenizer, tmp_path, train=str(path))
    assert not third.stats["cached"] and third.fingerprint != first.fingerprint


def test_sample_prompts_come_from_validation_and_survive_the_cache(tokenizer, tmp_path):
    rows = [conversation(i) for i in range(20)]
    rows[3] = {"messages": [{"role": "user", "content": "First?"}, {"role": "assistant", "content": "One."},
                            {"role": "user", "content": "Question 3?"}, {"role": "assistant", "content": "Three."}]}
    path = write_jsonl(tmp_path / "d.jsonl", rows)
    first = prepare(tokenizer, tmp_path, train=str(path), validation_split=0.2, seed=7)
    prompts = first.stats["sample_prompts"]
    assert len(prompts) == 2 and all(isinstance(p, str) for p in prompts)
    eval_texts = [tokenizer.decode(ids) for ids in first.eval["input_ids"]]
    for prompt in prompts:  # each is the last user message of a held-out conversation
        assert any(f"<|im_start|>user\n{prompt}<|im_end|>\n<|im_start|>assistant\n" in t for t in eval_texts)
    again = prepare_sft(DataConfig(train=str(path), validation_split=0.2, seed=7), tokenizer, 128, use_cache=False)
    assert again.stats["sample_prompts"] == prompts  # deterministic
    cached = prepare(tokenizer, tmp_path, train=str(path), validation_split=0.2, seed=7)
    assert cached.stats["cached"] and cached.stats["sample_prompts"] == prompts


def test_sample_prompts_fall_back_to_train_and_take_the_last_user_turn(tokenizer, tmp_path):
    multi = {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello."},
                          {"role": "user", "content": "Which planet is largest?"},
                          {"role": "assistant", "content": "Jupiter."}]}
    path = write_jsonl(tmp_path / "d.jsonl", [multi, conversation(1), conversation(2)])
    prepared = prepare(tokenizer, tmp_path, train=str(path), validation_split=0.0)
    assert prepared.eval is None
    assert prepared.stats["sample_prompts"] == ["Which planet is largest?", "Question 1?"]
    val = write_jsonl(tmp_path / "v.jsonl", [conversation(9)])
    prepared = prepare(tokenizer, tmp_path, train=str(path), validation=str(val))
    assert prepared.stats["sample_prompts"] == ["Question 9?", "Which planet is largest?"]
    text = write_jsonl(tmp_path / "t.jsonl", [{"text": "Plain words."}])
    assert prepare(tokenizer, tmp_path, train=str(text), validation_split=0.0).stats["sample_prompts"] == []


class StopAfter:
    """A stop flag that turns set on its n-th question."""

    def __init__(self, n: int):
        self.n, self.asked = n, 0

    def is_set(self) -> bool:
        self.asked += 1
        return self.asked >= self.n


@pytest.mark.parametrize("asks", [1, 5, 25])  # before anything, while reading, while tokenising
def test_stop_cancels_between_rows_and_caches_nothing(tokenizer, tmp_path, asks):
    path = write_jsonl(tmp_path / "d.jsonl", [conversation(i) for i in range(12)])
    stop = StopAfter(asks)
    with pytest.raises(Cancelled) as err:
        prepare_sft(DataConfig(train=str(path)), tokenizer, 128, stop=stop, cache_dir=tmp_path / "cache")
    assert stop.asked == asks and isinstance(err.value, StudioError) and err.value.message == "Cancelled."
    assert not any((tmp_path / "cache").glob("*/stats.json"))
    flag = StopFlag()
    assert prepare_sft(DataConfig(train=str(path)), tokenizer, 128, stop=flag, use_cache=False).stats["rows"] == 12
    flag.set()
    with pytest.raises(Cancelled):
        prepare_sft(DataConfig(train=str(path)), tokenizer, 128, stop=flag, use_cache=False)


def test_csv_parquet_and_text_files(tokenizer, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    csv_path = tmp_path / "d.csv"
    csv_path.write_text('prompt,completion\nHi,"Hello,\nfriend"\nBye,Later\n', encoding="utf-8")
    prepared = prepare(tokenizer, tmp_path, train=str(csv_path), validation_split=0.0)
    assert prepared.format == "prompt_completion" and prepared.stats["train_rows"] == 2
    labels = prepared.train[0]["labels"]
    assert tokenizer.decode([t for t in labels if t != IGNORE_INDEX]) == "Hello,\nfriend<|im_end|>"

    pq_path = tmp_path / "d.parquet"
    pq.write_table(pa.table({"q": ["a?", "b?"], "a": ["A.", "B."]}), pq_path)
    prepared = prepare(tokenizer, tmp_path, train=str(pq_path), validation_split=0.0,
                       columns={"q": "instruction", "a": "output"})
    assert prepared.format == "alpaca" and prepared.stats["train_rows"] == 2

    text = write_jsonl(tmp_path / "t.jsonl", [{"text": "Plain words."}])
    prepared = prepare(tokenizer, tmp_path, train=str(text), validation_split=0.0)
    ids = prepared.train[0]["input_ids"]
    assert prepared.train[0]["labels"] == ids and ids[-1] == tokenizer.eos_token_id


def test_unknown_format_is_a_data_error_with_a_hint(tokenizer, tmp_path):
    path = write_jsonl(tmp_path / "d.jsonl", [{"question": "a", "answer": "b"}])
    with pytest.raises(DataError, match="Cannot tell the format of d.jsonl") as err:
        prepare(tokenizer, tmp_path, train=str(path))
    assert "{question: prompt, answer: completion}" in err.value.message and err.value.hint


def test_inspect_reports_problems_tokens_and_progress(tokenizer, tmp_path):
    rows = [conversation(i) for i in range(8)] + ["{bad", conversation(9, answer="")]
    path = write_jsonl(tmp_path / "d.jsonl", rows)
    calls = []
    report = inspect_file(path, tokenizer=tokenizer, max_length=30, max_problems=1,
                          progress=lambda done, total: calls.append((done, total)))
    assert (report.format, report.rows, report.valid_rows, report.problem_count) == ("messages", 10, 8, 2)
    assert [(p.line, p.message[:12]) for p in report.problems] == [(9, "invalid JSON")]
    assert report.columns == ["messages"] and len(report.examples) == 3
    stats = report.token_stats
    assert stats["min"] <= stats["p50"] <= stats["p95"] <= stats["max"]
    assert stats["truncated"] == 8 and stats["truncated_share"] == 1.0  # the default system prompt alone is ~20
    assert calls[-1] == (10, 10)
    json.dumps(report.to_dict())
    assert "... and 1 more" in report.summary() and "d.jsonl:9: invalid JSON" in report.summary()


def test_inspect_sample_with_tokens(tokenizer):
    report = inspect_file(SAMPLES / "identity.json", tokenizer=tokenizer, max_length=128)
    assert (report.format, report.rows, report.valid_rows, report.problem_count) == ("alpaca", 91, 91, 0)
    assert report.token_stats["max"] > 128 and 0 < report.token_stats["truncated"] < 91
