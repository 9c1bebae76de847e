"""The Chat page with a fake model process: side by side streaming, Stop, Clear, and no process left behind."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.ui.pages.chat import ChatPage

FAKE = [sys.executable, str(Path(__file__).with_name("fake_chat_worker.py"))]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (ended, not yet reaped) counts as ended
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


@pytest.fixture
def page(qtbot, tmp_path, monkeypatch):
    # an empty run history: with runs in it, the pickers default to the newest run instead of the demo model
    monkeypatch.setenv("FINETUNE_STUDIO_HOME", str(tmp_path))
    page = ChatPage(worker_command=FAKE)
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    page.side_by_side.setChecked(True)
    yield page
    page.shutdown()


def test_side_by_side_streams_both_answers_then_stop_clear_close(page, qtbot):
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow, timeout=5000)
    page.prompt.setPlainText("Name a planet")
    page.prompt.setFocus()
    with qtbot.waitSignal(page.send_button.clicked, timeout=2000):  # a shortcut animates the click: ~100 ms
        qtbot.keyClick(page.prompt, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # Send's Ctrl+Enter
    base, tuned = page.base_column, page.tuned_column
    assert not page.send_button.isEnabled() and page.stop_button.isEnabled()
    qtbot.waitUntil(lambda: not page.is_answering(), timeout=5000)
    assert "demo says: Name a planet" in base.text() and "demo says: Name a planet" in tuned.text()
    for column in (base, tuned):
        assert "tokens/s" in column.status.text() and "123 MB" in column.status.text()
    assert page.send_button.isEnabled() and not page.stop_button.isEnabled()
    pids = [base.worker.pid(), tuned.worker.pid()]

    page.prompt.setPlainText("Write something long")  # the same processes answer again: no reload
    click(qtbot, page.send_button)
    qtbot.waitUntil(lambda: "word3" in tuned.text(), timeout=5000)
    click(qtbot, page.stop_button)
    qtbot.waitUntil(lambda: not page.is_answering(), timeout=3000)
    assert "[stopped]" in tuned.text() and "word399" not in tuned.text()
    assert [base.worker.pid(), tuned.worker.pid()] == pids

    click(qtbot, page.clear_button)
    assert "planet" not in base.text() and "planet" not in tuned.text() and tuned.messages == []

    page.close()
    assert all(not alive(pid) for pid in pids)


def lora_run(run_id: str, base: str = "demo") -> None:
    """A finished LoRA run of `base` in the store: what lets the Chat page share one process for its columns."""
    import json

    import yaml

    from app.core.paths import run_dir
    from app.core.store import Store

    config = {"model": {"source": base}, "data": {"train": "x.jsonl"}, "method": {"name": "lora"}}
    store = Store()
    store.create_run(run_id, name=run_id, config_yaml=yaml.safe_dump(config), model=base, method="lora", stage="sft")
    store.update_run(run_id, status="completed")
    (run_dir(run_id) / "adapter").mkdir(parents=True)
    (run_dir(run_id) / "adapter" / "adapter_config.json").write_text(json.dumps({"peft_type": "LORA"}))


def test_a_run_and_its_base_share_one_process_and_both_stream(page, qtbot):
    lora_run("tuned-a")
    lora_run("tuned-b")
    page.refresh()
    page.model.setCurrentIndex(page.model.findData("tuned-a"))  # beside its base model (the default)
    base, tuned = page.base_column, page.tuned_column
    page.prompt.setPlainText("Name a planet")
    click(qtbot, page.send_button)
    assert base.worker.process is tuned.worker.process  # one process holds the base for both columns
    pid = tuned.worker.pid()
    qtbot.waitUntil(lambda: not page.is_answering(), timeout=5000)
    assert "demo says: Name a planet" in base.text() and "tuned-a says: Name a planet" in tuned.text()
    for column in (base, tuned):
        assert "123 MB shared" in column.status.text() and "tokens/s" in column.status.text()

    page.prompt.setPlainText("Write something long")
    click(qtbot, page.send_button)
    qtbot.waitUntil(lambda: "word3" in base.text() and "word3" in tuned.text(), timeout=5000)  # both at once
    click(qtbot, page.stop_button)
    qtbot.waitUntil(lambda: not page.is_answering(), timeout=3000)
    assert "[stopped]" in base.text() and "[stopped]" in tuned.text() and "word399" not in base.text()

    page.side_by_side.setChecked(False)  # unloads the base column's key only: the run answers on, alone
    qtbot.waitUntil(lambda: "shared" not in tuned.status.text(), timeout=3000)
    assert base.worker.state == "unloaded" and "100 MB" in tuned.status.text()
    page.prompt.setPlainText("Name a moon")
    click(qtbot, page.send_button)
    qtbot.waitUntil(lambda: "tuned-a says: Name a moon" in tuned.text(), timeout=5000)
    assert tuned.worker.pid() == pid

    page.side_by_side.setChecked(True)  # two runs of one base: a new shared process, the old one ends
    page.other.setCurrentIndex(page.other.findData("tuned-b"))
    qtbot.waitUntil(lambda: not page.is_answering(), timeout=5000)
    page.prompt.setPlainText("Name a star")
    click(qtbot, page.send_button)
    assert base.worker.process is tuned.worker.process and tuned.worker.pid() != pid
    qtbot.waitUntil(lambda: not page.is_answering(), timeout=5000)
    assert "tuned-b says: Name a star" in base.text() and "tuned-a says: Name a star" in tuned.text()
    qtbot.waitUntil(lambda: not alive(pid), timeout=5000)
    shared_pid = tuned.worker.pid()
    page.close()
    assert not alive(shared_pid)


def test_switching_the_model_starts_a_new_conversation_that_the_new_model_gets_alone(page, qtbot, monkeypatch):
    lora_run("tuned-a")
    page.side_by_side.setChecked(False)
    page.refresh()
    tuned = page.tuned_column
    page.model.setCurrentIndex(page.model.findData("demo"))
    page.prompt.setPlainText("Name a planet")
    click(qtbot, page.send_button)
    assert not page.model.isEnabled()  # no switching in the middle of an answer
    qtbot.waitUntil(lambda: not page.is_answering(), timeout=5000)
    assert page.model.isEnabled() and "demo says: Name a planet" in tuned.text()

    sent: list[dict] = []
    ask = tuned.worker.ask
    monkeypatch.setattr(tuned.worker, "ask", lambda request: (sent.append(request), ask(request)))
    page.model.setCurrentIndex(page.model.findData("tuned-a"))
    assert tuned.messages == [] and tuned.title.text() == "Model: tuned-a"
    transcript = tuned.text()
    earlier, _, new = transcript.partition("New conversation with tuned-a")
    assert "Earlier conversation with Demo model (untrained base) (not sent to tuned-a)" in earlier
    assert "demo says: Name a planet" in earlier and "Name a planet" not in new

    page.prompt.setPlainText("Name a moon")
    click(qtbot, page.send_button)
    qtbot.waitUntil(lambda: not page.is_answering(), timeout=5000)
    assert [m["content"] for m in sent[0]["messages"]] == ["Name a moon"]  # nothing of the demo's conversation
    new = tuned.text().partition("New conversation with tuned-a")[2]
    assert "tuned-a says: Name a moon" in new and "planet" not in new

    page.model.setCurrentIndex(page.model.findData("demo"))  # back: a third conversation, the two before shown above
    assert tuned.messages == [] and [label for label, _ in tuned.earlier] == ["Demo model (untrained base)", "tuned-a"]
    click(qtbot, page.clear_button)
    assert tuned.earlier == [] and "planet" not in tuned.text() and "moon" not in tuned.text()
