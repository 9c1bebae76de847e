"""The Evaluate page over a store with one run, running a fake `finetune-studio eval` (no model is loaded)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.core.config import demo_config
from app.core.store import Store
from app.ui.pages.evaluate import EvaluatePage

FAKE_CLI = Path(__file__).with_name("fake_cli.py")
RUN_ID = "20260101-000000-eval"


@pytest.fixture
def page(tmp_path, monkeypatch, qtbot):
    monkeypatch.setenv("FINETUNE_STUDIO_HOME", str(tmp_path / "home"))
    store = Store(reap=False)
    store.create_run(RUN_ID, name="Reviews", config_yaml=demo_config().to_yaml(), model="demo", method="lora",
                     stage="sft")
    store.update_run(RUN_ID, status="completed")
    page = EvaluatePage(program=[sys.executable, str(FAKE_CLI), "ok"])
    qtbot.addWidget(page)
    page.show()
    yield page
    page.shutdown()


def test_evaluate_runs_the_cli_then_shows_tuned_vs_base_and_best_worst_examples(page, qtbot):
    assert page.runs.value() == RUN_ID and page.metrics.rowCount() == 0
    assert page.request().model_dump(exclude_defaults=True) == {"run": RUN_ID, "limit": 50, "few_shot": 2}
    with qtbot.waitSignal(page.evaluation_finished, timeout=20_000) as done:
        qtbot.mouseClick(page.eval_button, Qt.MouseButton.LeftButton)
    assert done.args[0]["examples"] == 3
    assert page.status.text() == "Scored 3 validation examples."
    cells = [[page.metrics.item(r, c).text() for c in range(4)] for r in range(page.metrics.rowCount())]
    assert cells == [["Exact match", "0.667", "0.000", "0.333"], ["ROUGE-L", "0.667", "0.500", "0.600"]]
    assert page.metrics.horizontalHeaderItem(3).text() == "Base 2-shot"
    assert page.metrics.item(0, 1).font().bold() and not page.metrics.item(0, 2).font().bold()
    assert page.headings[0].text() == "Tuned vs base on the same 7 validation examples"
    assert [page.best.item(r, 0).text() for r in range(page.best.rowCount())] == [f"Review {i}" for i in (0, 2, 3, 4, 5)]
    assert [page.worst.item(r, 0).text() for r in range(page.worst.rowCount())] == ["Review 1", "Review 6"]
    assert page.worst.item(0, 2).text() == "negative"
    assert page.worst.item(0, 3).text() == "The sentiment is positive."


def test_the_options_are_the_eval_requests_fields_and_are_checked_as_they_are_edited(page):
    limit, shots = page.options.editor("limit"), page.options.editor("few_shot")
    assert page.options.labels["limit"].text() == "Examples" and limit.inner.specialValueText() == "all"
    assert limit.toolTip().startswith("Score only the first N")
    assert page.options.editor("split").inner.count() == 2 and page.options.editor("base").value() is True
    limit.inner.setValue(limit.inner.minimum())
    assert page.request().limit is None  # "all"
    page.options.editor("base").inner.setChecked(False)  # few-shot scores the base model: refused, and said why
    assert "few-shot" in page.options.error.text().lower() and not page.eval_button.isEnabled()
    shots.inner.setValue(0)
    assert not page.options.error.isVisible() and page.eval_button.isEnabled()
    assert page.request().model_dump(exclude_defaults=True) == {"run": RUN_ID, "base": False}


def test_a_run_without_evaluations_says_so(page):
    assert page.runs.value() == RUN_ID  # shown as the page opens on it
    assert page.status.text() == "Not evaluated yet." and page.best.rowCount() == 0


def test_a_classifier_shows_its_confusion_matrix_beside_the_majority_class(page):
    store = Store(reap=False)
    store.create_run("20260101-000001-cls", name="Topics", config_yaml=demo_config().to_yaml(), model="demo",
                     method="lora", stage="cls", status="completed")
    confusion = {"labels": ["bad", "good"], "columns": ["bad", "good"], "matrix": [[2, 1], [0, 3]]}
    texts = [("the fig is bad", "bad", "bad (0.91)", 0.91), ("the kiwi is bad", "bad", "good (0.62)", 0.38),
             ("the lime is good", "good", "good (0.97)", 0.97)]
    store.add_evaluation("20260101-000001-cls", model="tuned", shots=0, split="validation",
                         metrics={"examples": 6, "accuracy": 5 / 6, "f1": 0.82, "confusion": confusion},
                         predictions=[{"idx": i, "prompt": t, "reference": r, "prediction": p, "score": s}
                                      for i, (t, r, p, s) in enumerate(texts)])
    store.add_evaluation("20260101-000001-cls", model="majority", shots=0, split="validation",
                         metrics={"examples": 6, "accuracy": 0.5, "f1": 0.33, "about": "The baseline predicts 'good'."},
                         predictions=[{"idx": i, "prompt": t, "reference": r, "prediction": "good",
                                       "score": float(r == "good")} for i, (t, r, _p, _s) in enumerate(texts)])
    page.runs.refresh()
    page.runs.setCurrentIndex(page.runs.findData("20260101-000001-cls"))

    assert page.confusion_box.isVisible() and page.about.text() == "The baseline predicts 'good'."
    matrix = page.confusion
    assert [matrix.verticalHeaderItem(r).text() for r in range(2)] == ["bad", "good"]
    assert [matrix.horizontalHeaderItem(c).text() for c in range(2)] == ["→ bad", "→ good"]
    assert [[matrix.item(r, c).text() for c in range(2)] for r in range(2)] == [["2", "1"], ["0", "3"]]
    assert "1 of 3 'bad' texts predicted 'good' (33%)" == matrix.item(0, 1).toolTip()
    assert page.metrics.horizontalHeaderItem(2).text() == "Majority class" and page.metrics.isColumnHidden(3)
    assert [page.metrics.item(r, 0).text() for r in range(page.metrics.rowCount())] == ["Accuracy", "F1 (macro)"]
    assert page.headings[0].text() == "Tuned vs the majority class on the same 3 validation examples"
    assert page.best.horizontalHeaderItem(2).text() == "Tuned prediction (probability)"
    assert page.best.item(2, 0).text() == "the kiwi is bad" and page.best.item(2, 3).text() == "good"
    assert not page.options.editor("few_shot").isEnabled() and page.request().few_shot == 0

    page.runs.setCurrentIndex(page.runs.findData(RUN_ID))  # back to the sft run: no matrix, few-shot on
    assert not page.confusion_box.isVisible() and page.options.editor("few_shot").isEnabled()
    assert not page.about.isVisible()


def test_the_bar_is_busy_while_the_models_load_and_counts_while_scoring(page):
    page._set_running(True)
    page._phase({"event": "phase", "name": "eval", "message": "Loading the tuned model", "current": 0, "total": 0})
    assert (page.progress.minimum(), page.progress.maximum()) == (0, 0)  # busy, not an empty bar at 0 %
    assert page.status.text() == "Loading the tuned model"
    page._phase({"event": "phase", "name": "eval", "message": "Generating: tuned model", "current": 2, "total": 8})
    assert (page.progress.maximum(), page.progress.value()) == (8, 2)
    page._set_running(False)
