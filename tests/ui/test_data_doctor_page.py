"""The Data step's doctor: fix buttons make a new dataset version and switch to it, the placeholder form, the
column-mapping dialog when detection is unsure, paged rows, and cancelling a slow check. Buttons and dialogs are
clicked and typed into as a user would (file and input dialogs answer through monkeypatch)."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QPushButton
from studio_fakes import chat_rows, config_with_data, fake_models, write_jsonl  # noqa: F401

from app.ui.settings import open_settings
from app.ui.state import StudioState
from app.ui.steps.data import DataStep
from app.ui.steps.data_augment import AugmentDialog
from app.ui.steps.data_doctor import PlaceholderForm
from app.ui.steps.data_mix import MixDialog
from app.ui.steps.data_preview import MappingDialog


@pytest.fixture
def page(qtbot, tmp_path, request):
    def open_page(path):
        step = DataStep(StudioState(config_with_data(path)), open_settings(tmp_path / "gui.ini"))
        qtbot.addWidget(step)
        step.show()
        step.begin()
        request.addfinalizer(step.shutdown)
        return step
    return open_page


def reported(qtbot, step, path):
    qtbot.waitUntil(lambda: step.report is not None and step.state.config.data.train == str(path)
                    and not step.tasks.is_running("clean"), timeout=10000)
    return step.report


def click(qtbot, widget) -> None:
    assert widget.isVisible() and widget.isEnabled(), widget
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def click_doctor(qtbot, step, key: str) -> None:
    """Open the Doctor tab by its tab, then click the finding's button."""
    bar = step.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(step.tabs.indexOf(step.doctor_tab)).center())
    assert step.tabs.currentWidget() is step.doctor_tab
    click(qtbot, step.doctor.buttons[key])


def long_story(tmp_path):
    """Three short chat rows and one whose answer runs past 64 tokens."""
    rows = chat_rows(3) + [{"messages": [{"role": "user", "content": "Tell me a long story."},
                                         {"role": "assistant", "content": "Once upon a time " * 30}]}]
    return write_jsonl(tmp_path / "long.jsonl", rows)


def measured(qtbot, step) -> dict:
    """Click "Measure token lengths" and wait for the report's token statistics."""
    click_doctor(qtbot, step, "lengths")
    qtbot.waitUntil(lambda: step.report is not None and step.report.token_stats is not None, timeout=20000)
    return step.report.token_stats


def shown_dialog(qtbot, step, kind):
    """The dialog of `kind` that a click opened (window-modal through open(), so the click returns at once)."""
    qtbot.waitUntil(lambda: any(d.isVisible() for d in step.findChildren(kind)), timeout=5000)
    return next(d for d in step.findChildren(kind) if d.isVisible())


def button(dialog, text: str) -> QPushButton:
    return next(b for b in dialog.findChildren(QPushButton) if b.text() == text)


def ok_button(dialog) -> QPushButton:
    return dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)


def identity_rows():
    rows = [{"messages": [{"role": "user", "content": f"Who are you {i}?"},
                          {"role": "assistant", "content": "I am {{name}}, made by {{author}}."}]} for i in range(4)]
    return rows + [rows[1], rows[2]]


@pytest.mark.usefixtures("fake_models")
def test_fix_buttons_make_a_new_version_drop_invalid_rows_and_show_the_actions(qtbot, page, tmp_path):
    source = write_jsonl(tmp_path / "id.jsonl", identity_rows(), bad_line=3)
    before = source.read_bytes()
    step = page(source)
    report = reported(qtbot, step, source)
    assert (report.problem_count, report.duplicates.rows, report.placeholders) == (1, 2, {"name": 6, "author": 6})
    assert step.tabs.tabText(2) == "Doctor (3)"
    click_doctor(qtbot, step, "duplicates")
    qtbot.waitUntil(lambda: step.state.config.data.train != str(source), timeout=10000)
    cleaned = step.state.config.data.train
    report = reported(qtbot, step, cleaned)
    assert cleaned.endswith("id.v1.jsonl") and source.read_bytes() == before
    assert (report.rows, report.problem_count, report.duplicates.rows) == (4, 0, 0)
    assert step.doctor.actions.text().splitlines()[1:] == [
        "  1 unusable row dropped: 7 → 6 rows", "  2 exact duplicates removed (the first of each kept): 6 → 4 rows"]
    assert step.switched.isVisible() and "<b>id.v1.jsonl</b>" in step.switched.text()
    assert "id.jsonl itself is unchanged" in step.switched.text()

    click_doctor(qtbot, step, "placeholders")
    form = shown_dialog(qtbot, step, PlaceholderForm)
    qtbot.keyClicks(form.edits["name"], "Quill")
    assert ok_button(form).text() == "Fill"
    click(qtbot, ok_button(form))
    qtbot.waitUntil(lambda: step.state.config.data.train.endswith("id.v2.jsonl"), timeout=10000)
    report = reported(qtbot, step, step.state.config.data.train)
    assert report.placeholders == {"author": 4} and not step.doctor.buttons["problems"].isEnabled()
    text = open(step.state.config.data.train, encoding="utf-8").read()
    assert "I am Quill, made by {{author}}." in text


@pytest.mark.usefixtures("fake_models")
def test_a_fix_says_in_words_that_the_file_format_and_mapping_changed_and_can_go_back(qtbot, tmp_path):
    path = tmp_path / "qa.csv"
    path.write_text("question,answer\nWhat is 2+2?,4\nCapital of France?,Paris\nWhat is 2+2?,4\n")
    config = config_with_data(path)
    mapped = config.data.model_copy(update={"format": "prompt_completion",
                                            "columns": {"question": "prompt", "answer": "completion"}})
    step = DataStep(StudioState(config.model_copy(update={"data": mapped})), open_settings(tmp_path / "gui.ini"))
    qtbot.addWidget(step)
    step.show()
    step.begin()
    report = reported(qtbot, step, path)
    assert report.duplicates.rows == 1 and not step.switched.isVisible()
    assert step.doctor.findings["duplicates"].text() == "⚠ 1 exact duplicate in 1 group"  # counts agree with nouns
    click_doctor(qtbot, step, "duplicates")
    qtbot.waitUntil(lambda: step.state.config.data.train.endswith("qa.v1.jsonl"), timeout=10000)
    reported(qtbot, step, step.state.config.data.train)
    assert (step.state.config.data.format, step.state.config.data.columns) == ("auto", {})
    note = step.switched.text()
    assert step.switched.isVisible()  # above the tabs: seen whichever tab is open
    assert "Now training on a new version, <b>qa.v1.jsonl</b>" in note
    assert "1 exact duplicate removed (the first of each kept), 3 → 2 rows. qa.csv itself is unchanged." in note
    assert ("written as chat messages, so the format prompt_completion is now detected again and the column mapping "
            "(question → prompt, answer → completion) is no longer needed") in note
    assert "{" not in note  # no raw JSON

    step.switched.linkActivated.emit("original")  # "Go back to the original file"
    assert step.state.config.data == mapped and not step.switched.isVisible()
    reported(qtbot, step, path)


@pytest.mark.usefixtures("fake_models")
def test_unsure_detection_opens_the_mapping_dialog_which_writes_the_columns(qtbot, page, tmp_path):
    path = tmp_path / "qa.csv"
    path.write_text("question,answer,source\nWhat is 2+2?,4,math\nCapital of France?,Paris,geo\n")
    step = page(path)
    qtbot.waitUntil(lambda: step.mapping_dialog is not None, timeout=10000)
    dialog = step.mapping_dialog
    assert step.map_button.isVisible()
    assert dialog.result_mapping() == ("prompt_completion", {"question": "prompt", "answer": "completion"})
    assert dialog is shown_dialog(qtbot, step, MappingDialog)
    click(qtbot, ok_button(dialog))
    assert step.state.config.data.columns == {"question": "prompt", "answer": "completion"}
    assert step.state.config.data.format == "prompt_completion"
    qtbot.waitUntil(lambda: step.report is not None and step.report.valid_rows == 2, timeout=10000)
    assert step.is_valid()


@pytest.mark.usefixtures("fake_models")
def test_rows_are_paged(qtbot, page, tmp_path):
    path = write_jsonl(tmp_path / "many.jsonl", chat_rows(120))
    step = page(path)
    reported(qtbot, step, path)
    assert step.pager.label.text() == "Rows 1–50 of 120 · numbered by file line" and not step.pager.prev_button.isEnabled()
    click(qtbot, step.pager.next_button)
    click(qtbot, step.pager.next_button)  # a second click before the first page arrives asks for the same page
    qtbot.waitUntil(lambda: step.table.verticalHeaderItem(0).text() == "51", timeout=5000)
    assert step.pager.label.text().startswith("Rows 51–100 of 120")
    click(qtbot, step.pager.next_button)
    qtbot.waitUntil(lambda: step.pager.label.text().startswith("Rows 101–120 of 120"), timeout=5000)
    assert not step.pager.next_button.isEnabled() and json.loads(
        json.dumps(step.rows[0].data))["messages"][0]["content"] == "Question 100?"


@pytest.mark.usefixtures("fake_models")
def test_a_slow_check_shows_progress_and_can_be_cancelled(qtbot, page, tmp_path, monkeypatch):
    import time

    def slow_inspect(path, progress=None, **_kwargs):
        for done in range(10**6):
            progress(done, 10**6)
            time.sleep(0.001)

    monkeypatch.setattr("app.core.data.inspect_file", slow_inspect)
    step = page(write_jsonl(tmp_path / "big.jsonl", chat_rows(3)))
    qtbot.waitUntil(lambda: step.progress.value() > 10, timeout=5000)
    assert step.cancel_button.isVisible() and "Checking rows" in step.summary.text()
    click(qtbot, step.cancel_button)
    assert "Stopped at" in step.summary.text() and not step.tasks.is_running("inspect")
    qtbot.waitUntil(lambda: not step.tasks._running, timeout=5000)
    assert step.report is None and not step.is_valid()


def test_measuring_token_lengths_shows_the_histogram_and_what_max_length_cuts(qtbot, page, tmp_path, monkeypatch,
                                                                               demo_tokenizer):
    monkeypatch.setattr("app.core.models.load_tokenizer", lambda *a, **k: demo_tokenizer)
    path = long_story(tmp_path)
    step = page(path)
    step.state.update("training", max_length=64)
    reported(qtbot, step, path)
    assert step.report.token_stats is None and step.doctor.histogram.text() == ""
    stats = measured(qtbot, step)
    assert stats["truncated"] == 1 and stats["max"] > 64 and step.tokenizer is demo_tokenizer
    assert "1 examples (25.0%) are longer than max length 64" in step.doctor.findings["lengths"].text()
    assert "(truncated)" in step.doctor.histogram.text()


def test_an_automatic_max_length_is_chosen_from_the_rows_as_a_run_chooses_it(qtbot, page, tmp_path, monkeypatch,
                                                                              demo_tokenizer):
    """While max_length is automatic the doctor counts what the run's choice cuts, not the field's 512: the longest
    row rounded up to 32 (nothing cut), or, with a model whose context is shorter, the context (the long row cut);
    the histogram marks the bins past the chosen length."""
    from dataclasses import replace

    from studio_fakes import FAKE_INFO

    monkeypatch.setattr("app.core.models.load_tokenizer", lambda *a, **k: demo_tokenizer)
    path = long_story(tmp_path)
    step = page(path)
    step.state.update("data", validation_split=0.0)
    step.state.update("training", max_length=512, auto=["max_length"])
    reported(qtbot, step, path)
    stats = measured(qtbot, step)
    assert stats["max_length"] == 32 * -(-stats["max"] // 32) < 512 and stats["max"] > 64
    assert f"max length auto → {stats['max_length']} (the longest training row): 0 examples (0.0%) are longer, " \
           "cutting 0 trained tokens" in step.doctor.findings["lengths"].text()
    assert "(truncated)" not in step.doctor.histogram.text()
    step.state.set_model_info(replace(FAKE_INFO, context_length=64))
    stats = measured(qtbot, step)
    assert (stats["max_length"], stats["truncated"]) == (64, 1) and stats["assistant_tokens_cut"] > 0
    assert "max length auto → 64 (the longest training row; the model's context allows 64): 1 examples (25.0%) " \
           "are longer" in step.doctor.findings["lengths"].text()
    assert "(truncated)" in step.doctor.histogram.text()


def test_the_doctor_keeps_the_fields_max_length_where_the_run_keeps_it(tmp_path, demo_tokenizer):
    """Stages the rule does not cover (kto here) train with the field's max_length even while it is automatic, so
    the doctor counts what that length cuts; sft chooses it from the rows."""
    import threading

    from app.core.config import parse_config
    from app.ui.steps.data_doctor import inspect_work

    path = long_story(tmp_path)
    for stage, limit in (("kto", 64), ("sft", None)):
        config = parse_config({"data": {"train": str(path), "validation_split": 0.0},
                               "training": {"stage": stage, "max_length": 64, "auto": ["max_length"]}})
        assert "max_length" in config.training.auto
        _rows, report, _loaded = inspect_work(str(path), config, demo_tokenizer, context_length=8192)(
            lambda *_: None, threading.Event())
        stats = report.token_stats
        assert stats["max_length"] == (limit or 32 * -(-stats["max"] // 32))
        assert (stats["auto_length"] is None) == (stage == "kto") and stats["truncated"] == (stage == "kto")


@pytest.mark.usefixtures("fake_models")
def test_augmenting_adds_only_the_ticked_candidates_as_a_new_version(qtbot, page, tmp_path, monkeypatch):
    import sys
    from pathlib import Path

    from PySide6.QtCore import Qt

    fake = [sys.executable, str(Path(__file__).with_name("fake_augment_worker.py"))]
    commands = []

    def command(request_file):
        from app.core.requests import AugmentRequest, load_request

        request = load_request(AugmentRequest, request_file)
        commands.append((str(request.file), request.model, request.n, tuple(request.kinds)))
        return [*fake, "--request", str(request_file), *(["--fail"] if request.model == "broken" else [])]

    monkeypatch.setattr("app.ui.steps.data_augment.augment_command", command)
    path = write_jsonl(tmp_path / "seeds.jsonl", chat_rows(3))
    step = page(path)
    reported(qtbot, step, path)
    click_doctor(qtbot, step, "augment")
    dialog = shown_dialog(qtbot, step, AugmentDialog)
    model, kinds = dialog.options.editor("model"), dialog.options.editor("kinds")
    assert model.value() == step.state.config.model.source and kinds.value() == ["rephrase", "new"]
    for box in kinds.boxes.values():  # no kind ticked: the request refuses it, and no worker starts
        box.setChecked(False)
    assert "Kinds" in dialog.options.error.text()
    click(qtbot, dialog.generate_button)
    assert "augment.kinds" in dialog.status.text() and not dialog.running() and not commands
    kinds.set_value(["rephrase", "new"])
    model.inner.setText("broken")
    click(qtbot, dialog.generate_button)
    qtbot.waitUntil(lambda: dialog.status.text().startswith("⚠"), timeout=10000)
    assert "no usable conversations" in dialog.status.text() and "pick chat data" in dialog.status.text()
    model.inner.setText("demo")
    dialog.options.editor("n").inner.setValue(3)
    click(qtbot, dialog.generate_button)
    qtbot.waitUntil(lambda: dialog.list.count() == 3, timeout=10000)
    assert commands[-1] == (str(path), "demo", 3, ("rephrase", "new"))
    assert dialog.status.text().startswith("3 candidates") and "from line 1" in dialog.list.item(0).text()
    dialog.list.item(1).setCheckState(Qt.CheckState.Checked)
    click(qtbot, dialog.keep_button)
    qtbot.waitUntil(lambda: step.state.config.data.train.endswith("seeds.v1.jsonl"), timeout=10000)
    report = reported(qtbot, step, step.state.config.data.train)
    assert report.rows == 4 and "1 generated example added (written by demo): 3 → 4 rows" in step.doctor.actions.text()
    assert "1 generated example added" in step.switched.text() and step.switched.isVisible()
    text = open(step.state.config.data.train, encoding="utf-8").read()
    assert "New question 1?" in text and "New question 0?" not in text


@pytest.mark.usefixtures("fake_models")
def test_a_hub_dataset_id_downloads_with_progress_and_reads(qtbot, page, tmp_path, monkeypatch):
    folder = tmp_path / "snapshot"
    (folder / "data").mkdir(parents=True)
    write_jsonl(folder / "data" / "train.jsonl", chat_rows(4))
    calls = []

    def fake_resolve(spec, progress=None, stop=None):
        calls.append(spec)
        if progress is not None:
            progress("Downloading data/train.jsonl", 0, 10)
        return folder

    monkeypatch.setattr("app.core.data.sources.resolve_source", fake_resolve)
    monkeypatch.setattr("app.ui.steps.data_source.QInputDialog.getText", lambda *a: ("someone/chats", True))
    step = page(tmp_path / "missing.jsonl")
    click(qtbot, step.source.hub_button)
    report = reported(qtbot, step, "someone/chats")
    assert calls[0] == "someone/chats" and report.valid_rows == 4 and step.is_valid()
    assert step.table.rowCount() == 4


@pytest.mark.usefixtures("fake_models")
def test_a_file_that_cannot_be_read_leaves_the_step_invalid(qtbot, page, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('[\n{"a": 1},\n{"a": }\n]')
    step = page(path)
    qtbot.waitUntil(lambda: "⚠" in step.summary.text(), timeout=10000)
    assert "broken.json:3: invalid JSON" in step.summary.text() and step.summary.toolTip()
    assert not step.is_valid() and "cannot be read" in step.problem()


@pytest.mark.usefixtures("fake_models")
def test_the_mix_editor_writes_data_mix(qtbot, page, tmp_path, monkeypatch):
    path = write_jsonl(tmp_path / "main.jsonl", chat_rows(3))
    monkeypatch.setattr("app.ui.steps.data_mix.QFileDialog.getOpenFileName",
                        lambda *a: (str(tmp_path / "extra.csv"), ""))
    step = page(path)
    reported(qtbot, step, path)
    assert step.source.mix_button.text() == "Mix…"
    click(qtbot, step.source.mix_button)
    dialog = shown_dialog(qtbot, step, MixDialog)
    click(qtbot, button(dialog, "Add file…"))
    assert dialog.table.rowCount() == 1 and dialog.table.item(0, 0).text() == str(tmp_path / "extra.csv")
    dialog.table.cellWidget(0, 1).setValue(2.5)
    dialog.table.cellWidget(0, 2).setValue(100)
    dialog.table.cellWidget(0, 3).setCurrentText("prompt_completion")
    click(qtbot, ok_button(dialog))
    mix = step.state.config.data.mix
    assert [(m.path, m.weight, m.max_samples, m.format) for m in mix] == [
        (str(tmp_path / "extra.csv"), 2.5, 100, "prompt_completion")]
    assert step.source.mix_button.text() == "Mix (1)…"
    click(qtbot, step.source.mix_button)
    again = shown_dialog(qtbot, step, MixDialog)
    assert again is not dialog and again.mix() == [m.model_dump() for m in mix]
    cell = again.table.visualItemRect(again.table.item(0, 0)).center()
    qtbot.mouseClick(again.table.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    assert again.table.currentRow() == 0
    click(qtbot, button(again, "Remove"))
    assert again.table.rowCount() == 0
    click(qtbot, ok_button(again))
    assert step.state.config.data.mix == [] and step.source.mix_button.text() == "Mix…"
