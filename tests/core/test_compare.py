"""Run comparison: config flattening and diff, final and best metrics."""

import pytest

from app.core.config import demo_config
from app.core.runs.compare import MISSING, config_diff, flatten, run_config, run_labels, summarize, value_text


def test_flatten_gives_dotted_paths_and_keeps_lists():
    flat = flatten({"training": {"learning_rate": 2e-4, "nested": {"a": 1}}, "method": {"targets": ["q", "v"]},
                    "name": None, "empty": {}})
    assert flat == {"training.learning_rate": 2e-4, "training.nested.a": 1, "method.targets": ["q", "v"],
                    "name": None, "empty": {}}


def test_diff_shows_only_the_fields_that_differ():
    base = demo_config()
    other = base.model_copy(update={
        "training": base.training.model_copy(update={"learning_rate": 1e-3}),
        "method": base.method.model_copy(update={"rank": 32}),
    })
    import yaml

    a, b, c = (yaml.safe_load(x.to_yaml()) for x in (base, other, base))
    assert config_diff([a, c]) == []
    diff = dict(config_diff([a, b, c]))
    assert set(diff) == {"training.learning_rate", "method.rank"}
    assert diff["training.learning_rate"] == [base.training.learning_rate, 1e-3, base.training.learning_rate]
    assert diff["method.rank"] == [base.method.rank, 32, base.method.rank]
    assert config_diff([a]) == []


def test_diff_marks_missing_paths_and_treats_1_and_1_0_as_equal():
    diff = config_diff([{"a": {"x": 1, "y": 2}}, {"a": {"x": 1.0}}])
    assert diff == [("a.y", [2, MISSING])]
    assert value_text(MISSING) == "—" and value_text(None) == "(empty)" and value_text(["q", "v"]) == "[q, v]"
    assert value_text(0.0002) == "0.0002"


def test_run_config_parses_yaml_and_tolerates_garbage():
    assert run_config({"config": "training:\n  epochs: 2\n"}) == {"training": {"epochs": 2}}
    assert run_config({"config": None}) == {} and run_config({"config": "[: bad"}) == {}


def test_summary_final_and_best_metrics():
    run = {"id": "r1", "name": "one", "status": "completed", "started": 100.0, "finished": 160.0,
           "last_step": 30, "trainable_params": 1234}
    series = {"loss": [(1, 2.0), (10, 1.5), (30, 1.1)],
              "eval_loss": [(10, 1.6), (20, 1.3), (30, 1.3)],
              "tokens_per_second": [(1, 100.0), (10, 300.0), (30, 200.0), (31, 0.0)]}
    s = summarize(run, series)
    assert s.final_loss == 1.1 and s.best_eval_loss == 1.3 and s.best_eval_step == 20  # ties: earlier step
    assert s.final_eval_loss == 1.3 and s.steps == 30 and s.duration == 60.0
    assert s.tokens_per_second == 200.0 and s.trainable_params == 1234


def test_summary_without_metrics_falls_back_to_the_run_row():
    s = summarize({"id": "r2", "final_loss": 0.9, "best_eval_loss": 0.8, "best_step": 7, "status": "failed"}, {})
    assert (s.name, s.final_loss, s.best_eval_loss, s.best_eval_step) == ("r2", 0.9, 0.8, 7)
    assert s.duration is None and s.tokens_per_second is None and s.steps is None


@pytest.mark.parametrize("names,labels", [(["a", "b"], ["a", "b"]), (["a", "a"], ["a (0001)", "a (0002)"])])
def test_labels_tell_runs_of_the_same_name_apart(names, labels):
    runs = [{"id": f"x-{i + 1:04d}", "name": n} for i, n in enumerate(names)]
    assert run_labels(runs) == labels
