"""`queue add|list|move|cancel|run|rank`, `sweep` and `extend`: runs planned one after another."""

from __future__ import annotations

import json

from app.cli.events import add_events_option
from app.core.errors import StudioError
from app.logsetup import route_library_logs


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
    from app.cli.events import run_command
    from app.core.runs import queue

    route_library_logs()

    def run(sink, stop) -> list[dict]:
        done = queue.run_queue(store, sink, stop, train=_train_in_its_folder(args.verbose))
        return [{k: v for k, v in row.items() if k != "config"} for row in done]

    def show(done: list[dict]) -> None:
        for row in done:
            print(f"{row['name']}: {row['status']} (run {row['run_id']})")

    def code(done: list[dict], stop) -> int:
        return 130 if stop.is_set() else (0 if all(row["status"] == "completed" for row in done) else 1)

    return run_command(args, run, show, code=code)


def _train_in_its_folder(verbose: bool):
    """One queued run, which leaves in its folder what `train` leaves: its events in events.jsonl and its log in
    logs/worker.log, or for a run of several processes the launcher's log in logs/launcher.log (its ranks write
    the rest, as under `train --processes N`); the run's events also go to the queue's sink."""
    import logging

    from app.core.distributed import launch
    from app.core.events import JsonlEventWriter, TeeSink
    from app.core.paths import run_dir
    from app.logsetup import RunLogHandler

    def train(config, sink, stop, *, run_id, store):
        folder = run_dir(run_id)
        (folder / "logs").mkdir(parents=True, exist_ok=True)
        several = config.distributed.world_size > 1
        log_file = RunLogHandler(folder / "logs" / ("launcher.log" if several else "worker.log"), encoding="utf-8")
        log_file.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root = logging.getLogger()
        level = root.level
        root.addHandler(log_file)
        root.setLevel(logging.DEBUG if verbose else logging.INFO)  # as `train` logs
        events = None if several else JsonlEventWriter(None, folder / "events.jsonl")
        try:
            return launch.train(config, TeeSink(sink, events), stop, run_id=run_id, store=store, verbose=verbose)
        finally:
            if events is not None:
                events.close()
            root.removeHandler(log_file)
            root.setLevel(level)
            log_file.close()

    return train


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
    from app.cli.train import EXIT_CODES
    from app.core.events import ProgressPrinter, StopFlag
    from app.core.runs.extend import extend_run

    route_library_logs()
    stop = StopFlag()
    stop.install_signal_handlers()
    result = extend_run(args.run, args.epochs, ProgressPrinter(), stop, verbose=args.verbose)
    print(f"{result.run_id}: {result.status}" + (f" ({result.error})" if result.error else ""))
    return EXIT_CODES.get(result.status, 1)


def add_parsers(sub) -> None:
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
