"""Reading dataset files: every supported kind, line numbers of bad rows, and errors with hints."""

from __future__ import annotations

import json

import pytest

from app.core.data import Row, read_rows
from app.core.errors import DataError


def write(tmp_path, name: str, text: str, encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_jsonl_bad_line_keeps_its_line_number_and_the_rest_still_reads(tmp_path):
    path = write(tmp_path, "d.jsonl", '{"text": "a"}\n\n{"text": oops}\n[1, 2]\n{"text": "d"}\n')
    rows = list(read_rows(path))
    assert [r.line for r in rows] == [1, 3, 4, 5]
    assert rows[0] == Row(1, {"text": "a"}, None)
    assert rows[1].data is None and rows[1].error.startswith("invalid JSON:")
    assert rows[2].error == "expected a JSON object ({...}), got list"
    assert rows[3].data == {"text": "d"}


@pytest.mark.parametrize("payload", [
    [{"a": 1}, {"a": 2}],
    {"data": [{"a": 1}, {"a": 2}]},
    {"version": 1, "records": [{"a": 1}, {"a": 2}]},
])
def test_json_array_and_wrapped_records(tmp_path, payload):
    rows = list(read_rows(write(tmp_path, "d.json", json.dumps(payload))))
    assert [(r.line, r.data) for r in rows] == [(1, {"a": 1}), (2, {"a": 2})]


def test_json_file_that_is_really_json_lines(tmp_path):
    rows = list(read_rows(write(tmp_path, "d.json", '{"a": 1}\n{"a": 2}\n')))
    assert [r.data for r in rows] == [{"a": 1}, {"a": 2}]


def test_broken_json_file_says_where(tmp_path):
    with pytest.raises(DataError, match=r"d\.json:3: invalid JSON") as err:
        read_rows(write(tmp_path, "d.json", '[\n{"a": 1},\n{"a": }\n]'))
    assert err.value.hint


def test_csv_with_quoted_multiline_field_reports_record_start_lines(tmp_path):
    text = 'prompt,completion\nhi,"hello\nthere"\n\nbye,see you\nonly-one-field\n'
    rows = list(read_rows(write(tmp_path, "d.csv", text)))
    assert [(r.line, r.data) for r in rows[:2]] == [
        (2, {"prompt": "hi", "completion": "hello\nthere"}), (5, {"prompt": "bye", "completion": "see you"})]
    assert rows[2].line == 6 and rows[2].data is None and "expected 2 fields, found 1" in rows[2].error


def test_tsv_and_sniffed_semicolon_and_cp1252(tmp_path):
    tsv = list(read_rows(write(tmp_path, "d.tsv", "prompt\tcompletion\na, b\tc; d\n")))
    assert tsv[0].data == {"prompt": "a, b", "completion": "c; d"}
    semi = list(read_rows(write(tmp_path, "d.csv", "prompt;completion\nx;y\nz;w\n")))
    assert [r.data["completion"] for r in semi] == ["y", "w"]
    latin = list(read_rows(write(tmp_path, "l.csv", "prompt,completion\ncafé,naïve résumé\n", "cp1252")))
    assert latin[0].data == {"prompt": "café", "completion": "naïve résumé"}


def test_utf8_bom_is_not_part_of_the_first_column(tmp_path):
    rows = list(read_rows(write(tmp_path, "d.csv", "\ufeffprompt,completion\na,b\n")))
    assert rows[0].data == {"prompt": "a", "completion": "b"}


def test_parquet_rows_are_numbered_by_record(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "d.parquet"
    pq.write_table(pa.table({"prompt": ["a", "b", "c"], "completion": ["x", "y", "z"]}), path)
    rows = list(read_rows(path))
    assert [(r.line, r.data["prompt"]) for r in rows] == [(1, "a"), (2, "b"), (3, "c")]


def test_text_file_one_row_per_non_blank_line(tmp_path):
    rows = list(read_rows(write(tmp_path, "d.txt", "first\n\nsecond\n")))
    assert [(r.line, r.data) for r in rows] == [(1, {"text": "first"}), (3, {"text": "second"})]


def test_missing_unknown_and_empty_files_raise_with_hints(tmp_path):
    with pytest.raises(DataError, match="not found") as err:
        read_rows(tmp_path / "nope.jsonl")
    assert "path" in err.value.hint
    with pytest.raises(DataError, match="Unsupported data file type '.xlsx'") as err:
        read_rows(write(tmp_path, "d.xlsx", "x"))
    assert ".jsonl" in err.value.hint and ".parquet" in err.value.hint
    with pytest.raises(DataError, match="empty"):
        read_rows(write(tmp_path, "e.jsonl", ""))
    with pytest.raises(DataError, match="no list of records"):
        read_rows(write(tmp_path, "o.json", '{"a": 1}'))


def test_jsonl_line_numbers_count_newlines_only_like_grep(tmp_path):
    rows = list(read_rows(write(tmp_path, "d.jsonl", '{"a": 1}\r{"a": 2}\r\n[1]\n{"b": 2}\r\n')))
    assert [(r.line, r.data) for r in rows] == [(1, None), (2, None), (3, {"b": 2})]
    assert rows[0].error.startswith("invalid JSON: Extra data")


def test_large_json_array_streams_and_a_broken_record_names_its_line(tmp_path, monkeypatch):
    from app.core.data import readers

    monkeypatch.setattr(readers, "STREAM_JSON_BYTES", 0)
    monkeypatch.setattr(readers, "_CHUNK_CHARS", 4)  # many refills: records and numbers cut at chunk edges
    rows = read_rows(write(tmp_path, "d.json", '[\n {"a": 12345},\n 7,\n {"b": [1, 2]}\n]\n'))
    assert [(r.line, r.data) for r in rows] == [(1, {"a": 12345}), (2, None), (3, {"b": [1, 2]})]
    rows = read_rows(write(tmp_path, "e.json", '[\n{"a": 1},\n{"a": }\n]'))
    assert next(rows).data == {"a": 1}
    with pytest.raises(DataError, match=r"e\.json:3: invalid JSON: Expecting value"):
        next(rows)
