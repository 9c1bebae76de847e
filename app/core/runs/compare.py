"""Comparing runs: their configs flattened and diffed, and a summary of final and best metrics per run.

Pure Python (no Qt): the Compare page and the CLI read the same answers.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

import yaml

from ..store import run_seconds

METRICS = ("loss", "eval_loss", "learning_rate", "tokens_per_second")  # the curves compared, in this order
MISSING = object()  # a path one config has and another lacks


def flatten(config: dict | None, prefix: str = "") -> dict[str, Any]:
    """`{"training": {"learning_rate": 2e-4}}` → `{"training.learning_rate": 2e-4}`; lists stay values."""
    out: dict[str, Any] = {}
    for key, value in (config or {}).items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            out.update(flatten(value, path + "."))
        else:
            out[path] = value
    return out


def run_config(run: dict) -> dict:
    """A store row's config (its YAML text) as a dict; {} when it has none or it does not parse."""
    text = run.get("config")
    if isinstance(text, dict):
        return text
    try:
        loaded = yaml.safe_load(text) if text else None
    except yaml.YAMLError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def config_diff(configs: list[dict]) -> list[tuple[str, list[Any]]]:
    """(dotted path, one value per config) for the paths whose values are not all equal, in the order they
    first appear. A path a config lacks has the value MISSING. Fewer than two configs: no differences."""
    if len(configs) < 2:
        return []
    flat = [flatten(c) for c in configs]
    paths = list(dict.fromkeys(p for f in flat for p in f))
    out = []
    for path in paths:
        values = [f.get(path, MISSING) for f in flat]
        if any(not _same(v, values[0]) for v in values[1:]):
            out.append((path, values))
    return out


def _same(a: Any, b: Any) -> bool:
    if a is MISSING or b is MISSING:
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool) \
            and not isinstance(b, bool):
        return float(a) == float(b)  # 1 and 1.0 read the same in YAML
    return a == b


def value_text(value: Any) -> str:
    """How a config value reads in a table cell."""
    if value is MISSING:
        return "—"
    if value is None:
        return "(empty)"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (list, dict)):
        return yaml.safe_dump(value, default_flow_style=True, width=10_000).strip()
    return str(value)


@dataclass
class RunSummary:
    run_id: str
    name: str
    status: str | None
    steps: int | None
    duration: float | None  # seconds
    final_loss: float | None
    best_eval_loss: float | None
    best_eval_step: int | None
    final_eval_loss: float | None
    trainable_params: int | None
    tokens_per_second: float | None  # median over the logged steps


def summarize(run: dict, series: dict[str, list[tuple[int, float]]]) -> RunSummary:
    """Final and best metrics of one run from its store row and `Store.metric_series`."""
    loss = series.get("loss") or []
    evals = series.get("eval_loss") or []
    best = min(evals, key=lambda p: (p[1], p[0])) if evals else None  # ties: the earlier step
    speeds = [v for _, v in series.get("tokens_per_second") or [] if v > 0]
    all_steps = [s for points in series.values() for s, _ in points]
    return RunSummary(
        run_id=run["id"], name=run.get("name") or run["id"], status=run.get("status"),
        steps=run.get("last_step") if run.get("last_step") is not None else max(all_steps, default=None),
        duration=run_seconds(run) if run.get("finished") else None,
        final_loss=loss[-1][1] if loss else run.get("final_loss"),
        best_eval_loss=best[1] if best else run.get("best_eval_loss"),
        best_eval_step=best[0] if best else run.get("best_step"),
        final_eval_loss=evals[-1][1] if evals else None,
        trainable_params=run.get("trainable_params"),
        tokens_per_second=statistics.median(speeds) if speeds else None,
    )


def run_labels(runs: list[dict]) -> list[str]:
    """One legend label per run: its name, with the end of its id where names repeat."""
    names = [r.get("name") or r["id"] for r in runs]
    return [f"{n} ({r['id'][-4:]})" if names.count(n) > 1 else n for n, r in zip(names, runs, strict=True)]
