"""Run drills of issue #22: a worker killed (SIGKILL) while it writes a checkpoint, a disk that fills during training,
checkpoint rotation, and a data home that stays private. The runs train the tiny random model in fp32 (nothing here
depends on the CPU's half-precision arithmetic); a kill happens in a fresh process, as it would to a user's worker,
and the commands after it run as a user types them.
"""

from __future__ import annotations

import errno
import functools
import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from resume_state import RestoredState, assert_same, saved_state

from app.cli import main
from app.core import diskfull
from app.core.config import RunConfig
from app.core.events import JsonlEventWriter
from app.core.paths import run_dir
from app.core.runs.checkpoints import last_checkpoint, partial_checkpoints
from app.core.store import Store
from app.core.training import engine

WORDS = ["apple", "pear", "plum", "fig"]


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "home"
    monkeypatch.setenv("FINETUNE_STUDIO_HOME", str(path))
    return path


def write_config(folder: Path, model: Path, name: str, **training) -> Path:
    data = folder / "chat.jsonl"
    data.write_text("\n".join(json.dumps({"messages": [{"role": "user", "content": f"Say {w}"},
                                                       {"role": "assistant", "content": w}]}) for w in WORDS * 8))
    config = {"name": name, "model": {"source": str(model)}, "data": {"train": str(data), "validation_split": 0.0},
              "method": {"name": "lora", "rank": 4},
              "training": {"max_steps": 6, "batch_size": 4, "max_length": 48, "save_steps": 2, "save_total_limit": 2,
                           "precision": "fp32", "learning_rate": 0.01, "warmup_ratio": 0.0, **training},
              "evaluation": {"sample_prompts": []}, "export": {"merged": False, "adapter": False}}
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


KILL_WHILE_SAVING = """
    import os, signal, transformers
    os.umask(0o022)  # a permissive umask, as is common: the data home must be private all the same
    save = transformers.Trainer._save_optimizer_and_scheduler
    def killed_while_saving(self, output_dir):
        if self.state.global_step == {step}:  # the weights are written; the optimizer, RNG and trainer state are not
            os.kill(os.getpid(), signal.SIGKILL)
        return save(self, output_dir)
    transformers.Trainer._save_optimizer_and_scheduler = killed_while_saving
"""


def train_killed(home: Path, config: Path, run_id: str, step: int) -> None:
    """`train CONFIG` in a fresh process on `home`, killed with SIGKILL while it writes the checkpoint of `step`."""
    code = textwrap.dedent(KILL_WHILE_SAVING.replace("{step}", str(step))) + \
        f"import sys\nfrom app.cli import main\nsys.exit(main(['train', {str(config)!r}, '--run-id', {run_id!r}]))\n"
    proc = subprocess.run([sys.executable, "-c", code], env={**os.environ, "FINETUNE_STUDIO_HOME": str(home)},
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-3000:]


def steps_of(run_id: str, name: str = "loss") -> list[int]:
    return [step for step, _ in Store().metric_series(run_id)[name]]


def checkpoint_rows(run_id: str) -> list[str]:
    return [Path(row["path"]).name for row in Store().artifacts(run_id, "checkpoint")]


@pytest.fixture(scope="module")
def first_kill(tiny_model_dir, tmp_path_factory) -> Path:
    """The data home of a run killed while it wrote its first checkpoint (checkpoint-2), made by that process."""
    root = tmp_path_factory.mktemp("first-kill")
    train_killed(root / "home", write_config(root, tiny_model_dir, "first-kill"), "first-kill", step=2)
    return root / "home"


@pytest.mark.skipif(os.name != "posix", reason="modes are POSIX")
def test_the_data_home_a_run_writes_is_private(first_kill):
    """Everything the killed run's process wrote under a 022 umask: the store, run.yaml, events, the log, the
    tokenised data and the checkpoint."""
    paths = [first_kill, *first_kill.rglob("*")]
    names = {p.name for p in paths}
    assert {"studio.db", "run.yaml", "events.jsonl", "worker.log", "adapter_model.safetensors"} <= names
    assert any(p.is_relative_to(first_kill / "cache") and p.is_file() for p in paths)  # the tokenised data
    modes = {p.relative_to(first_kill).as_posix(): oct(stat.S_IMODE(p.lstat().st_mode)) for p in paths}
    assert {path: mode for path, mode in modes.items()
            if mode != (oct(0o700) if (first_kill / path).is_dir() else oct(0o600))} == {}


def test_a_run_killed_during_its_first_checkpoint_is_not_resumed_from_it(first_kill, monkeypatch, capfd):
    monkeypatch.setenv("FINETUNE_STUDIO_HOME", str(first_kill))
    folder = run_dir("first-kill")
    partial = folder / "checkpoints" / "checkpoint-2"
    assert (partial / "adapter_model.safetensors").is_file() and not (partial / "trainer_state.json").exists()
    assert not (folder / "checkpoints" / "latest").exists()
    assert last_checkpoint(folder) is None

    assert main(["train", "--resume", "first-kill"]) == 2
    err = capfd.readouterr().err
    assert "no complete checkpoint to resume from: checkpoint-2 was being written when it stopped" in err
    assert "Hint: Start it again as a new run" in err and "Traceback" not in err
    assert Store().get_run("first-kill")["status"] == "failed"  # reaped: its process is gone


def test_a_run_killed_during_a_later_checkpoint_resumes_from_the_last_complete_one(tiny_model_dir, home, tmp_path,
                                                                                   capfd, monkeypatch):
    """Killed while it wrote checkpoint-4: `latest` still names checkpoint-2, and steps 3 and 4 were recorded. The
    resume starts at step 2, records steps 3 and 4 once more (not twice), and the store lists the checkpoints that
    rotation (save_total_limit 2) left on disk. The resumed trainer starts from checkpoint-2's state, and its steps 3
    and 4 give the losses the killed process recorded for them."""
    train_killed(home, write_config(tmp_path, tiny_model_dir, "later-kill"), "later-kill", step=4)
    folder = run_dir("later-kill")
    assert (folder / "checkpoints" / "latest").read_text() == "checkpoint-2"
    assert last_checkpoint(folder).name == "checkpoint-2"
    assert steps_of("later-kill") == [1, 2, 3, 4]
    killed_losses = dict(Store().metric_series("later-kill")["loss"])
    saved = saved_state(folder / "checkpoints" / "checkpoint-2")

    restored = RestoredState()
    monkeypatch.setattr(engine, "run", functools.partial(engine.run, callbacks=[restored]))
    assert main(["train", "--resume", "later-kill"]) == 0
    assert "Traceback" not in capfd.readouterr().err
    assert_same(restored.state, saved)  # the adapter, optimizer, schedule, RNG and step of checkpoint-2
    resumed_losses = dict(Store().metric_series("later-kill")["loss"])
    assert [resumed_losses[s] for s in (3, 4)] == [killed_losses[s] for s in (3, 4)]  # fp32: the same steps again
    run = Store().get_run("later-kill")
    assert run["status"] == "completed" and run["last_step"] == 6
    assert steps_of("later-kill") == [1, 2, 3, 4, 5, 6]
    assert steps_of("later-kill", "learning_rate") == [1, 2, 3, 4, 5, 6]
    on_disk = sorted(p.name for p in (folder / "checkpoints").glob("checkpoint-*"))
    assert on_disk == ["checkpoint-4", "checkpoint-6"]
    assert sorted(checkpoint_rows("later-kill")) == on_disk


def test_artifact_rows_follow_checkpoint_rotation(tiny_model_dir, home, tmp_path):
    config = write_config(tmp_path, tiny_model_dir, "rotation", max_steps=5, save_steps=1)
    assert main(["train", str(config), "--run-id", "rotation"]) == 0
    assert checkpoint_rows("rotation") == ["checkpoint-4", "checkpoint-5"]
    assert sorted(p.name for p in (run_dir("rotation") / "checkpoints").glob("checkpoint-*")) == \
        ["checkpoint-4", "checkpoint-5"]


def _fail_checkpoint_write(monkeypatch) -> None:
    """The second checkpoint's optimizer file fills the disk halfway through."""
    import transformers

    save = transformers.Trainer._save_optimizer_and_scheduler

    def disk_full(self, output_dir):
        if self.state.global_step == 4:
            Path(output_dir, "optimizer.pt").write_bytes(b"\0" * 1000)
            raise OSError(errno.ENOSPC, "No space left on device")
        return save(self, output_dir)

    monkeypatch.setattr(transformers.Trainer, "_save_optimizer_and_scheduler", disk_full)


def _fail_store_write(monkeypatch) -> None:
    """SQLite cannot append step 3's metrics."""
    add_metrics = Store.add_metrics

    def disk_full(self, run_id, step, *args, **kwargs):
        if step == 3:
            raise sqlite3.OperationalError("database or disk is full")
        return add_metrics(self, run_id, step, *args, **kwargs)

    monkeypatch.setattr(Store, "add_metrics", disk_full)


def _fail_events_write(monkeypatch) -> None:
    """events.jsonl cannot take the line of step 3's progress."""
    attach = JsonlEventWriter.attach_file

    class FillingFile:
        def __init__(self, file):
            self.file = file

        def write(self, line):
            if '"event": "progress"' in line and '"step": 3' in line:
                raise OSError(errno.ENOSPC, "No space left on device")
            return self.file.write(line)

        def close(self):
            self.file.close()

    def attach_filling(self, path):
        attach(self, path)
        self._file = FillingFile(self._file)

    monkeypatch.setattr(JsonlEventWriter, "attach_file", attach_filling)


@pytest.mark.parametrize("fault", [_fail_checkpoint_write, _fail_store_write, _fail_events_write],
                         ids=["checkpoint", "store", "events"])
def test_a_full_disk_during_training_ends_the_run_failed_saying_how_much_to_free(tiny_model_dir, home, tmp_path,
                                                                                   monkeypatch, capfd, fault):
    fault(monkeypatch)
    config = write_config(tmp_path, tiny_model_dir, "disk-full")
    assert main(["train", str(config), "--run-id", "disk-full"]) == 1
    err = capfd.readouterr().err
    assert "Traceback" not in err
    run = Store().get_run("disk-full")
    mount = diskfull.mount_point(run_dir("disk-full"))
    assert run["status"] == "failed"
    assert run["error"] == f"The disk ran out of space while the run wrote to {run_dir('disk-full')}."
    assert run["hint"].startswith("Free about ") and f" GB on {mount}, then resume it from its last complete " \
        "checkpoint (step 2): finetune-studio train --resume disk-full" in run["hint"]
    assert f"Run failed. {run['error']}" in err and run["hint"] in err  # the terminal's one message
    assert partial_checkpoints(run_dir("disk-full")) == []  # a half-written checkpoint-4 is not kept
    events = [json.loads(line) for line in (run_dir("disk-full") / "events.jsonl").read_text().splitlines()]
    if fault is not _fail_events_write:  # (else the file stops at the line it could not take)
        assert [e["event"] for e in events].count("finished") == 1
        assert events[-1] == {**events[-1], "event": "finished", "status": "failed", "hint": run["hint"]}


def test_a_full_disk_before_the_run_starts_is_a_message(tiny_model_dir, home, tmp_path, monkeypatch, capfd):
    def save(self, path):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(RunConfig, "save", save)
    assert main(["train", str(write_config(tmp_path, tiny_model_dir, "no-room")), "--run-id", "no-room"]) == 2
    err = capfd.readouterr().err
    assert f"Error: the disk is full (No space left on device: {run_dir('no-room') / 'run.yaml'})." in err
    assert f"Hint: free some space on {diskfull.mount_point(home)}" in err and "Traceback" not in err


def test_torch_write_failures_count_as_a_full_disk_only_when_the_disk_is_nearly_full(monkeypatch, tmp_path):
    """torch.save's zip writer says "[enforce fail at inline_container.cc:672] . unexpected pos" on ENOSPC, without
    an errno; the free space left tells it apart from other write failures."""
    try:
        try:
            raise RuntimeError("basic_ios::clear: iostream error")
        except RuntimeError:
            raise RuntimeError("[enforce fail at inline_container.cc:672] . unexpected pos 576 vs 534")  # noqa: B904
    except RuntimeError as exc:
        error = exc
    monkeypatch.setattr(diskfull, "free_disk", lambda folder: 10_000)
    assert diskfull.is_disk_full(error, tmp_path)
    monkeypatch.setattr(diskfull, "free_disk", lambda folder: 50_000_000_000)
    assert not diskfull.is_disk_full(error, tmp_path)
    assert diskfull.is_disk_full(OSError(getattr(errno, "EDQUOT", errno.ENOSPC), "Disk quota exceeded"))
    assert diskfull.is_disk_full(sqlite3.OperationalError("database or disk is full"))
    assert not diskfull.is_disk_full(OSError(errno.EACCES, "Permission denied"), tmp_path)
