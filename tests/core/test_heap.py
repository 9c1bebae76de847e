"""The heap after optimizer steps (issue #26 item 1): the settings a run starts with, when the trim trims, and that
trimming returns memory."""

from __future__ import annotations

import platform
from types import SimpleNamespace

import pytest

from app.core.training import callbacks, heap

MiB = 1024**2


def run_steps(monkeypatch, held: list[int], **kwargs) -> callbacks.HeapTrimCallback:
    """Feed the callback one resident size (MiB) per step; trimming returns the heap to 1,000 MiB."""
    state = {"held": 0}
    monkeypatch.setattr(heap, "resident_bytes", lambda: state["held"] * MiB)
    monkeypatch.setattr(heap, "trim_heap", lambda: True)
    callback = callbacks.HeapTrimCallback(**kwargs)
    callback.on_train_begin(None, SimpleNamespace(global_step=0), None)
    for step, size in enumerate(held, start=1):
        state["held"] = size
        callback.on_step_end(None, SimpleNamespace(global_step=step), None)
    return callback


def test_a_climbing_heap_is_trimmed_each_time_it_passes_the_slack(monkeypatch):
    """+20 MiB a step over a 1,200 MiB working set, and a trim gives the climb back: trimmed every 10th step."""
    climb = {"since": 0}
    monkeypatch.setattr(heap, "resident_bytes", lambda: (1200 + 20 * climb["since"]) * MiB)
    monkeypatch.setattr(heap, "trim_heap", lambda: climb.update(since=0) or True)
    callback = callbacks.HeapTrimCallback(slack=0.15, warmup=5, every=10)
    callback.on_train_begin(None, SimpleNamespace(global_step=0), None)
    for step in range(1, 61):
        climb["since"] += step > 5
        callback.on_step_end(None, SimpleNamespace(global_step=step), None)
    assert callback.reference == 1200 * MiB
    assert callback.trims == [15, 25, 35, 45, 55]  # 1,400 MiB: the first size over 1,200 × 1.15


def test_a_flat_heap_is_never_trimmed(monkeypatch):
    assert run_steps(monkeypatch, [1000, 1200, 1100] + [1150, 1190, 1210, 1180] * 20).trims == []


def test_a_working_set_above_the_reference_is_trimmed_at_most_once_every_ten_steps(monkeypatch):
    callback = run_steps(monkeypatch, [1000] * 5 + [1500] * 30, slack=0.15, warmup=5, every=10)
    assert callback.trims == [6, 16, 26] and callback.reference == 1000 * MiB


@pytest.mark.skipif(platform.system() != "Linux", reason="glibc's malloc_trim")
def test_trimming_returns_freed_heap_pages_to_the_system():
    blocks = [bytearray(100_000) for _ in range(4000)]  # ~400 MB of heap (below glibc's mmap threshold) ...
    del blocks[::2]  # ... half of it freed, in holes the heap cannot shrink past
    before = heap.resident_bytes()
    assert heap.trim_heap()
    assert before - heap.resident_bytes() > 100 * MiB
    del blocks


def test_steady_heap_bounds_the_kernel_cache_and_fixes_the_mmap_threshold_on_huge_pages(monkeypatch, tmp_path):
    calls = []
    monkeypatch.setattr(heap, "_libc", lambda name: (lambda *args: calls.append((name, *args)) or 1))
    monkeypatch.setattr(heap, "THP_MODE", tmp_path / "enabled")
    (tmp_path / "enabled").write_text("always [madvise] never\n")
    environ = {"GLIBC_TUNABLES": "glibc.malloc.hugetlb=1"}  # as a training command starts itself
    monkeypatch.setattr(heap.os, "environ", environ)
    assert heap.steady_heap() == ["kernel_cache", "huge_pages", "mmap_threshold"]
    assert environ["ONEDNN_PRIMITIVE_CACHE_CAPACITY"] == "128"
    assert calls == [("mallopt", -3, 256 * 1024)]  # M_MMAP_THRESHOLD: 256 KiB, glibc's dynamic threshold off
    environ.clear()  # no huge pages (a caller of engine.run in its own process): each mapped block would fault in
    calls.clear()  # 4 KiB at a time, so the threshold stays glibc's
    assert heap.steady_heap() == ["kernel_cache"] and calls == []
    (tmp_path / "enabled").write_text("[always] madvise never\n")  # the kernel's own huge pages
    environ.clear()
    assert heap.steady_heap() == ["kernel_cache", "huge_pages", "mmap_threshold"]


def test_steady_heap_keeps_what_the_environment_sets(monkeypatch):
    calls = []
    monkeypatch.setattr(heap, "_libc", lambda name: (lambda *args: calls.append((name, *args)) or 1))
    environ = {"DNNL_PRIMITIVE_CACHE_CAPACITY": "1024",
               "GLIBC_TUNABLES": "glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=65536"}
    monkeypatch.setattr(heap.os, "environ", environ)
    assert heap.steady_heap() == ["huge_pages"]
    assert "ONEDNN_PRIMITIVE_CACHE_CAPACITY" not in environ and calls == []
    environ.update(GLIBC_TUNABLES="glibc.malloc.hugetlb=1", MALLOC_MMAP_THRESHOLD_="4194304")
    assert heap.steady_heap() == ["huge_pages"] and calls == []


def test_huge_page_tunables_only_where_glibc_and_the_kernel_take_them(monkeypatch, tmp_path):
    mode = tmp_path / "enabled"
    monkeypatch.setattr(heap, "THP_MODE", mode)
    monkeypatch.setattr(heap.platform, "system", lambda: "Linux")
    monkeypatch.setattr(heap.platform, "libc_ver", lambda: ("glibc", "2.36"))
    mode.write_text("always [madvise] never\n")
    assert heap.huge_page_tunables({}) == "glibc.malloc.hugetlb=1"
    assert heap.huge_page_tunables({"GLIBC_TUNABLES": "glibc.malloc.arena_max=2"}) == \
        "glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1"
    assert heap.huge_page_tunables({"GLIBC_TUNABLES": "glibc.malloc.hugetlb=0"}) is None  # chosen already
    monkeypatch.setattr(heap.platform, "libc_ver", lambda: ("glibc", "2.34"))  # no such tunable yet
    assert heap.huge_page_tunables({}) is None
    monkeypatch.setattr(heap.platform, "libc_ver", lambda: ("glibc", "2.36"))
    for kernel in ("[always] madvise never\n", "always madvise [never]\n"):  # huge pages already, or none
        mode.write_text(kernel)
        assert heap.huge_page_tunables({}) is None
    mode.unlink()
    assert heap.huge_page_tunables({}) is None


def test_training_commands_start_again_with_the_tunable_and_a_callers_list_does_not(monkeypatch):
    import sys

    from app import cli
    from app.cli import train

    execs = []
    monkeypatch.setattr(heap, "huge_page_tunables", lambda environ: "glibc.malloc.hugetlb=1")
    monkeypatch.setattr("os.execve", lambda path, argv, env: execs.append((path, argv, env["GLIBC_TUNABLES"])))
    monkeypatch.setattr(sys, "orig_argv", ["python3", "-X", "utf8", "-m", "app", "train", "run.yaml"])
    train.exec_with_huge_pages()
    assert execs == [(sys.executable, [sys.executable, "-X", "utf8", "-m", "app", "train", "run.yaml"],
                      "glibc.malloc.hugetlb=1")]
    # a frozen bundle's executable is the program: its arguments alone, not the interpreter's command line
    execs.clear()
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", "/opt/finetune-studio/finetune-studio-cli")
    monkeypatch.setattr(sys, "argv", ["/opt/finetune-studio/finetune-studio-cli", "train", "run.yaml"])
    monkeypatch.setattr(sys, "orig_argv", ["/opt/finetune-studio/finetune-studio-cli", "/opt/x.py", "train", "run.yaml"])
    train.exec_with_huge_pages()
    assert execs == [("/opt/finetune-studio/finetune-studio-cli",
                      ["/opt/finetune-studio/finetune-studio-cli", "train", "run.yaml"], "glibc.malloc.hugetlb=1")]
    monkeypatch.delattr(sys, "frozen")
    called = []
    monkeypatch.setattr(train, "exec_with_huge_pages", lambda: called.append(True))
    monkeypatch.setattr(train, "cmd_train", lambda args: 0)
    assert cli.main(["train", "run.yaml"]) == 0 and not called  # a caller's list (tests, in-process use)
    monkeypatch.setattr(sys, "argv", ["finetune-studio", "train", "run.yaml"])
    assert cli.main() == 0 and called == [True]
