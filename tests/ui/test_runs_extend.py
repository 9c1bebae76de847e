"""Runs page → Extend…: a completed run gets an extension run (its final checkpoint copied, stopped there) that the
Train page resumes; other runs cannot be extended."""

from __future__ import annotations

import json

from PySide6.QtWidgets import QInputDialog

from app.core.config import RunConfig
from app.core.paths import run_dir
from app.core.store import Store
from app.ui.pages.runs import RunsPage


def test_extend_creates_a_resumable_run_from_the_final_checkpoint(qtbot, tmp_path, monkeypatch):
    store = Store(tmp_path / "runs.db", reap=False)
    config = RunConfig(name="base", data={"train": "train.jsonl"}, training={"epochs": 2}).to_yaml()
    for run_id, status in (("20260101-000000-done", "completed"), ("20260101-000001-stop", "cancelled")):
        store.create_run(run_id, name=status, config_yaml=config, model="demo", method="lora", stage="sft", pid=0)
        store.update_run(run_id, status=status)
        checkpoint = run_dir(run_id) / "checkpoints" / "checkpoint-6"
        checkpoint.mkdir(parents=True)
        (checkpoint / "adapter_model.safetensors").write_bytes(b"")  # a whole checkpoint: weights, trainer state
        (checkpoint / "trainer_state.json").write_text(json.dumps({"global_step": 6, "epoch": 2.0}))
        store.add_metrics(run_id, 6, {"loss": 0.5})
    page = RunsPage(store=store)
    qtbot.addWidget(page)
    page.select_run("20260101-000001-stop")
    assert not page.detail.buttons["extend"].isEnabled()
    page.select_run("20260101-000000-done")
    assert page.detail.buttons["extend"].isEnabled()
    monkeypatch.setattr(QInputDialog, "getDouble", lambda *a, **k: (1.5, True))
    with qtbot.waitSignal(page.resume_requested) as requested:
        page.detail.buttons["extend"].click()
    new = store.get_run(requested.args[0])
    assert new["status"] == "cancelled" and new["resumed_from"] == "20260101-000000-done"
    assert new["name"] == "base +1.5 epochs" and "epochs: 3.5" in new["config"]
    assert (run_dir(new["id"]) / "checkpoints" / "checkpoint-6" / "trainer_state.json").is_file()
    assert store.metric_series(new["id"]) == {"loss": [(6, 0.5)]}
