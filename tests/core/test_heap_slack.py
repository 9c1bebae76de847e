"""The CPU heap's slack by precision (issue #26 item 2): a run with lean memory off peaks at about its working-set
estimate in fp32 and well above it in bf16 (hardware.HEAP_SLACK, measured), so "auto" checkpointing, "auto" lean
memory and the reported estimate (plan_run's total, the `started` event's memory_estimate) each take the run's own
precision's slack. The planner's estimate is replaced by one that depends on the checkpointed layers alone, the same
in both precisions, so that only the slack can tell them apart."""

import pytest

from app.core import hardware
from app.core.config import parse_config
from app.core.errors import StudioError
from app.core.hardware import DeviceInfo, GiB, heap_slack, plan_run
from app.core.models import ModelInfo

# the demo model's shapes (SmolLM2-135M-Instruct): describe_model without the model
INFO = ModelInfo(source="demo", kind="demo", name="SmolLM2-135M-Instruct", architecture="LlamaForCausalLM",
                 model_type="llama", num_parameters=134_515_008, num_layers=30, hidden_size=576,
                 intermediate_size=1536, num_attention_heads=9, num_key_value_heads=3, vocab_size=49152,
                 context_length=8192, tie_word_embeddings=True, has_chat_template=True, path=None)
MiB = 1024**2
OFF, PER_LAYER = 2000 * MiB, 25 * MiB  # the stand-in estimate: 2,000 MiB without checkpointing, 25 less a layer


@pytest.fixture
def same_estimate(monkeypatch):
    """estimate_memory: OFF less PER_LAYER for each checkpointed layer, whatever the precision."""
    def estimate(info, method, training, device=None, tokens=None):
        k = hardware.checkpointed_layers(training, info.num_layers)
        parts = {"weights": 0, "gradients": 0, "optimizer": 0, "activations": OFF - k * PER_LAYER, "logits": 0,
                 "runtime": 0}
        return {**parts, "total": sum(parts.values())}

    monkeypatch.setattr(hardware, "estimate_memory", estimate)


def config(precision, checkpointing="auto", lean="auto", limit_mib=None):
    return parse_config({"model": {"source": "demo"}, "data": {"train": "x.jsonl"}, "method": {"name": "lora"},
                         "training": {"precision": precision, "gradient_checkpointing": checkpointing,
                                      "lean_memory": lean,
                                      "memory_limit_gb": limit_mib * MiB / GiB if limit_mib else None},
                         "export": {"verify": False}})


CPU = DeviceInfo("cpu", "test CPU", 64 * GiB, 32 * GiB, True)


def test_the_slack_is_measured_per_precision_and_fp16_on_a_cpu_takes_fp32s():
    assert set(hardware.HEAP_SLACK) == {"fp32", "bf16"}
    assert 1.0 <= heap_slack("fp32") < heap_slack("bf16")
    assert heap_slack("fp16") == heap_slack("fp32")  # fp16 trains in fp32 on a CPU


def test_an_fp32_run_under_a_budget_checkpoints_fewer_layers_than_a_bf16_run_with_the_same_estimate(same_estimate):
    """A budget of 1.15x the estimate without checkpointing: fp32's heap leaves that room, so no layer is
    recomputed; bf16's needs the fewest layers whose estimate times its slack fits (one slack for both, as before,
    checkpointed the same layers in both)."""
    budget = int(OFF * 1.15 / MiB)
    chosen = {}
    for precision in ("fp32", "bf16"):
        plan = plan_run(config(precision, limit_mib=budget), INFO, device=CPU)
        chosen[precision] = hardware.checkpointed_layers(plan.config.training, INFO.num_layers)
        slack = heap_slack(precision)
        k = chosen[precision]
        assert (OFF - k * PER_LAYER) * slack <= budget * MiB  # it fits with its heap
        assert k == 0 or (OFF - (k - 1) * PER_LAYER) * slack > budget * MiB  # and is the fewest that do
        assert plan.config.training.lean_memory is False
    assert chosen["fp32"] < chosen["bf16"]


def test_lean_memory_auto_takes_the_precisions_slack(same_estimate):
    """Checkpointing off and a budget between the estimate times fp32's slack and times bf16's: the fp32 run keeps
    glibc's heap, the bf16 run returns freed memory at once (lean memory on), and each reports what it will peak at:
    with the heap's term where lean memory is off, the working set where it is on."""
    budget = int(OFF * (heap_slack("fp32") + heap_slack("bf16")) / 2 / MiB)
    fp32 = plan_run(config("fp32", checkpointing=False, limit_mib=budget), INFO, device=CPU)
    bf16 = plan_run(config("bf16", checkpointing=False, limit_mib=budget), INFO, device=CPU)
    assert fp32.config.training.lean_memory is False and bf16.config.training.lean_memory is True
    assert fp32.memory["heap"] == int(OFF * (heap_slack("fp32") - 1))
    assert fp32.memory["total"] == OFF + fp32.memory["heap"] <= budget * MiB
    assert "heap" not in bf16.memory and bf16.memory["total"] == OFF


def test_the_reported_estimate_counts_the_heap_only_where_lean_memory_is_off(same_estimate):
    """Room to spare: lean memory "auto" stays off and the total is the working set times the precision's slack,
    the parts still adding up; lean memory on (set, or on a GPU, which has no such heap) reports the working set."""
    for precision in ("fp32", "bf16"):
        roomy = plan_run(config(precision, checkpointing=False), INFO, device=CPU)
        assert roomy.memory["total"] == OFF + int(OFF * (heap_slack(precision) - 1))
        assert sum(v for k, v in roomy.memory.items() if k != "total") == roomy.memory["total"]
        lean = plan_run(config(precision, checkpointing=False, lean=True), INFO, device=CPU)
        assert lean.memory["total"] == OFF and "heap" not in lean.memory
    gpu = DeviceInfo("cuda", "test GPU", 80 * GiB, 80 * GiB, True)
    assert plan_run(config("bf16", checkpointing=False), INFO, device=gpu).memory["total"] == OFF


def test_lean_memory_set_off_on_a_tight_budget_is_not_refused_where_the_working_set_fits(same_estimate):
    """The heap's term is what glibc may keep, not what the run needs: refused only where the working set itself
    does not fit."""
    fits = plan_run(config("bf16", checkpointing=False, lean=False, limit_mib=2100), INFO, device=CPU)
    assert fits.memory["total"] > 2100 * MiB >= OFF
    with pytest.raises(StudioError):
        plan_run(config("bf16", checkpointing=False, lean=False, limit_mib=1900), INFO, device=CPU)
