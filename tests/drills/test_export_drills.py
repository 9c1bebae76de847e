"""Fault drills of issue #22 for exports: a user's folder is never removed, a killed export's leftovers are cleaned
by the next one, and a full disk is a message with nothing half-written.

One tiny LoRA run (trained in fp32, so no check here depends on the CPU's half-precision arithmetic) serves every
drill; exports run through the CLI in-process, as a user would type them, except the killed one (a child process).
"""

from __future__ import annotations

import errno
import json
import os
import re
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from app.cli import main
from app.core.config import parse_config
from app.core.events import ListSink, StopFlag
from app.core.export.staging import MARKER, read_marker
from app.core.training import engine

WORDS = ["apple", "pear", "plum", "fig"]


@pytest.fixture(scope="module")
def run_id(tiny_model_dir, tmp_path_factory) -> str:
    data = tmp_path_factory.mktemp("drill-data") / "chat.jsonl"
    data.write_text("".join(json.dumps({"messages": [{"role": "user", "content": f"Say {w}"},
                                                     {"role": "assistant", "content": w}]}) + "\n"
                            for w in WORDS * 2))
    config = parse_config({
        "name": "drill", "model": {"source": str(tiny_model_dir)}, "data": {"train": str(data)},
        "method": {"name": "lora", "rank": 4},
        "training": {"max_steps": 2, "batch_size": 4, "max_length": 64, "save_steps": 100, "learning_rate": 1e-2,
                     "warmup_ratio": 0.0, "precision": "fp32"},
        "evaluation": {"sample_prompts": []}, "export": {"merged": False, "adapter": True, "dtype": "fp32"}})
    result = engine.run(config, ListSink(), StopFlag())
    assert result.status == "completed", result.error
    return result.run_id


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file and folder under `folder` with its content (folders: None)."""
    return {p.relative_to(folder).as_posix(): None if p.is_dir() else p.read_bytes() for p in folder.rglob("*")}


def hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def user_folder(folder: Path) -> Path:
    (folder / "sub").mkdir(parents=True)
    (folder / "thesis.txt").write_text("years of work")
    (folder / "sub" / "notes.txt").write_text("and notes")
    return folder


@pytest.mark.parametrize("target", ["adapter", "merged", "ollama", "gguf"])
def test_export_into_a_users_folder_is_refused_and_the_folder_kept(run_id, tmp_path, capsys, target):
    folder = user_folder(tmp_path / "mine")
    before = snapshot(tmp_path)
    capsys.readouterr()
    assert main(["export", run_id, f"--{target}", str(folder)]) == 2
    err = capsys.readouterr().err
    assert f"{folder} already exists and is not an export of Finetune Studio (sub/, thesis.txt)" in err
    assert "Hint: Choose an empty or new folder, or move or delete what is in it yourself" in err
    assert "Traceback" not in err and "[export]" not in err, "refused before anything was loaded"
    assert snapshot(tmp_path) == before


def test_files_added_to_an_earlier_export_are_not_removed(run_id, tmp_path, capsys):
    out = tmp_path / "adapter"
    assert main(["export", run_id, "--adapter", str(out)]) == 0
    (out / "my-notes.txt").write_text("mine")
    capsys.readouterr()
    assert main(["export", run_id, "--adapter", str(out)]) == 2
    assert "holds files that the earlier export there did not write (my-notes.txt)" in capsys.readouterr().err
    assert (out / "my-notes.txt").read_text() == "mine"


def test_an_earlier_export_of_ours_is_replaced_and_an_empty_folder_is_used(run_id, tmp_path):
    out = tmp_path / "adapter"
    out.mkdir()
    assert main(["export", run_id, "--adapter", str(out)]) == 0
    first = read_marker(out)
    assert first["kind"] == "adapter" and first["run_id"] == run_id
    assert {"adapter_config.json", "adapter_model.safetensors", "README.md"} <= set(first["files"])
    (out / "extra.bin").write_text("an older export of ours wrote this")  # as if listed by that export
    (out / MARKER).write_text(json.dumps({**first, "files": [*first["files"], "extra.bin"]}))
    assert main(["export", run_id, "--adapter", str(out)]) == 0
    assert not (out / "extra.bin").exists(), "replaced, not written over"
    assert read_marker(out)["files"] == first["files"]
    assert hidden(tmp_path) == [], "no staging or set-aside folder is left"


KILLED_GGUF_EXPORT = textwrap.dedent('''
    import os, signal, sys
    from pathlib import Path
    from app.core.export import gguf as gguf_export
    from app.core.export.run import export_run
    from app.core.requests import ExportRequest

    def killed(*args, **kwargs):  # the GGUF is written; the process dies before it is checked and moved
        os.kill(os.getpid(), signal.SIGKILL)

    gguf_export.verify_gguf = killed
    export_run(ExportRequest(run=sys.argv[1], gguf=Path(sys.argv[2])))
''')


def test_a_killed_exports_leftovers_are_removed_by_the_next_export(run_id, tmp_path):
    child = subprocess.run([sys.executable, "-c", KILLED_GGUF_EXPORT, run_id, str(tmp_path / "gguf")],
                           capture_output=True, text=True, timeout=600)
    assert child.returncode == -signal.SIGKILL, child.stderr[-2000:]
    left = hidden(tmp_path)
    assert left and all(read_marker(tmp_path / name) for name in left), "the killed export's marked stage folders"
    assert sum(p.stat().st_size for name in left for p in (tmp_path / name).rglob("*") if p.is_file()) > 1_000_000
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    try:
        busy = tmp_path / f".merged.tmp-{alive.pid}"  # an export still running in another process
        busy.mkdir()
        (busy / MARKER).write_text((tmp_path / left[0] / MARKER).read_text())
        (tmp_path / ".cache.tmp-999999").mkdir()  # not ours: no marker
        assert main(["export", run_id, "--adapter", str(tmp_path / "adapter")]) == 0
        assert hidden(tmp_path) == sorted([".cache.tmp-999999", busy.name])
    finally:
        alive.kill()
        alive.wait()


def test_an_export_set_aside_by_a_killed_process_is_put_back(run_id, tmp_path):
    out = tmp_path / "adapter"
    assert main(["export", run_id, "--adapter", str(out)]) == 0
    before = snapshot(out)
    out.rename(tmp_path / ".adapter.old-999999")  # killed between setting the old export aside and the rename
    assert main(["export", run_id, "--adapter", str(tmp_path / "another")]) == 0
    assert snapshot(out) == before and hidden(tmp_path) == []


def disk_full(monkeypatch, target: str) -> None:
    """The disk fills part-way through writing `target`'s weights, before any check of what was written: safetensors
    (the adapter, a merged shard) says so in the text of its own error, as it does on a full tmpfs; the GGUF writer
    raises Python's OSError."""
    from safetensors import SafetensorError

    def save_file(tensors, filename, metadata=None):
        Path(filename).write_bytes(b"\0" * 4096)
        raise SafetensorError("Error while serializing: I/O error: No space left on device (os error 28)")

    def write_tensors(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self.path))

    if target == "adapter":
        monkeypatch.setattr("peft.peft_model.safe_save_file", save_file)
    elif target == "merged":
        monkeypatch.setattr("safetensors.torch.save_file", save_file)
    else:
        monkeypatch.setattr("gguf.GGUFWriter.write_tensors_to_file", write_tensors)


@pytest.mark.parametrize("target", ["adapter", "merged", "gguf"])
def test_a_full_disk_mid_export_is_a_message_and_leaves_nothing_half_written(run_id, tmp_path, monkeypatch, capsys,
                                                                             target):
    earlier = tmp_path / "earlier"
    assert main(["export", run_id, "--adapter", str(earlier)]) == 0
    before = snapshot(tmp_path)
    disk_full(monkeypatch, target)
    out = earlier if target == "adapter" else tmp_path / target  # the adapter replaces an earlier export
    capsys.readouterr()
    assert main(["export", run_id, f"--{target}", str(out)]) == 2
    err = capsys.readouterr().err
    assert re.search(rf"Error: Not enough free disk space on .+ \(the disk that holds {re.escape(str(tmp_path))}"
                     r".*\): free about [\d.]+ [KMGT]?B and export again\.", err), err
    assert "Hint: Nothing half-written was kept." in err and "Traceback" not in err
    assert snapshot(tmp_path) == before, "no staging folder, no partial target, the earlier export intact"
