"""`train CONFIG` and `train --resume RUN`: the training worker's command line (the GUI runs it too)."""

from __future__ import annotations

import argparse

from app.cli.events import add_events_option, events_stdout
from app.core.errors import StudioError
from app.logsetup import route_library_logs, setup_logging

# A run's status as the exit code of `train`: a refused config, data or model is the user's to fix (2), as for
# every StudioError; a run that failed while training is 1.
EXIT_CODES = {"completed": 0, "cancelled": 130, "rejected": 2}


def cmd_train(args) -> int:
    from app.core.config import load_config
    from app.core.events import JsonlEventWriter, ProgressPrinter, StopFlag, TeeSink
    from app.core.paths import run_dir
    from app.core.store import Store, new_run_id
    from app.core.training import engine

    store = Store()
    if args.resume:
        run_id, config = store.get_run(args.resume)["id"], None
    else:
        if not args.config:
            raise StudioError("Give a config file to train, or --resume RUN.",
                              "Example: finetune-studio train resources/examples/quickstart.yaml")
        config = load_config(args.config)
        if args.run_id is None:  # the GUI names its runs before it starts the worker (with --run-id)
            from app.core.runs.names import run_name, taken_names

            config = config.model_copy(update={"name": run_name(config, taken_names(store))})  # no two share one
        run_id = args.run_id or new_run_id()
    folder = run_dir(run_id)
    setup_logging(args.verbose, folder / "logs" / "worker.log")
    route_library_logs()
    if args.events == "jsonl":
        sink = TeeSink(JsonlEventWriter(events_stdout(), folder / "events.jsonl"))
    else:
        sink = TeeSink(JsonlEventWriter(None, folder / "events.jsonl"), ProgressPrinter())
    stop = StopFlag(args.stop_file)
    stop.install_signal_handlers()
    if args.resume:
        result = engine.run(None, sink, stop, resume=run_id, store=store)
    else:
        result = engine.run(config, sink, stop, run_id=run_id, store=store)
    return EXIT_CODES.get(result.status, 1)


def add_parsers(sub) -> None:
    t = sub.add_parser("train", help="train from a YAML run config")
    t.add_argument("config", nargs="?", help="run config YAML (see resources/examples/)")
    add_events_option(t)
    t.add_argument("--resume", metavar="RUN", help="continue a run from its last checkpoint")
    t.add_argument("--run-id", help=argparse.SUPPRESS)
    t.add_argument("--stop-file", help="stop gracefully when this file appears")
    t.set_defaults(func=cmd_train)
