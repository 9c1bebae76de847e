"""Task and TaskGroup (app/ui/tasks.py): a core function run in a QThread, its progress throttled, its result or
error handed to the GUI thread; a newer task of the same name supersedes the older, whose answers are dropped."""

from __future__ import annotations

import threading
import time

from app.ui.tasks import Task, TaskGroup


def until_stopped(progress, stop, limit_s=30.0):
    deadline = time.monotonic() + limit_s
    while not stop.is_set() and time.monotonic() < deadline:
        time.sleep(0.01)
    return "stopped"


def test_a_task_hands_back_its_result_and_throttles_its_progress(qtbot):
    def count(progress, stop):
        for done in range(1000):
            progress(done, 1000, "counting")
        progress(1000, 1000, "counted")
        return "done"

    task = Task(count)
    reports = []
    task.progressed.connect(lambda done, total, message: reports.append((done, total, message)))
    with qtbot.waitSignal(task.succeeded, timeout=5000) as result:
        task.start()
    assert task.wait(5000) and result.args == ["done"]
    qtbot.waitUntil(lambda: reports and reports[-1] == (1000, 1000, "counted"), timeout=5000)  # the end always
    assert reports[0] == (0, 1000, "counting") and len(reports) < 100


def test_a_task_that_raises_hands_back_the_exception(qtbot):
    def fail(progress, stop):
        raise ValueError("no such column")

    task = Task(fail)
    with qtbot.waitSignal(task.failed, timeout=5000) as failure:
        task.start()
    assert task.wait(5000)
    assert isinstance(failure.args[0], ValueError) and str(failure.args[0]) == "no such column"


def test_a_newer_task_of_the_same_name_supersedes_the_older(qtbot):
    group = TaskGroup()
    release, seen_stop = threading.Event(), []
    results, running_when_done = [], []

    def slow(progress, stop):
        release.wait(5)
        seen_stop.append(stop.is_set())
        progress(1, 1, "slow")
        return "slow"

    def done(result):
        results.append(result)
        running_when_done.append(group.is_running("inspect"))

    reports = []
    group.start("inspect", slow, done=done, error=results.append, progress=lambda *report: reports.append(report))
    assert group.is_running("inspect")
    group.start("inspect", lambda progress, stop: "fast", done=done, error=results.append)
    qtbot.waitUntil(lambda: results == ["fast"], timeout=5000)
    release.set()
    group.shutdown()
    qtbot.wait(50)  # queued signals of the superseded task would arrive now
    assert results == ["fast"] and running_when_done == [False] and reports == []
    assert seen_stop == [True]  # the older task was asked to stop
    assert not group.is_running("inspect")


def test_cancel_stops_a_task_and_drops_its_answer(qtbot):
    group = TaskGroup()
    answers = []
    task = group.start("clean", until_stopped, done=answers.append, error=answers.append)
    group.cancel("clean")
    assert not group.is_running("clean")
    assert task.wait(5000)
    qtbot.wait(50)
    assert answers == []
    group.shutdown()


def test_shutdown_stops_every_task_and_waits_for_it(qtbot):
    group = TaskGroup()
    tasks = [group.start(name, until_stopped, done=lambda _result: None, error=lambda _exc: None)
             for name in ("inspect", "clean")]
    group.shutdown()
    assert not any(task.isRunning() for task in tasks)
    qtbot.wait(50)  # their queued `finished` reaches the group (left pending at exit, it crashed the interpreter)
