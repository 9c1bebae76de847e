"""The command line: `finetune-studio [gui] | train | runs | export | hub | chat | serve | data | models | eval |
extend | queue | sweep | methods | doctor | system-libs`, one module of this package per command group, each with
`add_parsers(sub)`.

User errors (StudioError) print a message and a hint, no traceback, and exit 2. The module imports nothing heavy:
`finetune-studio` with no arguments must open the window fast.
"""

from __future__ import annotations

import argparse
import logging
import os
import sqlite3
import sys

from app.cli import (
    chat,
    data,
    desktop,
    doctor,
    evaluate,
    export,
    launch,
    methods,
    models,
    queue,
    recipes,
    runs,
    serve,
    train,
    tune,
)
from app.core.errors import StudioError
from app.logsetup import setup_logging

log = logging.getLogger("app")


def cmd_gui(args) -> int:
    from app.core.system_libs import gui_problem

    problem = gui_problem()  # before Qt is loaded: Qt aborts the process when no platform plugin starts
    if problem is not None:
        raise problem
    from app.ui.app import run_gui

    return run_gui(args.config, exit_after_show=args.exit_after_show, lang=args.lang)


LANG_HELP = ("the window's language (en, zh_CN), this time only; default: FINETUNE_STUDIO_LANG, else Help > Language, "
             "else the system's (the command line itself speaks English)")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="finetune-studio", description="Fine-tune language models on your machine.")
    p.add_argument("-v", "--verbose", action="store_true", help="more log output")
    p.add_argument("--lang", metavar="LANG", help=LANG_HELP)  # also before `gui`, or with no command at all
    desktop.add_arguments(p)
    sub = p.add_subparsers(dest="cmd")

    g = sub.add_parser("gui", help="open the desktop app (the default)")
    g.add_argument("config", nargs="?", help="a run config to open")
    g.add_argument("--exit-after-show", action="store_true",
                   help="quit as soon as the window is shown (start-up benchmarks and smoke tests)")
    g.add_argument("--lang", metavar="LANG", default=argparse.SUPPRESS, help=LANG_HELP)
    g.set_defaults(func=cmd_gui)
    for group in (train, launch, runs, export, chat, serve, data, models, evaluate, queue, tune, methods, recipes,
                  doctor, desktop):
        group.add_parsers(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    if os.name == "posix":  # what this process writes (the data home's store, runs, logs, caches) is the user's alone
        os.umask(0o077)
    parser = build_parser()
    args = parser.parse_args(argv)
    if argv is None and args.cmd in train.TRAINING_COMMANDS:  # this process's own command line, not a caller's list
        train.exec_with_huge_pages()
    if args.install_desktop_entry or args.uninstall_desktop_entry:
        if args.cmd is not None:
            parser.error("--install-desktop-entry and --uninstall-desktop-entry take no command")
        args.func = desktop.cmd_desktop_entry
    elif args.cmd is None:
        args = parser.parse_args(["gui", *(argv or sys.argv[1:])])
    if args.cmd != "train":
        setup_logging(args.verbose)
        logging.getLogger().setLevel(logging.DEBUG if args.verbose else logging.WARNING)
    try:
        return args.func(args)
    except StudioError as exc:
        print(f"Error: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"Hint: {exc.hint}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and the like, which stopped reading: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the exit's flush does not fail again
        return 0
    except (OSError, sqlite3.OperationalError) as exc:  # a full disk outside a run (a run ends with its own message)
        return _disk_full(exc)


def _disk_full(exc: OSError | sqlite3.OperationalError) -> int:
    """Exit 2 with the disk to free when `exc` is a full disk or a run store that cannot be written; else raise it."""
    from app.core.diskfull import is_disk_full, mount_point
    from app.core.paths import data_home, store_path
    from app.core.store import unwritable

    if isinstance(exc, OSError) and is_disk_full(exc):
        where = exc.filename or data_home()
        print(f"Error: the disk is full ({exc.strerror}: {where}).", file=sys.stderr)
    elif isinstance(exc, sqlite3.OperationalError) and unwritable(exc):
        where = store_path()
        print(f"Error: the run history {where} cannot be written ({exc}).", file=sys.stderr)
    else:
        raise exc
    print(f"Hint: free some space on {mount_point(where)} (a full disk is the usual cause) and try again.",
          file=sys.stderr)
    return 2
