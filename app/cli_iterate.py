"""The commands that measure a run and plan the next: `eval`, `queue`, `sweep`, `extend`, and
`chat RUN --compare-base`.

Kept out of cli.py so that module stays small; `add_parsers` registers them on cli.py's subparsers.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import get_args

from app.cli_events import add_events_option
from app.core.errors import StudioError
from app.core.requests import EvalRequest, EvalSplit
from app.logsetup import route_library_logs

METRIC_ROWS = ("exact_match", "rouge1", "rouge2", "rougeL", "bleu", "accuracy", "precision", "recall", "f1",
               "pairwise_accuracy", "margin", "reward_margin", "reward", "loss", "perplexity")
BASELINE_TITLES = {"majority_class": "majority class", "chance": "chance"}


def eval_request(args) -> EvalRequest:
    """The request the flags (or `--request FILE`) describe."""
    from app.core.requests import load_request, parse_request

    if args.request:
        if args.run:
            raise StudioError("Give a run or --request FILE, not both.", "The request file names its run.")
        return load_request(EvalRequest, args.request)
    if not args.run:
        raise StudioError("Which run?", "Give a run id or name, or --request FILE.")
    fields = {"run": args.run, "split": args.split, "limit": args.limit, "few_shot": args.few_shot,
              "base": not args.no_base, "batch_size": args.batch_size, "max_new_tokens": args.max_new_tokens}
    return parse_request(EvalRequest, {k: v for k, v in fields.items() if v is not None})


def cmd_eval(args) -> int:
    from app.cli_events import run_command
    from app.core.evaluation.run import evaluate_run

    request = eval_request(args)
    route_library_logs()

    def evaluate(sink, stop) -> dict:
        return evaluate_run(request.run, **request.model_dump(exclude={"run"}), sink=sink, stop=stop)

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


def chat_compare(args) -> int:
    """`chat RUN --compare-base --prompt ...`: the tuned model's answer, then the base model's, greedy."""
    import gc

    from app.core.chat.generate import stream_reply
    from app.core.chat.load import base_model_of, load_for_chat, trusts_remote_code

    if not args.prompt:
        raise StudioError("--compare-base answers one prompt with both models.", 'Add --prompt "your question".')
    route_library_logs()
    messages = ([{"role": "system", "content": args.system}] if args.system else []) + [
        {"role": "user", "content": args.prompt}]
    answers = {}
    for title, key in (("tuned", args.model), ("base", base_model_of(args.model))):
        print(f"Loading the {title} model ({key})…", file=sys.stderr)
        model, tokenizer = load_for_chat(key, trust_remote_code=trusts_remote_code(args.model))  # the run's word
        answers[title] = "".join(stream_reply(model, tokenizer, messages, max_new_tokens=args.max_tokens,
                                              temperature=args.temperature, top_p=args.top_p)).strip()
        del model
        gc.collect()
    if args.json:
        print(json.dumps({"prompt": args.prompt, **answers}, indent=2, ensure_ascii=False))
    else:
        print(f"Tuned ({args.model}):\n{answers['tuned']}\n\nBase ({base_model_of(args.model)}):\n{answers['base']}")
    return 0


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
    add_queue_parsers(sub)


def cmd_queue(args) -> int:
    from app.core.runs import queue
    from app.core.store import Store

    store = Store()
    if args.queue_cmd == "add":
        from app.core.config import load_config

        for path in args.configs:
            print(f"queued {queue.add(store, load_config(path))}: {path}")
    elif args.queue_cmd == "cancel":
        queue.cancel(store, args.item)
    elif args.queue_cmd == "move":
        queue.move(store, args.item, args.by)
    elif args.queue_cmd == "run":
        return _run_queue(store, args)
    elif args.queue_cmd == "rank":
        return _rank(store, args)
    rows = queue.items(store, args.sweep if args.queue_cmd == "list" else None)
    if getattr(args, "json", False):
        print(json.dumps([{k: v for k, v in row.items() if k != "config"} for row in rows], indent=2))
    elif args.queue_cmd == "list":
        for row in rows:
            print(f"{row['id']:>4} {row['status']:10} {row['name'][:40]:40} {row['run_id'] or ''}")
        if not rows:
            print("The queue is empty. Add configs with: finetune-studio queue add CONFIG.yaml")
    return 0


def _run_queue(store, args) -> int:
    from app.cli_events import run_command
    from app.core.runs import queue

    route_library_logs()

    def run(sink, stop) -> list[dict]:
        return [{k: v for k, v in row.items() if k != "config"} for row in queue.run_queue(store, sink, stop)]

    def show(done: list[dict]) -> None:
        for row in done:
            print(f"{row['name']}: {row['status']} (run {row['run_id']})")

    def code(done: list[dict], stop) -> int:
        return 130 if stop.is_set() else (0 if all(row["status"] == "completed" for row in done) else 1)

    return run_command(args, run, show, code=code)


def _rank(store, args) -> int:
    from app.core.runs import queue
    from app.core.runs.sweep import rank

    run_ids = [row["run_id"] for row in queue.items(store, args.sweep) if row["run_id"]]
    ranked = rank(store, run_ids, args.by)
    if args.json:
        print(json.dumps(ranked, indent=2))
        return 0
    for i, row in enumerate(ranked, 1):
        value = "-" if row[args.by] is None else f"{row[args.by]:.4f}"
        print(f"{i:>3}. {args.by} {value:>10}  {row['name']} ({row['run_id']}, {row['status']})")
    return 0


def cmd_sweep(args) -> int:
    from app.core.config import load_config
    from app.core.runs.sweep import queue_sweep
    from app.core.store import Store

    axes = {"learning_rate": args.lr, "rank": args.rank, "epochs": args.epochs, "method": args.method}
    if not any(axes.values()):
        raise StudioError("The sweep has no axes.", "Give values with --lr, --rank, --epochs and/or --method.")
    sweep, ids = queue_sweep(Store(), load_config(args.config), axes)
    print(f"{sweep}: queued {len(ids)} runs (items {', '.join(map(str, ids))}). Start them with: "
          f"finetune-studio queue run; then rank them: finetune-studio queue rank --sweep {sweep}")
    return 0


def cmd_extend(args) -> int:
    from app.cli import EXIT_CODES
    from app.core.events import ProgressPrinter, StopFlag
    from app.core.runs.extend import extend_run

    route_library_logs()
    stop = StopFlag()
    stop.install_signal_handlers()
    result = extend_run(args.run, args.epochs, ProgressPrinter(), stop)
    print(f"{result.run_id}: {result.status}" + (f" ({result.error})" if result.error else ""))
    return EXIT_CODES.get(result.status, 1)


def add_queue_parsers(sub) -> None:
    x = sub.add_parser("extend", help="train a completed run N more epochs, as a new run continuing from its final "
                       "checkpoint (optimizer, schedule and step carried over)")
    x.add_argument("run")
    x.add_argument("--epochs", type=float, default=1.0, help="epochs to add (default 1)")
    x.set_defaults(func=cmd_extend)

    q = sub.add_parser("queue", help="run configs one after another: add, list, move, cancel, run, rank")
    qs = q.add_subparsers(dest="queue_cmd", required=True)
    qa = qs.add_parser("add", help="queue run configs (YAML) last")
    qa.add_argument("configs", nargs="+")
    ql = qs.add_parser("list")
    ql.add_argument("--sweep", help="only this sweep's items")
    ql.add_argument("--json", action="store_true")
    qc = qs.add_parser("cancel", help="take a waiting item out of the queue")
    qc.add_argument("item", type=int)
    qm = qs.add_parser("move", help="move a waiting item earlier (negative) or later")
    qm.add_argument("item", type=int)
    qm.add_argument("by", type=int)
    qrun = qs.add_parser("run", help="train the queued items in order (Ctrl+C stops the current run and the queue)")
    add_events_option(qrun)
    qr = qs.add_parser("rank", help="rank the queue's finished runs by a metric")
    qr.add_argument("--sweep", help="only this sweep's runs")
    qr.add_argument("--by", default="eval_loss", help="a training metric (eval_loss, loss) or an evaluation metric "
                    "(exact_match, rougeL, ...); losses rank lowest first, others highest first")
    qr.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_queue)

    s = sub.add_parser("sweep", help="queue a grid of runs over learning rate, rank, epochs and method")
    s.add_argument("config", help="the run config every run starts from")
    s.add_argument("--lr", type=float, nargs="+", metavar="LR")
    s.add_argument("--rank", type=int, nargs="+", metavar="R")
    s.add_argument("--epochs", type=float, nargs="+", metavar="E")
    s.add_argument("--method", nargs="+", metavar="NAME")
    s.set_defaults(func=cmd_sweep)
