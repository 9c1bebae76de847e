"""Find good settings (issue #23): `tune` runs trials as runs, judges them on the validation rows, picks the best."""

from __future__ import annotations

import json

import pytest
import yaml

from app.cli import main
from app.core.config import parse_config
from app.core.errors import ConfigError
from app.core.events import ListSink
from app.core.runs.tune import TuneRequest, in_space, neighbours, parse_budget, trial_config, tune
from app.core.store import Store

WORDS = ["apple", "pear", "plum", "fig"]


def write_config(tmp_path, model_dir, **training) -> str:
    data = tmp_path / "chat.jsonl"
    data.write_text("\n".join(json.dumps({"messages": [{"role": "user", "content": f"Say {w}"},
                                                         {"role": "assistant", "content": w}]})
                                for w in WORDS * 4) + "\n")
    config = {"name": "t", "model": {"source": str(model_dir)}, "data": {"train": str(data), "validation_split": 0.25},
              "training": {"batch_size": 4, **training}, "evaluation": {"sample_prompts": []},
              "export": {"merged": False}}
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump(config))
    return str(path)


def test_budgets_read_as_minutes():
    assert parse_budget("20m") == 20 and parse_budget("1.5h") == 90 and parse_budget("90s") == 1.5
    assert parse_budget("15") == 15
    for bad in ("soon", "-3m", "0"):
        with pytest.raises(ConfigError):
            parse_budget(bad)


def test_a_trial_sets_its_settings_as_the_users_and_alpha_follows_the_rank():
    base = parse_config({"data": {"train": "x.jsonl"}})
    c = trial_config(base, {"learning_rate": 3e-4, "epochs": 2.0, "rank": 4, "dropout": 0.15}, "t #1")
    assert (c.training.learning_rate, c.training.epochs, c.method.rank, c.method.alpha, c.method.dropout) == \
        (3e-4, 2.0, 4, 8.0, 0.15)
    assert c.training.auto == ["warmup_ratio", "max_length"] and c.method.auto == []
    assert c.export.adapter and not c.export.merged
    assert trial_config(base, {}, "t #0").training.auto == base.training.auto  # the defaults trial: all chosen


def test_settings_outside_the_search_space_are_not_told_to_the_search():
    assert in_space({"learning_rate": 2e-4, "epochs": 4.0, "rank": 8, "dropout": 0.1})
    assert not in_space({"learning_rate": 2e-4, "epochs": 2.5, "rank": 8, "dropout": 0.1})
    assert not in_space({"learning_rate": 2e-4, "epochs": 4.0, "rank": 64, "dropout": 0.1})


@pytest.mark.parametrize("asked,judged,value", [("auto", "exact_match", 0.625), ("rougeL", "rougeL", 0.953)])
def test_auto_judges_a_trial_by_the_metric_its_references_call_for(monkeypatch, asked, judged, value):
    from app.core.evaluation import run as evaluation
    from app.core.runs import tune as search

    class OneLoss:
        def metric_series(self, run_id):
            return {"eval_loss": [(10, 0.5), (20, 0.115)]}

    # JSON references (an extraction): the scorer names exact match, which 'auto' follows; an asked metric wins
    scored = {"exact_match": 0.625, "rougeL": 0.953, "examples": 24, "task_metric": "exact_match"}
    monkeypatch.setattr(evaluation, "evaluate_run", lambda request, **_: {"metrics": dict(scored)})
    got, metrics = search._score(OneLoss(), "r", asked, None, None, None)
    assert got == value and metrics["judged_by"] == judged and metrics["eval_loss"] == 0.115


def test_the_grid_after_the_defaults_steps_from_their_settings_inside_the_space():
    chosen = {"learning_rate": 2e-4, "epochs": 4.0, "rank": 8, "dropout": 0.1}
    assert neighbours(chosen) == [{"learning_rate": 4e-4, "epochs": 4, "rank": 8, "dropout": 0.1},
                                  {"learning_rate": 2e-4, "epochs": 6, "rank": 8, "dropout": 0.1},
                                  {"learning_rate": 2e-4, "epochs": 4, "rank": 32, "dropout": 0.1}]
    # chosen settings outside the space (10 epochs, rank 64, lr 1e-3) are brought in; steps that change nothing go
    assert neighbours({"learning_rate": 1e-3, "epochs": 10.0, "rank": 64, "dropout": 0.12}) == []
    assert neighbours({"learning_rate": 1e-4, "epochs": 1.0, "rank": 16, "dropout": 0.05}) == [
        {"learning_rate": 2e-4, "epochs": 1, "rank": 16, "dropout": 0.05},
        {"learning_rate": 1e-4, "epochs": 2, "rank": 16, "dropout": 0.05},
        {"learning_rate": 1e-4, "epochs": 1, "rank": 32, "dropout": 0.05}]
    assert neighbours({}) == []


@pytest.mark.parametrize("scores,picked", [
    ([15 / 24, 16 / 24], 0),           # one validation row of 24 better: noise, the defaults stay
    ([15 / 24, 16 / 24, 17 / 24], 2),  # two rows better: picked
    ([0.994, 1.0, 1.0], 0),            # ROUGE-L at the ceiling: 0.13 of a row
    ([18 / 24, 20 / 24, 19 / 24], 1),  # the best of those that clear the defaults
])
def test_a_trial_is_picked_over_the_defaults_only_by_more_than_one_row(monkeypatch, tmp_path, scores, picked):
    from types import SimpleNamespace

    from app.core.runs import tune as search

    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump({"data": {"train": str(tmp_path / "x.jsonl"), "validation_split": 0.2}}))
    configs = {}

    def train(config, sink, stop, store):
        configs[config.name] = config
        return SimpleNamespace(status="completed", run_id=config.name, error=None)

    def chosen(store, run_id):
        c = configs[run_id]
        if run_id.endswith("defaults"):  # what the data chose for the defaults' trial
            return {"learning_rate": 2e-4, "epochs": 4.0, "rank": 8, "dropout": 0.1}
        return {"learning_rate": c.training.learning_rate, "epochs": c.training.epochs, "rank": c.method.rank,
                "dropout": c.method.dropout}

    values = iter(scores)
    monkeypatch.setattr(search, "chosen_params", chosen)
    monkeypatch.setattr(search, "_score", lambda *a: (next(values), {"examples": 24, "eval_loss": 0.1}))
    result = tune(TuneRequest(config=path, trials=len(scores), metric="exact_match", refit=False), sink=ListSink(),
                  store=object(), train=train)
    assert result["best"]["number"] == picked
    # after the defaults, the grid around their settings: twice the learning rate, then more passes
    assert [t["params"] for t in result["trials"][1:]] == neighbours(result["trials"][0]["params"])[:len(scores) - 1]


def test_a_proposal_that_would_outlast_the_budget_is_skipped_for_one_that_fits(monkeypatch, tmp_path):
    """The defaults train 4 passes in 10 minutes of a 25-minute budget; twice their learning rate (10 minutes) fits,
    then the grid's 6 passes (15 minutes) and four times the rank (10) would not fit the 5 left: skipped, and only a
    proposal of one pass (2.5 minutes) may start. Before, the 6-pass trial started and was stopped out of time."""
    from types import SimpleNamespace

    from app.core.runs import tune as search

    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump({"data": {"train": str(tmp_path / "x.jsonl"), "validation_split": 0.2}}))
    clock = [0.0]
    monkeypatch.setattr(search.time, "monotonic", lambda: clock[0])
    started = []

    def train(config, sink, stop, store):
        epochs = 4.0 if config.name.endswith("defaults") else config.training.epochs
        started.append((clock[0], epochs))
        clock[0] += 150 * epochs  # 2.5 minutes a pass
        return SimpleNamespace(status="completed", run_id=config.name, error=None)

    def chosen(store, run_id):
        if run_id.endswith("defaults"):
            return {"learning_rate": 2e-4, "epochs": 4.0, "rank": 8, "dropout": 0.1}
        return {"learning_rate": 4e-4, "epochs": 4.0, "rank": 8, "dropout": 0.1}

    monkeypatch.setattr(search, "chosen_params", chosen)
    monkeypatch.setattr(search, "_score", lambda *a: (0.5, {"examples": 24}))
    tune(TuneRequest(config=path, trials=4, metric="exact_match", budget_minutes=25, refit=False), sink=ListSink(),
         store=object(), train=train)
    assert started[:2] == [(0.0, 4.0), (600.0, 4.0)]
    assert all(start + 150 * epochs <= 25 * 60 for start, epochs in started[1:])
    assert all(epochs == 1 for _start, epochs in started[2:])


def test_the_pruner_compares_trials_at_the_same_share_of_their_schedules(monkeypatch, tmp_path):
    """The defaults and twice their learning rate train 4 epochs of 20 steps; the grid's 6-epoch trial is behind them
    at each step (its learning rate decays more slowly) but ahead at each share of the schedule: it trains to the end.
    Before, it was pruned at its first epoch against the shorter runs' first epoch. Four times the rank is behind
    at a share they share (a quarter): pruned."""
    from types import SimpleNamespace

    from app.core.runs import tune as search

    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump({"data": {"train": str(tmp_path / "x.jsonl"), "validation_split": 0.2}}))
    losses = {"defaults": [0.30, 0.20, 0.15, 0.12], "lr": [0.28, 0.18, 0.14, 0.11],
              "epochs": [0.31, 0.22, 0.17, 0.13, 0.11, 0.10], "rank": [0.45, 0.40, 0.35, 0.30]}

    configs = {}

    def train(config, sink, stop, store):
        configs[config.name] = config
        kind = "defaults" if config.name.endswith("defaults") else \
            "epochs" if config.training.epochs == 6 else "rank" if config.method.rank == 32 else "lr"
        curve = losses[kind]
        for epoch, loss in enumerate(curve, 1):
            sink.emit("progress", step=20 * epoch, total_steps=20 * len(curve))
            sink.emit("metrics", step=20 * epoch, epoch=float(epoch), metrics={"eval_loss": loss})
            if stop.is_set():
                return SimpleNamespace(status="cancelled", run_id=config.name, error=None)
        return SimpleNamespace(status="completed", run_id=config.name, error=None)

    def chosen(store, run_id):
        if run_id.endswith("defaults"):
            return {"learning_rate": 2e-4, "epochs": 4.0, "rank": 8, "dropout": 0.1}
        c = configs[run_id]
        return {"learning_rate": c.training.learning_rate, "epochs": c.training.epochs, "rank": c.method.rank,
                "dropout": c.method.dropout}

    monkeypatch.setattr(search, "chosen_params", chosen)
    monkeypatch.setattr(search, "_score", lambda *a: (0.5, {"examples": 24}))
    result = tune(TuneRequest(config=path, trials=4, metric="exact_match", refit=False), sink=ListSink(), store=object(),
                  train=train)
    assert [t["params"]["epochs"] for t in result["trials"][1:3]] == [4, 6]
    assert [t["state"] for t in result["trials"]] == ["completed", "completed", "completed", "pruned"]
    assert search.schedule_percent(40, 120) == search.schedule_percent(20, 60) == 33


def test_a_search_without_held_out_rows_is_refused(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump({"data": {"train": str(tmp_path / "x.jsonl"), "validation_split": 0.0}}))
    with pytest.raises(ConfigError, match="held-out rows"):
        tune(TuneRequest(config=path), sink=ListSink())


def test_trials_run_as_runs_and_the_best_by_validation_loss_wins(tiny_model_dir, tmp_path):
    path = write_config(tmp_path, tiny_model_dir)
    sink = ListSink()
    result = tune(TuneRequest(config=path, trials=3, metric="eval_loss", seed=1, refit=False), sink=sink)
    trials = result["trials"]
    assert [t["number"] for t in sink.of("trial")] == [0, 1, 2] and sink.of("finished") == []
    store = Store()
    first = parse_config(yaml.safe_load(store.get_run(trials[0]["run_id"])["config"]))
    # trial 0 is the config's own automatic choice: 12 training rows → 5 epochs, rank 8, dropout 0.1
    assert trials[0]["params"] == {"learning_rate": 2e-4, "epochs": 5.0, "rank": 8, "dropout": 0.1}
    assert (first.training.epochs, first.method.rank) == (5.0, 8)
    for trial in trials[1:]:  # proposed settings are what the run trained with
        stored = parse_config(yaml.safe_load(store.get_run(trial["run_id"])["config"]))
        if trial["state"] == "completed":
            assert stored.training.learning_rate == trial["params"]["learning_rate"]
            assert stored.method.rank == trial["params"]["rank"]
    completed = [t for t in trials if t["state"] == "completed"]
    assert completed and result["best"]["value"] == min(t["value"] for t in completed)
    assert all(t["value"] == t["metrics"]["eval_loss"] for t in completed)


def test_cli_tune_judges_generated_answers_and_trains_the_best_on_all_rows(tiny_model_dir, tmp_path, capsys):
    path = write_config(tmp_path, tiny_model_dir, learning_rate=0.05, epochs=3)
    code = main(["tune", path, "--budget", "30m", "--trials", "2", "--json"])  # the refit is on by default
    result = json.loads(capsys.readouterr().out)
    assert code == 0 and len(result["trials"]) == 2 and result["metric"] == "auto"
    best = result["best"]
    # four words as answers are labels: judged by accuracy, as `eval` scores a classification
    assert best["metrics"]["judged_by"] == "accuracy" and best["value"] == best["metrics"]["accuracy"]
    assert 0.0 <= best["value"] <= 1.0 and "exact_match" in best["metrics"]
    refit = parse_config(yaml.safe_load(Store().get_run(result["refit_run_id"])["config"]))
    assert refit.data.validation_split == 0.0 and refit.training.learning_rate == best["params"]["learning_rate"]
    assert result["refit_run_name"] == refit.name and refit.name.endswith("best, all rows")


@pytest.mark.parametrize("flags,refit", [([], True), (["--refit"], True), (["--no-refit"], False)])
def test_the_refit_is_on_unless_turned_off(tmp_path, flags, refit):
    from app.cli import build_parser
    from app.cli.tune import tune_request

    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump({"data": {"train": str(tmp_path / "x.jsonl"), "validation_split": 0.2}}))
    assert tune_request(build_parser().parse_args(["tune", str(path), *flags])).refit is refit


def test_the_defaults_finish_past_the_budget_and_no_trial_starts_after_it(tiny_model_dir, tmp_path):
    path = write_config(tmp_path, tiny_model_dir, max_steps=2)
    sink = ListSink()
    result = tune(TuneRequest(config=path, trials=3, metric="eval_loss", budget_minutes=parse_budget("1s"),
                              refit=False),
                  sink=sink)
    assert [t["state"] for t in result["trials"]] == ["completed"] and result["best"]["number"] == 0
    assert len(sink.of("trial")) == 1
