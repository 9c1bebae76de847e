"""The defaults measured (issue #23): `python -m bench.defaults_tasks [--tasks orders intents notes] [--budget 25m]`.

For each task of bench/tasks/ (make_tasks.py: held-out entities and phrasings in validation and test) on the demo
model, scored on the test rows (never trained on, never used to choose) with `eval`'s scorer:

- base: the demo model as it is (zero-shot, the evaluation beside the old default's);
- old default: the settings every run had before: 1 epoch, lr 2e-4, warm-up 3%, max length 512, LoRA r 16,
  alpha 32, dropout 0.05;
- new default: nothing given, every setting chosen from the data (app/core/auto_settings.py); it is the first
  trial of the search below, so it is trained once;
- tuned: `tune` (app/core/runs/tune.py) with the budget, judged on the validation rows; its best trial;
- tuned, all rows: that best trial's settings trained once more on every row, the validation rows too (`tune`'s
  refit, on by default; the window's "Then train the best settings on every row"): what the search hands the user;
- new default, all rows: the new default's settings trained on every row the same way, the control that splits the
  refit's gain into the rows' share and the settings' (trained only when the search picked other settings than the
  defaults; otherwise it is the refit itself).

Minutes are the wall-clock training minutes of the run (tuned: all the search's trials and their scoring; tuned, all
rows: those and the refit), on this machine as loaded as it was. Prints a markdown table and writes the figures as JSON (--out).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

TASKS = Path(__file__).parent / "tasks"
METRICS = {"orders": "exact_match", "intents": "accuracy", "notes": "rougeL"}
OLD_DEFAULTS = {"training": {"epochs": 1, "learning_rate": 2e-4, "warmup_ratio": 0.03, "max_length": 512},
                "method": {"rank": 16, "alpha": 32, "dropout": 0.05}}


def task_config(task: str, name: str, settings: dict | None = None) -> dict:
    folder = TASKS / task
    config = {"name": name, "model": {"source": "demo"},
              "data": {"train": str(folder / "train.jsonl"), "validation": str(folder / "validation.jsonl"),
                       "test": str(folder / "test.jsonl")},
              "method": {"name": "lora"}, "training": {"batch_size": 8, "save_steps": 10_000},
              "evaluation": {"sample_prompts": []}, "export": {"merged": False, "adapter": True, "verify": False}}
    for section, values in (settings or {}).items():
        config[section] = {**config[section], **values}
    return config


def test_scores(store, run_id: str, base: bool) -> dict:
    from app.core.evaluation.run import evaluate_run
    from app.core.requests import EvalRequest

    result = evaluate_run(EvalRequest(run=run_id, split="test", base=base, batch_size=16), store=store)
    return {"tuned": result["metrics"], "base": result.get("base", {}).get("zero_shot")}


def run_minutes(store, run_id: str) -> float:
    from app.core.store import run_seconds

    return round((run_seconds(store.get_run(run_id)) or 0) / 60, 2)


def measure(task: str, budget: float, trials: int, folder: Path, refit: bool = True) -> dict:
    from app.core.config import parse_config
    from app.core.events import ListSink
    from app.core.runs.tune import TuneRequest, tune
    from app.core.store import Store
    from app.core.training import engine

    store = Store()
    metric = METRICS[task]
    old_id = _completed(store, f"{task} old default")  # a bench stopped after it: its run and scores are kept
    if old_id is None:
        old = engine.run(parse_config(task_config(task, f"{task} old default", OLD_DEFAULTS)), ListSink(), store=store)
        assert old.status == "completed", old.error
        old_id = old.run_id
    old_scores = _stored_scores(store, old_id) or test_scores(store, old_id, base=True)
    path = folder / f"{task}.yaml"
    path.write_text(_yaml(task_config(task, task)), encoding="utf-8")  # settings left out: chosen from the data
    t0 = time.monotonic()
    search = tune(TuneRequest(config=path, budget_minutes=budget, trials=trials, limit=None, refit=refit),
                  sink=ListSink(), store=store)
    search_minutes = round((time.monotonic() - t0) / 60, 2)
    default = search["trials"][0]
    best = search["best"]
    rows = {
        "base": {"metric": old_scores["base"][metric], "minutes": 0.0},
        "old default": {"metric": old_scores["tuned"][metric], "minutes": run_minutes(store, old_id),
                        "run_id": old_id},
        "new default": {"metric": test_scores(store, default["run_id"], False)["tuned"][metric],
                        "minutes": run_minutes(store, default["run_id"]), "run_id": default["run_id"],
                        "settings": default["params"]},
        "tuned": {"metric": test_scores(store, best["run_id"], False)["tuned"][metric] if best else None,
                  "minutes": round(sum(t["minutes"] for t in search["trials"]), 2),
                  "run_id": best["run_id"] if best else None, "settings": best["params"] if best else None,
                  "trials": len(search["trials"]), "validation": best["value"] if best else None},
        "tuned, all rows": {"metric": test_scores(store, search["refit_run_id"], False)["tuned"][metric]
                            if search.get("refit_run_id") else None,
                            "minutes": search_minutes, "run_id": search.get("refit_run_id")},
    }
    if refit and best is not None:
        print(json.dumps({"task": task, "rows": rows}), flush=True)  # the control below takes a run's time
        rows["new default, all rows"] = _control(store, path, task, default, best, rows["tuned, all rows"], metric)
    return {"task": task, "metric": metric, "rows": rows, "search": search}


def _control(store, path: Path, task: str, default: dict, best: dict, refit: dict, metric: str) -> dict:
    """The new default's settings trained on every row as the refit trains the pick's (the refit itself when the
    search kept the defaults)."""
    from app.core.config import load_config
    from app.core.events import ListSink
    from app.core.runs.tune import refit_config
    from app.core.training import engine

    if best["number"] == default["number"]:
        return {**refit, "minutes": run_minutes(store, refit["run_id"]) if refit["run_id"] else 0.0}
    base = load_config(path)
    result = engine.run(refit_config(base, default["params"], f"{task} new default, all rows"), ListSink(),
                        store=store)
    assert result.status == "completed", result.error
    return {"metric": test_scores(store, result.run_id, False)["tuned"][metric],
            "minutes": run_minutes(store, result.run_id), "run_id": result.run_id}


def _completed(store, name: str) -> str | None:
    rows = [r for r in store.db["runs"].rows_where("name = ? AND status = 'completed'", [name])]
    return rows[-1]["id"] if rows else None


def _stored_scores(store, run_id: str) -> dict | None:
    """The test scores an earlier bench stored for the run (tuned and base), if it got that far."""
    from app.core.evaluation.run import latest_batch

    batch = latest_batch([e for e in store.evaluations(run_id) if e["split"] == "test"])
    if "tuned" not in batch or "base_zero_shot" not in batch:
        return None
    return {"tuned": batch["tuned"]["metrics"], "base": batch["base_zero_shot"]["metrics"]}


def _yaml(config: dict) -> str:
    import yaml

    return yaml.safe_dump(config, sort_keys=False)


def table(results: list[dict]) -> str:
    columns = ["base", "old default", "new default", "tuned", "tuned, all rows", "new default, all rows"]
    lines = ["| task (test metric) | " + " | ".join(columns) + " |", "| --- |" + " ---: |" * len(columns)]
    for r in results:
        cells = [f"{v['metric']:.3f} ({v['minutes']:.1f} min)" if v and v["metric"] is not None else "—"
                 for v in (r["rows"].get(c) for c in columns)]
        lines.append(f"| {r['task']} ({r['metric']}) | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", nargs="+", default=list(METRICS), choices=list(METRICS))
    parser.add_argument("--budget", default="25m", help="the search's budget per task (default 25m)")
    parser.add_argument("--trials", type=int, default=4, help="at most this many trials per task (default 4)")
    parser.add_argument("--no-refit", action="store_true", help="leave out the 'tuned, all rows' column (one "
                        "run less per task)")
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    args = parser.parse_args()
    os.environ.setdefault("FINETUNE_STUDIO_HOME", tempfile.mkdtemp(prefix="bench-defaults-"))
    from app.logsetup import route_library_logs

    route_library_logs()  # the libraries' warnings about cases the app handles stay out of the output, as in the CLI
    from app.core.runs.tune import parse_budget

    folder = Path(tempfile.mkdtemp(prefix="bench-defaults-configs-"))
    results = []
    for task in args.tasks:
        results.append(measure(task, parse_budget(args.budget), args.trials, folder, not args.no_refit))
        print(json.dumps({k: v for k, v in results[-1].items() if k != "search"}), flush=True)
        if args.out:
            args.out.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(table(results))


if __name__ == "__main__":
    main()
