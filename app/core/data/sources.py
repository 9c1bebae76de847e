"""Dataset sources: where rows come from. `check_file`, `open_rows` and `read_rows` take any source — one file
(read by readers.py), a folder, or a hub dataset id:

  saved dataset   a folder written by `datasets` (`Dataset.save_to_disk`; a `DatasetDict` reads its 'train'
                  split), read batch by batch from its memory-mapped Arrow files (never loaded whole)
  data folder     a folder of JSONL/JSON/CSV/TSV/Parquet files, read one after the other; when some have 'train'
                  in their path, only those (a hub dataset's usual layout)
  text folder     a folder of .txt/.md files and no data files: each whole file is one `{"text": ...}` document
                  (pretraining corpora)
  hub dataset     `hf://owner/name` or `owner/name` (when no such path exists): its data files are downloaded
                  into the Hugging Face cache with progress, then read as a data folder; offline, a DataError
                  says to use a local file

Rows of a folder carry `file` (the file inside the folder), so problems point at `folder/file:line`.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ..errors import Cancelled, DataError
from ..messages import Text
from .readers import (
    CSV_EXTENSIONS,
    JSON_EXTENSIONS,
    JSONL_EXTENSIONS,
    PARQUET_EXTENSIONS,
    Row,
    check_data_file,
    open_file_rows,
    sniff_encoding,
)

log = logging.getLogger(__name__)

HUB_PREFIX = "hf://"
DATA_EXTENSIONS = JSONL_EXTENSIONS + JSON_EXTENSIONS + CSV_EXTENSIONS + PARQUET_EXTENSIONS
DOCUMENT_EXTENSIONS = (".txt", ".md")
# Files a folder holds about its data rather than data: `datasets`' metadata, LLaMA-Factory's index.
METADATA_FILES = {"dataset_info.json", "state.json", "dataset_dict.json", "dataset_infos.json"}
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")

Progress = Callable[[str, int, "int | None"], None]


def read_rows(path: str | Path) -> Iterator[Row]:
    """Every record of a dataset source; parse errors come back as rows with `error` set.

    A missing, empty or unsupported source raises DataError at once (not on first iteration).
    """
    rows, _total = open_rows(path)
    return rows


def open_rows(path: str | Path) -> tuple[Iterator[Row], int | None]:
    """The rows of a file, folder or hub source and, where it is cheap to know, how many there are (None for CSV)."""
    path = check_file(path)
    return folder_rows(path) if path.is_dir() else open_file_rows(path)


def check_file(path: str | Path) -> Path:
    """The path, once it is known to be a dataset: a non-empty file of a supported kind, a dataset folder, or a hub
    dataset id (downloaded first, then its folder); else a DataError with a hint."""
    if is_hub_id(path):
        path = resolve_source(path)
    path = Path(path).expanduser()
    return check_folder(path) if path.is_dir() else check_data_file(path)


def is_hub_id(spec: str | os.PathLike) -> bool:
    """`hf://owner/name`, or `owner/name` that is not an existing path and has no data file extension."""
    text = str(spec)
    if text.startswith(HUB_PREFIX):
        return True
    return bool(_HUB_ID.match(text)) and not Path(text).exists() and \
        Path(text).suffix.lower() not in DATA_EXTENSIONS + DOCUMENT_EXTENSIONS


def hub_repo(spec: str) -> str:
    return str(spec).removeprefix(HUB_PREFIX).strip("/")


def resolve_source(spec: str | os.PathLike, progress: Progress | None = None, stop: Any = None) -> Path:
    """A local path for any source: hub datasets are downloaded first (or taken from the cache)."""
    if is_hub_id(spec):
        return download_dataset(hub_repo(str(spec)), progress, stop)
    return Path(spec).expanduser()


def download_dataset(repo_id: str, progress: Progress | None = None, stop: Any = None) -> Path:
    """The folder holding a hub dataset's data files (training split preferred), downloaded with progress."""
    from huggingface_hub import HfApi, hf_hub_download
    from huggingface_hub.errors import GatedRepoError, RepositoryNotFoundError

    report = progress or (lambda *_: None)
    hint = Text("Use a local file instead: download the dataset on a machine with internet access (e.g. `hf "
                "download {repo_id} --repo-type dataset --local-dir ./{folder}`), copy the folder here and choose it "
                "(or one of its files).", repo_id=repo_id, folder=repo_id.split('/')[-1])
    if os.environ.get("HF_HUB_OFFLINE") == "1":
        return _cached(repo_id, hint, Text("the hub is switched off (HF_HUB_OFFLINE=1)"))
    try:
        info = HfApi().dataset_info(repo_id, files_metadata=True)
    except (RepositoryNotFoundError, GatedRepoError) as exc:
        raise DataError(Text("The dataset {repo_id} is not available on the hub: {kind}.",
                             repo_id=repo_id, kind=exc.__class__.__name__),
                        Text("Check the id's spelling; for gated datasets log in with `hf auth login`.")) from None
    except Exception as exc:  # noqa: BLE001 - connection errors come in many types
        return _cached(repo_id, hint, Text("cannot reach the hub ({kind})", kind=exc.__class__.__name__))
    files = _preferred([s for s in info.siblings or [] if _is_data_file(Path(s.rfilename))],
                       lambda s: s.rfilename)
    if not files:
        raise DataError(Text("The dataset {repo_id} has no data files this app reads ({types}).",
                             repo_id=repo_id, types=', '.join(DATA_EXTENSIONS)),
                        Text("Pick a dataset with JSONL, JSON, CSV or Parquet files, or convert it to one."))
    total, done, path = sum(s.size or 0 for s in files), 0, None
    for sibling in files:
        if stop is not None and stop.is_set():
            raise Cancelled()
        report(Text("Downloading {name}", name=sibling.rfilename), done, total)
        try:
            path = hf_hub_download(repo_id, sibling.rfilename, repo_type="dataset", revision=info.sha)
        except Exception as exc:  # noqa: BLE001
            raise DataError(Text("Downloading {rfilename} of {repo_id} failed ({kind}).",
                                 rfilename=sibling.rfilename, repo_id=repo_id, kind=exc.__class__.__name__),
                            hint) from None
        done += sibling.size or 0
    report(Text("Download complete"), total, total)
    root = Path(path)
    for _ in Path(files[-1].rfilename).parts:
        root = root.parent
    return root


def _cached(repo_id: str, hint: str, why: str) -> Path:
    """The copy of a hub dataset in the local cache; a DataError saying `why` it cannot be downloaded if none."""
    from huggingface_hub import snapshot_download

    try:
        return Path(snapshot_download(repo_id, repo_type="dataset", local_files_only=True))
    except Exception:  # noqa: BLE001 - not in the cache, whatever the error type
        raise DataError(Text("Cannot download the dataset {repo_id}: {why}, and it is not in the cache.",
                             repo_id=repo_id, why=why),
                        hint) from None


def _is_data_file(path: Path) -> bool:
    return (path.suffix.lower() in DATA_EXTENSIONS and path.name not in METADATA_FILES
            and not any(part.startswith(".") for part in path.parts))


def _preferred(items: list, name: Callable[[Any], str]) -> list:
    """The training files when some paths say 'train', else all; sorted by path."""
    items = sorted(items, key=name)
    train = [i for i in items if "train" in name(i).lower()]
    return train or items


def folder_kind(folder: Path) -> str | None:
    """'saved' (datasets' save_to_disk), 'files' (data files), 'documents' (text files), or None."""
    if (folder / "dataset_dict.json").is_file() or (folder / "state.json").is_file():
        return "saved"
    files = [p.relative_to(folder) for p in folder.rglob("*") if p.is_file()]
    if any(_is_data_file(p) for p in files):
        return "files"
    if any(p.suffix.lower() in DOCUMENT_EXTENSIONS for p in files):
        return "documents"
    return None


def check_folder(folder: Path) -> Path:
    if folder_kind(folder) is None:
        raise DataError(Text("{folder} holds no dataset.", folder=folder),
                        Text("Choose a folder saved by `datasets` (save_to_disk), a folder of "
                             "JSONL/JSON/CSV/Parquet files, a folder of .txt files (one document each), or "
                             "one file."))
    return folder


def folder_files(folder: Path) -> list[Path]:
    """The files whose bytes make up a folder's dataset (for content hashes), sorted."""
    kind = folder_kind(folder)
    if kind == "saved":
        return sorted(p for p in folder.rglob("*") if p.is_file())
    if kind == "files":
        return [folder / p for p in _preferred([p.relative_to(folder) for p in folder.rglob("*")
                                                if p.is_file() and _is_data_file(p.relative_to(folder))], str)]
    return _documents(folder)


def folder_rows(folder: Path) -> tuple[Iterator[Row], int | None]:
    """The rows of a dataset folder and, where known, how many there are."""
    kind = folder_kind(folder)
    if kind is None:
        check_folder(folder)
    if kind == "saved":
        return _saved_rows(folder)
    if kind == "documents":
        documents = _documents(folder)
        return _document_rows(folder, documents), len(documents)
    return _files_rows(folder, folder_files(folder))


def _saved_rows(folder: Path) -> tuple[Iterator[Row], int | None]:
    from datasets import DatasetDict, load_from_disk

    try:
        dataset = load_from_disk(str(folder))
    except Exception as exc:  # noqa: BLE001 - damaged folders raise many types
        raise DataError(Text("Cannot read {folder} as a saved dataset: {error}",
                             folder=folder, error=str(exc)),
                        Text("Save it again with `dataset.save_to_disk(folder)`, or export it as JSONL.")) from None
    if isinstance(dataset, DatasetDict):
        if not dataset:
            raise DataError(Text("{folder} is a dataset with no splits.", folder=folder),
                            Text("Save a dataset with a 'train' split."))
        split = "train" if "train" in dataset else next(iter(dataset))
        log.info("%s: reading its '%s' split", folder.name, split)
        dataset = dataset[split]

    def rows() -> Iterator[Row]:
        index = 0
        for batch in dataset.iter(batch_size=1024):
            names = list(batch)
            for values in zip(*(batch[n] for n in names), strict=True):
                index += 1
                yield Row(index, dict(zip(names, values, strict=True)))

    return rows(), len(dataset)


def _files_rows(folder: Path, files: list[Path]) -> tuple[Iterator[Row], int | None]:
    opened = [(path, *open_file_rows(path)) for path in files]
    totals = [total for _path, _rows, total in opened]

    def rows() -> Iterator[Row]:
        for path, file_rows, _total in opened:
            name = str(path.relative_to(folder))
            for row in file_rows:
                row.file = name
                yield row

    return rows(), None if None in totals else sum(totals)


def _documents(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in DOCUMENT_EXTENSIONS
                  and not any(part.startswith(".") for part in p.relative_to(folder).parts))


def _document_rows(folder: Path, documents: list[Path]) -> Iterator[Row]:
    """Each file is one document; an undecodable or empty file is a problem on its line 1."""

    for path in documents:
        name = str(path.relative_to(folder))
        try:
            text = path.read_text(encoding=sniff_encoding(path))
        except (UnicodeDecodeError, OSError) as exc:
            yield Row(1, None, f"cannot read the file ({exc.__class__.__name__}); save it as UTF-8", file=name)
            continue
        if text.strip():
            yield Row(1, {"text": text}, file=name)
        else:
            yield Row(1, None, "the file is empty", file=name)
