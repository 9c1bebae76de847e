"""The Hyperparameters step shows the settings chosen from the data and why, each can be made the user's and given
back; Find good settings shows the trials as they end and takes the best; the doctor warns about a validation split
that cannot show memorisation (issue #23)."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from studio_fakes import active_window, fake_models  # noqa: F401

from app.core.auto_settings import DataProfile
from app.core.config import parse_config
from app.core.data.inspection import inspect_file
from app.core.models import ModelInfo
from app.ui.settings import open_settings
from app.ui.state import StudioState
from app.ui.steps.data_doctor import DoctorPanel
from app.ui.steps.hyperparameters import HyperparametersStep
from app.ui.widgets.tune_dialog import TuneDialog


@pytest.fixture
def state(tmp_path):
    return StudioState(parse_config({"model": {"source": "demo"}, "data": {"train": str(tmp_path / "d.jsonl")},
                                     "training": {"batch_size": 8}}))


@pytest.fixture
def page(qtbot, state, tmp_path, monkeypatch):
    """The step with the rows' profile answered at once: 160 training rows, the longest 81 tokens, a 135M model."""
    monkeypatch.setattr("app.ui.widgets.auto_settings.profile_work",
                        lambda config: lambda progress, stop: DataProfile(160, [70] * 159 + [81]))
    step = HyperparametersStep(state, open_settings(tmp_path / "gui.ini"))
    qtbot.addWidget(step)
    step.show()
    step.begin()
    assert "once the model is read" in step.auto.status.text()  # nothing measured before the model is known
    state.set_model_info(ModelInfo(
        source="demo", kind="demo", name="demo", architecture="LlamaForCausalLM", model_type="llama",
        num_parameters=135_000_000, num_layers=30, hidden_size=576, intermediate_size=1536, num_attention_heads=9,
        num_key_value_heads=3, vocab_size=49152, context_length=8192, tie_word_embeddings=True,
        has_chat_template=True, path=None))
    qtbot.waitUntil(lambda: "160 training rows" in step.auto.status.text(), timeout=10000)
    yield step
    step.shutdown()


def test_the_step_shows_each_chosen_setting_and_why(page):
    panel = page.auto
    assert all(tick.isChecked() for tick in panel.ticks.values())
    assert panel.values["epochs"].text() == "auto: 4" and "600 examples" in panel.reasons["epochs"].text()
    assert panel.values["max_length"].text() == "auto: 96" and "81 tokens" in panel.reasons["max_length"].text()
    assert panel.values["rank"].text() == "auto: 8" and panel.values["dropout"].text() == "auto: 0.1"
    epochs = page.form.editor("training", "epochs")
    assert not epochs.isEnabled() and epochs.value() == 4.0  # the form shows what the run will take
    assert page.form.editor("training", "max_length").value() == 96
    assert ("training", "auto") not in page.form.rows


def test_unticking_makes_the_shown_value_yours_and_ticking_gives_it_back(page, state, qtbot):
    qtbot.mouseClick(page.auto.ticks["epochs"], Qt.MouseButton.LeftButton)
    assert "epochs" not in state.config.training.auto and state.config.training.epochs == 4.0
    assert page.auto.values["epochs"].text() == "yours: 4" and page.form.editor("training", "epochs").isEnabled()
    page.form.editor("training", "epochs").inner.setValue(2.0)
    assert state.config.training.epochs == 2.0 and page.auto.reasons["epochs"].text() == "rule: 4"
    page.form.editor("training", "learning_rate").inner.setValue(1e-3)  # an edit in the form is the user's too
    assert state.config.training.auto == ["warmup_ratio", "max_length"]
    assert not page.auto.ticks["learning_rate"].isChecked()
    qtbot.mouseClick(page.auto.ticks["epochs"], Qt.MouseButton.LeftButton)
    assert state.config.training.auto == ["epochs", "warmup_ratio", "max_length"]
    assert not page.form.editor("training", "epochs").isEnabled()


def test_the_memory_estimate_plans_with_the_length_and_rank_chosen_from_the_rows(page, state):
    """Before the rows are measured the planner can only take the fields' values (512 tokens, rank 16); once they
    are, the Hyperparameters step's estimate (and the per-device one of several processes) is the run's: 96 tokens,
    the longest row (81) rounded up, at rank 8 with dropout 0.1."""
    from app.core.distributed.strategies import strategy_memory
    from app.core.hardware import planned_memory
    from app.ui.widgets.memory import gib

    def total(config):  # what the run will report: the heap's term and the exports' checks counted
        return planned_memory(config, state.model_info, state.device())[1]["total"]

    planned = state.planned_config()
    t, m = planned.training, planned.method
    assert (t.max_length, m.rank, m.alpha, m.dropout) == (96, 8, 16.0, 0.1)
    assert (state.config.training.max_length, state.config.method.rank) == (512, 16)  # the fields keep theirs
    chosen, fields = total(planned), total(state.config)
    assert gib(chosen) != gib(fields)
    headline = page.memory.headline.text()
    assert f"<b>{gib(chosen)}</b>" in headline and "batch 8 × 96 tokens" in headline
    state.update("distributed", processes=2)
    ddp = strategy_memory(state.model_info, state.planned_config(), state.device())["ddp"]["total"]
    assert f"ddp {ddp / 1024**3:.1f}" in page.devices.plan.text()
    state.update("training", max_length=256)  # the user's length now; the rank is still the rule's
    assert state.planned_config().training.max_length == 256 and state.planned_config().method.rank == 8
    assert "batch 8 × 256 tokens" in page.memory.headline.text()
    state.set_chosen({})  # the data changed: nothing measured yet, so the fields' values
    assert f"<b>{gib(total(state.config))}</b>" in page.memory.headline.text()


def test_find_good_settings_lists_trials_and_takes_the_best(qtbot, state):
    dialog = TuneDialog(state)
    qtbot.addWidget(dialog)
    assert not dialog.use_button.isEnabled()
    texts = [label.text() for label in dialog.findChildren(QLabel)]  # the pick's margin (tune.MARGIN_ROWS) is said
    assert any("only when it leads them by more than 1 validation row:" in t for t in texts), texts
    dialog.add_trial({"number": 0, "state": "completed", "value": 0.8, "minutes": 3.0, "best": 0,
                      "params": {"learning_rate": 2e-4, "epochs": 4.0, "rank": 8, "dropout": 0.1}})
    dialog.add_trial({"number": 1, "state": "pruned", "value": None, "minutes": 1.0, "best": 0,
                      "params": {"learning_rate": 9e-4, "epochs": 2.0, "rank": 32, "dropout": 0.0}})
    dialog.add_trial({"number": 2, "state": "completed", "value": 0.9, "minutes": 3.5, "best": 2,
                      "params": {"learning_rate": 3e-4, "epochs": 5.0, "rank": 4, "dropout": 0.15}})
    assert dialog.table.rowCount() == 3 and dialog.table.item(0, 1).text() == "scored (defaults)"
    assert dialog.table.item(1, 1).text() == "pruned early" and dialog.table.item(1, 2).text() == "—"
    assert dialog.table.item(2, 0).font().bold() and not dialog.table.item(0, 0).font().bold()
    dialog.use_button.click()
    t, m = state.config.training, state.config.method
    assert (t.learning_rate, t.epochs, m.rank, m.alpha, m.dropout) == (3e-4, 5.0, 4, 8.0, 0.15)
    assert t.auto == ["warmup_ratio", "max_length"] and m.auto == []


def test_find_good_settings_trains_the_best_on_every_row_and_names_that_run(qtbot, state):
    """The refit is on unless unticked (it is what beat the default run on the bench tasks), and the window's last
    line names the run it trained."""
    dialog = TuneDialog(state)
    qtbot.addWidget(dialog)
    assert dialog.refit.isChecked()
    dialog.add_trial({"number": 0, "state": "completed", "value": 0.8, "minutes": 3.0, "best": 0,
                      "params": {"learning_rate": 2e-4, "epochs": 4.0, "rank": 8, "dropout": 0.1}})
    dialog._result({"data": {"refit_run_id": "20261206-0000-ab12", "refit_run_name": "orders · tune-1 best, all rows"}})
    dialog._finished({"status": "completed"})
    assert dialog.status.text() == ("Done: 1 trial. The best settings trained on every row: run “orders · tune-1 "
                                    "best, all rows” in Runs, the one to export or chat with.")
    dialog.result = None
    dialog._finished({"status": "completed"})
    assert dialog.status.text() == "Done: 1 trial."


def test_the_doctor_warns_when_validation_rows_bring_nothing_new(qtbot, tmp_path):
    rows = [{"messages": [{"role": "user", "content": f"Send {n} chairs to {city}."},
                          {"role": "assistant", "content": city}]} for n in range(2, 8) for city in
            ("Lyon", "Porto", "Leeds", "Graz", "Turku")]
    path = tmp_path / "orders.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    panel = DoctorPanel()
    qtbot.addWidget(panel)
    panel.show_report(inspect_file(path, validation_split=0.2))
    assert panel.findings["overlap"].text().startswith("⚠ 6 of 6 validation rows")
    assert panel.buttons["overlap"].isEnabled()
    with qtbot.waitSignal(panel.holdout_requested, timeout=1000):
        panel.buttons["overlap"].click()
    panel.show_report(inspect_file(path, validation_split=0.0))
    assert panel.findings["overlap"].text() == "Validation rows: none held out"
    assert not panel.buttons["overlap"].isEnabled()


@pytest.mark.usefixtures("fake_models")
def test_the_rows_are_measured_when_the_step_is_first_seen_not_at_start_up(qtbot, tmp_path):
    """A window that opens on another step starts no tokenizer load: closing it soon after leaves no thread running
    (Qt aborts a process whose QThread outlives it), and a start-up costs no transformers import."""
    window = active_window(qtbot, tmp_path, (1024, 640))
    window.show_page("data")
    step = window.steps["hyperparameters"]
    qtbot.wait(200)
    assert not step.auto.active and not step.tasks.is_running("profile")
    window.show_page("hyperparameters")
    assert step.auto.active


def test_find_good_settings_runs_the_search_in_a_worker_and_hands_over_the_refit(qtbot, tiny_model_dir, tmp_path):
    """The window's search end to end: `tune --request` in a worker process on the tiny model, two trials listed as
    they end, then the refit (on by default) trained on every row and named in the last line."""
    from app.core.store import Store

    rows = tmp_path / "chat.jsonl"
    rows.write_text("".join(json.dumps({"messages": [{"role": "user", "content": f"Say {w}"},
                                                     {"role": "assistant", "content": w}]}) + "\n"
                            for w in ("red", "green", "blue", "grey") * 4))
    state = StudioState(parse_config({"name": "words", "model": {"source": str(tiny_model_dir)},
                                      "data": {"train": str(rows), "validation_split": 0.25},
                                      "training": {"batch_size": 4, "max_steps": 2},
                                      "evaluation": {"sample_prompts": []}, "export": {"merged": False}}))
    dialog = TuneDialog(state)
    qtbot.addWidget(dialog)
    dialog.trials.setValue(2)
    with qtbot.waitSignal(dialog.process.run_finished, timeout=240_000) as finished:
        dialog.start()
    assert finished.args[0]["status"] == "completed", finished.args[0]
    assert dialog.table.rowCount() == 2 and dialog.table.item(0, 1).text() == "scored (defaults)"
    refit = Store().get_run(dialog.result["refit_run_id"])
    assert refit["status"] == "completed" and refit["name"] == dialog.result["refit_run_name"]
    assert "validation_split: 0.0" in refit["config"]
    assert f"run “{refit['name']}” in Runs" in dialog.status.text()
