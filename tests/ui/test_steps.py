"""Step pages alone: the Data step reads a file in the background, the Method step edits MethodConfig."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QWidget
from studio_fakes import FAKE_INFO, PIECES, chat_rows, config_with_data, fake_models, write_jsonl  # noqa: F401

from app.core.config import demo_config
from app.core.methods import METHODS
from app.ui.settings import open_settings
from app.ui.state import StudioState
from app.ui.steps.data import DataStep
from app.ui.steps.data_preview import tokens_html
from app.ui.steps.hyperparameters import HyperparametersStep, command_text
from app.ui.steps.method import MethodStep
from app.ui.steps.model import ModelStep


@pytest.fixture
def settings(tmp_path):
    return open_settings(tmp_path / "gui.ini")


def shown(qtbot, page):
    qtbot.addWidget(page)
    page.show()
    if hasattr(page, "begin"):
        page.begin()
    return page


@pytest.mark.usefixtures("fake_models")
def test_data_step_reads_rows_format_and_problem_lines(qtbot, tmp_path, settings):
    path = write_jsonl(tmp_path / "chat.jsonl", chat_rows(5), bad_line=4)
    state = StudioState(config_with_data(path))
    page = shown(qtbot, DataStep(state, settings))
    qtbot.waitUntil(lambda: page.report is not None, timeout=10000)
    assert page.report.rows >= 5 and page.report.valid_rows == 5
    assert page.table.rowCount() == 6  # five rows and the broken line, in file order
    assert page.table.verticalHeaderItem(3).text() == "4"
    assert page.pager.label.text() == "Rows 1–6 of 6 · numbered by file line"  # the rule, stated
    assert "a CSV's header is line 1" in page.table.verticalHeader().toolTip()
    assert "messages" in page.detected.text()
    problems = [page.problems.item(i).text() for i in range(page.problems.count())]
    assert any(text.startswith("Line 4:") for text in problems), problems
    assert page.is_valid()
    page.tabs.setCurrentWidget(page.render_tab)  # rendering starts when its tab opens
    qtbot.waitUntil(lambda: "Hello" in page.rendered.toPlainText(), timeout=5000)
    page.shutdown()


@pytest.mark.usefixtures("fake_models")
def test_rendered_example_says_when_the_template_adds_its_default_system_prompt(qtbot, tmp_path, settings,
                                                                                monkeypatch):
    added: list[str | None] = ["You are Quill, made by Us."]
    monkeypatch.setattr("app.ui.steps.data.render_example", lambda tokenizer, data, fmt, config: (PIECES, added[0]))
    path = write_jsonl(tmp_path / "chat.jsonl", chat_rows(3))
    page = shown(qtbot, DataStep(StudioState(config_with_data(path)), settings))
    qtbot.waitUntil(lambda: page.report is not None, timeout=10000)
    page.tabs.setCurrentWidget(page.render_tab)
    qtbot.waitUntil(lambda: "Hello" in page.rendered.toPlainText(), timeout=5000)
    note = page.render_tab.note
    assert note.isVisible() and "“You are Quill, made by Us.”" in note.text()
    assert "the chat template of the demo model adds its own default" in note.text()
    assert "System prompt under Advanced" in note.text()  # where to change it
    added[0] = None  # a row with a system message (or a template without a default): nothing to say
    page.example_spin.setValue(2)
    qtbot.waitUntil(lambda: not note.isVisible(), timeout=5000)
    page.shutdown()


def test_render_example_reports_the_demo_templates_own_system_prompt_only_when_it_is_added(demo_tokenizer):
    from app.ui.steps.data_preview import render_example

    row = {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}
    pieces, added = render_example(demo_tokenizer, row, "messages", demo_config())
    assert added == "You are a helpful AI assistant named SmolLM, trained by Hugging Face"
    assert added in "".join(text for text, _ in pieces)  # it is what the example shows
    own = {"messages": [{"role": "system", "content": "Be brief."}, *row["messages"]]}
    assert render_example(demo_tokenizer, own, "messages", demo_config())[1] is None
    config = demo_config()
    config = config.model_copy(update={"data": config.data.model_copy(update={"system_prompt": "Be brief."})})
    assert render_example(demo_tokenizer, row, "messages", config)[1] is None


@pytest.mark.usefixtures("fake_models")
def test_data_step_choosing_a_file_and_overriding_the_format(qtbot, tmp_path, settings, monkeypatch):
    state = StudioState(demo_config())
    page = shown(qtbot, DataStep(state, settings))
    rows = [{"question": f"q{i}", "answer": f"a{i}"} for i in range(3)]
    path = write_jsonl(tmp_path / "qa.jsonl", rows)
    monkeypatch.setattr("app.ui.steps.data_source.QFileDialog.getOpenFileName", lambda *a: (str(path), ""))
    assert page.source.choose_button.isVisible()
    qtbot.mouseClick(page.source.choose_button, Qt.MouseButton.LeftButton)
    assert state.config.data.train == str(path)
    qtbot.waitUntil(lambda: page.report is not None, timeout=10000)
    assert page.report.valid_rows == 0 and not page.is_valid()  # no known layout until the columns are mapped
    page.mapping.combos["question"].setCurrentText("prompt")
    page.mapping.combos["answer"].setCurrentText("completion")
    assert state.config.data.columns == {"question": "prompt", "answer": "completion"}
    qtbot.waitUntil(lambda: page.report is not None and page.report.valid_rows == 3, timeout=10000)
    page.format_combo.setCurrentIndex(page.format_choices.index("prompt_completion"))
    assert state.config.data.format == "prompt_completion"
    qtbot.waitUntil(lambda: page.report is not None, timeout=10000)
    assert page.is_valid()
    page.shutdown()


@pytest.mark.usefixtures("fake_models")
def test_data_step_missing_file_is_not_valid(qtbot, tmp_path, settings):
    state = StudioState(config_with_data(tmp_path / "nope.jsonl"))
    page = shown(qtbot, DataStep(state, settings))
    qtbot.waitUntil(lambda: "not found" in page.summary.text(), timeout=2000)
    assert not page.is_valid() and "not found" in page.summary.text()


def test_tokens_html_highlights_trained_tokens():
    html = tokens_html(PIECES, QPalette())
    assert html.count("<span") == 1
    assert "Hello!&lt;|im_end|&gt;</span>" in html
    assert "&lt;|im_start|&gt;user⏎<br>Hi" in html


@pytest.mark.usefixtures("fake_models")
def test_model_step_asks_before_a_models_own_code_may_run_naming_its_files(qtbot, settings, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from app.core import models

    folder = tmp_path / "own-code"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"model_type": "drill", "auto_map": {
        "AutoConfig": "configuration_drill.DrillConfig", "AutoModelForCausalLM": "modeling_drill.DrillForCausalLM"}}))
    asked, answer = [], [QMessageBox.StandardButton.No]
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda parent, title, text, *a: asked.append(text)
                                                              or answer[0]))
    described = []
    fake = models.describe_model
    monkeypatch.setattr(models, "describe_model", lambda *a, **k: described.append(k["trust_remote_code"])
                        or fake(*a, **k))
    config = demo_config()
    state = StudioState(config.model_copy(update={"model": config.model.model_copy(update={"source": str(folder)})}))
    page = shown(qtbot, ModelStep(state, settings))
    qtbot.waitUntil(page.is_valid, timeout=5000)
    box = page.findChild(QWidget, "model.trust_remote_code").inner
    box.setChecked(True)  # refused: unticked again, and the model is never read with its code allowed
    assert len(asked) == 1 and "configuration_drill.py" in asked[0] and "modeling_drill.py" in asked[0]
    qtbot.waitUntil(lambda: not state.config.model.trust_remote_code and not box.isChecked(), timeout=5000)
    qtbot.waitUntil(page.is_valid, timeout=5000)
    assert True not in described
    answer[0] = QMessageBox.StandardButton.Yes
    box.setChecked(True)
    qtbot.waitUntil(lambda: described[-1] is True and page.is_valid(), timeout=5000)
    assert state.config.model.trust_remote_code and box.isChecked() and len(asked) == 2
    state.set_config(state.config)  # the same model and files again (e.g. the config reopened): not asked twice
    qtbot.waitUntil(page.is_valid, timeout=5000)
    assert len(asked) == 2 and described[-1] is True
    page.shutdown()


@pytest.mark.usefixtures("fake_models")
def test_model_step_describes_in_background(qtbot, settings):
    state = StudioState(demo_config())
    page = shown(qtbot, ModelStep(state, settings))
    qtbot.waitUntil(page.is_valid, timeout=5000)
    assert state.model_info.architecture == "LlamaForCausalLM"
    assert page.info_labels["context_length"].text() == "8,192"
    assert "134.5 M" in page.info_labels["num_parameters"].text()
    assert "GiB" in page.memory.headline.text()
    page.set_source("")  # invalid source: stays on the old one
    assert state.config.model.source == "demo"
    page.shutdown()


def test_method_step_cards_and_qlora_bits(qtbot, settings):
    state = StudioState(demo_config())
    page = shown(qtbot, MethodStep(state, settings))
    assert set(page.cards) == set(METHODS)
    bits = page.form.rows[("method", "bits")]
    assert not bits.label.isVisible()  # LoRA has no bits
    page.cards["qlora"].radio.click()
    assert state.config.method.name == "qlora"
    assert bits.label.isVisible()
    page.form.editor("method", "bits").inner.setCurrentText("8")
    assert state.config.method.bits == 8
    page.cards["full"].radio.click()
    assert state.config.method.name == "full"
    assert not page.form.rows[("method", "rank")].label.isVisible()
    state.set_model_info(FAKE_INFO)
    assert "134.5 M" in page.cards["full"].trainable.text()
    assert "%" in page.cards["lora"].trainable.text()


def test_method_step_stage_choice_filters_methods_and_shows_stage_settings(qtbot, settings):
    state = StudioState(demo_config())
    page = shown(qtbot, MethodStep(state, settings))
    beta = page.stages.form.rows[("stage", "beta")]
    assert page.stages.buttons["sft"].isChecked() and not beta.label.isVisible()
    assert page.cards["prompt_tuning"].isEnabled()
    page.cards["ia3"].radio.click()
    page.stages.buttons["dpo"].click()
    assert state.config.training.stage == "dpo" and state.config.method.name == "ia3"  # IA3 suits DPO: kept
    assert beta.label.isVisible() and page.stages.form.rows[("stage", "dpo_loss")].label.isVisible()
    assert not page.cards["prompt_tuning"].isEnabled()
    assert "Not for the DPO" in page.cards["prompt_tuning"].trainable.text()
    page.stages.form.editor("stage", "beta").inner.setValue(0.25)
    assert state.config.stage.beta == 0.25
    page.stages.buttons["cls"].click()  # IA3 does not suit classification: switched to LoRA
    assert (state.config.training.stage, state.config.method.name) == ("cls", "lora")
    assert not beta.label.isVisible() and page.stages.form.rows[("stage", "labels")].label.isVisible()
    assert not page.cards["ia3"].isEnabled() and page.cards["full"].isEnabled()
    hyper = shown(qtbot, HyperparametersStep(state, settings))  # the stage and its settings are the Method step's
    assert not any(section == "stage" or name == "stage" for section, name in hyper.form.rows)


def test_method_step_ppo_takes_the_newest_rm_run_or_says_to_train_a_reward_model_first(qtbot, settings):
    from app.core.paths import run_dir
    from app.core.store import Store

    state = StudioState(demo_config())
    page = shown(qtbot, MethodStep(state, settings))
    page.stages.buttons["ppo"].click()
    assert state.config.training.stage == "sft" and page.stages.buttons["sft"].isChecked()
    assert "train a reward model first" in page.stages.card_note.text() and page.stages.card_note.isVisible()
    store = Store()
    store.create_run("rm-run", name="rm", config_yaml="", model=state.config.model.source, method="lora", stage="rm")
    store.update_run("rm-run", status="completed")
    (run_dir("rm-run") / "merged").mkdir(parents=True)
    (run_dir("rm-run") / "merged" / "config.json").write_text("{}")
    page.stages.buttons["ppo"].click()
    assert (state.config.training.stage, state.config.stage.reward_model) == ("ppo", "rm-run")
    assert page.stages.form.rows[("stage", "reward_model")].label.isVisible()
    assert page.stages.form.rows[("stage", "ppo_epochs")].label.isVisible()


def test_hyperparameters_save_open_copy(qtbot, tmp_path, settings, monkeypatch):
    state = StudioState(demo_config())
    page = shown(qtbot, HyperparametersStep(state, settings))
    assert page.preset_combo.findText("quickstart") > 0
    page.form.editor("training", "epochs").inner.setValue(2.0)
    target = tmp_path / "run.yaml"
    monkeypatch.setattr("app.ui.steps.hyperparameters.QFileDialog.getSaveFileName", lambda *a: (str(target), ""))
    monkeypatch.setattr("app.ui.steps.hyperparameters.QFileDialog.getOpenFileName", lambda *a: (str(target), ""))
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert target.exists() and page.message.text().startswith(f"Saved {target}.")
    state.set_config(demo_config())
    qtbot.mouseClick(page.open_button, Qt.MouseButton.LeftButton)
    assert state.config.training.epochs == 2.0 and page.message.text() == f"Opened {target}."
    qtbot.mouseClick(page.copy_button, Qt.MouseButton.LeftButton)
    from PySide6.QtGui import QGuiApplication

    text = QGuiApplication.clipboard().text()
    assert text.startswith("finetune-studio train run.yaml\n") and "epochs: 2.0" in text
    assert command_text(state.config) == text
