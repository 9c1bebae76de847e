"""Property tests: random and malformed input to every reader, the detector and the normaliser. Nothing but our
DataError (or a row's RowProblem) escapes, and every problem names its line or row."""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.data import FORMATS, inspect_file, read_rows
from app.core.data.formats import UNKNOWN, RowProblem, detect_format, normalise
from app.core.errors import DataError

KEYS = ["messages", "conversations", "role", "content", "from", "value", "instruction", "input", "output", "system",
        "history", "prompt", "completion", "text", "chosen", "rejected", "label", "type", "weight", "tools"]
SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8)
json_values = st.recursive(
    scalars | st.sampled_from(["user", "assistant", "system", "human", "gpt", "tool", "observation", "text"]),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=5), inner, max_size=5),
    max_leaves=10)
rows = st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=5), json_values, max_size=6)
# A line of a file: a JSON record, any JSON value, broken JSON, delimiter soup, or raw bytes.
lines = st.one_of(
    rows.map(lambda r: json.dumps(r).encode()),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.text(alphabet='{}[]",:;\t\r\\ ab1\u00e9\u2028', max_size=30).map(lambda t: t.encode()),
    st.binary(max_size=30),
)
contents = st.lists(lines, min_size=1, max_size=8).map(lambda ls: b"\n".join(ls))
LINE = re.compile(r":\d+:")


def _read(suffix: str, content: bytes):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"data{suffix}"
        path.write_bytes(content)
        try:
            return list(read_rows(path)), None
        except DataError as exc:
            return None, exc


@SETTINGS
@given(suffix=st.sampled_from([".jsonl", ".json", ".csv", ".tsv", ".txt"]), content=contents)
def test_readers_raise_only_data_errors_that_name_a_line(suffix, content):
    got, error = _read(suffix, content)
    if error is not None:
        assert LINE.search(error.message) or "empty" in error.message, error.message
        assert error.hint
        return
    n_lines = len(re.split(rb"\r\n|\r|\n", content))  # the most lines any newline convention finds
    if suffix == ".json":  # a JSON array's rows are numbered by record (Row.line), e.g. [null,null] on one line
        n_lines = max(n_lines, len(got))
    for row in got:
        assert 1 <= row.line <= n_lines
        assert (row.data is None) == (row.error is not None)
        assert row.data is None or isinstance(row.data, dict)


@SETTINGS
@given(content=st.binary(min_size=1, max_size=200))
def test_parquet_reader_refuses_random_bytes_with_a_data_error(content):
    got, error = _read(".parquet", content)
    assert got is None and "Parquet" in error.message and error.hint


@SETTINGS
@given(sample=st.lists(rows, max_size=6), columns=st.none() | st.dictionaries(st.sampled_from(KEYS),
                                                                                st.sampled_from(KEYS), max_size=2))
def test_detector_always_answers(sample, columns):
    detection = detect_format(sample, columns)
    assert detection.format in (*FORMATS, UNKNOWN) and 0.0 <= detection.confidence <= 1.0 and detection.reason


@SETTINGS
@given(row=rows, fmt=st.sampled_from(FORMATS))
def test_normalise_raises_only_row_problems(row, fmt):
    try:
        result = normalise(row, fmt)
    except RowProblem as exc:
        assert str(exc)
        return
    if fmt == "text":
        assert isinstance(result, str) and result.strip()
    else:
        assert all(isinstance(m["content"], str) and m["role"] in ("system", "user", "assistant") for m in result)
        assert result[-1]["role"] == "assistant"


@SETTINGS
@given(content=contents, fmt=st.sampled_from(["auto", *FORMATS]))
@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_inspection_reports_every_problem_by_line(suffix, content, fmt):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"data{suffix}"
        path.write_bytes(content)
        try:
            report = inspect_file(path, fmt=fmt)
        except DataError as exc:
            assert LINE.search(exc.message) or "empty" in exc.message, exc.message
            return
    assert report.rows == report.valid_rows + report.problem_count or report.format == UNKNOWN
    assert all(p.line >= 1 and p.message for p in report.problems)


@SETTINGS
@given(values=st.lists(json_values | rows, max_size=12), indent=st.none() | st.integers(0, 3),
       chunk=st.integers(1, 40), cut=st.none() | st.integers(0, 400))
def test_large_json_arrays_stream_to_the_same_rows_and_errors(values, indent, chunk, cut):
    from unittest import mock

    from app.core.data import readers

    text = json.dumps(values, indent=indent)
    if cut is not None:
        text = text[:cut] + "}" + text[cut:]  # a stray brace: a syntax error somewhere, or extra data
    eager, eager_error = _read(".json", text.encode())
    with mock.patch.object(readers, "STREAM_JSON_BYTES", 0), mock.patch.object(readers, "_CHUNK_CHARS", chunk):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "data.json"
            path.write_text(text, encoding="utf-8")
            try:
                streamed, streamed_error = list(read_rows(path)), None
            except DataError as exc:
                streamed, streamed_error = None, exc
    if eager_error is None:
        assert streamed_error is None and streamed == eager
    else:  # both refuse it at the same line (the eager reader may also refuse a non-array document)
        assert streamed_error is not None or not text.lstrip().startswith("[")
        if streamed_error is not None:
            assert LINE.search(streamed_error.message).group() == LINE.search(eager_error.message).group()
