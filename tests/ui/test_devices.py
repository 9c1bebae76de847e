"""The Hyperparameters step's Devices row (issue #15): GPUs picked from the detected ones, a usable row without any,
and the planner's per-device memory under each strategy."""

from __future__ import annotations

import pytest
from studio_fakes import FAKE_INFO

from app.core.config import demo_config
from app.core.distributed.devices import Gpu
from app.core.hardware import DeviceInfo, GiB
from app.ui.settings import open_settings
from app.ui.state import StudioState
from app.ui.steps.hyperparameters import HyperparametersStep

H100 = 80 * GiB


def _page(qtbot, tmp_path, monkeypatch, gpus: list[Gpu]):
    monkeypatch.setattr("app.ui.widgets.devices.detect_gpus", lambda: gpus)
    state = StudioState(demo_config())
    page = HyperparametersStep(state, open_settings(tmp_path / "gui.ini"))
    qtbot.addWidget(page)
    page.show()
    return state, page


def test_without_a_gpu_the_row_says_so_and_processes_stay_editable(qtbot, tmp_path, monkeypatch):
    state, page = _page(qtbot, tmp_path, monkeypatch, [])
    picker = page.devices
    assert picker.isVisible() and "No GPU found on this machine" in picker.note.text()
    assert picker.all_box.isChecked() and not picker.all_box.isEnabled() and picker.detect_button.isEnabled()
    assert picker.gpu_boxes == []
    page.form.editor("distributed", "processes").inner.setValue(2)
    assert state.config.distributed.processes == 2 and state.config.distributed.devices == "all"
    monkeypatch.setattr("app.ui.widgets.devices.detect_gpus", lambda: [Gpu(0, "NVIDIA H100", H100)])
    picker.detect_button.click()  # a GPU that appeared since (a driver loaded): listed on asking again
    assert [box.text() for box in picker.gpu_boxes] == ["GPU 0 · NVIDIA H100 · 80 GiB"]


def test_picking_gpus_sets_devices_and_one_process_each(qtbot, tmp_path, monkeypatch):
    state, page = _page(qtbot, tmp_path, monkeypatch, [Gpu(i, "NVIDIA H100", H100) for i in range(4)])
    picker = page.devices
    assert "4 GPU(s) found" in picker.note.text() and picker.all_box.isEnabled()
    picker.gpu_boxes[1].click()
    assert (state.config.distributed.devices, state.config.distributed.processes) == ([1], 1)
    picker.gpu_boxes[3].click()
    assert (state.config.distributed.devices, state.config.distributed.processes) == ([1, 3], 2)
    assert not picker.all_box.isChecked() and picker.gpu_boxes[3].isChecked()
    picker.all_box.click()
    assert state.config.distributed.devices == "all" and not any(b.isChecked() for b in picker.gpu_boxes)
    picker.all_box.click()  # "All" is left by picking GPUs, not by unchecking it
    assert picker.all_box.isChecked() and state.config.distributed.devices == "all"


@pytest.mark.parametrize(("processes", "shown"), [(1, False), (4, True)])
def test_several_processes_show_each_strategys_memory_per_device(qtbot, tmp_path, monkeypatch, processes, shown):
    state, page = _page(qtbot, tmp_path, monkeypatch, [Gpu(i, "NVIDIA H100", H100) for i in range(4)])
    monkeypatch.setattr(state, "device", lambda: DeviceInfo("cuda", "NVIDIA H100", H100, H100, True))
    state.set_model_info(FAKE_INFO)
    state.update("distributed", processes=processes)
    text = page.devices.plan.text()
    assert page.devices.plan.isVisible() == shown
    if shown:
        assert text.startswith("Memory per device (GiB): ddp ") and "ZeRO-2" in text and "FSDP" in text
        assert "80.0 GiB each. Fits: ddp, ZeRO-2, FSDP, ZeRO-3." in text
