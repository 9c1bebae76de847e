"""What precision a run computes in, on every kind of device (faked where this machine has none: consumer NVIDIA
GPUs with and without bf16, Apple's mps, AMD through ROCm), and the installer's choice of torch build."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from app.core import hardware
from app.core.config import parse_config
from app.core.errors import ConfigError
from app.core.events import ListSink
from app.core.hardware import DeviceInfo, auto_precision, estimate_memory, resolve_precision
from app.core.models import describe_model
from app.core.training import engine

GiB = 1024**3
RTX_4090 = DeviceInfo("cuda", "NVIDIA GeForce RTX 4090", 24 * GiB, 23 * GiB, True)
T4 = DeviceInfo("cuda", "Tesla T4", 16 * GiB, 15 * GiB, False)  # Turing: no bf16
BF16_CPU = DeviceInfo("cpu", "CPU (AVX512-BF16)", 24 * GiB, 20 * GiB, True)
AVX2_CPU = DeviceInfo("cpu", "CPU (AVX2)", 24 * GiB, 20 * GiB, False)
APPLE = DeviceInfo("mps", "Apple GPU (mps)", 32 * GiB, 20 * GiB, False)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _hardware_decides(monkeypatch):
    monkeypatch.delenv(hardware.PRECISION_ENV, raising=False)  # the precision lane sets it; these tests set their own


@pytest.mark.parametrize(("device", "expected"), [(RTX_4090, "bf16"), (T4, "fp16"), (BF16_CPU, "bf16"),
                                                  (AVX2_CPU, "fp32"), (APPLE, "fp32")])
def test_auto_follows_the_hardware(device, expected):
    assert auto_precision(device) == expected
    assert resolve_precision("auto", device) == expected


def test_the_environment_forces_what_auto_resolves_to(monkeypatch):
    monkeypatch.setenv(hardware.PRECISION_ENV, "bf16")
    assert auto_precision(AVX2_CPU) == "bf16"  # emulated, but what the bf16 lane needs
    monkeypatch.setenv(hardware.PRECISION_ENV, "fp32")
    assert auto_precision(RTX_4090) == "fp32"
    monkeypatch.setenv(hardware.PRECISION_ENV, "fp16")
    assert auto_precision(T4) == "fp16" and auto_precision(BF16_CPU) == "fp32"  # no fp16 autocast on a CPU
    assert resolve_precision("bf16", AVX2_CPU) == "bf16"  # an explicit setting is the user's, not the variable's
    monkeypatch.setenv(hardware.PRECISION_ENV, "half")
    with pytest.raises(ConfigError, match="FINETUNE_STUDIO_PRECISION"):
        auto_precision(RTX_4090)


@pytest.mark.parametrize(("flags", "cap", "bf16"), [
    ("fpu avx2 avx512f avx512_bf16", None, True), ("fpu avx2 amx_bf16 amx_tile", None, True),
    ("fpu avx2 avx512f avx512_vnni", None, False), ("fpu avx2", None, False),
    ("fpu avx2 avx512f avx512_bf16", ("ONEDNN_MAX_CPU_ISA", "AVX2"), False),
    ("fpu avx2 avx512f avx512_bf16", ("ONEDNN_MAX_CPU_ISA", "avx512_core"), False),
    ("fpu avx2 avx512f avx512_bf16", ("DNNL_MAX_CPU_ISA", "AVX512_CORE_VNNI"), False),
    ("fpu avx2 avx512f avx512_bf16", ("ONEDNN_MAX_CPU_ISA", "AVX512_CORE_BF16"), True),
    ("fpu avx2 amx_bf16", ("ONEDNN_MAX_CPU_ISA", "ALL"), True)])
def test_a_cpu_computes_bf16_natively_with_its_instructions_unless_onednn_is_capped_below_them(
        tmp_path, monkeypatch, flags, cap, bf16):
    """oneDNN capped below AVX512_CORE_BF16 multiplies bf16 without the instructions (issue #26: how the planner is
    measured for a CPU without bf16), so "auto" takes fp32 there as on such a CPU."""
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(f"processor\t: 0\nmodel name\t: Test CPU\nflags\t\t: {flags}\n")
    for name in ("ONEDNN_MAX_CPU_ISA", "DNNL_MAX_CPU_ISA"):
        monkeypatch.delenv(name, raising=False)
    if cap:
        monkeypatch.setenv(*cap)
    assert hardware._cpu(str(cpuinfo))[1] is bf16


def test_fp16_only_runs_on_a_gpu():
    assert resolve_precision("fp16", T4) == "fp16"
    assert resolve_precision("fp16", BF16_CPU) == resolve_precision("fp16", AVX2_CPU) == "fp32"


def _config(method: str = "lora", **training) -> object:
    return parse_config({"model": {"source": "demo"}, "data": {"train": "x.jsonl"},
                         "method": {"name": method, "rank": 8}, "training": {"batch_size": 4, "max_length": 256,
                                                                             **training}})


@pytest.mark.parametrize(("device", "label", "precision"), [
    (T4, "cuda (Tesla T4)", "fp16"), (RTX_4090, "cuda (NVIDIA GeForce RTX 4090)", "bf16"),
    (APPLE, "Apple GPU (mps)", "fp32")])
def test_the_engine_resolves_the_device_it_trains_on(monkeypatch, device, label, precision):
    monkeypatch.setattr(hardware, "torch_device", lambda: device)
    assert engine._device_and_precision(_config(), ListSink()) == (label, precision)


def test_qlora_is_refused_on_mps_before_any_model_loads(monkeypatch):
    monkeypatch.setattr(hardware, "torch_device", lambda: APPLE)
    with pytest.raises(ConfigError, match="Apple's GPU") as err:
        engine._device_and_precision(_config("qlora"), ListSink())
    assert "Choose LoRA" in err.value.hint


def test_an_fp16_request_on_a_cpu_trains_in_fp32_and_says_so(monkeypatch):
    monkeypatch.setattr(hardware, "torch_device", lambda: BF16_CPU)
    sink = ListSink()
    assert engine._device_and_precision(_config(precision="fp16"), sink)[1] == "fp32"
    assert "needs a GPU" in sink.of("warning")[0]["message"]


def test_the_planner_counts_the_precision_the_gpu_resolves_to(demo_model_dir):
    """A T4 trains in fp16: half-precision activations and base, exactly as an explicit fp16 run on it; an fp32
    run on the same card holds its base and activations in twice the bytes."""
    info = describe_model(str(demo_model_dir))
    auto, fp16, fp32 = (_config(precision=p) for p in ("auto", "fp16", "fp32"))
    est = estimate_memory(info, auto.method, auto.training, T4)
    assert est == estimate_memory(info, fp16.method, fp16.training, T4)
    full = estimate_memory(info, fp32.method, fp32.training, T4)
    assert est["weights"] < full["weights"] and est["activations"] < full["activations"]
    qlora = _config("qlora")
    assert estimate_memory(info, qlora.method, qlora.training, T4) == estimate_memory(
        info, qlora.method, _config("qlora", precision="fp16").training, T4)


def test_training_arguments_and_the_quantised_compute_dtype_follow_fp16(tmp_path):
    import torch

    from app.core.methods import quantization_config
    from app.core.stages.common import base_args

    args = base_args(_config(), tmp_path, "fp16", has_eval=False)
    assert args["fp16"] is True and args["bf16"] is False
    config = _config("qlora")
    assert quantization_config(config.method, torch.float16).bnb_4bit_compute_dtype == torch.float16


def _fake(bin_dir: Path, name: str) -> None:
    tool = bin_dir / name
    tool.write_text("#!/bin/sh\necho 'GPU 0: fake'\n")
    tool.chmod(0o755)


@pytest.mark.parametrize(("tools", "expected"), [((), "cpu https://download.pytorch.org/whl/cpu"),
                                                 (("nvidia-smi",), "cuda PyPI"),
                                                 (("rocm-smi",), "rocm https://download.pytorch.org/whl/rocm6.4"),
                                                 (("nvidia-smi", "rocm-smi"), "cuda PyPI")])
def test_the_installer_picks_the_torch_build_for_the_gpu(tmp_path, tools, expected):
    for tool in tools:
        _fake(tmp_path, tool)
    env = {**os.environ, "PATH": f"{tmp_path}:/usr/bin:/bin"}
    env.pop("FINETUNE_STUDIO_FORCE_CPU", None)
    out = subprocess.run(["bash", str(ROOT / "installers" / "install.sh"), "--print-torch-choice"], env=env,
                         capture_output=True, text=True, check=True).stdout.strip()
    assert out == expected


def test_padding_free_auto_is_off_only_on_a_gpu_without_flash_attention():
    from app.core.hardware import resolve_padding_free

    assert resolve_padding_free("auto", "cpu", False) is True
    assert resolve_padding_free("auto", "cuda", True) is True
    assert resolve_padding_free("auto", "cuda", False) is False  # one SDPA call per example: padded is faster there
    assert resolve_padding_free(True, "cuda", False) is True and resolve_padding_free(False, "cpu", False) is False


def test_the_planner_counts_padded_batches_on_a_gpu_without_flash_attention(demo_model_dir, monkeypatch):
    """Skewed lengths: a padded micro-batch holds batch x longest tokens, a padding-free one their sum."""
    seen = []
    monkeypatch.setattr(hardware, "estimate_memory", lambda *a, **k: seen.append(a[4]) or
                        {"total": 0, "weights": 0, "activations": 0})
    info = describe_model(str(demo_model_dir))
    lengths = [20, 30, 40, 200]
    hardware.plan_run(_config(), info, lengths, T4)
    hardware.plan_run(_config(), info, lengths, BF16_CPU)
    assert seen[0] == 4 * 200 and seen[-1] == sum(lengths)
