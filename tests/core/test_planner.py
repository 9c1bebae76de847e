"""The memory planner (hardware.estimate_memory) against peak RSS measured on this kind of machine, its one-click
fixes, "auto" gradient checkpointing, the refusal of a CPU run that would not fit (hardware.plan_run), and the
time-per-step estimate (step_time)."""

import pytest
import yaml

from app.core import hardware, step_time
from app.core.config import parse_config
from app.core.errors import ConfigError, StudioError
from app.core.events import ListSink
from app.core.hardware import DeviceInfo, GiB, estimate_memory, memory_fixes, plan_run
from app.core.models import describe_model

# `python -m bench.memory_planner` (2026-11-28, fifth session: per-sequence attention, fused LoRA with dropout, fp32
# QLoRA adapters; 2-core AMD EPYC, fp32, glibc returning freed memory at once): the demo model, pt blocks of exactly
# batch × max_length tokens, default LoRA dropout 0.05, 1 step (2 for full: AdamW's states exist from the second
# step on); peak RSS of the training process in MiB.
MEASURED = [  # method, batch, max_length, gradient checkpointing, peak RSS MiB
    ("lora", 4, 256, False, 2561), ("lora", 8, 256, False, 3967), ("lora", 8, 256, True, 1363),
    ("lora", 4, 512, False, 3976), ("lora", 2, 1024, False, 3975), ("lora", 2, 1024, True, 1362),
    ("full", 4, 256, False, 3698), ("full", 4, 256, True, 2731), ("qlora", 8, 256, False, 3625),
    ("qlora", 4, 256, True, 955),
]
# The same bench in bf16 (`--precision bf16`, 2026-12-05: 2-core AMD EPYC with AVX512-BF16, lean memory). Full
# fine-tuning and QLoRA train under autocast over fp32 weights, so bf16 copies of the weights and activations partly in
# fp32 (hardware.ACT_AUTOCAST_*; load 4-5). LoRA's frozen base is bf16 and its fused linears compute in bf16 (ninth
# session, load 5-7): 4 x 256 peaked at 2,931 MiB over an fp32 base under autocast, 2,399 over a bf16 base through
# PEFT's forward, 1,882 fused.
MEASURED_BF16 = [
    ("lora", 4, 256, False, 1882), ("lora", 8, 256, True, 1110), ("lora", 2, 1024, False, 2734),
    ("lora", 8, 256, False, 2728), ("full", 4, 256, False, 3595), ("full", 4, 256, True, 2742),
    ("qlora", 8, 256, False, 4302), ("qlora", 4, 256, True, 1072),
]


def config(method="lora", batch=8, length=256, checkpointing=False, precision="fp32", whole=False):
    """The bench's runs: no validation data, unless `whole` (a 10% split, as `--whole`: evaluation, and exports)."""
    return parse_config({"model": {"source": "demo"}, "data": {"train": "x.jsonl", "validation_split": 0.1 * whole},
                         "method": {"name": method},
                         "training": {"stage": "pt", "batch_size": batch, "max_length": length,
                                      "gradient_checkpointing": checkpointing, "precision": precision}})


@pytest.fixture(scope="module")
def info(demo_model_dir):
    return describe_model(str(demo_model_dir))


@pytest.mark.parametrize(("precision", "method", "batch", "length", "checkpointing", "measured"),
                         [("fp32", *m) for m in MEASURED] + [("bf16", *m) for m in MEASURED_BF16])
def test_estimate_is_within_20_percent_of_the_measured_peak(info, precision, method, batch, length, checkpointing,
                                                           measured):
    c = config(method, batch, length, checkpointing, precision)
    estimate = estimate_memory(info, c.method, c.training, device="cpu")["total"] / 2**20
    assert estimate == pytest.approx(measured, rel=0.20)


def test_bf16_on_a_cpu_halves_an_adapter_run_but_not_full_fine_tuning(info):
    """LoRA in bf16 holds a bf16 base and computes its fused linears in bf16: half of fp32's weights and about half
    of its activations (measured 22,436 bytes per token and layer and a byte mask, against 45,514 in fp32). Full
    fine-tuning keeps fp32 master weights and autocast makes bf16 copies per operation: fp32's weights plus the copies,
    and activations partly fp32 (30,628 bytes per token and layer against 44,836)."""
    parts = {(method, precision): estimate_memory(info, c.method, c.training, device="cpu")
             for method in ("lora", "full") for precision in ("fp32", "bf16")
             for c in [config(method, precision=precision)]}
    lora32, lora16 = parts["lora", "fp32"], parts["lora", "bf16"]
    adapters = lora32["optimizer"] / 2  # fp32 adapters: AdamW's 8 bytes a weight, 4 of them the weights themselves
    assert lora16["weights"] - adapters == pytest.approx((lora32["weights"] - adapters) / 2, rel=0.01)
    assert 0.5 < lora16["activations"] / lora32["activations"] < 0.65
    full32, full16 = parts["full", "fp32"], parts["full", "bf16"]
    assert 0.6 < full16["activations"] / full32["activations"] < 0.7  # the residual stream and norms stay fp32
    linears = info.num_parameters - info.vocab_size * info.hidden_size  # all but the (tied) embedding, about
    assert full16["weights"] - full32["weights"] == pytest.approx(2 * linears, rel=0.1)  # + their bf16 copies


# `python -m bench.memory_planner --precision bf16 --whole` (2026-12-05, same machine): whole-run peak RSS with a 10%
# validation split, two sample prompts, the adapter and merged (fp16) exports with their checks, and each part's
# peak. A checkpointed run peaks in the exports' checks (a model reloaded in fp32), not in training. Evaluation
# (through our loss since StudioSFTTrainer.prediction_step) stays under training; through TRL's loss over whole
# logits it peaked at 2,124 MiB in the second run.
MEASURED_WHOLE = [  # method, batch, max_length, checkpointing, whole-run peak MiB, the part it peaked in
    ("lora", 4, 256, False, 1882, "training"),  # evaluation 1,077, exports 1,721, samples 965 (bf16 base, fused)
    ("lora", 8, 256, True, 1734, "exports"),  # training 1,106, evaluation 1,075, samples 965 (bf16 base, fused)
    ("qlora", 4, 256, True, 1667, "exports"),  # training 1,063, evaluation 1,295 (TRL's loss), samples 825
]


@pytest.mark.parametrize(("method", "batch", "length", "checkpointing", "measured", "part"), MEASURED_WHOLE)
def test_the_plan_counts_evaluation_and_the_exports_where_the_run_peaks_in_them(
        info, method, batch, length, checkpointing, measured, part):
    c = config(method, batch, length, checkpointing, "bf16", whole=True)
    cpu = DeviceInfo("cpu", "test CPU", 1000 * GiB, 500 * GiB, True)
    plan = plan_run(c, info, device=cpu)
    assert plan.memory["total"] / 2**20 == pytest.approx(measured, rel=0.20)
    training = estimate_memory(info, c.method, plan.config.training, cpu)["total"]
    if part == "training":
        assert plan.memory["total"] == training and not {"evaluation", "exports"} & set(plan.memory)
    else:  # the part beyond training is named, and the parts still add up
        assert plan.memory["total"] == training + plan.memory[part] > training
        assert sum(v for k, v in plan.memory.items() if k != "total") == plan.memory["total"]
    quiet = c.model_copy(update={"data": c.data.model_copy(update={"validation_split": 0.0}),
                                 "export": c.export.model_copy(update={"verify": False})})
    assert plan_run(quiet, info, device=cpu).memory["total"] == training


def test_a_ppo_estimate_counts_its_value_and_reward_models(info):
    """Measured 2026-11-28: demo model, PPO with LoRA r4, batch 2, max_length 96, 12-token answers, 1 step, lean
    memory, a demo-model rm run as reward model: peak RSS 3,631 MiB. The policy alone estimates ~1.6 GiB; the
    value model trains in full (16 bytes a parameter) and the reward model is held frozen beside it."""
    c = parse_config({"model": {"source": "demo"}, "data": {"train": "x.jsonl"},
                      "method": {"name": "lora", "rank": 4, "alpha": 8},
                      "training": {"stage": "ppo", "batch_size": 2, "max_length": 96, "precision": "fp32",
                                   "gradient_checkpointing": False},
                      "stage": {"reward_model": "rm-run", "max_completion_length": 12}})
    parts = estimate_memory(info, c.method, c.training, device="cpu")
    assert parts["ppo_models"] == info.num_parameters * 20
    assert parts["total"] / 2**20 == pytest.approx(3631, rel=0.20)
    policy = estimate_memory(info, c.method, c.training.model_copy(update={"stage": "sft"}), device="cpu")
    assert "ppo_models" not in policy and policy["total"] < 0.5 * 3631 * 2**20


def test_a_run_over_the_available_ram_is_refused_with_fixes_that_need_less(info):
    c = config(batch=16, length=1024)
    small = DeviceInfo("cpu", "test CPU", 8 * GiB, 3 * GiB, False)
    need = estimate_memory(info, c.method, c.training, device="cpu")["total"]
    assert need > small.available_memory
    fixes = memory_fixes(info, c.method, c.training, device="cpu")
    assert {f.title.split(" ")[0] for f in fixes} == {"Use", "Micro-batch", "Turn", "Max"}
    assert all(f.total < need for f in fixes)
    with pytest.raises(StudioError) as refused:
        plan_run(c, info, device=small)
    assert "gradient checkpointing" in refused.value.hint and "training.batch_size: 8" in refused.value.hint
    # the data's real lengths: 16 examples of 40 tokens make a micro-batch that fits
    assert plan_run(c, info, lengths=[40] * 16, device=small).memory["total"] < small.available_memory


@pytest.mark.parametrize("budget", ["between", "huge"])
def test_auto_checkpointing_is_on_only_when_the_run_fits_with_it_and_not_without(info, monkeypatch, budget):
    c = config(batch=8, length=1024, checkpointing="auto")
    off = estimate_memory(info, c.method, config(batch=8, length=1024).training, device="cpu")["total"]
    on = estimate_memory(info, c.method, config(batch=8, length=1024, checkpointing=True).training, "cpu")["total"]
    available = (on + off) // 2 if budget == "between" else 500 * GiB
    monkeypatch.setattr(hardware, "detect_device", lambda: DeviceInfo("cpu", "test CPU", 1000 * GiB, available, False))
    plan = plan_run(c, info)
    chosen = budget == "between"
    assert plan.config.training.gradient_checkpointing is chosen
    if chosen:  # turned on: said; left off (the usual case): no warning
        assert plan.decision.startswith("Gradient checkpointing on")
    else:
        assert plan.decision is None
    assert plan.memory["total"] == (on if chosen else off)
    assert config().training.gradient_checkpointing is False and parse_config(
        {"model": {"source": "demo"}, "data": {"train": "x.jsonl"}}).training.gradient_checkpointing == "auto"


def test_prefix_tuning_is_never_checkpointed(info):
    """Its virtual keys and values travel as the attention cache, which checkpointing turns off (the run failed on
    a mask of 46 tokens against 42 keys): "auto" leaves it off however tight memory is, true is refused."""
    lora = config(batch=8, length=1024, checkpointing="auto")
    on = estimate_memory(info, lora.method, config(batch=8, length=1024, checkpointing=True).training, "cpu")["total"]
    tight = DeviceInfo("cpu", "test CPU", 1000 * GiB, on + GiB // 4, False)
    assert hardware.resolve_checkpointing(info, lora.method, lora.training, tight).gradient_checkpointing is True
    prefix = parse_config({"model": {"source": "demo"}, "data": {"train": "x.jsonl"},
                           "method": {"name": "prefix_tuning"}, "training": {"batch_size": 8, "max_length": 1024}})
    assert prefix.training.gradient_checkpointing == "auto"
    assert hardware.resolve_checkpointing(info, prefix.method, prefix.training, tight).gradient_checkpointing is False
    with pytest.raises(ConfigError) as refused:
        parse_config({"model": {"source": "demo"}, "data": {"train": "x.jsonl"}, "method": {"name": "prefix_tuning"},
                      "training": {"gradient_checkpointing": True}})
    assert [path for path, _ in refused.value.problems] == ["training.gradient_checkpointing"]


@pytest.mark.parametrize(("budget", "checkpointing", "lean"), [("6 GiB", True, False), ("roomy", False, False),
                                                               ("tight", False, True)])
def test_the_worker_records_the_auto_decision_in_the_stored_config(info, monkeypatch, tmp_path, budget,
                                                                   checkpointing, lean):
    """Both settings both ways. A run left at "auto" checkpointing once trained with it on even when it fitted
    without (TRL read the string "auto" as true). Lean memory: on where the estimate comes within 30% of the
    available memory ("tight": 15%), off with room to spare."""
    from app.core.runs.context import RunContext
    from app.core.store import Store
    from app.core.training import engine

    c, store, sink = config(batch=8, length=1024, checkpointing="auto"), Store(), ListSink()
    c = c.model_copy(update={"training": c.training.model_copy(update={"lean_memory": "auto"})})
    off = estimate_memory(info, c.method, config(batch=8, length=1024).training, device="cpu")["total"]
    available = {"6 GiB": 6 * GiB, "roomy": 500 * GiB, "tight": int(off * 1.15)}[budget]
    monkeypatch.setattr(hardware, "detect_device",
                        lambda: DeviceInfo("cpu", "test CPU", 1000 * GiB, available, False))
    monkeypatch.setattr(step_time, "cached_throughput", lambda device, precision: 1e11)
    released = []
    monkeypatch.setattr(engine, "return_freed_memory", lambda: released.append(True))
    run_id = f"auto-{budget.replace(' ', '')}"
    store.create_run(run_id, name=run_id, config_yaml=c.to_yaml(), model="demo", method="lora", stage="pt",
                     versions="{}")
    decided, planned = engine._plan(c, info, None, "fp32", RunContext(run_id, tmp_path, sink, store))
    for stored in (decided.training.model_dump(), yaml.safe_load(store.get_run(run_id)["config"])["training"],
                   yaml.safe_load((tmp_path / "run.yaml").read_text())["training"]):
        assert (stored["gradient_checkpointing"], stored["lean_memory"]) == (checkpointing, lean)
    assert released == [True] * lean
    warnings = [e["message"][:26] for e in sink.events if e["event"] == "warning"]
    assert warnings == (["Gradient checkpointing on:"] if checkpointing else [])
    assert planned["step_seconds_estimate"] > 0


def test_step_flops_count_six_per_weight_for_full_and_four_for_a_frozen_base(info):
    t = config(batch=4, length=256).training
    full, lora = config("full").method, config("lora").method
    per_token = {m.name: step_time.step_flops(info, m, t, False) / 1024 for m in (full, lora)}
    assert per_token["full"] == pytest.approx(6 * info.num_parameters, rel=0.05)  # tied head: counted once
    assert 0.6 < per_token["lora"] / per_token["full"] < 0.75
    recompute = step_time.step_flops(info, lora, t, True) / 1024 - per_token["lora"]
    assert recompute == pytest.approx(2 * (info.num_parameters - info.vocab_size * info.hidden_size), rel=0.05)


def test_the_throughput_probe_is_cached_in_the_data_home(monkeypatch):
    monkeypatch.setattr(step_time, "PROBE_SECONDS", 0.05)
    cpu = DeviceInfo("cpu", "probe CPU", GiB, GiB, False)
    assert step_time.cached_throughput(cpu, "fp32") is None
    flops = step_time.device_throughput(cpu, "fp32")
    assert flops > 1e8 and step_time.cached_throughput(cpu, "fp32") == flops
