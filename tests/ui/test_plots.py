"""The Train page's plots: the four fixed plots, and a stage's own plots that come and go with its metrics."""

from __future__ import annotations

from app.ui.widgets.plots import MetricsPlots


def test_stage_metrics_add_their_plots_and_clear_removes_them(qtbot):
    plots = MetricsPlots()
    qtbot.addWidget(plots)
    plots.add_metrics(1, {"loss": 1.0, "unknown_metric": 3.0})
    assert set(plots.plots) == {"loss", "learning_rate", "grad_norm", "tokens_per_second"}
    for step in (1, 2, 3):
        plots.add_metrics(step, {"loss": 0.7, "rewards/margins": 0.1 * step, "rewards/accuracies": 0.5})
    plots.add_metrics(3, {"eval_rewards/margins": 0.2, "eval_f1": 0.8})
    assert {"rewards", "accuracy"} <= set(plots.plots)
    assert plots.point_count("rewards/margins") == 3 and plots.point_count("eval_rewards/margins") == 1
    plots.redraw()
    x, y = plots.curves["rewards/margins"].getData()
    assert list(x) == [1, 2, 3] and abs(y[-1] - 0.3) < 1e-9
    plots.clear()  # the next run may be SFT: no empty stage plots
    assert set(plots.plots) == {"loss", "learning_rate", "grad_norm", "tokens_per_second"}
    assert plots.point_count("rewards/margins") == 0 and plots.point_count("loss") == 0
    plots.load_series({"loss": [(1, 2.0)], "accuracy": [(1, 0.5), (2, 0.75)]})  # a finished cls/rm run
    assert "accuracy" in plots.plots and plots.point_count("accuracy") == 2
