"""Find good settings (issue #23): a small search over learning rate, epochs, LoRA rank and dropout, within a time
budget, each trial a run of its own, judged on the held-out validation rows.

- The search is Optuna's: a seeded TPE sampler and a median pruner: a trial whose validation loss at an
  evaluation (each epoch's end) is worse than the median of the earlier trials' at the same share of their
  schedules stops there. The share (`schedule_percent`: the step in percent of the trial's steps) is what the
  pruner is told, not the step: a longer schedule's first epoch, at a higher learning rate than a shorter one's
  end, was pruned at the defaults' own loss; now a 6-epoch trial's third epoch is compared with a 4-epoch trial's
  second, and an evaluation no earlier trial made at that share is not compared. The
  first trial is the config as it is (its automatic settings chosen from the data). The next ones are a small
  seeded grid around those settings, queued in the study before TPE proposes (`neighbours`: twice the learning
  rate, then more passes, then four times the rank): with the few trials a budget fits, TPE's first proposals are
  random draws from the whole space (a learning rate of 7e-4 for 6 epochs), while the defaults' neighbours are the
  likeliest improvements. Twice the learning rate comes first because it costs what the defaults cost, so it fits
  whenever they took under half the budget.
- Each trial is an ordinary run (engine.run, or for a config of several processes the launcher, as `queue run`
  trains one: distributed/launch.py `train`; stored, with its folder, events and adapter; named
  "<name> · tune <id> #<n> lr=… ep=… r=… drop=…"), its settings written into the config as the user's.
- Judged by the task's metric through `eval`'s scorer (evaluation.run.evaluate_run on the validation split;
  evaluation.metrics.task_metric): accuracy when the references are labels, exact match when they are JSON, else
  ROUGE-L (the others are kept beside it); validation loss when the stage does not generate answers (pt) or when
  asked. Ties go to the lower validation loss. A trial is picked over the defaults only when it beats them by more
  than one validation row (`MARGIN_ROWS`: its score minus theirs, times the rows scored): on a few dozen rows one
  row is noise, and a pick by noise hands the user settings that score worse on new rows.
- The budget is wall-clock: no trial starts after it has run out, nor one expected to outlast it (the defaults'
  minutes scaled by its passes: the search skips to the next proposal, `_fitting_proposal`), and a trial still
  training when it does is
  stopped (and does not count), except the first: the defaults always finish, so a search always has their score.
  The user's stop flag stops the trial in progress and the search.
- `refit` (on unless turned off): the best settings trained again on every row (the validation rows too) as one
  more run, the run to use. On the three bench tasks (docs/defaults.md §4) it beats the default run on each:
  orders 0.688 → 0.812 exact match and notes 0.946 → 0.958 ROUGE-L, where the trials' own picks did not (0.662;
  the defaults kept), intents 0.750 → 0.925 accuracy. On orders and notes the defaults' settings gain as much on
  every row (0.825, 0.958): held-out rows with other entities and phrasings teach what the training rows cannot.

Events: the trials' own run events (all but their `finished`), and a `trial` event as each trial ends: number,
run_id, params, value, metrics, state (completed, pruned, failed, out_of_time, stopped), minutes, error (a failed
trial's), best (the best trial's number so far).
"""

from __future__ import annotations

import logging
import math
import re
import secrets
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import Field

from ..errors import ConfigError
from ..messages import Text
from ..requests import Request

log = logging.getLogger(__name__)

TuneMetric = Literal["auto", "accuracy", "rougeL", "exact_match", "eval_loss"]
LEARNING_RATES = (5e-5, 1e-3)  # log-uniform
EPOCHS = (1, 6)
RANKS = (4, 8, 16, 32)
DROPOUTS = (0.0, 0.3)  # in steps of 0.05
SEARCHED = ("learning_rate", "epochs", "rank", "dropout")
MARGIN_ROWS = 1.0  # a trial must beat the defaults by more than this many validation rows to be picked


class TuneRequest(Request):
    command: ClassVar[str] = "tune"
    config: Path = Field(..., title="Run config", description="The run config to tune (YAML); its data must hold out "
                         "validation rows (a validation file or share).")
    budget_minutes: float = Field(20.0, title="Budget (minutes)", description="Wall-clock time for the search: no "
                                  "trial starts after it, and one still training then is stopped.", gt=0, le=10080)
    trials: int = Field(8, title="Most trials", description="Stop after this many trials even with time left.",
                        ge=1, le=500)
    metric: TuneMetric = Field("auto", title="Judged by", description="auto: accuracy when the answers are labels, "
                               "exact match when they are JSON, else ROUGE-L of the generated answers on the "
                               "validation rows; eval_loss: the validation loss (what text-only stages use).")
    limit: int | None = Field(64, title="Rows scored", description="Validation rows each trial answers (default "
                              "64; empty: all).", ge=1)
    refit: bool = Field(True, title="Train the best on all rows", description="After the search, train the best "
                        "settings once more on every row (the validation rows too): the run to use.")
    seed: int = Field(0, title="Seed", description="The search's seed: the same seed proposes the same trials.",
                      ge=0)


@dataclass
class Trial:
    number: int
    run_id: str | None
    params: dict[str, Any]
    state: str  # completed, pruned, failed, out_of_time
    value: float | None = None
    metrics: dict[str, float] = field(default_factory=dict)
    minutes: float = 0.0
    error: str | None = None  # a failed trial's run's error

    def to_dict(self) -> dict:
        return asdict(self)


def parse_budget(text: str) -> float:
    """'20m', '1.5h', '90s' or '15' (minutes) → minutes."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|hr)?\s*", str(text).lower())
    if not match or float(match.group(1)) <= 0:
        raise ConfigError([("budget", Text("'{text}' is not a duration such as 20m, 1.5h or 90s", text=text))])
    value, unit = float(match.group(1)), (match.group(2) or "m")[0]
    return value * {"s": 1 / 60, "m": 1.0, "h": 60.0}[unit]


def metric_for(config, requested: str) -> str:
    """The metric a search is judged by; 'auto' is settled per trial by the validation rows' references
    (evaluation.metrics.task_metric)."""
    if requested == "auto" and config.training.stage != "sft":
        return "eval_loss"
    return requested


def trial_config(base, params: dict[str, Any], name: str):
    """The base config with the trial's settings as the user's (left out of `auto`); alpha follows the rank (x2)."""
    from ..config import parse_config

    data = base.model_dump(mode="json")
    sections = {"learning_rate": "training", "epochs": "training", "rank": "method", "dropout": "method"}
    for setting, value in params.items():
        section = sections[setting]
        data[section][setting] = value
        data[section]["auto"] = [a for a in data[section]["auto"] if a != setting]
    if "rank" in params:
        data["method"]["alpha"] = float(2 * params["rank"])
        data["method"]["auto"] = [a for a in data["method"]["auto"] if a != "alpha"]
    data["name"] = name
    data["export"].update(adapter=True, merged=False)  # the trial is scored through its adapter; no merge
    data["evaluation"]["sample_prompts"] = []
    return parse_config(data)


def chosen_params(store, run_id: str) -> dict[str, Any]:
    """What a finished run trained with, of the searched settings (its stored config has them chosen)."""
    import yaml

    from ..config import parse_config

    config = parse_config(yaml.safe_load(store.get_run(run_id)["config"]))
    return {"learning_rate": config.training.learning_rate, "epochs": config.training.epochs,
            "rank": config.method.rank, "dropout": config.method.dropout}


class _TrialStop:
    """Set by the pruner or the budget for one trial; also set whenever the search's own stop flag is."""

    def __init__(self, outer) -> None:
        self.outer, self.reason = outer, None

    def set(self, reason: str = "stopped") -> None:
        self.reason = self.reason or reason
        if reason == "stopped" and self.outer is not None:  # a stop signal the trial's launcher caught: the search's
            self.outer.set()

    def is_set(self) -> bool:
        if self.reason is None and self.outer is not None and self.outer.is_set():
            self.reason = "stopped"
        return self.reason is not None


class _TrialSink:
    """Relays a trial's run events (not its `finished`: the search has its own last word), reports each validation
    loss to the pruner at its share of the trial's schedule and stops the trial when the pruner or the budget says
    so."""

    def __init__(self, sink, stop: _TrialStop, deadline: float, report) -> None:
        self.sink, self.stop, self.deadline, self.report = sink, stop, deadline, report
        self.total_steps = 0

    def emit(self, event: str, **fields: Any) -> None:
        if event in ("started", "progress") and fields.get("total_steps"):
            self.total_steps = fields["total_steps"]
        if event == "metrics" and "eval_loss" in fields.get("metrics", {}) and self.total_steps:
            if self.report(schedule_percent(fields["step"], self.total_steps), fields["metrics"]["eval_loss"]):
                self.stop.set("pruned")
        if event in ("progress", "metrics") and time.monotonic() > self.deadline:
            self.stop.set("out_of_time")
        if event != "finished" and self.sink is not None:
            self.sink.emit(event, **fields)


def schedule_percent(step: int, total_steps: int) -> int:
    """The step as a whole percent of the trial's schedule: the pruner's step, so trials of other lengths are
    compared at the same point of their schedules (1/3 of 6 epochs and of 3: 33)."""
    return round(100 * step / total_steps)


def _score(store, run_id: str, metric: str, limit: int | None, sink, stop) -> tuple[float | None, dict]:
    """(the trial's value, its metrics): the validation rows answered and scored as `eval` scores them, or the
    final validation loss."""
    from ..evaluation.run import evaluate_run
    from ..requests import EvalRequest

    losses = [v for _step, v in store.metric_series(run_id).get("eval_loss", [])]
    metrics = {"eval_loss": losses[-1]} if losses else {}
    if metric == "eval_loss":
        return metrics.get("eval_loss"), metrics
    result = evaluate_run(EvalRequest(run=run_id, split="validation", base=False, limit=limit, batch_size=16),
                          sink=sink, stop=stop, store=store)
    scores = {k: v for k, v in result["metrics"].items() if isinstance(v, float)}
    metrics.update(scores, examples=result["metrics"].get("examples"))
    name = metric if metric != "auto" else result["metrics"].get("task_metric", "rougeL")
    metrics["judged_by"] = name
    return scores.get(name), metrics


def _better(a: Trial, b: Trial | None, minimise: bool) -> bool:
    if b is None:
        return True
    sign = -1 if minimise else 1
    key_a = (sign * a.value, -a.metrics.get("eval_loss", math.inf))
    key_b = (sign * b.value, -b.metrics.get("eval_loss", math.inf))
    return key_a > key_b


def beats_defaults(trial: Trial, defaults: Trial | None, minimise: bool) -> bool:
    """Whether a trial may be picked over the defaults' trial: by more than MARGIN_ROWS of the rows scored for a
    score (a mean over rows), by any amount for a validation loss; always when the defaults did not finish."""
    if defaults is None or defaults.state != "completed":
        return True
    if minimise:
        return trial.value < defaults.value
    rows = trial.metrics.get("examples") or 0
    return (trial.value - defaults.value) * rows > MARGIN_ROWS + 1e-9


def neighbours(params: dict[str, Any]) -> list[dict[str, Any]]:
    """The seeded grid tried after the defaults, in order: twice the learning rate, more passes (x1.5, at least one
    more), four times the rank; each from the defaults' settings brought into the search space, the others kept."""
    if not params:
        return []
    start = {"learning_rate": min(LEARNING_RATES[1], max(LEARNING_RATES[0], params["learning_rate"])),
             "epochs": int(min(EPOCHS[1], max(EPOCHS[0], round(params["epochs"])))),
             "rank": min(RANKS, key=lambda r: abs(r - params["rank"])),
             "dropout": round(round(min(DROPOUTS[1], max(DROPOUTS[0], params["dropout"])) / 0.05) * 0.05, 2)}
    steps = [{"learning_rate": min(LEARNING_RATES[1], 2 * start["learning_rate"])},
             {"epochs": min(EPOCHS[1], max(start["epochs"] + 1, round(start["epochs"] * 1.5)))},
             {"rank": min(RANKS[-1], 4 * start["rank"])}]
    grid = []
    for step in steps:
        point = {**start, **step}
        if point != start and point not in grid:
            grid.append(point)
    return grid


def tune(request: TuneRequest, *, sink=None, stop=None, store=None, train=None) -> dict:
    """Run the search the request describes (module docstring); returns {"tune_id", "metric", "trials": [...],
    "best": trial or None, "refit_run_id"?, "refit_run_name"?, "minutes"}. `train` is distributed/launch.py's
    `train` (engine.run, or the launcher for a config of several processes; tests may wrap it)."""
    import optuna

    from ..config import load_config
    from ..distributed import launch
    from ..store import Store
    from .names import default_name

    store = store or Store()
    train = train or launch.train
    base = load_config(request.config)
    if not base.data.validation and base.data.validation_split <= 0:
        raise ConfigError([("data.validation_split", Text("the search judges trials on held-out rows: hold out a "
                                                          "share of the rows, or give a validation file"))])
    metric = metric_for(base, request.metric)
    minimise = metric == "eval_loss"
    tune_id = "tune-" + secrets.token_hex(3)
    name = base.name or default_name(base)
    started = time.monotonic()
    deadline = started + request.budget_minutes * 60
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(
        direction="minimize" if minimise else "maximize",
        sampler=optuna.samplers.TPESampler(seed=request.seed, n_startup_trials=3),
        pruner=optuna.pruners.MedianPruner(n_startup_trials=2, n_warmup_steps=0))
    distributions = {
        "learning_rate": optuna.distributions.FloatDistribution(*LEARNING_RATES, log=True),
        "epochs": optuna.distributions.IntDistribution(*EPOCHS),
        "rank": optuna.distributions.CategoricalDistribution(RANKS),
        "dropout": optuna.distributions.FloatDistribution(*DROPOUTS, step=0.05),
    }
    trials: list[Trial] = []
    best: Trial | None = None
    for number in range(request.trials):
        if (stop is not None and stop.is_set()) or time.monotonic() >= deadline:
            break
        first = number == 0
        ask = None if first else _fitting_proposal(study, distributions, trials[0], base, deadline)
        if not first and ask is None:
            log.info("tune %s: no proposed trial would finish in the %.1f minutes left", tune_id,
                     (deadline - time.monotonic()) / 60)
            break
        params = {} if first else {**ask.params, "epochs": float(ask.params["epochs"])}
        label = "defaults" if first else " ".join(f"{k}={_short(v)}" for k, v in params.items())
        config = trial_config(base, params, f"{name} · {tune_id} #{number} {label}")
        trial_stop = _TrialStop(stop)
        intermediate: list[tuple[int, float]] = []

        def report(percent: int, loss: float, ask=ask, intermediate=intermediate) -> bool:
            intermediate.append((percent, loss))
            if ask is None:
                return False
            ask.report(loss if minimise else -loss, percent)
            return ask.should_prune()

        t0 = time.monotonic()
        result = train(config, _TrialSink(sink, trial_stop, math.inf if first else deadline, report), trial_stop,
                       store=store)
        trial = Trial(number, result.run_id, params, "failed", error=result.error)
        if result.status == "completed":
            trial.params = chosen_params(store, result.run_id)
            trial.value, trial.metrics = _score(store, result.run_id, metric, request.limit, sink, stop)
            trial.state = "completed" if trial.value is not None else "failed"
        elif result.status == "cancelled":
            trial.state = trial_stop.reason if trial_stop.reason in ("pruned", "out_of_time") else "stopped"
        trial.minutes = round((time.monotonic() - t0) / 60, 2)
        _tell(study, ask, trial, intermediate, distributions, minimise)
        if first and trial.state == "completed":
            for point in neighbours(trial.params):
                study.enqueue_trial(point, skip_if_exists=True)
        if trial.state == "completed" and _better(trial, best, minimise) \
                and (first or beats_defaults(trial, trials[0], minimise)):
            best = trial
        trials.append(trial)
        if sink is not None:
            sink.emit("trial", **trial.to_dict(), best=best.number if best else None, tune_id=tune_id)
        log.info("tune %s trial %d: %s %s", tune_id, number, trial.state, trial.value)
        if trial.state == "stopped":
            break
    out = {"tune_id": tune_id, "metric": metric, "trials": [t.to_dict() for t in trials],
           "best": best.to_dict() if best else None}
    if request.refit and best is not None and not (stop is not None and stop.is_set()):
        final = refit_config(base, best.params, f"{name} · {tune_id} best, all rows")
        out["refit_run_id"] = train(final, _TrialSink(sink, _TrialStop(stop), math.inf, lambda *_: False),
                                    stop, store=store).run_id
        out["refit_run_name"] = final.name
    out["minutes"] = round((time.monotonic() - started) / 60, 2)
    return out


PROPOSALS = 8  # proposals asked for before a search ends because none would finish in the time left


def _fitting_proposal(study, distributions, defaults: Trial, base, deadline: float):
    """The next proposal (the grid's points first) expected to finish before the deadline, by the defaults' minutes
    scaled by the passes it trains (when epochs decide the length: no max_steps); proposals that would not are told
    to the study as failed and skipped, so a shorter one can use the time left. None when none of PROPOSALS fits."""
    import optuna

    per_pass = defaults.minutes / defaults.params["epochs"] if defaults.params.get("epochs") else None
    for _ in range(PROPOSALS):
        ask = study.ask(distributions)
        if per_pass is None or base.training.max_steps:
            expected = defaults.minutes
        else:
            expected = per_pass * ask.params["epochs"]
        if time.monotonic() + expected * 60 <= deadline:
            return ask
        study.tell(ask, state=optuna.trial.TrialState.FAIL)
    return None


def _tell(study, ask, trial: Trial, intermediate, distributions, minimise: bool) -> None:
    """Tell Optuna how a trial ended; the first (the defaults, not proposed by it) is added as a finished trial
    when its chosen settings lie in the search space."""
    import optuna

    state = {"completed": optuna.trial.TrialState.COMPLETE, "pruned": optuna.trial.TrialState.PRUNED}.get(
        trial.state, optuna.trial.TrialState.FAIL)
    if ask is not None:
        study.tell(ask, trial.value if state == optuna.trial.TrialState.COMPLETE else None, state=state)
        return
    if state != optuna.trial.TrialState.COMPLETE or not in_space(trial.params):
        return
    params = {**trial.params, "epochs": int(trial.params["epochs"])}
    sign = 1 if minimise else -1
    study.add_trial(optuna.trial.create_trial(
        params=params, distributions=distributions, value=trial.value,
        intermediate_values={percent: sign * loss for percent, loss in intermediate}))


def in_space(params: dict[str, Any]) -> bool:
    """Whether settings lie in the search space (the defaults' chosen ones may not: a rank of 64, 10 epochs)."""
    return bool(params) and LEARNING_RATES[0] <= params["learning_rate"] <= LEARNING_RATES[1] \
        and float(params["epochs"]).is_integer() and EPOCHS[0] <= params["epochs"] <= EPOCHS[1] \
        and params["rank"] in RANKS and DROPOUTS[0] <= params["dropout"] <= DROPOUTS[1] \
        and abs(params["dropout"] / 0.05 - round(params["dropout"] / 0.05)) < 1e-9


def refit_config(base, params: dict[str, Any], name: str):
    """The base config with the settings `params`, trained on every row (the refit's run)."""
    return _all_rows(trial_config(base, params, name), base)


def _all_rows(config, base):
    """The config trained on every row: no validation share, a validation file mixed into the training rows at its
    own size (its weight: its rows per training row), and the base's exports."""
    from ..config import parse_config
    from ..data.prepare import split_examples

    data = config.model_dump(mode="json")
    if config.data.validation:
        examples = split_examples(config.data)
        data["data"]["mix"] = [*data["data"]["mix"], {
            "path": config.data.validation, "format": config.data.format, "columns": dict(config.data.columns),
            "weight": len(examples.validation) / max(1, len(examples.train))}]
    data["data"].update(validation=None, validation_split=0.0)
    data["export"] = base.export.model_dump(mode="json")
    return parse_config(data)


def _short(value: Any) -> str:
    return f"{value:.0e}" if isinstance(value, float) and value < 0.01 else f"{value:g}"
