"""The memory estimate box: what "auto" gradient checkpointing will choose, and the time per step once the device's
throughput is cached (the GUI never measures it: that imports torch)."""

from __future__ import annotations

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
    assert "with gradient checkpointing (auto)" in box.headline.text()  # 4 GiB free: fits only with it
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
    assert "Changes Gradient checkpointing = on" in tips  # the field's title and its combo box's word, not "True"
    assert "Changes Batch size = 4, Gradient accumulation = 2" in tips
    box.fix_buttons[tips.index("Changes Gradient checkpointing = on")].click()
    assert state.config.training.gradient_checkpointing is True
