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
    from app.core.distributed import ranks
    from app.core.events import JsonlEventWriter, ProgressPrinter, StopFlag, TeeSink
    from app.core.paths import run_dir
    from app.core.store import Store, new_run_id
    from app.core.training import engine

    store = Store()
    if args.resume:
        row = store.get_run(args.resume)
        run_id, config = row["id"], None
        distributed = _with_processes(_stored_config(row), args.processes).distributed
    else:
        if not args.config:
            raise StudioError("Give a config file to train, or --resume RUN.",
                              "Example: finetune-studio train resources/examples/quickstart.yaml")
        config = _with_processes(load_config(args.config), args.processes)
        if args.run_id is None:  # the GUI (and a launcher, for its ranks) names the run before it starts a worker
            from app.core.runs.names import run_name, taken_names

            config = config.model_copy(update={"name": run_name(config, taken_names(store))})  # no two share one
        distributed = config.distributed
        run_id = args.run_id or new_run_id()
    folder = run_dir(run_id)
    launching = not ranks.launched() and distributed.world_size > 1
    log_name = "launcher.log" if launching else "worker.log" if ranks.is_main() else f"worker-rank{ranks.rank()}.log"
    setup_logging(args.verbose, folder / "logs" / log_name)
    route_library_logs()
    if launching:
        return _launch(args, run_id, config, distributed, store)
    if ranks.launched():
        ranks.end_with_launcher()
    if not ranks.is_main():  # rank 0 speaks for the run; anything this one prints goes to stderr
        if args.events == "jsonl":
            events_stdout().close()
        sink = ranks.SilentSink()
    elif args.events == "jsonl":
        sink = TeeSink(JsonlEventWriter(events_stdout(), folder / "events.jsonl"))
    else:
        sink = TeeSink(JsonlEventWriter(None, folder / "events.jsonl"), ProgressPrinter())
    stop = StopFlag(args.stop_file)
    stop.install_signal_handlers()
    try:
        if args.resume:
            result = engine.run(None, sink, stop, resume=run_id, store=store)
        else:
            result = engine.run(config, sink, stop, run_id=run_id, store=store)
    except StudioError as exc:  # refused before it trained (a resume's checks): the launcher tells the run's end
        if ranks.launched():
            ranks.record_error(folder, exc.message, exc.hint)
        raise
    if ranks.launched():  # the launcher ends every rank when one exits non-zero: only a failure may
        return 1 if result.status == "failed" else 0
    return EXIT_CODES.get(result.status, 1)


# The commands that train in their own process (engine.run): they start again with glibc's huge-page tunable.
TRAINING_COMMANDS = ("train", "extend", "queue", "tune")


def exec_with_huge_pages() -> None:
    """Start this command again, same process id, with glibc's huge-page tunable set where it helps
    (heap.huge_page_tunables; glibc reads it only at a process's start); returns where it does not. The GUI's worker
    is a `train` command, and a launcher's ranks inherit the setting."""
    import os
    import sys

    from app.core.training.heap import huge_page_tunables

    tunables = huge_page_tunables(os.environ)
    if tunables is None or not sys.orig_argv:
        return
    # the interpreter's own flags (-m app, -u) come again with the arguments; a frozen bundle's executable takes
    # the command's arguments alone (its interpreter is inside)
    arguments = sys.argv[1:] if getattr(sys, "frozen", False) else sys.orig_argv[1:]
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, [sys.executable, *arguments], {**os.environ, "GLIBC_TUNABLES": tunables})


def _stored_config(row: dict):
    import yaml

    from app.core.config import parse_config

    return parse_config(yaml.safe_load(row["config"]))


def _with_processes(config, processes: int | None):
    """`config` with `--processes N` in place of distributed.processes (validated like the file's own value)."""
    from app.core.config import parse_config

    if processes is None:
        return config
    data = config.model_dump(mode="json")
    data["distributed"]["processes"] = processes
    return parse_config(data)


def _launch(args, run_id: str, config, distributed, store) -> int:
    """More than one process on this machine: torchrun starts the ranks, this process stays their parent
    (distributed/launch.py) and answers with the status rank 0 recorded."""
    from pathlib import Path

    from app.core.distributed import launch
    from app.core.events import JsonlEventWriter, ProgressPrinter, TeeSink
    from app.core.paths import run_dir

    folder = run_dir(run_id)
    if args.events == "jsonl":
        stream = events_stdout()
        sink = TeeSink(JsonlEventWriter(stream, folder / "events.jsonl"))
    else:
        stream, sink = None, TeeSink(JsonlEventWriter(None, folder / "events.jsonl"), ProgressPrinter())
    status = launch.launch_run(run_id, distributed, store, config=config, resume=bool(args.resume), sink=sink,
                               events=args.events, events_stream=stream,
                               stop_file=Path(args.stop_file) if args.stop_file else None, verbose=args.verbose)
    return EXIT_CODES.get(status, 1)


def add_parsers(sub) -> None:
    t = sub.add_parser("train", help="train from a YAML run config")
    t.add_argument("config", nargs="?", help="run config YAML (see resources/examples/)")
    add_events_option(t)
    t.add_argument("--resume", metavar="RUN", help="continue a run from its last checkpoint")
    t.add_argument("--run-id", help=argparse.SUPPRESS)
    t.add_argument("--stop-file", help="stop gracefully when this file appears")
    t.add_argument("--processes", type=int, metavar="N",
                   help="training processes on this machine, one per GPU (distributed.processes); above 1 they are "
                        "started by torchrun")
    t.set_defaults(func=cmd_train)
