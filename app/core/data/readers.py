"""Read dataset files row by row: JSONL, JSON, CSV/TSV, Parquet and plain text.

JSONL, CSV, text and Parquet files are streamed (never loaded whole), and so are JSON arrays of 64 MiB and more
(a 139 MB array: 26 MB peak RSS instead of 535 MB); smaller JSON files are parsed at once, so a syntax error
anywhere in them is reported before any row. A row that cannot be parsed is yielded as a `Row`
with `data=None` and an `error`, so callers can report every bad line instead of stopping at the first.
"""

from __future__ import annotations

import codecs
import csv
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import DataError
from ..messages import Text

log = logging.getLogger(__name__)

JSONL_EXTENSIONS = (".jsonl", ".ndjson")
JSON_EXTENSIONS = (".json",)
CSV_EXTENSIONS = (".csv", ".tsv")
PARQUET_EXTENSIONS = (".parquet", ".pq")
TEXT_EXTENSIONS = (".txt",)
SUPPORTED_EXTENSIONS = JSONL_EXTENSIONS + JSON_EXTENSIONS + CSV_EXTENSIONS + PARQUET_EXTENSIONS + TEXT_EXTENSIONS

# Keys under which a JSON object may hold its list of records.
_RECORD_KEYS = ("data", "rows", "records", "examples", "train")
_SNIFF_BYTES = 64 * 1024
_CHUNK_CHARS = 1 << 20
STREAM_JSON_BYTES = 64 * 2**20  # JSON arrays this large are decoded record by record instead of all at once
# Deepest nesting of lists and objects a record may have. Real rows (messages, content parts, tool schemas) stay far
# below; a deeper one would exhaust Python's recursion limit in the JSON parser or in whatever walks it later.
MAX_NESTING = 100
_TOO_DEEP = Text("nested more than {n} levels deep (lists or objects inside each other)", n=MAX_NESTING)
# what Python's json reader says is wrong, as Texts the window translates (any other wording shows as it comes)
_JSON_WORDS = {text: text for text in (
    Text("Expecting ',' delimiter"), Text("Expecting ':' delimiter"), Text("Expecting value"),
    Text("Expecting property name enclosed in double quotes"), Text("Unterminated string starting at"),
    Text("Invalid control character at"), Text("Invalid \\escape"), Text("Extra data"))}


@dataclass
class Row:
    """One record: `line` is the 1-based line (JSONL, CSV, text) or record index + 1 (JSON array, Parquet, saved
    dataset); `file` names the file inside a folder source (None for a single file)."""

    line: int
    data: dict | None
    error: str | None = None
    file: str | None = None

    def where(self, source: str | Path) -> str:
        """`source`, or the file inside the folder `source`, for `where:line` messages."""
        return str(Path(source) / self.file) if self.file else str(source)


def open_file_rows(path: Path) -> tuple[Iterator[Row], int | None]:
    """The rows of one checked data file (`check_data_file`) and, where it is cheap to know, how many there are (None
    for CSV). Any source, folders and hub ids included, is opened by sources.open_rows."""
    suffix = path.suffix.lower()
    if suffix in JSONL_EXTENSIONS:
        return _jsonl_rows(path), _count_lines(path)
    if suffix in JSON_EXTENSIONS:
        return _json_rows(path)
    if suffix in CSV_EXTENSIONS:
        return _csv_rows(path), None
    if suffix in PARQUET_EXTENSIONS:
        return _parquet_rows(path)
    return _text_rows(path), _count_lines(path)


def check_data_file(path: Path) -> Path:
    """The path, once it is known to be a non-empty file of a supported kind; else a DataError with a hint."""
    if not path.exists():
        raise DataError(Text("Data file not found: {path}", path=path),
                        Text("Check the path (relative paths are resolved against the config's folder), or pick the "
                             "file again."))
    if path.suffix.lower() not in SUPPORTED_EXTENSIONS:
        raise DataError(Text("Unsupported data file type '{suffix}': {name}", suffix=path.suffix or "(none)",
                             name=path.name),
                        Text("Use one of {types} (e.g. export your sheet as CSV).",
                             types=", ".join(SUPPORTED_EXTENSIONS)))
    if path.stat().st_size == 0:
        raise DataError(Text("The data file is empty: {path}", path=path),
                        Text("Add examples to it, or pick another file."))
    return path


def sniff_encoding(path: Path) -> str:
    """The text encoding of a file: from its byte-order mark; else UTF-8 if its start decodes; else Windows-1252
    (what spreadsheet programs write in Western locales) if that decodes; else charset-normalizer's guess."""
    with path.open("rb") as fh:
        head = fh.read(_SNIFF_BYTES)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for encoding in ("utf-8", "cp1252"):
        try:
            codecs.getincrementaldecoder(encoding)().decode(head, final=False)
        except UnicodeDecodeError:
            continue
        if encoding != "utf-8":
            log.info("%s is not UTF-8; reading it as %s", path.name, encoding)
        return encoding
    encoding = "latin-1"
    try:  # installed with requests; not a dependency of ours
        from charset_normalizer import from_bytes

        best = from_bytes(head).best()
        encoding = best.encoding if best is not None else encoding
    except ImportError:
        pass
    log.info("%s is not UTF-8; reading it as %s", path.name, encoding)
    return encoding


def _open_text(path: Path, newline: str = ""):
    """Text mode; `newline="\n"` splits lines only at \n, so line numbers match editors' and `grep -n`'s."""
    return path.open(encoding=sniff_encoding(path), newline=newline)


def _decode_error(path: Path, line: int, exc: UnicodeDecodeError) -> DataError:
    return DataError(Text("{path}:{line}: cannot decode the text ({reason})", path=path, line=line, reason=exc.reason),
                     Text("Save the file as UTF-8 and try again."))


def _count_lines(path: Path) -> int:
    """Non-blank lines, counted on bytes (fast; used only for progress totals)."""
    count = 0
    with path.open("rb") as fh:
        for line in fh:
            if line.strip():
                count += 1
    return count


def _as_record(value: Any) -> tuple[dict | None, str | None]:
    if isinstance(value, dict):
        return (None, _TOO_DEEP) if _too_deep(value) else (value, None)
    return None, Text("expected a JSON object ({{...}}), got {kind}", kind=type(value).__name__)


def _too_deep(value: Any) -> bool:
    """Whether lists and objects nest more than MAX_NESTING levels in `value` (walked without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_NESTING:
            return True
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def _jsonl_rows(path: Path) -> Iterator[Row]:
    line_no = 0
    try:
        with _open_text(path, "\n") as fh:
            for line_no, line in enumerate(fh, start=1):  # noqa: B007 - line_no is used after the loop too
                if not line.strip():
                    continue
                try:
                    value = json.loads(line)
                except json.JSONDecodeError as exc:
                    yield Row(line_no, None, Text("invalid JSON: {message} (column {column})",
                                                  message=_JSON_WORDS.get(exc.msg, exc.msg), column=exc.colno))
                    continue
                except RecursionError:
                    yield Row(line_no, None, _TOO_DEEP)
                    continue
                data, error = _as_record(value)
                yield Row(line_no, data, error)
    except UnicodeDecodeError as exc:
        raise _decode_error(path, line_no + 1, exc) from None


def _json_rows(path: Path) -> tuple[Iterator[Row], int | None]:
    if path.stat().st_size >= STREAM_JSON_BYTES and _first_char(path) == "[":
        return _json_array_rows(path), None
    try:
        with _open_text(path) as fh:
            text = fh.read()
    except UnicodeDecodeError as exc:
        raise _decode_error(path, 1, exc) from None
    try:
        value = json.loads(text)
    except RecursionError:  # the record-by-record reader finds the line of the record that nests too deeply
        if text.lstrip("\ufeff \t\r\n").startswith("["):
            return _json_array_rows(path), None
        raise DataError(Text("{path}:1: {problem}.", path=path, problem=_TOO_DEEP),
                        Text("Flatten the data, or save each record on a line of its own (JSON Lines) so "
                             "such a record only skips its own line.")) from None
    except json.JSONDecodeError as exc:
        if text.lstrip().startswith("{") and exc.msg == "Extra data":
            log.info("%s holds one JSON object per line; reading it as JSON Lines", path.name)
            return _jsonl_rows(path), _count_lines(path)
        raise DataError(Text("{path}:{lineno}: invalid JSON: {msg} (column {colno})",
                             path=path, lineno=exc.lineno, msg=_JSON_WORDS.get(exc.msg, exc.msg), colno=exc.colno),
                        Text("Fix the file at that line (a JSON validator shows the spot), or save it as "
                             "JSON Lines so a bad record only skips its own line.")) from None
    records = _records_of(value)
    if records is None:
        keys = (", ".join(map(str, list(value)[:8])) or "an empty object") if isinstance(value, dict) \
            else type(value).__name__
        raise DataError(Text("{path}:1: holds no list of records (found: {keys}).", path=path, keys=keys),
                        Text("Use a JSON array of objects, [{...}, {...}], or an object with a 'data' list."))
    return (Row(i + 1, *_as_record(rec)) for i, rec in enumerate(records)), len(records)


def _first_char(path: Path) -> str:
    with _open_text(path) as fh:
        try:
            return fh.read(_SNIFF_BYTES).lstrip("\ufeff \t\r\n")[:1]
        except UnicodeDecodeError as exc:
            raise _decode_error(path, 1, exc) from None


def _json_array_rows(path: Path) -> Iterator[Row]:
    """The records of a large top-level JSON array, decoded one at a time from a sliding buffer (the whole file
    never sits in memory). An element that cannot be parsed ends the reading with a DataError at its line."""
    decoder = json.JSONDecoder()
    with _open_text(path) as fh:
        buf, pos, lines_before, eof, index = "", 0, 0, False, 0

        def fill(want: int) -> None:  # make sure `want` characters follow pos, or the file has ended
            nonlocal buf, pos, lines_before, eof
            if len(buf) - pos >= want or eof:
                return
            lines_before += buf.count("\n", 0, pos)
            buf, pos = buf[pos:], 0
            while len(buf) < want and not eof:
                chunk = fh.read(max(_CHUNK_CHARS, want))
                eof = not chunk
                buf += chunk

        def skip_space() -> str:
            nonlocal pos
            while True:
                fill(1)
                while pos < len(buf) and buf[pos] in " \t\r\n\ufeff":
                    pos += 1
                if pos < len(buf) or eof:
                    return buf[pos:pos + 1]

        def fail(message: str, at: int, column: int | None = None, json_error: bool = True) -> DataError:
            line = lines_before + buf.count("\n", 0, at) + 1
            if not json_error:
                said = Text("{path}:{line}: {message}", path=path, line=line, message=message)
            elif column:
                said = Text("{path}:{line}: invalid JSON: {message} (column {column})", path=path, line=line,
                            message=message, column=column)
            else:
                said = Text("{path}:{line}: invalid JSON: {message}", path=path, line=line, message=message)
            return DataError(said,
                             Text("Fix the file at that line (a JSON validator shows the spot), or save it "
                                  "as JSON Lines so a bad record only skips its own line."))

        skip_space()
        pos += 1  # the '[' _json_rows saw
        while True:
            char = skip_space()
            if char == "]":
                pos += 1
                if skip_space():
                    raise fail(Text("Extra data after the closing ']'"), pos)
                return
            if index:
                if char != ",":
                    raise fail(Text("Expecting ',' delimiter") if char else Text("Unterminated array"), pos)
                pos += 1
                skip_space()
            want = _CHUNK_CHARS
            while True:
                try:
                    value, end = decoder.raw_decode(buf, pos)
                except json.JSONDecodeError as exc:
                    if eof:
                        raise fail(_JSON_WORDS.get(exc.msg, exc.msg), exc.pos, exc.colno) from None
                    end = len(buf)
                except RecursionError:
                    raise fail(Text("record {n} is {problem}", n=index + 1, problem=_TOO_DEEP), pos, json_error=False) from None
                if end < len(buf) or eof:
                    break
                want *= 2  # the value may go on past the buffer (a number cut short parses): read more, retry
                fill(len(buf) - pos + want)
            pos = end
            index += 1
            yield Row(index, *_as_record(value))


def _records_of(value: Any) -> list | None:
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        for key in _RECORD_KEYS:
            if isinstance(value.get(key), list):
                return value[key]
        lists = [v for v in value.values() if isinstance(v, list)]
        if len(lists) == 1 and all(isinstance(item, dict) for item in lists[0][:10]):
            return lists[0]
    return None


def _csv_rows(path: Path) -> Iterator[Row]:
    with _open_text(path) as fh:
        try:
            sample = fh.read(_SNIFF_BYTES)
        except UnicodeDecodeError as exc:
            raise _decode_error(path, 1, exc) from None
        fh.seek(0)
        default = "\t" if path.suffix.lower() == ".tsv" else ","
        try:
            dialect = csv.Sniffer().sniff(sample, delimiters=",\t;|")
            delimiter = dialect.delimiter
        except csv.Error:
            delimiter = default
        reader = csv.reader(fh, delimiter=delimiter)
        try:
            header = next(reader, None)
            if not header or not any(h.strip() for h in header):
                raise DataError(Text("{path}:1: has no header row.", path=path),
                                Text("Put the column names (e.g. prompt,completion) on the first line."))
            header = [h.strip() for h in header]
            start = reader.line_num + 1
            for fields in reader:
                line, start = start, reader.line_num + 1
                if not any(f.strip() for f in fields):
                    continue
                if len(fields) != len(header):
                    yield Row(line, None, f"expected {len(header)} fields, found {len(fields)} "
                                          f"(check quoting and the '{delimiter}' separator)")
                    continue
                yield Row(line, dict(zip(header, fields, strict=True)))
        except csv.Error as exc:
            raise DataError(Text("{path}:{line_num}: cannot parse CSV: {error}",
                                 path=path, line_num=reader.line_num, error=str(exc)),
                            Text("Check the quoting around that line.")) from None
        except UnicodeDecodeError as exc:
            raise _decode_error(path, reader.line_num + 1, exc) from None


def _parquet_rows(path: Path) -> tuple[Iterator[Row], int | None]:
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises several types for a damaged file
        raise DataError(Text("Cannot read {name} as Parquet: {error}", name=path.name, error=str(exc)),
                        Text("Check that the file is complete and really Parquet.")) from None

    def rows() -> Iterator[Row]:
        index = 0
        for batch in parquet.iter_batches(batch_size=1024):
            for record in batch.to_pylist():
                index += 1
                yield Row(index, record)

    return rows(), parquet.metadata.num_rows


def _text_rows(path: Path) -> Iterator[Row]:
    """Plain text: each non-blank line is one `{"text": ...}` row."""
    line_no = 0
    try:
        with _open_text(path, "\n") as fh:
            for line_no, line in enumerate(fh, start=1):  # noqa: B007
                text = line.rstrip("\r\n")
                if text.strip():
                    yield Row(line_no, {"text": text})
    except UnicodeDecodeError as exc:
        raise _decode_error(path, line_no + 1, exc) from None
