"""The memory planner (hardware.estimate_memory) against peak RSS measured on this kind of machine, its one-click
fixes, and the refusal of a CPU run that would not fit (hardware.check_fits)."""

import pytest

from app.core.config import parse_config
from app.core.errors import StudioError
from app.core.hardware import DeviceInfo, GiB, check_fits, estimate_memory, memory_fixes
from app.core.models import describe_model

# `python -m bench.memory_planner` (2026-11-28, 2-core AMD EPYC, fp32): the demo model, pt blocks of exactly
# batch × max_length tokens, 1 step; peak RSS of the training process in MiB.
GAP = pytest.mark.xfail(strict=True, reason="issue #8: the CPU planner is off by -60% to +35% here: a packed "
                        "1024-token LoRA forward of the demo model adds 3.2 GB RSS where saved-tensor hooks count "
                        "~2.1 GB, checkpointing saves far less than counted, 2 x 1024 tokens peak 2.1 GB above "
                        "8 x 256, and full fine-tuning peaks below LoRA; the missing terms are not found yet")
MEASURED = [  # method, batch, max_length, gradient checkpointing, peak RSS MiB
    pytest.param("lora", 4, 256, False, 4385, marks=GAP), ("lora", 8, 256, False, 5397),
    pytest.param("lora", 8, 256, True, 3828, marks=GAP), pytest.param("lora", 2, 1024, False, 7500, marks=GAP),
    pytest.param("full", 4, 256, False, 3179, marks=GAP), ("full", 4, 256, True, 3057),
    ("qlora", 8, 256, False, 5173), pytest.param("qlora", 4, 256, True, 2357, marks=GAP),
]


def config(method="lora", batch=8, length=256, checkpointing=False):
    return parse_config({"model": {"source": "demo"}, "data": {"train": "x.jsonl"}, "method": {"name": method},
                         "training": {"stage": "pt", "batch_size": batch, "max_length": length,
                                      "gradient_checkpointing": checkpointing, "precision": "fp32"}})


@pytest.fixture(scope="module")
def info(demo_model_dir):
    return describe_model(str(demo_model_dir))


@pytest.mark.parametrize(("method", "batch", "length", "checkpointing", "measured"), MEASURED)
def test_estimate_is_within_20_percent_of_the_measured_peak(info, method, batch, length, checkpointing, measured):
    c = config(method, batch, length, checkpointing)
    estimate = estimate_memory(info, c.method, c.training, device="cpu")["total"] / 2**20
    assert estimate == pytest.approx(measured, rel=0.20)


def test_a_run_over_the_available_ram_is_refused_with_fixes_that_need_less(info):
    c = config(batch=16, length=1024)
    small = DeviceInfo("cpu", "test CPU", 8 * GiB, 3 * GiB, False)
    need = estimate_memory(info, c.method, c.training, device="cpu")["total"]
    assert need > small.available_memory
    fixes = memory_fixes(info, c.method, c.training, device="cpu")
    assert {f.title.split(" ")[0] for f in fixes} == {"Use", "Micro-batch", "Turn", "Max"}
    assert all(f.total < need for f in fixes)
    with pytest.raises(StudioError) as refused:
        check_fits(c, info, device=small)
    assert "gradient checkpointing" in refused.value.hint and "training.batch_size: 8" in refused.value.hint
    # the data's real lengths: 16 examples of 40 tokens make a micro-batch that fits
    assert check_fits(c, info, lengths=[40] * 16, device=small)["total"] < small.available_memory
