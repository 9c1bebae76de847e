"""The Runs page over a store filled with runs: table, search, status filter, sort, detail, rename, delete, clone."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QMessageBox

from app.core.config import RunConfig
from app.core.paths import run_dir
from app.core.store import Store
from app.ui.pages.runs import RunsPage
from app.ui.widgets.runs_table import RUN_ID_ROLE


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / "runs.db", reap=False)
    config = RunConfig(name="x", data={"train": "train.jsonl"}).to_yaml()
    for i, (name, status, method, loss) in enumerate((
            ("alpha-lora", "completed", "lora", 0.61), ("beta-qlora", "failed", "qlora", None),
            ("gamma-full", "cancelled", "full", 0.9), ("alpha-dora", "completed", "dora", 0.42))):
        run_id = f"20260101-00000{i}-abcd"
        run_dir(run_id).mkdir(parents=True, exist_ok=True)
        store.create_run(run_id, name=name, config_yaml=config, model="demo", method=method, stage="sft",
                         started=1_767_225_600 + i * 3600, pid=0)
        store.update_run(run_id, status=status, finished=1_767_225_600 + i * 3600 + 60 * (i + 1), final_loss=loss,
                         error="CUDA out of memory" if status == "failed" else None, hint="Lower the batch size.")
        store.add_metrics(run_id, 1, {"loss": 2.0, "learning_rate": 1e-4})
        store.add_metrics(run_id, 2, {"loss": 1.5, "learning_rate": 1e-4})
        store.add_artifact(run_id, "adapter", run_dir(run_id))
    for step, answers in ((10, ("Neptune.", "Hi")), (20, ("Jupiter.", "Hello, I am Quill."))):
        for prompt, answer in zip(("Largest planet?", "Who are you?"), answers, strict=True):
            store.add_sample("20260101-000003-abcd", step, prompt, answer)
    return store


def names(page: RunsPage) -> list[str]:
    return [page.proxy.index(r, 0).data() for r in range(page.proxy.rowCount())]


def test_table_lists_runs_newest_first_with_their_columns(qtbot, store):
    page = RunsPage(store=store)
    qtbot.addWidget(page)
    assert names(page) == ["alpha-dora", "gamma-full", "beta-qlora", "alpha-lora"]
    row = [page.proxy.index(0, c).data() for c in range(7)]
    assert row[2] == "4:00" and row[3:] == ["demo", "dora", "completed", "0.4200"]
    page.table.sortByColumn(6, Qt.SortOrder.AscendingOrder)  # final loss, numerically; no loss sorts last
    assert names(page) == ["alpha-dora", "alpha-lora", "gamma-full", "beta-qlora"]


def test_search_and_status_filter(qtbot, store):
    page = RunsPage(store=store)
    qtbot.addWidget(page)
    qtbot.keyClicks(page.search, "alpha")
    assert sorted(names(page)) == ["alpha-dora", "alpha-lora"]
    page.search.clear()
    qtbot.keyClicks(page.search, "QLORA")  # the method, case-insensitive
    assert names(page) == ["beta-qlora"]
    page.search.clear()
    page.status_filter.setCurrentIndex(page.status_filter.findData("completed"))
    assert sorted(names(page)) == ["alpha-dora", "alpha-lora"]


def test_selecting_a_run_shows_curves_config_artifacts_and_its_error(qtbot, store):
    page = RunsPage(store=store)
    qtbot.addWidget(page)
    page.show()
    assert page.select_run("20260101-000001-abcd")
    detail = page.detail
    assert detail.title.text() == "beta-qlora"
    assert detail.plots.point_count("loss") == 2 and detail.plots.point_count("learning_rate") == 2
    assert "train.jsonl" in detail.config_view.toPlainText()
    assert detail.artifacts.rowCount() == 1 and detail.artifacts.item(0, 0).text() == "adapter"
    assert detail.error_box.isVisible() and "out of memory" in detail.error_box.error.text()
    assert detail.buttons["resume"].isEnabled()
    assert detail.samples.rowCount() == 0
    page.select_run("20260101-000003-abcd")
    assert not detail.buttons["resume"].isEnabled() and not detail.error_box.isVisible()
    timeline = detail.samples  # one row per checkpoint, one column per prompt
    assert [timeline.verticalHeaderItem(r).text() for r in range(2)] == ["step 10", "step 20"]
    assert [timeline.horizontalHeaderItem(c).text() for c in range(2)] == ["Largest planet?", "Who are you?"]
    assert timeline.item(1, 0).text() == "Jupiter." and timeline.item(0, 1).text() == "Hi"
    assert detail.tabs.tabText(detail.tabs.indexOf(timeline)) == "Samples (4)"


def test_rename_through_the_dialog(qtbot, store, monkeypatch):
    page = RunsPage(store=store)
    qtbot.addWidget(page)
    page.select_run("20260101-000000-abcd")
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("  renamed-run ", True))
    page.detail.buttons["rename"].click()
    assert store.get_run("20260101-000000-abcd")["name"] == "renamed-run"
    assert "renamed-run" in names(page)
    assert page.selected_run_id() == "20260101-000000-abcd"


def test_delete_asks_then_removes_the_row_and_the_folder(qtbot, store, monkeypatch):
    page = RunsPage(store=store)
    qtbot.addWidget(page)
    run_id = "20260101-000002-abcd"
    page.select_run(run_id)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Cancel)
    page.detail.buttons["delete"].click()
    assert "gamma-full" in names(page) and run_dir(run_id).exists()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    page.detail.buttons["delete"].click()
    assert "gamma-full" not in names(page)
    assert not run_dir(run_id).exists()
    assert [r["id"] for r in store.list_runs()].count(run_id) == 0


def test_clone_and_resume_emit_the_config_and_the_run_id(qtbot, store):
    page = RunsPage(store=store)
    qtbot.addWidget(page)
    page.select_run("20260101-000002-abcd")
    with qtbot.waitSignal(page.clone_requested, timeout=1000) as clone:
        page.detail.buttons["clone"].click()
    assert isinstance(clone.args[0], RunConfig) and clone.args[0].data.train == "train.jsonl"
    with qtbot.waitSignal(page.resume_requested, timeout=1000) as resume:
        page.detail.buttons["resume"].click()
    assert resume.args == ["20260101-000002-abcd"]


def test_a_cancelled_ppo_run_offers_no_resume_and_says_why(qtbot, store):
    store.create_run("20260103-000000-0ppo", name="ppo-stopped", config_yaml="", model="demo", method="lora",
                     stage="ppo", pid=0)
    store.update_run("20260103-000000-0ppo", status="cancelled")
    page = RunsPage(store=store)
    qtbot.addWidget(page)
    page.select_run("20260103-000000-0ppo")
    resume = page.detail.buttons["resume"]
    assert not resume.isEnabled() and "cannot be continued" in resume.toolTip()
    page.select_run("20260101-000002-abcd")  # a cancelled or failed sft run still can
    assert page.detail.buttons["resume"].toolTip() == "Continue from its last checkpoint"


def test_refresh_sees_runs_written_by_another_connection(qtbot, store, tmp_path):
    page = RunsPage(store=store)
    qtbot.addWidget(page)
    other = Store(tmp_path / "runs.db", reap=False)  # a worker process writes through its own connection
    other.create_run("20260102-000000-ffff", name="from-worker", config_yaml="", model="demo", method="lora",
                     stage="sft", pid=0)
    page.refresh()
    assert "from-worker" in names(page)
    ids = [page.proxy.index(r, 0).data(RUN_ID_ROLE) for r in range(page.proxy.rowCount())]
    assert "20260102-000000-ffff" in ids


def test_a_rejected_run_shows_why_and_is_resumable_only_when_it_had_trained(qtbot, store):
    config = RunConfig(name="x", data={"train": "train.jsonl"}).to_yaml()
    for run_id, steps in (("20260102-000000-rjct", None), ("20260102-000001-rjct", 40)):
        store.create_run(run_id, name=run_id, config_yaml=config, model="demo", method="lora", stage="sft", pid=0)
        store.update_run(run_id, status="rejected", last_step=steps, error="data.jsonl:4: nested more than 100 "
                         "levels deep", hint="Fix or remove these rows.")
    page = RunsPage(store=store)
    qtbot.addWidget(page)
    page.show()
    page.status_filter.setCurrentIndex(page.status_filter.findData("rejected"))
    assert sorted(names(page)) == ["20260102-000000-rjct", "20260102-000001-rjct"]
    assert page.select_run("20260102-000000-rjct")
    detail = page.detail
    assert detail.error_box.isVisible() and "refused before training" in detail.error_box.title.text()
    assert "data.jsonl:4" in detail.error_box.error.text()
    assert not detail.buttons["resume"].isEnabled()  # nothing trained: nothing to resume
    page.select_run("20260102-000001-rjct")  # a resume whose data was refused: resumable once it is fixed
    assert detail.buttons["resume"].isEnabled()
