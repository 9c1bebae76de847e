"""Dataset versions: where cleaned and split files go, their content hashes, and the sidecar that records how each
was made. A user's own file is never written to: every action produces a new file.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

from ..errors import DataError
from ..messages import Text

_VERSION = re.compile(r"^(?P<stem>.+)\.v(?P<n>\d+)$")


def datasets_dir() -> Path:
    """`<data home>/datasets`: dataset versions made by cleaning and splitting."""
    from ..paths import data_home

    path = data_home() / "datasets"
    path.mkdir(parents=True, exist_ok=True)
    return path


def base_stem(path: str | Path) -> str:
    """The file's name without suffix and without a version: `chat.v3.jsonl` -> `chat`."""
    stem = Path(path).stem
    match = _VERSION.match(stem)
    return match.group("stem") if match else stem


def next_version_path(source: str | Path, folder: Path | None = None) -> Path:
    """`<folder>/<stem>.v<N>.jsonl` with N one past the highest version already there (folder: datasets_dir())."""
    folder = Path(folder) if folder is not None else datasets_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stem = base_stem(source)
    numbers = [int(m.group("n")) for p in folder.glob(f"{glob_escape(stem)}.v*.jsonl")
               if (m := _VERSION.match(p.stem)) and m.group("stem") == stem]
    return folder / f"{stem}.v{max(numbers, default=0) + 1}.jsonl"


def glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


def sha256_of(path: str | Path) -> str:
    """The content hash of a file, or of a dataset folder's files (names and bytes, in order)."""
    path = Path(path)
    digest = hashlib.sha256()
    for file in source_files(path):
        if file != path:
            digest.update(file.relative_to(path).as_posix().encode() + b"\0")
        with file.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):  # noqa: B023 - used within the iteration
                digest.update(chunk)
    return digest.hexdigest()


def source_files(path: Path) -> list[Path]:
    """The files a data source consists of: itself, or a folder's dataset files."""
    if not path.is_dir():
        return [path]
    from .sources import folder_files

    return folder_files(path)


def check_target(target: Path, source: Path) -> Path:
    """Refuse to write over the source file."""
    target = Path(target).expanduser()
    if target.exists() and target.resolve() == Path(source).resolve():
        raise DataError(Text("Refusing to overwrite the source file {source}.", source=source),
                        Text("Give another output path; the original file is never modified."))
    return target


@contextlib.contextmanager
def writing_jsonl(target: Path) -> Iterator:
    """Write rows to `<target>.partial` and rename into place only if the block ends without an error."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    try:
        with partial.open("w", encoding="utf-8", newline="\n") as fh:
            yield lambda record: fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def write_sidecar(path: Path, record: dict) -> Path:
    """`record` plus a time stamp as JSON beside `path`, written atomically."""
    record = {"created": datetime.now(timezone.utc).isoformat(timespec="seconds"), **record}
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(partial, path)
    return path
