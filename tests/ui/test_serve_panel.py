""""Serve over HTTP" on the Chat page, with a fake `serve` process: URL, models and snippet shown, copied, stopped
on demand and when the page shuts down, and a failure said in place."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication
from test_chat_page import FAKE, alive, click

from app.ui.pages.chat import ChatPage
from app.ui.widgets.serve_panel import snippet

FAKE_SERVE = [sys.executable, str(Path(__file__).with_name("fake_serve_worker.py"))]


@pytest.fixture
def page(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("FINETUNE_STUDIO_HOME", str(tmp_path))  # no runs: the demo model is chosen
    page = ChatPage(worker_command=FAKE, serve_command=FAKE_SERVE)
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    yield page
    page.shutdown()


def test_serving_shows_the_url_models_and_a_snippet_until_stopped(page, qtbot):
    panel = page.serve_panel
    panel.port.setValue(8123)
    assert not panel.details.isVisible()
    click(qtbot, panel.button)
    qtbot.waitUntil(lambda: panel.listening is not None, timeout=10000)
    assert "http://127.0.0.1:8123/v1" in panel.status.text() and "demo" in panel.status.text()
    assert panel.details.isVisible() and panel.button.text() == "Stop serving" and not panel.port.isEnabled()
    assert panel.snippet.toPlainText() == snippet("curl", "http://127.0.0.1:8123/v1", "demo")
    panel.kind.setCurrentIndex(panel.kind.findData("python"))
    assert 'OpenAI(base_url="http://127.0.0.1:8123/v1"' in panel.snippet.toPlainText()
    click(qtbot, panel.copy_button)
    assert QGuiApplication.clipboard().text() == panel.snippet.toPlainText()
    pid = panel.worker.pid()
    click(qtbot, panel.button)
    qtbot.waitUntil(lambda: not alive(pid), timeout=10000)
    qtbot.waitUntil(lambda: panel.button.text() == "Serve over HTTP", timeout=5000)
    assert not panel.details.isVisible() and panel.port.isEnabled() and panel.status.text() == "Stopped."


def test_shutting_the_page_down_ends_the_server(page, qtbot):
    click(qtbot, page.serve_panel.button)
    qtbot.waitUntil(lambda: page.serve_panel.listening is not None, timeout=10000)
    pid = page.serve_panel.worker.pid()
    page.shutdown()
    assert not alive(pid)


def test_a_server_that_cannot_start_says_why(page, qtbot):
    page.serve_panel.port.setValue(1)
    click(qtbot, page.serve_panel.button)
    qtbot.waitUntil(lambda: "Cannot listen" in page.serve_panel.status.text(), timeout=10000)
    assert "another --port" in page.serve_panel.status.text() and not page.serve_panel.details.isVisible()


def test_snippets_carry_the_key_when_there_is_one():
    curl = snippet("curl", "http://h:1/v1", "run-1", "sekret")
    assert 'Authorization: Bearer sekret' in curl and '"model": "run-1"' in curl
    assert 'api_key="sekret"' in snippet("python", "http://h:1/v1", "run-1", "sekret")
