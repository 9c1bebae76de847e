"""Fakes for the UI tests: a described model and a rendered example, without loading any real model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.core.config import demo_config
from app.core.models import ModelInfo

FAKE_INFO = ModelInfo(
    source="demo", kind="demo", name="SmolLM2-135M-Instruct", architecture="LlamaForCausalLM", model_type="llama",
    num_parameters=134_515_008, num_layers=30, hidden_size=576, intermediate_size=1536, num_attention_heads=9,
    num_key_value_heads=3, vocab_size=49152, context_length=8192, tie_word_embeddings=True,
    has_chat_template=True, path=None,
)
PIECES = [("<|im_start|>user\n", False), ("Hi", False), ("<|im_end|>\n<|im_start|>assistant\n", False),
          ("Hello", True), ("!", True), ("<|im_end|>", True)]


@pytest.fixture
def fake_models(monkeypatch):
    """describe_model answers at once; the tokenizer is a stand-in and rendering returns fixed pieces."""
    from dataclasses import replace

    monkeypatch.setattr("app.core.models.describe_model",
                        lambda source, revision=None, progress=None, trust_remote_code=False:
                        replace(FAKE_INFO, source=source))
    monkeypatch.setattr("app.core.models.load_tokenizer", lambda *a, **k: object())
    monkeypatch.setattr("app.ui.steps.data.render_example", lambda tokenizer, data, fmt, config: (PIECES, None))


def write_jsonl(path: Path, rows: list, bad_line: int | None = None) -> Path:
    lines = [json.dumps(row) for row in rows]
    if bad_line is not None:
        lines.insert(bad_line - 1, "{this is not json")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def chat_rows(n: int) -> list[dict]:
    return [{"messages": [{"role": "user", "content": f"Question {i}?"},
                          {"role": "assistant", "content": f"Answer {i}."}]} for i in range(n)]


def config_with_data(path: Path):
    config = demo_config()
    return config.model_copy(update={"data": config.data.model_copy(update={"train": str(path)})})


def active_window(qtbot, tmp_path: Path, size: tuple[int, int], advanced: bool = True):
    """A main window on a 4-row chat file, shown at `size` and active (keyboard and wheel events reach it); the
    Hyperparameters step's Advanced part open when `advanced`."""
    from app.ui.main_window import MainWindow
    from app.ui.settings import open_settings

    settings = open_settings(tmp_path / "gui.ini")
    settings.setValue("hyperparameters/advanced", advanced)
    win = MainWindow(config_with_data(write_jsonl(tmp_path / "chat.jsonl", chat_rows(4))), settings=settings)
    qtbot.addWidget(win)
    win.resize(*size)
    win.show()
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=5000)
    return win
