"""Store and data-home drills of issue #22: many processes opening a fresh home at once, read-only commands while
the store cannot be written (a full disk), run ids that try to leave the data home, deletes that must stay inside
it, LIKE wildcards in lookups, and a private data home. No training: seconds each, most of it starting processes.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from app.cli import main
from app.core.errors import ConfigError, RunNotFound
from app.core.paths import run_dir
from app.core.store import Store

PROCESSES = 30


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """A data home that does not exist yet (each command below is its first user)."""
    path = tmp_path / "home"
    monkeypatch.setenv("FINETUNE_STUDIO_HOME", str(path))
    return path


def cli(home: Path, *args: str, prelude: str = "", **popen) -> subprocess.Popen:
    """`python -m app ARGS` in a fresh process on `home`, after running `prelude` in it."""
    code = textwrap.dedent(prelude) + f"\nfrom app.cli import main\nsys.exit(main({list(args)!r}))\n"
    return subprocess.Popen([sys.executable, "-c", "import sys\n" + code], text=True, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env={**os.environ, "FINETUNE_STUDIO_HOME": str(home)}, **popen)


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def add_run(store: Store, run_id: str, name: str | None = None, **fields) -> dict:
    fields = {"status": "failed", **fields}
    return store.create_run(run_id, name=name or run_id, config_yaml="", model="tiny", method="lora", stage="sft",
                            **fields)


def test_a_fresh_home_opened_by_many_processes_at_once(home, tmp_path):
    """Every process imports first, then all open the store at the same instant: without the locked schema
    creation, about a quarter of them died with "database is locked" (or "table already exists")."""
    ready, go = tmp_path / "ready", tmp_path / "go"
    ready.mkdir()
    prelude = f"""
        import os, time, app.cli, app.core.store, sqlite_utils
        open(os.path.join({str(ready)!r}, str(os.getpid())), "w").close()
        while not os.path.exists({str(go)!r}): time.sleep(0.002)
    """
    procs = [cli(home, "runs", "list", prelude=prelude) for _ in range(PROCESSES)]
    deadline = time.monotonic() + 120
    while len(list(ready.iterdir())) < PROCESSES and time.monotonic() < deadline:
        time.sleep(0.05)
    go.touch()
    results = [(p.wait(timeout=120), p.communicate()[1]) for p in procs]
    failed = [err for code, err in results if code != 0]
    assert not failed, f"{len(failed)} of {PROCESSES} failed; first:\n{failed[0]}"
    assert all("Traceback" not in err for _, err in results)
    assert Store().list_runs() == []


WRITES_FAIL = """
    import resource, signal, tempfile
    tempfile.tempdir = tempfile.gettempdir()  # the system's temporary folder: on another disk (torch's import needs it)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes fail with EFBIG instead of killing the process
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))  # no file can be written: a disk with no space left
"""


@pytest.mark.skipif(sys.platform == "win32", reason="file size limits are POSIX")
@pytest.mark.parametrize("writer_open", [True, False], ids=["store-open-elsewhere", "store-closed"])
def test_read_only_commands_work_when_the_store_cannot_be_written(home, writer_open):
    """A run whose worker died is reaped (a write) by the next command that opens the store; on a full disk that
    write fails, and `runs list`, `runs show` and `doctor` must still answer. With the store closed everywhere SQLite
    cannot even make its shared-memory file, so the store is read as the file holds it."""
    store = Store()
    add_run(store, "20260101-000000-dead", pid=dead_pid(), status="running")
    if not writer_open:
        store.db.close()
    for args in (["runs", "list"], ["runs", "show", "20260101-000000-dead"], ["doctor"]):
        proc = cli(home, *args, prelude=WRITES_FAIL)
        out, err = proc.communicate(timeout=300)
        assert "Traceback" not in err, err
        assert proc.returncode == 0 or args == ["doctor"] and proc.returncode == 1, err  # doctor: 1 = a check failed
        if args[0] == "runs":
            assert "20260101-000000-dead" in out and "running" in out  # read, not reaped
        else:
            assert "disk" in out
    assert Store().get_run("20260101-000000-dead")["status"] == "failed"  # reaped once the disk has room


@pytest.mark.parametrize("run_id", ["../../x", "{tmp}/x", "x" * 200, ".hidden", "a..b", "a/b", "a\\b", "a b"],
                         ids=["parent", "absolute", "200-chars", "hidden", "dots", "slash", "backslash", "space"])
def test_a_run_id_that_is_not_a_safe_folder_name_is_refused(home, tmp_path, capsys, run_id):
    run_id = run_id.format(tmp=tmp_path)
    config = tmp_path / "run.yaml"
    data = tmp_path / "chat.jsonl"
    data.write_text('{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}]}\n')
    config.write_text(f"data: {{train: {data}}}\n")
    before = sorted(tmp_path.rglob("*"))
    assert main(["train", str(config), "--run-id", run_id]) == 2
    err = capsys.readouterr().err
    assert "not a valid run id" in err and "Hint:" in err and "Traceback" not in err
    assert [p for p in sorted(tmp_path.rglob("*")) if not p.is_relative_to(home)] == before  # nothing outside
    assert not (home / "runs").exists() or not any((home / "runs").iterdir())
    with pytest.raises(ConfigError, match="not a valid run id"):
        run_dir(run_id)


def test_the_longest_safe_run_id_is_accepted(home):
    assert run_dir("a" * 64).name == "a" * 64
    with pytest.raises(ConfigError):
        run_dir("a" * 65)


def test_delete_removes_only_the_run_folder_under_the_data_home(home, tmp_path):
    store = Store()
    add_run(store, "inside")
    (run_dir("inside") / "checkpoints").mkdir(parents=True)
    (run_dir("inside") / "run.yaml").write_text("x")
    # rows written by older versions, or under another data home, that name folders elsewhere
    outside = tmp_path / "thesis"
    outside.mkdir()
    (outside / "thesis.txt").write_text("years of work")
    add_run(store, "legacy")
    store.update_run("legacy", run_dir=str(outside))
    store.db["runs"].insert({"id": "../../thesis", "name": "escaped", "status": "failed",
                             "run_dir": str(home / "runs" / "../../thesis"), "created": 0.0})
    add_run(store, "linked")
    (home / "runs" / "linked").symlink_to(outside, target_is_directory=True)

    store.delete_run("inside")
    assert not run_dir("inside").exists() and (home / "runs").is_dir()
    store.delete_run("legacy")
    store.delete_run("escaped")
    store.delete_run("linked")
    assert not (home / "runs" / "linked").exists()  # the link went, not what it pointed at
    assert (outside / "thesis.txt").read_text() == "years of work"
    assert {run["id"] for run in store.list_runs()} == set()


def test_like_wildcards_in_lookups_and_search_are_literal(home):
    store = Store()
    for run_id, name in [("20260101-000000-aaaa", "a%"), ("20260101-000001-bbbb", "abc"),
                         ("20260101-000002-cccc", "a_c"), ("20260101-000003-dddd", "back\\slash")]:
        add_run(store, run_id, name)
    assert [r["name"] for r in store.list_runs(search="a%")] == ["a%"]
    assert [r["name"] for r in store.list_runs(search="a_c")] == ["a_c"]
    assert [r["name"] for r in store.list_runs(search="%")] == ["a%"]
    assert [r["name"] for r in store.list_runs(search="k\\s")] == ["back\\slash"]
    assert len(store.list_runs(search="2026")) == 4
    assert store.get_run("a%")["id"] == "20260101-000000-aaaa"  # the exact name
    assert store.get_run("20260101-000002")["id"] == "20260101-000002-cccc"  # an id prefix
    for key in ("%aaaa", "_0260101-000001", "%"):
        with pytest.raises(RunNotFound):
            store.get_run(key)


@pytest.mark.skipif(os.name != "posix", reason="modes are POSIX")
def test_a_fresh_data_home_is_private(home):
    proc = cli(home, "runs", "list", prelude="import os\nos.umask(0o022)\n")  # a permissive umask, as is common
    assert proc.wait(timeout=120) == 0, proc.stderr.read()
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert stat.S_IMODE((home / "studio.db").stat().st_mode) == 0o600
