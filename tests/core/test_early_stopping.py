"""Early stopping and the best checkpoint, on the tiny random Llama (a few seconds each)."""

import pytest

from app.core.events import ListSink, StopFlag
from app.core.store import Store
from app.core.training import engine
from tests.core.test_engine import chat_file, make_config  # noqa: F401 - chat_file is a fixture

# numbers hold in bf16 and in fp32: installers/test.sh runs this module in both (the precision lane)
pytestmark = pytest.mark.precision_lane


def _with_eval(config, **evaluation):
    data = config.data.model_copy(update={"validation_split": 0.25})
    return config.model_copy(update={"data": data, "evaluation": config.evaluation.model_copy(update=evaluation)})


def _best(run_id):
    return [a for a in Store().artifacts(run_id, "checkpoint") if a["properties"].get("best")]


def test_no_improvement_stops_early_and_marks_the_best_checkpoint(tiny_model_dir, chat_file):  # noqa: F811
    # a learning rate of ~0 keeps eval_loss flat: the 2nd evaluation does not improve by the threshold → stop
    config = _with_eval(make_config(tiny_model_dir, chat_file, learning_rate=1e-12, save_steps=5),
                        eval_steps=2, early_stopping_patience=1, early_stopping_threshold=0.01)
    sink = ListSink()
    result = engine.run(config, sink, StopFlag())
    assert result.status == "completed", result.error
    steps = [e["step"] for e in sink.of("progress")]
    assert steps[-1] == 4 < 12
    warnings = [w["message"] for w in sink.of("warning")]
    assert any("every 2 steps" in w for w in warnings)  # save_steps 5 was changed to the evaluation interval
    assert any("Stopped early at step 4" in w for w in warnings)
    best = _best(result.run_id)
    assert len(best) == 1 and best[0]["properties"]["step"] in (2, 4)
    run = Store().get_run(result.run_id)
    assert run["best_step"] == best[0]["properties"]["step"] and run["stopped_early_at"] == 4
    assert any(e["properties"].get("best") for e in sink.of("artifact") if e["kind"] == "checkpoint")


def test_a_normal_run_marks_the_checkpoint_with_the_lowest_eval_loss(tiny_model_dir, chat_file):  # noqa: F811
    config = _with_eval(make_config(tiny_model_dir, chat_file, max_steps=9, save_steps=3), eval_steps=3)
    sink = ListSink()
    result = engine.run(config, sink, StopFlag())
    assert result.status == "completed", result.error
    assert [e["step"] for e in sink.of("progress")][-1] == 9 and not sink.of("warning")
    evals = dict(Store().metric_series(result.run_id)["eval_loss"])
    assert set(evals) == {3, 6, 9}
    lowest = min(evals, key=evals.get)
    best = _best(result.run_id)
    assert [b["properties"]["step"] for b in best] == [lowest]
    run = Store().get_run(result.run_id)
    assert run["best_step"] == lowest and run["best_eval_loss"] == evals[lowest]
    assert run["best_checkpoint"].endswith(f"checkpoint-{lowest}")
