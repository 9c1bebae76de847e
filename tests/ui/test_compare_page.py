"""The Compare page: checked runs → one curve per run per metric, a metrics column per run, the config diff."""

from __future__ import annotations

import pytest
import yaml

from app.core.config import demo_config
from app.core.runs.compare import METRICS
from app.core.store import Store
from app.ui.pages.compare import SUMMARY_ROWS, ComparePage


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / "store.db", reap=False)
    base = demo_config()
    configs = {
        "alpha": base,
        "beta": base.model_copy(update={"training": base.training.model_copy(update={"learning_rate": 1e-3})}),
        "gamma": base.model_copy(update={"method": base.method.model_copy(update={"rank": 64})}),
    }
    for i, (name, config) in enumerate(configs.items()):
        run_id = f"2025010{i}-000000-000{i}"
        config = config.model_copy(update={"name": name})
        store.create_run(run_id, name=name, config_yaml=config.to_yaml(), model="demo", method="lora", stage="sft",
                         started=1000.0, finished=1000.0 + 60 * (i + 1), last_step=20, trainable_params=1000 * (i + 1))
        for step in range(1, 21):
            metrics = {"loss": 3.0 - step * 0.1 * (i + 1), "learning_rate": 2e-4, "tokens_per_second": 100.0 + i}
            if step % 5 == 0:
                metrics["eval_loss"] = 3.0 - step * 0.05 * (i + 1) + (0.5 if step == 20 else 0.0)
            store.add_metrics(run_id, step, metrics)
        store.update_run(run_id, status="completed", final_loss=3.0 - 2.0 * (i + 1))
    return store


def _ids(store):
    return {run["name"]: run["id"] for run in store.list_runs()}


def test_two_checked_runs_are_overlaid_summarised_and_diffed(qtbot, store):
    page = ComparePage(store=store)
    qtbot.addWidget(page)
    assert page.model.rowCount() == 3 and page.checked_run_ids() == []
    ids = _ids(store)
    page.set_runs([ids["alpha"], ids["beta"]])
    for metric in METRICS:
        assert set(page.plots.curves[metric]) == {ids["alpha"], ids["beta"]}, metric
    assert len(page.plots.curves["loss"][ids["alpha"]].xData) == 20
    # summary: a row per metric, a column per run (after the metric names)
    assert page.summary.columnCount() == 3 and page.summary.rowCount() == len(SUMMARY_ROWS)
    column = {SUMMARY_ROWS[r]: page.summary.item(r, 2).text() for r in range(len(SUMMARY_ROWS))}
    assert column["Best eval loss"] == f"{3.0 - 15 * 0.1:.4f}" and column["Best at step"] == "15"
    assert column["Steps"] == "20" and column["Duration"] == "2:00" and column["Trainable params"] == "2,000"
    # diff: only the fields that differ (name and learning rate), one column per run
    fields = {page.diff.item(r, 0).text(): [page.diff.item(r, c).text() for c in (1, 2)]
              for r in range(page.diff.rowCount())}
    assert fields == {"name": ["alpha", "beta"], "training.learning_rate": ["0.0002", "0.001"]}
    assert "2 fields" in page.diff_title.text()


def test_checking_in_the_list_updates_the_comparison(qtbot, store):
    from PySide6.QtCore import Qt

    page = ComparePage(store=store)
    qtbot.addWidget(page)
    for row in range(page.proxy.rowCount()):
        page.proxy.setData(page.proxy.index(row, 0), Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    qtbot.waitUntil(lambda: len(page.plots.curves["loss"]) == 3, timeout=2000)
    fields = {page.diff.item(r, 0).text() for r in range(page.diff.rowCount())}
    assert fields == {"name", "training.learning_rate", "method.rank"}
    page.search.setText("gam")
    assert page.proxy.rowCount() == 1  # filtered like the Runs page; checks stay
    page.clear_button.click()
    assert page.checked_run_ids() == [] and page.diff.rowCount() == 0
    assert all(not curves for curves in page.plots.curves.values())


def test_runs_page_compares_the_selected_rows(qtbot, store):
    from PySide6.QtCore import QItemSelectionModel

    from app.ui.pages.runs import RunsPage

    page = RunsPage(store=store)
    qtbot.addWidget(page)
    assert not page.compare_button.isEnabled()
    selection = page.table.selectionModel()
    for row in (0, 2):
        selection.select(page.proxy.index(row, 0), QItemSelectionModel.SelectionFlag.Select
                         | QItemSelectionModel.SelectionFlag.Rows)
    assert page.compare_button.isEnabled()
    with qtbot.waitSignal(page.compare_requested, timeout=1000) as blocker:
        page.compare_button.click()
    assert len(blocker.args[0]) == 2 and set(blocker.args[0]) <= set(_ids(store).values())
    assert yaml.safe_load(store.get_run(blocker.args[0][0])["config"])["name"]


def test_a_run_that_ends_while_shown_or_hidden_is_shown_as_it_is_now(qtbot, store):
    ids = _ids(store)
    live = ids["alpha"]
    store.db["metrics"].delete_where("run_id = ? AND step > 3", [live])
    store.update_run(live, status="running", finished=None, last_step=3)
    page = ComparePage(store=store)
    qtbot.addWidget(page)
    page.show()
    page.set_runs([live, ids["beta"]])
    column = SUMMARY_ROWS.index("Status")
    assert page.summary.item(column, 1).text() == "running"
    assert list(page.plots.curves["loss"][live].xData) == [1, 2, 3]
    assert page._auto.isActive()  # polls while shown

    for step in range(4, 21):  # the run trains on, then ends
        store.add_metrics(live, step, {"loss": 1.0, "learning_rate": 2e-4, "tokens_per_second": 100.0})
    store.update_run(live, status="completed", finished=1100.0, last_step=20)
    page._auto.timeout.emit()  # the next poll
    assert page.summary.item(column, 1).text() == "completed"
    assert list(page.plots.curves["loss"][live].xData) == list(range(1, 21))  # every step, the first ones included
    status = page.model.index(page.model.runs.index(store.get_run(live)), 5).data()
    assert status == "completed"

    page.hide()
    assert not page._auto.isActive()
    store.update_run(ids["beta"], name="beta-renamed")
    page.show()  # shown again: read again
    assert "beta-renamed" in [page.summary.horizontalHeaderItem(c).text() for c in range(page.summary.columnCount())]
