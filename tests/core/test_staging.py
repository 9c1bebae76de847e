"""Where exports write (staging.py), on plain files: which folders may be replaced, and what a failure leaves."""

from __future__ import annotations

import os

import pytest

from app.core.errors import ExportError
from app.core.export.staging import MARKER, check_target, place_file, read_marker, staged, target_state


def export(folder, *names):
    with staged(folder, "merged", "run-1") as tmp:
        for name in names:
            (tmp / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp / name).write_text(name)
    return folder


def test_only_new_empty_or_our_own_folders_may_be_replaced(tmp_path):
    assert target_state(tmp_path / "new") == "new"
    (tmp_path / "empty").mkdir()
    assert target_state(tmp_path / "empty") == "empty"
    ours = export(tmp_path / "ours", "config.json", "sub/a.txt")
    assert target_state(ours) == "export" and read_marker(ours)["files"] == ["config.json", "sub/a.txt"]
    (ours / "sub" / "later").mkdir()  # even an empty folder someone made inside ours
    assert target_state(ours) == "foreign"
    with pytest.raises(ExportError, match=r"holds files that the earlier export there did not write \(sub/later/\)"):
        check_target(ours)
    (tmp_path / "file").write_text("x")
    os.symlink(tmp_path / "empty", tmp_path / "link")
    for path in (tmp_path / "file", tmp_path / "link"):
        with pytest.raises(ExportError, match="exists and is not a folder"):
            check_target(path)
    (tmp_path / "theirs").mkdir()
    (tmp_path / "theirs" / MARKER).write_text("{}")  # a marker that is not ours
    assert target_state(tmp_path / "theirs") == "foreign"


def test_a_failed_export_leaves_the_earlier_one_and_nothing_else(tmp_path):
    ours = export(tmp_path / "m", "config.json")
    with pytest.raises(ValueError), staged(ours, "merged") as tmp:
        (tmp / "model.safetensors").write_text("half")
        raise ValueError("the check failed")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]
    assert (ours / "config.json").read_text() == "config.json" and not (ours / "model.safetensors").exists()


def test_a_file_placed_into_a_folder_of_ours_keeps_the_others(tmp_path):
    for name in ("m-f16.gguf", "m-q8_0.gguf"):
        (tmp_path / name).write_text(name)
        place_file(tmp_path / name, tmp_path / "gguf", "gguf")
    assert read_marker(tmp_path / "gguf")["files"] == ["m-f16.gguf", "m-q8_0.gguf"]
    assert target_state(tmp_path / "gguf") == "export"
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "other.gguf").write_text("theirs")
    (tmp_path / "m-f32.gguf").write_text("new")
    with pytest.raises(ExportError, match="is not an export of Finetune Studio"):
        place_file(tmp_path / "m-f32.gguf", tmp_path / "models", "gguf")
    assert os.listdir(tmp_path / "models") == ["other.gguf"] and (tmp_path / "m-f32.gguf").exists()
