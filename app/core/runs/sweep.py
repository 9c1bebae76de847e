"""A small sweep builder: a grid over learning rate, rank, epochs and method that fills the run queue, and the
ranking of the finished runs by a metric."""

from __future__ import annotations

import itertools
import secrets

from ..config import RunConfig, parse_config
from ..messages import Text
from ..store import Store

AXES = {  # sweep axis -> (config section, field, short label)
    "learning_rate": ("training", "learning_rate", "lr"),
    "rank": ("method", "rank", "r"),
    "epochs": ("training", "epochs", "ep"),
    "method": ("method", "name", ""),
}


def grid(base: RunConfig, axes: dict[str, list]) -> list[RunConfig]:
    """One config per combination of the axes' values (axes with no values keep the base's), each named for what
    it changes; every config is validated (ConfigError), so a bad value fails before anything is queued."""
    axes = {name: values for name, values in axes.items() if values}
    unknown = set(axes) - set(AXES)
    if unknown:
        raise ValueError(f"unknown sweep axes: {sorted(unknown)}")
    configs = []
    for combo in itertools.product(*axes.values()):
        data = base.model_dump(mode="json")
        labels = []
        for name, value in zip(axes, combo, strict=True):
            section, field, short = AXES[name]
            data[section][field] = value
            data[section]["auto"] = [name for name in data[section].get("auto", []) if name != field]  # yours
            labels.append(f"{short}={value}" if short else str(value))
        data["name"] = " ".join([base.name or "sweep", *labels])
        configs.append(parse_config(data))
    return configs


def queue_sweep(store: Store, base: RunConfig, axes: dict[str, list]) -> tuple[str, list[int]]:
    """Queue the grid; returns (sweep id, item ids)."""
    from . import queue

    sweep = "sweep-" + secrets.token_hex(3)
    return sweep, [queue.add(store, config, sweep) for config in grid(base, axes)]


def lower_is_better(metric: str) -> bool:
    return "loss" in metric or "perplexity" in metric


def rank(store: Store, run_ids: list[str], metric: str = "eval_loss") -> list[dict]:
    """Runs ordered best first by their best value of `metric` (a training metric such as eval_loss, lowest for
    losses, else highest; or one from the run's newest evaluation, such as exact_match); runs without it come last
    with value None."""
    rows = []
    for run_id in run_ids:
        run = store.get_run(run_id)
        values = [v for _step, v in store.metric_series(run_id).get(metric, [])]
        best = (min(values) if lower_is_better(metric) else max(values)) if values else _evaluated(store, run_id,
                                                                                                  metric)
        rows.append({"run_id": run_id, "name": run["name"], "status": run["status"], metric: best})
    sign = 1 if lower_is_better(metric) else -1
    return sorted(rows, key=lambda r: (r[metric] is None, sign * (r[metric] or 0)))


def _evaluated(store: Store, run_id: str, metric: str) -> float | None:
    """The metric from the run's newest evaluation of its tuned model (exact_match, rougeL, ...), if any."""
    from ..evaluation.run import latest_batch

    tuned = latest_batch(store.evaluations(run_id)).get("tuned")
    return tuned["metrics"].get(metric) if tuned else None


def parse_axis(name: str, text: str) -> list:
    """'1e-4, 2e-4' → [0.0001, 0.0002] for an axis typed as text (the GUI's sweep builder)."""
    from ..errors import ConfigError

    kind = {"learning_rate": float, "epochs": float, "rank": int, "method": str}[name]
    values = []
    for part in text.replace(";", ",").split(","):
        if part.strip():
            try:
                values.append(kind(part.strip()))
            except ValueError:
                said = (Text("'{value}' is not a whole number", value=part.strip()) if kind is int else
                        Text("'{value}' is not a number", value=part.strip()))
                raise ConfigError([(name, said)]) from None
    return values
