"""`eval RUN`: score a run and its base model (zero-/few-shot) on held-out data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import get_args

from app.cli.events import add_events_option
from app.core.requests import EvalRequest, EvalSplit
from app.logsetup import route_library_logs

METRIC_ROWS = ("exact_match", "rouge1", "rouge2", "rougeL", "bleu", "accuracy", "precision", "recall", "f1",
               "pairwise_accuracy", "margin", "reward_margin", "reward", "loss", "perplexity")


BASELINE_TITLES = {"majority_class": "majority class", "chance": "chance"}


def eval_request(args) -> EvalRequest:
    """The request the flags (or `--request FILE`) describe."""
    from app.core.requests import request_from_options

    fields = {"run": args.run, "split": args.split, "limit": args.limit, "few_shot": args.few_shot,
              "base": not args.no_base, "batch_size": args.batch_size, "max_new_tokens": args.max_new_tokens}
    return request_from_options(EvalRequest, args.request, args.run, fields, ("run", "a run id or name"))


def cmd_eval(args) -> int:
    from app.cli.events import run_command
    from app.core.evaluation.run import evaluate_run

    request = eval_request(args)
    route_library_logs()

    def evaluate(sink, stop) -> dict:
        return evaluate_run(request, sink=sink, stop=stop)

    def show(result: dict) -> None:
        if args.json:
            print(json.dumps(result, indent=2))
            return
        base = result.get("base", {})
        columns = {"tuned": result["metrics"]}
        for key, title in (("zero_shot", BASELINE_TITLES.get(base.get("baseline"), "base 0-shot")),
                           ("few_shot", f"base {request.few_shot}-shot")):
            if key in base:
                columns[title] = base[key]
        skipped = result.get("skipped", {}).get("undesirable")
        print(f"Run {result['run_id']}: {result['examples']} {result['split']} examples"
              + (f" ({skipped} rows labelled undesirable skipped)" if skipped else ""))
        if base.get("about"):
            print(base["about"])
        print(f"{'metric':18}" + "".join(f"{title:>16}" for title in columns))
        rewards = sorted(k for k in result["metrics"] if k.startswith("rewards/"))
        for name in (*METRIC_ROWS, *rewards):
            if name in result["metrics"]:
                print(f"{name:18}" + "".join(f"{col.get(name, float('nan')):>16.3f}" for col in columns.values()))

    return run_command(args, evaluate, show)


def add_parsers(sub) -> None:
    ev = sub.add_parser("eval", help="score a run and its base model (zero-/few-shot) on held-out data")
    ev.add_argument("run", nargs="?", help="run id or name (or give --request FILE)")
    ev.add_argument("--request", type=Path, metavar="FILE", help="an eval request (YAML, the fields of "
                    "app/core/requests.py EvalRequest) instead of the flags; the GUI writes one")
    ev.add_argument("--split", choices=get_args(EvalSplit),
                    help="held-out rows as the run's data step split them; test: data.test or data.test_split")
    ev.add_argument("--limit", type=int, metavar="N", help="score only the first N held-out examples")
    ev.add_argument("--few-shot", type=int, metavar="K",
                    help="also score the base model with K training examples placed in the prompt")
    ev.add_argument("--no-base", action="store_true", help="score the tuned model only")
    ev.add_argument("--batch-size", type=int, help="prompts generated at once (default 8)")
    ev.add_argument("--max-new-tokens", type=int, metavar="N",
                    help="tokens generated per answer (default: the longest reference + 16, at most 256)")
    ev.add_argument("--json", action="store_true", help="the tuned model's metrics, and the base's under 'base'")
    add_events_option(ev)
    ev.set_defaults(func=cmd_eval)
