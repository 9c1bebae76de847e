"""`tune CONFIG --budget 20m`: find good settings (learning rate, epochs, rank, dropout) for a run config, each
trial a run judged on the held-out validation rows (app/core/runs/tune.py)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from app.cli.events import add_events_option
from app.logsetup import route_library_logs


def tune_request(args):
    """The request the flags (or `--request FILE`) describe."""
    from app.core.requests import request_from_options
    from app.core.runs.tune import TuneRequest, parse_budget

    fields = {"config": args.config, "budget_minutes": parse_budget(args.budget) if args.budget else None,
              "trials": args.trials, "metric": args.metric, "limit": args.limit, "refit": args.refit,
              "seed": args.seed}
    return request_from_options(TuneRequest, args.request, args.config, fields, ("run config", "a run config YAML"))


class _TrialPrinter:
    """ProgressPrinter for the trials' runs, and one line a finished trial (on stderr, as the progress)."""

    def __init__(self, printer):
        self.printer = printer

    def emit(self, event: str, **fields) -> None:
        if event == "trial":
            value = "—" if fields["value"] is None else f"{fields['value']:.4f}"
            params = " ".join(f"{k}={v:g}" for k, v in fields["params"].items()) or "the config's own settings"
            print(f"trial {fields['number']}: {fields['state']}, {value} ({params}; {fields['minutes']:.1f} min, "
                  f"run {fields['run_id']}); best so far: #{fields['best']}", file=sys.stderr, flush=True)
        else:
            self.printer.emit(event, **fields)


def cmd_tune(args) -> int:
    from app.cli.events import run_command
    from app.core.runs.tune import tune

    request = tune_request(args)
    route_library_logs()

    def work(sink, stop) -> dict:
        if args.events != "jsonl":
            sink = _TrialPrinter(sink)
        return tune(request, sink=sink, stop=stop)

    def show(result: dict) -> None:
        if args.json:
            print(json.dumps(result, indent=2))
            return
        best = result["best"]
        print(f"{result['tune_id']}: {len(result['trials'])} trials in {result['minutes']:.1f} min, judged by "
              f"{result['metric']} on the validation rows")
        if best is None:
            print("No trial completed: raise the budget (--budget) or check the runs' errors (runs list).")
            return
        settings = ", ".join(f"{k} {v:g}" for k, v in best["params"].items())
        print(f"best: trial {best['number']} (run {best['run_id']}): {best['value']:.4f} with {settings}")
        if result.get("refit_run_id"):
            print(f"trained on all rows: run {result['refit_run_id']}")

    def code(result: dict, stop) -> int:
        return 130 if stop.is_set() else (0 if result["best"] else 1)

    return run_command(args, work, show, code=code)


def add_parsers(sub) -> None:
    from typing import get_args

    from app.core.runs.tune import TuneMetric

    tu = sub.add_parser("tune", help="find good settings: a small search over learning rate, epochs, rank and "
                        "dropout, judged on held-out rows")
    tu.add_argument("config", nargs="?", type=Path, help="the run config to tune (or give --request FILE)")
    tu.add_argument("--request", type=Path, metavar="FILE", help="a tune request (YAML, the fields of "
                    "app/core/runs/tune.py TuneRequest) instead of the flags; the GUI writes one")
    tu.add_argument("--budget", metavar="TIME", help="wall-clock time for the search, e.g. 20m, 1.5h, 900s "
                    "(default 20m)")
    tu.add_argument("--trials", type=int, metavar="N", help="at most N trials (default 8)")
    tu.add_argument("--metric", choices=get_args(TuneMetric), help="what judges a trial (default auto: accuracy "
                    "for labels, exact match for JSON answers, else ROUGE-L; eval_loss for text-only stages)")
    tu.add_argument("--limit", type=int, metavar="N", help="validation rows each trial answers (default 64)")
    tu.add_argument("--refit", action=argparse.BooleanOptionalAction, help="train the best settings once more on "
                    "every row, the validation rows too (default: on; --no-refit leaves it out)")
    tu.add_argument("--seed", type=int, help="the search's seed (default 0)")
    tu.add_argument("--json", action="store_true", help="print the trials and the best as JSON")
    add_events_option(tu)
    tu.set_defaults(func=cmd_tune)
