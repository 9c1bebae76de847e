"""The memory planner (hardware.estimate_memory) against peak RSS measured on this kind of machine, its one-click
fixes, "auto" gradient checkpointing, the refusal of a CPU run that would not fit (hardware.plan_run), and the
time-per-step estimate (step_time)."""

import json

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


# Some of the layers checkpointed (`bench.memory_planner --only 0 --layers 0,15,30 --precision bf16 --steps 4`, tenth
# session, lean memory, load 5-7): LoRA 4 x 256 in bf16 with the first k of the demo model's 30 layers checkpointed.
# The estimate falls 25.5 MiB a layer, the measured peak 26.6.
MEASURED_LAYERS = [(0, 1952), (15, 1549), (30, 1153)]


def config(method="lora", batch=8, length=256, checkpointing=False, precision="fp32", whole=False, lean="auto"):
    """The bench's runs: no validation data, unless `whole` (a 10% split, as `--whole`: evaluation, and exports)."""
    return parse_config({"model": {"source": "demo"}, "data": {"train": "x.jsonl", "validation_split": 0.1 * whole},
                         "method": {"name": method},
                         "training": {"stage": "pt", "batch_size": batch, "max_length": length,
                                      "gradient_checkpointing": checkpointing, "precision": precision,
                                      "lean_memory": lean}})


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


@pytest.mark.parametrize(("layers", "measured"), MEASURED_LAYERS)
def test_estimate_with_some_layers_checkpointed_is_within_20_percent_of_the_measured_peak(info, layers, measured):
    c = config("lora", 4, 256, layers > 0, "bf16")
    t = c.training.model_copy(update={"checkpoint_layers": layers or None})
    assert estimate_memory(info, c.method, t, device="cpu")["total"] / 2**20 == pytest.approx(measured, rel=0.20)


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
# logits it peaked at 2,124 MiB in the second run. Since the exports let the trained model go before a check
# reloads one (tenth session), the checkpointed runs' exports are 1,214 and 1,197 MiB (1,734 and 1,667 before).
MEASURED_WHOLE = [  # method, batch, max_length, checkpointing, whole-run peak MiB, the part it peaked in
    ("lora", 4, 256, False, 1882, "training"),  # evaluation 1,077, exports 1,721 then, samples 965 (bf16 base, fused)
    ("lora", 8, 256, True, 1220, "exports"),  # training 1,119, evaluation 1,091, samples 978
    ("qlora", 4, 256, True, 1207, "exports"),  # training 1,075, evaluation 1,057, samples 846
]


@pytest.mark.parametrize(("method", "batch", "length", "checkpointing", "measured", "part"), MEASURED_WHOLE)
def test_the_plan_counts_evaluation_and_the_exports_where_the_run_peaks_in_them(
        info, method, batch, length, checkpointing, measured, part):
    c = config(method, batch, length, checkpointing, "bf16", whole=True, lean=True)  # measured with lean memory
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


# `python -m bench.memory_planner --whole --heap shipped --steps 3 [--precision bf16]` (eleventh session, 2026-12-05,
# load 7-10): whole-run peak RSS with lean memory off and the heap as a training command runs it (its settings and
# huge pages). What the run reports (plan_run's total, the `started` event's memory_estimate) counts the precision's
# heap slack over the working set (hardware.HEAP_SLACK): fp32 peaked 0.99-1.09x the working set, bf16 1.07-1.17x
# here (1.30-1.43x on padding-free rows of many lengths).
MEASURED_SHIPPED = [  # precision, method, batch, max_length, checkpointing, whole-run peak MiB
    ("fp32", "lora", 4, 256, False, 2680), ("fp32", "lora", 8, 256, True, 1450), ("fp32", "lora", 2, 1024, False, 4070),
    ("fp32", "full", 4, 256, False, 3754), ("fp32", "full", 4, 256, True, 2788),
    ("bf16", "lora", 4, 256, False, 1989), ("bf16", "lora", 8, 256, True, 1227), ("bf16", "lora", 2, 1024, False, 2876),
    ("bf16", "full", 4, 256, False, 3631), ("bf16", "full", 4, 256, True, 2806),
    ("fp32", "qlora", 4, 256, True, 1202), ("bf16", "qlora", 4, 256, True, 1241),  # peaks in the merged check
]
# The same on a CPU without bf16, emulated (2026-12-06, bench/README.md "The planner on a CPU without bf16"): fp32 with
# oneDNN, ATen and MKL capped at AVX2; bf16 (forced: auto takes fp32 there) through ATen's own GEMM under the same
# caps, and through oneDNN's converting kernels with oneDNN capped at AVX512_CORE (AVX-512 without BF16).
MEASURED_SHIPPED_NO_BF16 = [
    ("fp32", "lora", 4, 256, False, 2627), ("fp32", "lora", 8, 256, True, 1442), ("fp32", "lora", 2, 1024, False, 4040),
    ("fp32", "full", 4, 256, False, 3721), ("fp32", "full", 4, 256, True, 2749), ("fp32", "qlora", 4, 256, True, 1190),
    ("bf16", "lora", 4, 256, False, 1945), ("bf16", "full", 4, 256, False, 3610), ("bf16", "full", 4, 256, True, 2757),
    ("bf16", "qlora", 4, 256, True, 1190),  # AVX2 above, AVX512_CORE below
    ("bf16", "lora", 4, 256, False, 1943), ("bf16", "lora", 8, 256, True, 1192),
    ("bf16", "lora", 2, 1024, False, 2789), ("bf16", "full", 4, 256, False, 3615), ("bf16", "full", 4, 256, True, 2759),
    ("bf16", "qlora", 4, 256, True, 1195),  # peaks in the merged check
]


@pytest.mark.parametrize(("native_bf16", "precision", "method", "batch", "length", "checkpointing", "measured"),
                         [(True, *m) for m in MEASURED_SHIPPED] + [(False, *m) for m in MEASURED_SHIPPED_NO_BF16])
def test_the_reported_estimate_is_within_20_percent_of_the_whole_runs_peak_with_the_heap_as_shipped(
        info, native_bf16, precision, method, batch, length, checkpointing, measured):
    c = config(method, batch, length, checkpointing, precision, whole=True)
    cpu = DeviceInfo("cpu", "test CPU", 1000 * GiB, 500 * GiB, native_bf16)
    plan = plan_run(c, info, device=cpu)
    assert plan.config.training.lean_memory is False and plan.memory["heap"] > 0
    assert plan.memory["total"] / 2**20 == pytest.approx(measured, rel=0.20)


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


def layered(k, lean="auto", limit=None):
    """The bench's LoRA run, 8 x 1024, with the first `k` decoder layers checkpointed (0: off; "auto": for the
    planner to decide), lean memory and the memory budget as given."""
    c = config(batch=8, length=1024, checkpointing="auto" if k == "auto" else k > 0)
    return c.model_copy(update={"training": c.training.model_copy(update={
        "checkpoint_layers": None if k == "auto" else k or None, "lean_memory": lean, "memory_limit_gb": limit})})


def test_the_estimate_falls_with_each_layer_checkpointed_from_off_to_all(info):
    """Exact at both ends (k = 0 is checkpointing off, k = all is `true`), lower with every layer in between: each
    checkpointed layer keeps its input instead of its saved tensors, and in bf16 (autocast for full fine-tuning)
    lets its weights' copies go."""
    def estimate(method, precision, k, checkpointing=None):
        c = config(method, 8, 1024, k > 0 if checkpointing is None else checkpointing, precision)
        t = c.training.model_copy(update={"checkpoint_layers": k or None})
        return estimate_memory(info, c.method, t, device="cpu")["total"]

    for method, precision in (("lora", "fp32"), ("lora", "bf16"), ("full", "bf16"), ("qlora", "bf16")):
        totals = [estimate(method, precision, k) for k in range(info.num_layers + 1)]
        assert totals[0] == estimate(method, precision, 0, False)
        assert totals[-1] == estimate(method, precision, 0, True)
        assert all(a >= b for a, b in zip(totals, totals[1:], strict=False)), (method, precision)
        assert totals[info.num_layers // 2] < totals[0] and totals[-1] < totals[info.num_layers // 2]


@pytest.mark.parametrize("share", [0.1, 0.5, 0.9])
def test_auto_checkpointing_recomputes_the_fewest_layers_that_fit(info, monkeypatch, share):
    """A budget between the run's estimate with every layer checkpointed and without any: "auto" checkpoints the
    fewest first layers whose estimate fits it, says so, and the plan holds that estimate. Lean memory on: the
    estimate itself must fit (no heap slack)."""
    layers = info.num_layers
    totals = [estimate_memory(info, layered(k).method, layered(k).training, "cpu")["total"]
              for k in range(layers + 1)]
    available = int(totals[-1] + share * (totals[0] - totals[-1]))
    monkeypatch.setattr(hardware, "detect_device", lambda: DeviceInfo("cpu", "test CPU", 1000 * GiB, available, False))
    plan = plan_run(layered("auto", lean=True), info)
    t = plan.config.training
    k = t.checkpoint_layers
    assert t.gradient_checkpointing is True and 0 < k < layers
    assert totals[k] <= available < totals[k - 1]
    assert plan.memory["total"] == totals[k]
    assert plan.decision.startswith(f"Gradient checkpointing on {k} of {layers} layers")
    assert plan.reason.startswith(f"checkpointing {k} of {layers} layers to fit")


def test_auto_checkpointing_keeps_the_heap_slack_before_it_turns_lean_memory_on(info, monkeypatch):
    """Lean memory "auto" costs more a step than recomputing every layer: a budget that the run fits only with
    lean memory and no checkpointing gets layers checkpointed (their estimate x the precision's heap slack fits) and
    a normal heap; lean memory comes on only where no number of layers leaves the slack."""
    layers = info.num_layers
    totals = [estimate_memory(info, layered(k).method, layered(k).training, "cpu")["total"]
              for k in range(layers + 1)]
    slack = hardware.heap_slack("fp32")
    between = (1 + slack) / 2  # more than the estimate, less than it with the heap's slack

    def plan(available, lean="auto"):
        monkeypatch.setattr(hardware, "detect_device",
                            lambda: DeviceInfo("cpu", "test CPU", 1000 * GiB, available, False))
        return plan_run(layered("auto", lean=lean), info).config.training

    roomy = plan(int(totals[0] * between))  # fits without checkpointing, but not with the slack
    k = roomy.checkpoint_layers
    assert roomy.gradient_checkpointing is True and roomy.lean_memory is False
    assert totals[k] * slack <= int(totals[0] * between) < totals[k - 1] * slack
    assert plan(int(totals[0] * between), lean=True).gradient_checkpointing is False  # no slack to keep
    tight = plan(int(totals[-1] * between))  # only every layer checkpointed fits, and without the slack
    assert tight.lean_memory is True and tight.gradient_checkpointing is True
    assert totals[tight.checkpoint_layers or layers] <= totals[-1] * between
    assert plan(500 * GiB).gradient_checkpointing is False and plan(500 * GiB).lean_memory is False


def test_explicit_checkpointing_and_fsdp_are_all_or_nothing(info, monkeypatch):
    """`true` and `false` are kept as set, however tight or roomy the memory ("true" checkpoints every layer);
    without `layerwise` (FSDP, whose own wrapper checkpoints whole layers) "auto" turns on all layers or none."""
    tight = DeviceInfo("cpu", "test CPU", 1000 * GiB, 1 * GiB, False)
    roomy = DeviceInfo("cpu", "test CPU", 1000 * GiB, 500 * GiB, False)
    for device in (tight, roomy):
        for setting in (True, False):
            t = config(batch=8, length=1024, checkpointing=setting).training
            assert hardware.resolve_checkpointing(info, config().method, t, device) == t
            assert hardware.checkpointed_layers(t, info.num_layers) == (info.num_layers if setting else 0)
    totals = [estimate_memory(info, layered(k).method, layered(k).training, "cpu")["total"]
              for k in (0, info.num_layers)]
    between = DeviceInfo("cpu", "test CPU", 1000 * GiB, sum(totals) // 2, False)
    auto = layered("auto", lean=True).training
    layerwise = hardware.resolve_checkpointing(info, config().method, auto, between)
    whole = hardware.resolve_checkpointing(info, config().method, auto, between, layerwise=False)
    assert 0 < layerwise.checkpoint_layers < info.num_layers
    assert (whole.gradient_checkpointing, whole.checkpoint_layers) == (True, None)


def test_a_memory_budget_plans_the_run_below_the_free_memory(info, monkeypatch):
    """`training.memory_limit_gb` replaces the device's free memory where it is lower: "auto" checkpoints to fit it,
    and a run that cannot fit it is refused, naming the budget."""
    monkeypatch.setattr(hardware, "detect_device", lambda: DeviceInfo("cpu", "test CPU", 1000 * GiB, 500 * GiB, False))
    assert plan_run(layered("auto", lean=True), info).config.training.gradient_checkpointing is False
    totals = [estimate_memory(info, layered(k).method, layered(k).training, "cpu")["total"]
              for k in (0, info.num_layers)]
    limit = sum(totals) / 2 / GiB
    plan = plan_run(layered("auto", lean=True, limit=limit), info)
    assert 0 < plan.config.training.checkpoint_layers < info.num_layers and plan.memory["total"] <= limit * GiB
    assert f"a budget of {limit:.1f} GiB" in plan.decision
    with pytest.raises(StudioError) as refused:
        plan_run(layered("auto", lean=True, limit=0.5), info)
    assert "budget of 0.5 GiB (training.memory_limit_gb)" in refused.value.message


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


@pytest.mark.parametrize(("budget", "checkpointing", "lean"), [("6 GiB", "some", False), ("roomy", "none", False),
                                                               ("slack", "some", False), ("tight", "some", True)])
def test_the_worker_records_the_auto_decision_in_the_stored_config(info, monkeypatch, tmp_path, budget,
                                                                   checkpointing, lean):
    """Both settings both ways. A run left at "auto" checkpointing once trained with it on even when it fitted
    without (TRL read the string "auto" as true). The layers checkpointed are the fewest whose estimate, with the
    heap's slack, fits ("slack": the run fits in its estimate without checkpointing but not with the slack, which
    once turned lean memory on instead); lean memory only where no number of layers leaves the slack ("tight": the
    same share over the estimate with all layers checkpointed), and then the fewest layers whose estimate fits. The stored config, the run's
    automatic choices and the `started` event's settings say how many layers and why."""
    from app.core.runs.context import RunContext
    from app.core.store import Store
    from app.core.training import engine

    store, sink, layers = Store(), ListSink(), info.num_layers
    c = layered("auto")
    totals = [estimate_memory(info, layered(k).method, layered(k).training, "cpu")["total"]
              for k in range(layers + 1)]
    between = (1 + hardware.heap_slack("fp32")) / 2  # more than the estimate, less than it with the heap's slack
    available = {"6 GiB": 6 * GiB, "roomy": 500 * GiB, "slack": int(totals[0] * between),
                 "tight": int(totals[-1] * between)}[budget]
    monkeypatch.setattr(hardware, "detect_device",
                        lambda: DeviceInfo("cpu", "test CPU", 1000 * GiB, available, False))
    monkeypatch.setattr(step_time, "cached_throughput", lambda device, precision: 1e11)
    released = []
    monkeypatch.setattr(engine, "return_freed_memory", lambda: released.append(True))
    run_id = f"auto-{budget.replace(' ', '')}"
    store.create_run(run_id, name=run_id, config_yaml=c.to_yaml(), model="demo", method="lora", stage="pt",
                     versions="{}")
    decided, planned = engine._plan(c, info, None, "fp32", RunContext(run_id, tmp_path, sink, store))
    k = hardware.checkpointed_layers(decided.training, layers)
    slack = 1 if lean else hardware.heap_slack("fp32")
    if checkpointing == "some":  # the fewest that fit
        assert 0 < k < layers and totals[k] * slack <= available < totals[k - 1] * slack
    else:
        assert k == 0
    for stored in (decided.training.model_dump(), yaml.safe_load(store.get_run(run_id)["config"])["training"],
                   yaml.safe_load((tmp_path / "run.yaml").read_text())["training"]):
        assert (stored["gradient_checkpointing"], stored["checkpoint_layers"], stored["lean_memory"]) == \
            (k > 0, k if 0 < k < layers else None, lean)
    chosen = [choice for choice in json.loads(store.get_run(run_id)["auto_settings"])]
    assert [(c["setting"], c["value"]) for c in chosen] == [("checkpoint_layers", k)] and planned["settings"] == chosen
    assert chosen[0]["reason"].startswith(f"checkpointing {k} of {layers} layers to fit" if k else "off: the run needs")
    assert released == [True] * lean
    warnings = [e["message"] for e in sink.events if e["event"] == "warning"]
    assert [w.startswith(f"Gradient checkpointing on {k} of {layers} layers, the fewest") for w in warnings] == \
        [True] * (k > 0)
    assert planned["step_seconds_estimate"] > 0


def test_a_run_split_with_fsdp_checkpoints_all_layers_or_none(info, monkeypatch, tmp_path):
    """FSDP checkpoints with its own wrapper, whole layers (distributed/strategies.py): on GPUs with several
    processes "auto" turns on all layers where ddp would take some."""
    from app.core.distributed import ranks
    from app.core.runs.context import RunContext
    from app.core.store import Store
    from app.core.training import engine

    gpu = DeviceInfo("cuda", "test GPU", 80 * GiB, 80 * GiB, True)
    totals = [estimate_memory(info, layered(k).method, layered(k).training, gpu)["total"] for k in (0, info.num_layers)]
    gpu.available_memory = sum(totals) // 2
    monkeypatch.setattr(hardware, "detect_device", lambda: gpu)
    monkeypatch.setattr(step_time, "cached_throughput", lambda device, precision: 1e12)
    monkeypatch.setattr(ranks, "world_size", lambda: 2)
    store, chosen = Store(), {}
    for strategy in ("ddp", "fsdp"):
        c = layered("auto").model_copy(update={"distributed": parse_config({
            "model": {"source": "demo"}, "data": {"train": "x.jsonl"},
            "distributed": {"processes": 2, "strategy": strategy}}).distributed})
        store.create_run(f"fsdp-{strategy}", name=strategy, config_yaml=c.to_yaml(), model="demo", method="lora",
                         stage="pt", versions="{}")
        decided, _ = engine._plan(c, info, None, "bf16", RunContext(f"fsdp-{strategy}", tmp_path, ListSink(), store))
        chosen[strategy] = hardware.checkpointed_layers(decided.training, info.num_layers)
    assert 0 < chosen["ddp"] < info.num_layers and chosen["fsdp"] == info.num_layers


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
