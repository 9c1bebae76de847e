"""The Export page over a store with one run, running a fake `finetune-studio export` (no model is loaded)."""

from __future__ import annotations

import json
import runpy
import shutil
import subprocess
import sys
from collections import namedtuple
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication

from app.core.config import demo_config
from app.core.requests import ExportRequest
from app.core.store import Store
from app.ui.pages.export import ExportPage
from app.ui.widgets.export_plan import ExportPlan, describe, estimate

FAKE_CLI = Path(__file__).with_name("fake_cli.py")
RUN_ID = "20260101-000000-abcd"
Usage = namedtuple("Usage", "total used free")


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("FINETUNE_STUDIO_HOME", str(tmp_path / "home"))
    store = Store(reap=False)
    config = demo_config().model_copy(update={"name": "Support Bot"}).to_yaml()
    store.create_run(RUN_ID, name="Support Bot", config_yaml=config, model="demo", method="lora", stage="sft",
                     started=1_767_225_600, pid=0)
    store.update_run(RUN_ID, status="completed", total_params=134_515_008, trainable_params=4_884_480)
    for step in (100, 200, 300):
        folder = tmp_path / "home" / "runs" / RUN_ID / "checkpoints" / f"checkpoint-{step}"
        folder.mkdir(parents=True)
        store.add_artifact(RUN_ID, "checkpoint", folder, {"step": step, **({"best": True} if step == 200 else {})})
    store.update_run(RUN_ID, best_step=200, best_eval_loss=1.23456, best_checkpoint=str(folder.with_name(
        "checkpoint-200")))
    return tmp_path


def make_page(qtbot, home: Path, mode: str = "ok") -> ExportPage:
    page = ExportPage(settings=None, program=[sys.executable, str(FAKE_CLI), mode])
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    page.folder_edit.setText(str(home / "exports" / "bot"))
    return page


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def choose(page: ExportPage, *kinds: str) -> None:
    for kind, box in page.target_boxes.items():
        box.setChecked(kind in kinds)


def test_estimates_follow_the_parameter_count_and_the_chosen_types():
    plan = ExportPlan(RUN_ID, Path("/x"), {"merged", "adapter", "gguf"}, dtype="fp32", quant="q8_0")
    sizes = estimate(plan, 1_000_000, 10_000)
    assert sizes == {"merged": 4_000_000, "adapter": 40_000, "gguf": 1_062_500}
    plan.targets = {"ollama"}
    assert estimate(plan, 1_000_000, 10_000) == {"ollama": 1_062_500, "scratch": 4_000_000}
    assert estimate(plan, None, None) == {"ollama": None, "scratch": None}


def test_page_lists_checkpoints_and_shows_sizes_against_free_disk(qtbot, home):
    page = make_page(qtbot, home)
    assert page.runs.value() == RUN_ID
    assert [page.checkpoint.itemData(i) for i in range(page.checkpoint.count())] == ["best", "final", 300, 200, 100]
    assert page.checkpoint.currentText() == "Best checkpoint (step 200, eval_loss 1.2346)", "the default"
    assert page.checkpoint.itemText(3) == "Checkpoint at step 200 (best)"
    choose(page, "merged", "adapter")
    page.dtype.inner.setCurrentText("bf16")
    assert page.estimates["merged"].text() == "≈ 269.0 MB"
    assert page.estimates["adapter"].text() == "≈ 19.5 MB"
    assert page.estimates["gguf"].text() == ""
    assert page.export_button.isEnabled() and "Needs about 288.6 MB" in page.space.text()
    assert page.quant.choices == ["f32", "f16", "q8_0", "q6_k", "q5_k_m", "q4_k_m", "q5_0", "q4_0"], (
        "the export request's GgufQuant choices")
    assert page.quant.value() == "q4_k_m", "the default: what Ollama users pull"
    tip = page.quant.inner.itemData(5, Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith("About 30% of f16's size. Measured on the demo model through llama.cpp: the same next "
                          "token as the model at ")
    assert page.quant.toolTip() == ExportRequest.model_fields["quant"].description
    choose(page, "gguf")
    assert page.estimates["gguf"].text().startswith("≈ ") and "same next token at " in page.estimates["gguf"].text()
    page.quant.inner.setCurrentText("f16")
    assert page.estimates["gguf"].text().endswith(" · same next token at 100% of positions")


def test_ticked_targets_of_unknown_size_say_so_instead_of_asking_for_targets(qtbot, home):
    Store(reap=False).update_run(RUN_ID, total_params=None, trainable_params=None)
    page = make_page(qtbot, home)
    choose(page)
    assert page.space.text().startswith("Needs: choose targets")
    choose(page, "merged", "gguf")
    assert page.space.text().startswith("Needs: not known (the run does not record its parameter count")
    assert "choose targets" not in page.space.text()


def test_too_little_disk_disables_export_with_a_message(qtbot, home, monkeypatch):
    page = make_page(qtbot, home)
    monkeypatch.setattr(shutil, "disk_usage", lambda path: Usage(10**9, 10**9 - 1000, 1000))
    choose(page, "gguf")
    assert not page.export_button.isEnabled()
    assert "Not enough disk space" in page.space.text() and "only 1.0 KB is free" in page.space.text()
    click(qtbot, page.export_button)
    page.export()  # the slot refuses too, should a click slip through
    assert not page.is_running()


def test_the_request_is_built_from_the_choices(qtbot, home):
    page = make_page(qtbot, home)
    choose(page, "merged", "gguf", "ollama")
    page.dtype.inner.setCurrentText("fp16")
    page.quant.inner.setCurrentText("q8_0")
    page.checkpoint.setCurrentIndex(page.checkpoint.findData(100))
    out = home / "exports" / "bot"
    assert page.request().model_dump(exclude_defaults=True) == {
        "run": RUN_ID, "checkpoint": 100, "merged": out / "merged", "gguf": out / "gguf", "ollama": out / "ollama",
        "dtype": "fp16", "quant": "q8_0"}
    page.dtype.inner.setCurrentText("the run's")  # the request's None: the run's own export.dtype
    assert page.request().dtype == demo_config().export.dtype
    choose(page, "adapter")
    page.checkpoint.setCurrentIndex(0)
    assert page.request().model_dump(exclude_defaults=True) == {"run": RUN_ID, "checkpoint": "best",
                                                                "adapter": out / "adapter"}
    page.checkpoint.setCurrentIndex(1)
    assert page.request().checkpoint == "final"


def test_the_fake_export_speaks_what_the_real_cli_speaks(home):
    """tests/core/test_cli_events.py pins the real `export` and `eval` to the same shapes."""
    from app.core.requests import EvalRequest, ExportRequest, save_request

    fake = runpy.run_path(str(FAKE_CLI))
    for command, request, (names, keys) in (
            ("export", ExportRequest(run=RUN_ID, merged=home / "m"), fake["EXPORT_EVENTS"]),
            ("eval", EvalRequest(run=RUN_ID), fake["EVAL_EVENTS"])):
        path = save_request(request, home / "requests")
        out = subprocess.run([sys.executable, str(FAKE_CLI), "ok", command, "--request", str(path), "--events",
                              "jsonl"], capture_output=True, text=True, check=True, timeout=60).stdout
        events = [json.loads(line) for line in out.splitlines()]
        assert fake["shape"](events) == names and keys <= set(events[-2]["data"])


def test_export_fills_the_parity_report_and_the_actions_work(qtbot, home, monkeypatch):
    page = make_page(qtbot, home)
    choose(page, "merged", "gguf", "ollama")
    page.quant.inner.setCurrentText("q8_0")
    with qtbot.waitSignal(page.export_finished, timeout=10_000) as finished:
        click(qtbot, page.export_button)
        assert page.is_running() and not page.export_button.isEnabled() and page.cancel_button.isEnabled()
    assert [a["kind"] for a in finished.args[0]["artifacts"]] == ["merged", "gguf", "ollama"]
    assert "[export] Export complete 4/4" in page.log.toPlainText()
    assert page.progress.value() == page.progress.maximum() == 4
    assert page.report.rowCount() == 3
    assert page.report.verification(0) == ("bf16 · max logit difference 3.0e-02 · next-token agreement 100% · "
                                           "merge difference 2.0e-06")
    assert "greedy 16 tokens identical · end token, chat template, tokenizer match" in page.report.verification(1)
    assert "identical on 67% of prompts" in page.report.verification(2)
    assert "MISMATCH: Modelfile template" in page.report.verification(2)
    assert page.report.item(2, 0).text().startswith("✗")
    assert page.report.item(0, 2).text() == "270.0 MB"
    assert "Exported 3 target(s)" in page.status.text() and page.export_button.isEnabled()

    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url))
    click(qtbot, page.open_button)
    assert opened == [QUrl.fromLocalFile(str(home / "exports" / "bot"))]
    click(qtbot, page.copy_button)
    modelfile = home / "exports" / "bot" / "ollama" / "Modelfile"
    assert QGuiApplication.clipboard().text() == (f"ollama create support-bot -f {modelfile} && "
                                                  "ollama run support-bot")


def test_a_failed_export_shows_the_error_and_its_hint(qtbot, home):
    page = make_page(qtbot, home, mode="fail")
    choose(page, "gguf")
    with qtbot.waitSignal(page.export_finished, timeout=10_000) as finished:
        click(qtbot, page.export_button)
    assert finished.args == [{}]
    assert "does not support the 'gpt2'" in page.status.text() and "Hint: Export the merged" in page.status.text()
    assert page.report.rowCount() == 0 and not page.copy_button.isEnabled()


def test_cancel_stops_the_export(qtbot, home):
    page = make_page(qtbot, home, mode="slow")
    choose(page, "merged")
    click(qtbot, page.export_button)
    qtbot.waitUntil(lambda: "Loading the base" in page.status.text(), timeout=10_000)
    assert page.progress.format() == "0/4"
    with qtbot.waitSignal(page.export_finished, timeout=8_000):
        click(qtbot, page.cancel_button)
    assert not page.is_running() and "Cancelled" in page.status.text()
    assert page.export_button.isEnabled() and not page.cancel_button.isEnabled()


def test_describe_reads_the_recorded_properties_in_plain_words():
    assert describe("adapter", {"base_model": "/m", "max_abs_diff": 1e-6}) == "max logit difference 1.0e-06"
    assert describe("gguf", {"quant": "f16", "greedy_tokens": 12, "greedy_agreement": 1.0}) == (
        "f16 · greedy 12 tokens identical")
    assert describe("merged", {"dtype": "fp16", "shards": 3, "stop_token_added": "<|im_end|>", "eos_ok": True}) == (
        "fp16 · 3 shards · <|im_end|> added as a stop token · end token match")
    assert describe("adapter", {"eos_ok": False, "chat_template_ok": True}) == (
        "chat template match · MISMATCH: end token")
    # the rule's bounds are stated beside the measured values
    assert describe("merged", {"max_abs_diff": 0.03, "tolerance": 0.125, "top1_agreement": 1.0,
                               "agreement_floor": 0.95}) == (
        "max logit difference 3.0e-02 (allowed ≤ 1.2e-01) · next-token agreement 100% (needs ≥ 95%)")
    assert describe("gguf", {"quant": "q8_0", "max_abs_diff": 1.38, "top1_agreement": 0.97,
                             "agreement_warn": 0.9}) == (
        "q8_0 · max logit difference 1.4e+00 (not bounded: quantised) · next-token agreement 97% (a warning below "
        "90%)")


def test_push_section_saves_the_token_to_the_keyring_only(qtbot, home, memory_keyring):
    page = make_page(qtbot, home)
    choose(page, "merged")
    assert page.export_button.isEnabled() and page.request().push_to_hub is None
    page.push.setChecked(True)
    assert not page.export_button.isEnabled() and page.push.state.text() == (
        "name the Hub repository as user/model-name.")
    qtbot.keyClicks(page.push.repo.inner, "me/support-bot")
    assert "save a Hugging Face token first" in page.push.state.text()
    page.push.token.setText("hf_SecretValue123")
    click(qtbot, page.push.save_button)
    assert memory_keyring.items == {("finetune-studio", "huggingface"): "hf_SecretValue123"}
    assert page.push.token.text() == "" and page.push.state.text() == "A token is saved."
    assert page.export_button.isEnabled()
    page.push.public.inner.setChecked(True)
    assert (page.request().push_to_hub, page.request().public) == ("me/support-bot", True)
    page.push.public.inner.setChecked(False)
    assert (page.request().push_to_hub, page.request().public) == ("me/support-bot", False)
    with qtbot.waitSignal(page.export_finished, timeout=10_000):
        click(qtbot, page.export_button)
    page.settings.sync()
    assert "hf_SecretValue123" not in page.log.toPlainText() + Path(page.settings.fileName()).read_text()
    choose(page, "gguf")
    assert "choose the merged model or the adapter" in page.push.state.text()


def test_a_folder_that_is_not_an_export_is_refused_in_place(qtbot, home):
    """Issue #22: the page says why before any worker starts, and the user's files stay."""
    page = make_page(qtbot, home)
    mine = home / "exports" / "bot" / "merged"
    (mine / "sub").mkdir(parents=True)
    (mine / "thesis.txt").write_text("years of work")
    choose(page, "adapter")
    assert page.export_button.isEnabled() and page.folder_problem.isHidden()
    choose(page, "adapter", "merged")
    assert not page.export_button.isEnabled()
    assert not page.folder_problem.isHidden()
    assert "is not an export of Finetune Studio (sub/, thesis.txt)" in page.folder_problem.text()
    assert "Choose an empty or new folder" in page.export_button.toolTip()
    click(qtbot, page.export_button)
    page.export()  # the slot refuses too, should a click slip through
    assert not page.is_running() and (mine / "thesis.txt").read_text() == "years of work"


def test_replacing_an_earlier_export_is_asked_first(qtbot, home, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from app.core.export.staging import staged

    page = make_page(qtbot, home)
    with staged(home / "exports" / "bot" / "merged", "merged", RUN_ID) as tmp:
        (tmp / "config.json").write_text("{}")
    choose(page, "merged", "adapter")
    assert page.export_button.isEnabled() and page.folder_problem.isHidden()
    asked = []

    def answer(button):
        def question(parent, title, text, *args):
            asked.append(text)
            return button
        return question

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Cancel))
    click(qtbot, page.export_button)
    assert not page.is_running()
    assert asked == [f"An earlier export is in these folders; this export replaces it:\n\n"
                     f"{home / 'exports' / 'bot' / 'merged'}"]
    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Yes))
    with qtbot.waitSignal(page.export_finished, timeout=10_000) as finished:
        click(qtbot, page.export_button)
    assert [a["kind"] for a in finished.args[0]["artifacts"]] == ["merged"] and len(asked) == 2


def test_the_default_folder_stays_under_exports_after_an_export(qtbot, home):
    """Issue #25 item 8: the exports folder does not exist before the first export; the next default was the data
    home's root because the page remembered `<home>/exports` by asking whether it was a folder."""
    page = ExportPage(settings=None, program=[sys.executable, str(FAKE_CLI), "ok"])
    qtbot.addWidget(page)
    page.show()
    default = home / "home" / "exports" / "support-bot"
    assert Path(page.folder_edit.text()) == default and not default.parent.exists()
    choose(page, "merged")
    with qtbot.waitSignal(page.export_finished, timeout=10_000):
        click(qtbot, page.export_button)
    page.refresh()
    assert Path(page.folder_edit.text()) == default
    again = ExportPage(settings=page.settings, program=[sys.executable, str(FAKE_CLI), "ok"])
    qtbot.addWidget(again)
    again.show()
    assert Path(again.folder_edit.text()) == default

    page.folder_edit.setText(str(home / "elsewhere" / "bot"))  # a folder the user chose: its parent is remembered
    with qtbot.waitSignal(page.export_finished, timeout=10_000):
        click(qtbot, page.export_button)
    page.refresh()
    assert Path(page.folder_edit.text()) == home / "elsewhere" / "support-bot"
