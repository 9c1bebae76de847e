"""The dataset doctor: duplicates with line numbers, near duplicates, leakage, the token-length histogram and
truncation, placeholders and labels, and that a large file is streamed (memory stays small)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sample_data import LLAMAFACTORY

import app.core.data as data
from app.core.data import inspect_file
from app.core.data.duplicates import near_text

ROOT = Path(__file__).resolve().parents[2]
IDENTITY = LLAMAFACTORY / "identity.json"


def chat(question: str, answer: str) -> dict:
    return {"messages": [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]}


def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows), encoding="utf-8")
    return path


def test_package_exports_all_resolve():
    for name in data.__all__:
        assert getattr(data, name) is not None


def test_exact_duplicates_with_line_numbers(tmp_path):
    rows = [chat("a", "1"), chat("b", "2"), chat("a", "1"), "{broken", chat("b", "2"), chat("a", "1"), chat("c", "3")]
    # The same conversation in another layout is an exact duplicate too (compared after normalisation).
    path = write_jsonl(tmp_path / "d.jsonl", rows)
    report = inspect_file(path)
    assert (report.duplicates.groups, report.duplicates.rows) == (2, 3)
    assert report.duplicates.lines == [[1, 3, 6], [2, 5]]
    assert report.near_duplicates.rows == 0 and report.counts()["exact_duplicates"] == 3
    assert "exact duplicates: 3 rows in 2 groups" in report.summary()
    assert "1, 3, 6" in report.summary(details=True) and "1, 3, 6" not in report.summary()


def test_near_duplicates_ignore_case_spacing_and_punctuation(tmp_path):
    assert near_text("Hello,  World!") == near_text("hello world") == "hello world"
    rows = [chat("Hello,  World!", "Hi."), chat("hello world", "hi"), chat("Hello,  World!", "Hi."),
            chat("Goodbye", "Bye"), chat("HELLO WORLD", "HI!")]
    report = inspect_file(write_jsonl(tmp_path / "d.jsonl", rows))
    assert report.duplicates.lines == [[1, 3]]
    # One near group of four rows: three distinct variants, so two near duplicates beyond the exact copy.
    assert (report.near_duplicates.groups, report.near_duplicates.rows) == (1, 2)
    assert report.near_duplicates.lines == [[1, 2, 3, 5]]


def test_leakage_between_training_and_validation_files(tmp_path):
    train = write_jsonl(tmp_path / "train.jsonl", [chat("q1", "a1"), chat("q2", "a2"), chat("Q3?", "a3"),
                                                   chat("q4", "a4")])
    val = write_jsonl(tmp_path / "val.jsonl", [chat("x", "y"), chat("q3", "A3"), chat("q1", "a1")])
    report = inspect_file(train, validation=val)
    assert (report.leakage.rows, report.leakage.validation_rows) == (2, 2)
    assert report.leakage.pairs == [{"train_lines": [1], "validation_lines": [3]},
                                    {"train_lines": [3], "validation_lines": [2]}]
    assert "leakage: 2 training rows" in report.summary()
    assert inspect_file(train).leakage is None


def test_labels_and_placeholders_are_counted(tmp_path):
    rows = [{"text": f"t{i} {{{{name}}}}" if i < 2 else f"t{i}", "label": "pos" if i < 6 else "neg"}
            for i in range(8)]
    report = inspect_file(write_jsonl(tmp_path / "d.jsonl", rows))
    assert report.labels == {"pos": 6, "neg": 2} and report.placeholders == {"name": 2}
    assert "imbalanced 3.0:1" in report.summary()


def test_identity_placeholders():
    report = inspect_file(IDENTITY)
    assert set(report.placeholders) == {"name", "author"} and report.placeholders["name"] > 0


def test_histogram_and_truncation(demo_tokenizer, tmp_path):
    rows = [chat(f"question {i}", "word " * (i * 8)) if i else chat("q", "a") for i in range(12)]
    path = write_jsonl(tmp_path / "d.jsonl", rows)
    full = inspect_file(path, tokenizer=demo_tokenizer)
    lengths = sorted(full.token_stats["histogram"], key=lambda b: b["start"])
    assert sum(b["count"] for b in lengths) == full.valid_rows == 12
    assert all(b["end"] - b["start"] == lengths[0]["end"] - lengths[0]["start"] for b in lengths)
    assert full.token_stats["truncated"] == 0 and full.token_stats["assistant_tokens_cut"] == 0
    limit = full.token_stats["p50"]
    report = inspect_file(path, tokenizer=demo_tokenizer, max_length=limit)
    stats = report.token_stats
    over = 12 - sum(1 for row in rows if _length(demo_tokenizer, row) <= limit)
    assert stats["truncated"] == over > 0 and stats["truncated_share"] == round(over / 12, 4)
    assert 0 < stats["assistant_tokens_cut"] <= stats["trained_tokens"]
    assert "token-length histogram" in report.summary(details=True)


def _length(tokenizer, row) -> int:
    from app.core.data.templating import encode_conversation

    return encode_conversation(tokenizer, row["messages"], 10**9).full_length


def _trained_past(tokenizer, row, limit: int) -> int:
    """The trained tokens of `row` past `limit`, counted on its full encoding."""
    from app.core.data.templating import IGNORE_INDEX, encode_conversation

    labels = encode_conversation(tokenizer, row["messages"], 10**9).labels
    return sum(1 for label in labels[limit:] if label != IGNORE_INDEX)


def _rows_of(tokenizer, lengths: list[int]) -> list[dict]:
    """Chat rows of about these token lengths (the answer is one word repeated: one token a word)."""
    overhead = _length(tokenizer, chat("q0", "word"))
    return [chat(f"q{i}", "word" + " word" * (n - overhead)) for i, n in enumerate(lengths)]


def test_automatic_max_length_cuts_nothing_where_a_fixed_512_cuts_rows(demo_tokenizer, tmp_path):
    """The field's 512 is not what a run uses while max_length is automatic: rows of up to ~700 tokens, the longest
    close to the 99th percentile, make the run choose the longest rounded up to 32, which cuts nothing; the 512 a
    user sets cuts the longer rows, and exactly their trained tokens past 512."""
    rows = _rows_of(demo_tokenizer, [400 + 10 * i for i in range(31)])
    full = [_length(demo_tokenizer, row) for row in rows]
    assert 680 <= max(full) <= 720
    path = write_jsonl(tmp_path / "long.jsonl", rows)
    auto = inspect_file(path, tokenizer=demo_tokenizer, max_length="auto", context_length=8192)
    stats = auto.token_stats
    assert stats["max_length"] == 32 * -(-max(full) // 32) and stats["auto_length"]["basis"] == "longest"
    assert (stats["truncated"], stats["assistant_tokens_cut"]) == (0, 0)
    assert f"max length auto → {stats['max_length']} (the longest training row has {max(full)} tokens)" in \
        auto.summary()
    fixed = inspect_file(path, tokenizer=demo_tokenizer, max_length=512).token_stats
    assert fixed["auto_length"] is None and fixed["max_length"] == 512
    assert fixed["truncated"] == sum(n > 512 for n in full) > 0
    assert fixed["assistant_tokens_cut"] == sum(_trained_past(demo_tokenizer, row, 512) for row in rows) > 0
    assert fixed["trained_tokens"] == stats["trained_tokens"]


def test_automatic_max_length_cuts_a_far_longer_row_at_the_99th_percentile(demo_tokenizer, tmp_path):
    """99 rows of 60-110 tokens and one of ~600 (more than twice the 99th percentile): the run's limit is the 99th
    percentile rounded up to 32, and the doctor counts exactly that row cut, with its trained tokens past it."""
    lengths = [60 + i % 50 for i in range(99)]
    rows = _rows_of(demo_tokenizer, lengths[:40] + [600] + lengths[40:])
    full = [_length(demo_tokenizer, row) for row in rows]
    path = write_jsonl(tmp_path / "outlier.jsonl", rows)
    stats = inspect_file(path, tokenizer=demo_tokenizer, max_length="auto", context_length=8192).token_stats
    p99 = sorted(full)[98]
    assert max(full) > 2 * p99 and stats["auto_length"]["basis"] == "p99" and stats["auto_length"]["p99"] == p99
    limit = stats["max_length"]
    assert limit == 32 * -(-p99 // 32) and sum(n > limit for n in full) == 1
    assert stats["truncated"] == 1
    assert stats["assistant_tokens_cut"] == _trained_past(demo_tokenizer, rows[40], limit) > 0


def test_the_doctors_automatic_max_length_is_the_one_a_run_chooses(demo_tokenizer, tmp_path):
    """The same rows, split and rule as auto_settings.resolve: the held-out validation and test rows do not count
    (the longest row of the file is held out here: counting it would choose 320), nor the rows past max_samples,
    and the model's context caps the limit as it caps a run's."""
    from app.core.auto_settings import resolve
    from app.core.config import parse_config
    from app.core.data.prepare import split_positions

    lengths = [50 + i for i in range(50)]
    _train, held, tested = split_positions(50, 0.2, 0.1, 7)
    lengths[held[0]], lengths[tested[0]] = 300, 250
    path = write_jsonl(tmp_path / "split.jsonl", _rows_of(demo_tokenizer, lengths + [40] * 9 + [900]))
    for context in (8192, 64):
        config = parse_config({"data": {"train": str(path), "validation_split": 0.2, "test_split": 0.1, "seed": 7,
                                        "max_samples": 50}})
        run = resolve(config, demo_tokenizer, 134_515_008, context)[0].training.max_length
        stats = inspect_file(path, tokenizer=demo_tokenizer, max_length="auto", validation_split=0.2,
                             test_split=0.1, seed=7, context_length=context, max_samples=50).token_stats
        assert stats["max_length"] == run == (128 if context == 8192 else 64)
        assert stats["auto_length"]["capped"] == (context == 64)


MEASURE = """
import json, sys, time
import numpy  # the doctor's end-of-file sorting imports it; not part of the rows' memory
from app.core.data import inspect_file
def peak_kib():  # this process's own high-water mark (ru_maxrss would carry the parent's across exec)
    return int(next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM:")))
before = peak_kib()
start = time.perf_counter()
report = inspect_file(sys.argv[1])
seconds = time.perf_counter() - start
after = peak_kib()
print(json.dumps({"rows": report.rows, "dups": report.duplicates.rows, "seconds": seconds,
                  "growth_mb": (after - before) / 1024}))
"""


def test_inspecting_a_large_file_streams_it(tmp_path):
    """200,000 rows (38 MB) in a fresh process: peak memory grows by the hashes (24 bytes a row), not the rows
    (held as Python objects they would take several hundred MB)."""
    path = tmp_path / "big.jsonl"
    filler = "lorem ipsum dolor sit amet " * 6
    with path.open("w", encoding="utf-8") as fh:
        for i in range(200_000):
            fh.write(f'{{"text": "Document {i % 199_990}: {filler}"}}\n')
    out = subprocess.run([sys.executable, "-c", MEASURE, str(path)], capture_output=True, text=True, cwd=ROOT,
                         check=True, timeout=120)
    result = json.loads(out.stdout)
    assert result["rows"] == 200_000 and result["dups"] == 10
    assert result["growth_mb"] < 40, result


ROW_PROBLEMS = {
    "ends with a user turn": ({"messages": [{"role": "user", "content": "Hi"}]},
                              "the conversation ends with a user turn; it must end with the assistant's answer"),
    "empty answer": (chat("Hi", ""), "messages[1]: empty assistant turn"),
    "unknown role": ({"messages": [{"role": "robot", "content": "Hi"}, {"role": "assistant", "content": "x"}]},
                     "messages[0] has unknown role 'robot' (expected system, user/human, assistant/gpt)"),
    "turns out of order": ({"messages": [{"role": "user", "content": "Hi"}, *chat("x", "y")["messages"]]},
                           "turn 2 is 'user' where 'assistant' was expected (turns must alternate user/assistant "
                           "after an optional system message)"),
    "an image part": ({"messages": [{"role": "user", "content": [{"type": "image", "url": "x"}]},
                                    {"role": "assistant", "content": "y"}]},
                      "messages[0]: a 'image' content part; only text is supported"),
    "turns not a list": ({"messages": "hello"}, "'messages' must be a list of turns, got str"),
    "a turn not an object": ({"messages": ["hello", {"role": "assistant", "content": "y"}]},
                             "messages[0] must be an object, got str"),
    "invalid JSON": ("{not json", "invalid JSON: Expecting property name enclosed in double quotes (column 2)"),
}


@pytest.mark.parametrize("kind", list(ROW_PROBLEMS))
def test_each_row_problem_is_found_on_its_line(tmp_path, kind):
    row, message = ROW_PROBLEMS[kind]
    path = write_jsonl(tmp_path / "d.jsonl", [chat("What is 2+2?", "4"), row, chat("Name a colour.", "Blue")])
    report = inspect_file(path)
    assert [(p.file, p.line, p.message) for p in report.problems] == [(str(path), 2, message)]
    assert (report.rows, report.valid_rows, report.counts()["problems"]) == (3, 2, 1)
    assert f"    {path}:2: {message}" in report.summary().splitlines()
