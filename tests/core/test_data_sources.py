"""Sources beyond one file: a folder saved by `datasets`, folders of data or text files, hub dataset ids."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from app.core.config import parse_config
from app.core.data import inspect_file, read_rows
from app.core.data.sources import download_dataset, is_hub_id
from app.core.errors import DataError


def test_saved_dataset_and_dataset_dict_read_by_row(tmp_path):
    from datasets import Dataset, DatasetDict

    ds = Dataset.from_dict({"prompt": ["a", "b", "c"], "completion": ["x", "", "z"]})
    ds.save_to_disk(str(tmp_path / "saved"))
    DatasetDict({"test": ds.select([0]), "train": ds}).save_to_disk(str(tmp_path / "dict"))
    rows = list(read_rows(tmp_path / "saved"))
    assert [(r.line, r.data["prompt"]) for r in rows] == [(1, "a"), (2, "b"), (3, "c")]
    assert len(list(read_rows(tmp_path / "dict"))) == 3  # the train split, not test
    report = inspect_file(tmp_path / "saved")
    assert (report.format, report.valid_rows) == ("prompt_completion", 2)
    assert str(report.problems[0]) == f"{tmp_path / 'saved'}:2: 'completion' is empty: empty assistant turn"


def test_text_folder_reads_whole_files_as_documents(tmp_path):
    (tmp_path / "corpus" / "sub").mkdir(parents=True)
    (tmp_path / "corpus" / "a.txt").write_text("first document\nits second line\n")
    (tmp_path / "corpus" / "sub" / "b.md").write_text("second document")
    (tmp_path / "corpus" / "empty.txt").write_text(" \n")
    rows = list(read_rows(tmp_path / "corpus"))
    assert [(r.file, r.data) for r in rows] == [("a.txt", {"text": "first document\nits second line\n"}),
                                                ("empty.txt", None), ("sub/b.md", {"text": "second document"})]
    report = inspect_file(tmp_path / "corpus")
    assert report.format == "text" and [str(p) for p in report.problems] == [
        f"{tmp_path / 'corpus' / 'empty.txt'}:1: the file is empty"]


def test_data_folder_prefers_train_files_and_names_the_file_of_a_bad_line(tmp_path):
    folder = tmp_path / "hub"
    (folder / "data").mkdir(parents=True)
    (folder / "data" / "train-0.jsonl").write_text('{"text": "a"}\n{"text": 1}\n')
    (folder / "data" / "train-1.jsonl").write_text('{"text": "b"}\n')
    (folder / "data" / "test.jsonl").write_text('{"text": "held out"}\n')
    (folder / "README.md").write_text("# card")
    report = inspect_file(folder)
    assert report.rows == 3 and report.valid_rows == 2
    assert [(p.file, p.line) for p in report.problems] == [(str(folder / "data" / "train-0.jsonl"), 2)]


def test_folder_without_data_says_what_it_accepts(tmp_path):
    (tmp_path / "x.bin").write_bytes(b"\0")
    with pytest.raises(DataError, match="holds no dataset") as err:
        read_rows(tmp_path)
    assert "save_to_disk" in err.value.hint


def test_hub_id_offline_is_a_data_error_with_a_local_file_hint(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    assert is_hub_id("someone/some-data") and is_hub_id("hf://someone/x") and not is_hub_id("a/b.jsonl")
    with pytest.raises(DataError, match="HF_HUB_OFFLINE") as err:
        read_rows("someone/some-data")
    assert "local file" in err.value.hint


def test_hub_download_reports_progress_and_takes_the_train_files(monkeypatch, tmp_path):
    import huggingface_hub

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    files = {"README.md": 5, "data/train.jsonl": 30, "data/test.jsonl": 20, "data/train-b.parquet": 10}
    siblings = [SimpleNamespace(rfilename=name, size=size) for name, size in files.items()]
    snapshot = tmp_path / "snapshot"
    monkeypatch.setattr(huggingface_hub, "HfApi", lambda: SimpleNamespace(
        dataset_info=lambda repo, files_metadata: SimpleNamespace(siblings=siblings, sha="abc")))

    def fake_download(repo, name, repo_type, revision):
        assert (repo, repo_type, revision) == ("me/data", "dataset", "abc")
        path = snapshot / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"text": name}) + "\n")
        return str(path)

    monkeypatch.setattr(huggingface_hub, "hf_hub_download", fake_download)
    events = []
    folder = download_dataset("me/data", progress=lambda message, done, total: events.append((message, done, total)))
    assert folder == snapshot
    assert events == [("Downloading data/train-b.parquet", 0, 40), ("Downloading data/train.jsonl", 10, 40),
                      ("Download complete", 40, 40)]
    assert sorted(str(p.relative_to(snapshot)) for p in snapshot.rglob("*.*")) == ["data/train-b.parquet",
                                                                                  "data/train.jsonl"]


def test_config_keeps_a_hub_id_and_resolves_local_paths(tmp_path):
    cfg = parse_config({"data": {"train": "someone/some-data"}}).resolved(tmp_path)
    assert cfg.data.train == "someone/some-data"
    (tmp_path / "local").mkdir()
    (tmp_path / "local" / "d").write_text("x")
    assert parse_config({"data": {"train": "local/d"}}).resolved(tmp_path).data.train == str(tmp_path / "local" / "d")


def test_fingerprint_follows_a_folders_content(tmp_path):
    from app.core.data.versions import sha256_of

    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "a.txt").write_text("one")
    before = sha256_of(tmp_path / "c")
    (tmp_path / "c" / "a.txt").write_text("two")
    assert sha256_of(tmp_path / "c") != before


def test_unreachable_hub_falls_back_to_the_cache_or_says_so(monkeypatch, tmp_path):
    import huggingface_hub

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))

    def unreachable():
        raise ConnectionError("no network")

    monkeypatch.setattr(huggingface_hub, "HfApi", lambda: SimpleNamespace(dataset_info=lambda *a, **k: unreachable()))
    with pytest.raises(DataError, match=r"cannot reach the hub \(ConnectionError\), and it is not in the cache"):
        download_dataset("me/data")
