"""The memory estimate box: what "auto" gradient checkpointing will choose, and the time per step once the device's
throughput is cached (the GUI never measures it: that imports torch)."""

from __future__ import annotations

import re

from studio_fakes import FAKE_INFO

from app.core import step_time
from app.core.config import demo_config
from app.core.hardware import DeviceInfo, GiB
from app.ui.state import StudioState
from app.ui.widgets.memory import MemoryEstimate


def test_the_estimate_names_the_auto_checkpointing_choice_and_the_time_per_step(qtbot, monkeypatch):
    state = StudioState(demo_config())
    device = DeviceInfo("cpu", "test CPU", 64 * GiB, 4 * GiB, False)
    monkeypatch.setattr(state, "device", lambda: device)
    state.update("training", batch_size=8, max_length=1024, gradient_checkpointing="auto", precision="fp32")
    state.set_model_info(FAKE_INFO)
    box = MemoryEstimate(state)
    qtbot.addWidget(box)
    # 4 GiB free: fits only with it, on some of the 30 layers (the fewest that leave the heap's slack)
    assert re.search(r"with gradient checkpointing on \d+ of 30 layers \(auto\)", box.headline.text())
    assert "once this device's speed is measured" in box.speed.text()
    monkeypatch.setattr(step_time, "cached_throughput", lambda device, precision: 50e9)
    device.available_memory = 500 * GiB
    state.update("training", batch_size=4)
    assert "without gradient checkpointing (auto)" in box.headline.text()
    assert "s for 4 × 1024 tokens at 50 GFLOP/s" in box.speed.text()


def test_a_ppo_estimate_shows_its_value_and_reward_models(qtbot, monkeypatch):
    state = StudioState(demo_config())
    monkeypatch.setattr(state, "device", lambda: DeviceInfo("cpu", "test CPU", 64 * GiB, 32 * GiB, False))
    state.set_model_info(FAKE_INFO)
    box = MemoryEstimate(state)
    qtbot.addWidget(box)
    assert "value + reward models" not in box.breakdown.text()
    state.update("stage", reward_model="rm-run")
    state.update("training", stage="ppo")
    assert "value + reward models" in box.breakdown.text()


def test_a_fix_button_names_the_settings_it_changes_as_the_form_shows_them(qtbot, monkeypatch):
    state = StudioState(demo_config())
    monkeypatch.setattr(state, "device", lambda: DeviceInfo("cpu", "test CPU", 64 * GiB, 1 * GiB // 4, False))
    state.update("training", batch_size=8, max_length=1024, gradient_checkpointing=False, precision="fp32")
    state.set_model_info(FAKE_INFO)
    box = MemoryEstimate(state)
    qtbot.addWidget(box)
    tips = [button.toolTip() for button in box.fix_buttons]
    # the field's title and its combo box's word, not "True"; an empty number of layers as its editor names it
    checkpointing = "Changes Gradient checkpointing = on, Checkpointed layers = all"
    assert checkpointing in tips
    assert "Changes Batch size = 4, Gradient accumulation = 2" in tips
    box.fix_buttons[tips.index(checkpointing)].click()
    assert state.config.training.gradient_checkpointing is True


def test_a_memory_budget_checkpoints_some_layers_and_is_named(qtbot, monkeypatch):
    """training.memory_limit_gb below the free memory: "auto" checkpoints the layers that budget needs, the bar
    measures against it, and the headline names it."""
    from app.core.hardware import estimate_memory

    state = StudioState(demo_config())
    monkeypatch.setattr(state, "device", lambda: DeviceInfo("cpu", "test CPU", 64 * GiB, 32 * GiB, False))
    state.update("training", batch_size=8, max_length=1024, gradient_checkpointing="auto", precision="fp32",
                 lean_memory=True)
    state.set_model_info(FAKE_INFO)
    box = MemoryEstimate(state)
    qtbot.addWidget(box)
    assert "without gradient checkpointing (auto)" in box.headline.text() and "budget" not in box.headline.text()
    t = state.config.training
    off, on = (estimate_memory(FAKE_INFO, state.config.method, t.model_copy(update={"gradient_checkpointing": c}),
                               "cpu")["total"] for c in (False, True))
    state.update("training", memory_limit_gb=round((off + on) / 2 / GiB, 1))
    assert re.search(r"with gradient checkpointing on \d+ of 30 layers \(auto\)", box.headline.text())
    assert f"The run's memory budget is {(off + on) / 2 / GiB:.1f}" in box.headline.text()
    assert box.bar.format().endswith("of the memory budget") and box.headline.text().startswith("Fits")


def test_the_hyperparameters_step_shows_the_layers_auto_checkpointing_chooses(qtbot, monkeypatch, tmp_path):
    """Checkpointed layers is read-only under "auto" and reads the planner's choice for the budget, without writing
    it into the config; with checkpointing set by hand it is the user's again ("all" when empty)."""
    from app.ui.settings import open_settings
    from app.ui.steps.hyperparameters import HyperparametersStep

    monkeypatch.setattr("app.ui.widgets.auto_settings.profile_work", lambda config: lambda progress, stop: None)
    state = StudioState(demo_config())
    monkeypatch.setattr(state, "device", lambda: DeviceInfo("cpu", "test CPU", 64 * GiB, 32 * GiB, False))
    state.update("training", batch_size=4, max_length=256, precision="bf16", gradient_checkpointing="auto")
    step = HyperparametersStep(state, open_settings(tmp_path / "gui.ini"))
    qtbot.addWidget(step)
    editor = step.form.editor("training", "checkpoint_layers")
    assert not editor.isEnabled() and editor.inner.text() == "auto"  # the model not read yet
    state.set_model_info(FAKE_INFO)
    assert editor.inner.text() == "auto: off"  # 32 GiB free
    state.update("training", memory_limit_gb=1.6)
    assert re.fullmatch(r"auto: \d+ of 30", editor.inner.text()) and not editor.isEnabled()
    assert step.memory.checkpointed[0] == int(editor.inner.text().split()[1])
    assert state.config.training.checkpoint_layers is None
    state.update("training", gradient_checkpointing=True)
    assert editor.isEnabled() and editor.inner.text() == "all"
    editor.inner.setValue(12)
    assert state.config.training.checkpoint_layers == 12 and "on 12 of 30 layers" in step.memory.headline.text()
