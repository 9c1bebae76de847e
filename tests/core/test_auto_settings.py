"""Settings chosen from the data and the model (issue #23): which settings are automatic, the rule, and a run that
stores what it chose and why."""

from __future__ import annotations

import json

import pytest
import yaml

from app.core.auto_settings import DataProfile, apply, choose
from app.core.config import parse_config
from app.core.runs.sweep import grid


def config(**sections):
    return parse_config({"data": {"train": "x.jsonl"}, **sections})


def by_setting(choices):
    return {c.setting: c for c in choices}


def test_settings_left_out_are_automatic_and_given_ones_are_yours():
    assert config().training.auto == ["epochs", "learning_rate", "warmup_ratio", "max_length"]
    assert config().method.auto == ["rank", "alpha", "dropout"]
    c = config(training={"epochs": 2, "max_length": 256}, method={"rank": 4})
    assert c.training.auto == ["learning_rate", "warmup_ratio"] and c.method.auto == ["alpha", "dropout"]
    c.training.learning_rate = 1e-3  # assigned later: yours too
    assert c.training.auto == ["warmup_ratio"]
    again = parse_config(yaml.safe_load(c.to_yaml()))  # a saved config says what it says
    assert again.training.auto == ["warmup_ratio"] and again.training.epochs == 2
    assert parse_config({"data": {"train": "x"}, "training": {"epochs": 2, "auto": ["epochs"]}}).training.auto == \
        ["epochs"]


def test_a_sweep_axis_is_the_users_setting():
    configs = grid(config(), {"learning_rate": [1e-4, 3e-4], "rank": [4]})
    assert [c.training.learning_rate for c in configs] == [1e-4, 3e-4]
    assert all("learning_rate" not in c.training.auto and "rank" not in c.method.auto for c in configs)
    assert all("epochs" in c.training.auto for c in configs)


def test_small_data_gets_several_passes_a_small_rank_and_more_dropout():
    chosen = by_setting(choose(config(), DataProfile(160, [70] * 150 + [90] * 10), 135_000_000, 8192))
    assert chosen["epochs"].value == 4.0 and "160 training rows" in chosen["epochs"].reason
    assert chosen["learning_rate"].value == 2e-4 and "QLoRA" in chosen["learning_rate"].reason
    assert (chosen["rank"].value, chosen["alpha"].value, chosen["dropout"].value) == (8, 16.0, 0.1)
    assert chosen["max_length"].value == 96 and "90 tokens" in chosen["max_length"].reason
    assert chosen["warmup_ratio"].value == round(5 / 80, 3)  # 80 steps: at least 5 warm-up steps


def test_large_data_one_pass_larger_rank_and_a_big_model_the_large_model_recipe():
    chosen = by_setting(choose(config(), DataProfile(50_000, [300] * 2000), 70_000_000_000, 4096))
    assert chosen["epochs"].value == 1.0
    assert (chosen["rank"].value, chosen["alpha"].value) == (32, 64.0)
    assert (chosen["learning_rate"].value, chosen["dropout"].value) == (1e-4, 0.05)
    assert chosen["warmup_ratio"].value == 0.03


def test_full_fine_tuning_learns_ten_times_slower_and_other_stages_keep_their_values():
    assert by_setting(choose(config(method={"name": "full"}), DataProfile(500, [50]), 135e6))["learning_rate"] \
        .value == 2e-5
    dpo = config(training={"stage": "dpo"}, data={"train": "x", "format": "preference"})
    chosen = by_setting(choose(dpo, DataProfile(500, [50]), 135e6))
    assert chosen["epochs"].value == 1.0 and chosen["learning_rate"].value == 2e-4 and "dpo" in \
        chosen["epochs"].reason


def test_max_length_ignores_a_few_far_longer_rows_and_stays_within_the_context():
    lengths = [100] * 995 + [5000] * 5
    chosen = _max_length_of(lengths, 8192)
    assert chosen.value == 128 and "99%" in chosen.reason
    assert _max_length_of([3000] * 10, 2048).value == 2048
    assert _max_length_of([10], 2048).value == 32


def _max_length_of(lengths, context):
    return by_setting(choose(config(), DataProfile(1000, lengths), 135e6, context))["max_length"]


def test_max_steps_decides_the_length_and_applying_empties_the_auto_lists():
    c = config(training={"max_steps": 7})
    chosen = choose(c, DataProfile(100, [40]), 135e6)
    assert by_setting(chosen)["epochs"].value == c.training.epochs and "max steps" in by_setting(chosen)[
        "epochs"].reason
    resolved = apply(c, chosen)
    assert resolved.training.auto == [] and resolved.method.auto == [] and resolved.method.rank == 8


@pytest.fixture(scope="module")
def auto_run(tiny_model_dir, tmp_path_factory):
    """One run of the tiny model with every setting automatic; the memory planner's calls at its start, and the reads
    and encodings of the rows, recorded."""
    from app.core import hardware
    from app.core.data import prepare, templating
    from app.core.events import ListSink
    from app.core.store import Store
    from app.core.training import engine

    planned, calls = [], {"split_examples": 0, "encode": 0}

    def plan_run(config, info, lengths=None, device=None, **kwargs):
        plan = real(config, info, lengths, device, **kwargs)
        planned.append({"config": config, "info": info, "lengths": lengths, "total": plan.memory["total"]})
        return plan

    def counted(name, function):
        def call(*args, **kwargs):
            calls[name] += 1
            return function(*args, **kwargs)
        return call

    real = hardware.plan_run
    data = tmp_path_factory.mktemp("auto-run") / "chat.jsonl"
    data.write_text("\n".join(json.dumps({"messages": [{"role": "user", "content": f"Say {w}"},
                                                         {"role": "assistant", "content": w}]})
                                for w in ["apple", "pear", "plum", "fig"] * 10) + "\n")
    cfg = parse_config({"model": {"source": str(tiny_model_dir)}, "data": {"train": str(data),
                                                                           "validation_split": 0.1},
                        "training": {"batch_size": 8}, "evaluation": {"sample_prompts": []},
                        "export": {"merged": False, "adapter": False}})
    sink = ListSink()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(hardware, "plan_run", plan_run)
        patch.setattr(prepare, "split_examples", counted("split_examples", prepare.split_examples))
        patch.setattr(templating.ConversationEncoder, "encode",
                      counted("encode", templating.ConversationEncoder.encode))
        result = engine.run(cfg, sink)
    assert result.status == "completed", result.error
    return Store().get_run(result.run_id), sink, cfg, planned, calls


def test_a_run_stores_the_values_it_chose_and_why(auto_run):
    row, sink, _config, _planned, _calls = auto_run
    stored = parse_config(yaml.safe_load(row["config"]))
    assert stored.training.auto == [] and stored.method.auto == []
    # 36 training rows: round(600 / 36) = 17 passes, at most 5; rank 8 for few rows
    assert stored.training.epochs == 5.0 and stored.method.rank == 8 and stored.method.dropout == 0.1
    reasons = {c["setting"]: c for c in json.loads(row["auto_settings"])}
    assert reasons["epochs"]["value"] == 5.0 and "36 training rows" in reasons["epochs"]["reason"]
    started = sink.of("started")[0]
    assert {c["setting"] for c in started["settings"]} == set(reasons)
    assert started["total_steps"] == 5 * 5  # 36 rows in batches of 8: 5 steps an epoch


def test_the_memory_planner_plans_the_run_with_the_length_and_rank_chosen(auto_run):
    """The `started` event's estimate (and "auto" checkpointing and lean memory, decided with it) is the planner's
    on the chosen settings: the rows' longest example (chat template included) has 36 tokens, so 64, not the
    field's 512."""
    from app.core.hardware import detect_device, planned_memory

    row, sink, config, planned, _calls = auto_run
    stored = parse_config(yaml.safe_load(row["config"]))
    assert len(planned) == 1 and stored.training.max_length == 64 and config.training.max_length == 512
    plan = planned[0]
    t, m = plan["config"].training, plan["config"].method
    assert (t.max_length, m.rank, m.alpha, m.dropout) == (64, 8, 16.0, 0.1)
    assert plan["lengths"] and max(plan["lengths"]) <= 64
    assert sink.of("started")[0]["memory_estimate"] == plan["total"]
    fields = planned_memory(config.model_copy(update={"training": config.training.model_copy(
        update={"gradient_checkpointing": t.gradient_checkpointing})}), plan["info"], detect_device())[1]["total"]
    assert plan["total"] < fields  # what the planner said before the settings were chosen: 8 × 512 at rank 16


def test_a_run_reads_and_tokenises_its_rows_once(auto_run):
    """The settings are measured on the rows the data preparation then cuts to the chosen length: one read of the
    file and one encoding a row (40 rows: 36 to train on, 4 held out), not a second pass for the profile."""
    row, sink, _config, _planned, calls = auto_run
    assert calls == {"split_examples": 1, "encode": 40}
    assert sink.of("started")[0]["dataset"]["train_rows"] == 36
    assert [e["current"] for e in sink.of("phase") if e["name"] == "tokenize"][-1] == 40


def test_the_terminal_says_what_was_chosen_and_why():
    import io

    from app.core.events import ProgressPrinter

    out = io.StringIO()
    ProgressPrinter(out).emit("started", run_id="r", device="cpu", total_steps=80, trainable_params=1,
                              total_params=2, run_dir="/runs/r",
                              settings=[{"section": "training", "setting": "epochs", "value": 4.0,
                                         "reason": "160 training rows: 4 passes"}])
    assert "  auto: epochs = 4.0 (160 training rows: 4 passes)\n" in out.getvalue()


@pytest.mark.parametrize("task", ["orders", "notes"])
def test_rows_tokenised_once_and_cut_prepare_what_reading_again_prepares(demo_tokenizer, tmp_path, task):
    """The rows the automatic settings measured (tokenised up to the profile's limit) cut to a max length are the
    rows a preparation from the files gives at that length: the same tokens, labels, drops and counts, also where
    rows are truncated (64 tokens: every training row of these tasks is longer)."""
    from pathlib import Path

    from app.core.auto_settings import PROFILE_LIMIT
    from app.core.config import DataConfig
    from app.core.data.prepare import prepare_sft, tokenise_sft

    folder = Path(__file__).resolve().parents[2] / "bench" / "tasks" / task
    data = DataConfig(train=str(folder / "train.jsonl"), validation=str(folder / "validation.jsonl"))
    tokenised = tokenise_sft(data, demo_tokenizer, PROFILE_LIMIT)
    assert len(tokenised.train) == 160 and not any(row.truncated for row in tokenised.train)
    for length in (96, 64):
        again = prepare_sft(data, demo_tokenizer, length, use_cache=False)
        cut = prepare_sft(data, demo_tokenizer, length, use_cache=False, tokenised=tokenised)
        assert cut.fingerprint == again.fingerprint and cut.stats == again.stats
        assert cut.train.to_dict() == again.train.to_dict() and cut.eval.to_dict() == again.eval.to_dict()
    assert again.stats["truncated"] >= 160 and again.stats["assistant_tokens_cut"] > 0 and again.stats["dropped"] == 0
    with pytest.raises(ValueError):
        prepare_sft(data, demo_tokenizer, PROFILE_LIMIT + 1, use_cache=False, tokenised=tokenised)


def test_measuring_the_tokenised_rows_chooses_what_the_profile_chose_on_the_bench_tasks(demo_tokenizer, tmp_path,
                                                                                       monkeypatch):
    """A run's settings, measured on the rows it tokenises once, are the ones measuring a sample apart chose (the
    GUI's profile_data, which runs started with before): on the three bench tasks, 4 epochs, rank 8, max length
    64-96 (docs/defaults.md), and the same reasons."""
    from pathlib import Path

    from app.core.auto_settings import profile_data, resolve

    monkeypatch.setenv("FINETUNE_STUDIO_HOME", str(tmp_path))  # no profile kept from an earlier run

    for task, length in (("orders", 96), ("intents", 64), ("notes", 96)):
        folder = Path(__file__).resolve().parents[2] / "bench" / "tasks" / task
        c = config(data={"train": str(folder / "train.jsonl"), "validation": str(folder / "validation.jsonl")},
                   training={"batch_size": 8})
        resolved, choices, tokenised = resolve(c, demo_tokenizer, 134_515_008, 8192)
        assert len(tokenised.train) == 160
        assert choices == choose(c, profile_data(c, demo_tokenizer), 134_515_008, 8192)
        t, m = resolved.training, resolved.method
        assert (t.epochs, t.max_length, m.rank, m.alpha, m.dropout) == (4.0, length, 8, 16.0, 0.1)


def test_a_large_dataset_measures_the_same_sample_whether_rows_or_their_lengths_are_sampled():
    from app.core.auto_settings import PROFILE_ROWS, _sample

    rows = [f"row {i}" * (i % 7 + 1) for i in range(5 * PROFILE_ROWS)]
    sampled = _sample(rows, 42)
    assert len(sampled) == PROFILE_ROWS and [len(r) for r in sampled] == _sample([len(r) for r in rows], 42)
    assert _sample(rows[:10], 42) == rows[:10]


def test_a_second_run_on_the_same_rows_reads_its_profile_and_its_prepared_rows_back(demo_tokenizer, tmp_path,
                                                                                   monkeypatch):
    """The first start tokenises the rows once and keeps their profile beside the tokenised data; the next start on
    the same rows, split and tokenizer reads no file and tokenises nothing: the profile and the rows at the chosen
    length come from the cache, with the same choices. A change of the rows is measured anew."""
    from pathlib import Path

    from app.core.auto_settings import resolve
    from app.core.data import prepare

    monkeypatch.setenv("FINETUNE_STUDIO_HOME", str(tmp_path / "home"))
    real, reads = prepare.split_examples, []

    def split_examples(*args, **kwargs):
        reads.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(prepare, "split_examples", split_examples)
    rows = (Path(__file__).resolve().parents[2] / "bench" / "tasks" / "orders" / "train.jsonl").read_text()
    data = tmp_path / "orders.jsonl"
    data.write_text(rows)
    c = config(data={"train": str(data), "validation_split": 0.1}, training={"batch_size": 8})

    def start():
        resolved, choices, tokenised = resolve(c, demo_tokenizer, 134_515_008, 8192)
        prepared = prepare.prepare_sft(resolved.data, demo_tokenizer, resolved.training.max_length,
                                       tokenised=tokenised)
        return choices, tokenised, prepared

    first, tokenised, prepared = start()
    assert tokenised is not None and len(reads) == 1 and not prepared.stats["cached"]
    again, tokenised, cached = start()
    assert tokenised is None and len(reads) == 1 and cached.stats["cached"] and again == first
    assert cached.train.to_dict() == prepared.train.to_dict()
    data.write_text(rows + rows.splitlines(keepends=True)[0])  # one more row
    _choices, tokenised, _prepared = start()
    assert tokenised is not None and len(tokenised.train) == 145 and len(reads) == 2
