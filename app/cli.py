"""The command line: `finetune-studio [gui] | train | runs | export | chat | eval | data inspect/clean/split | models |
doctor` (eval and the iteration commands live in cli_iterate.py).

User errors (StudioError) print a message and a hint, no traceback, and exit 2. The module imports nothing heavy:
`finetune-studio` with no arguments must open the window fast.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sqlite3
import sys

from app.cli_augment import add_parser as add_augment_parser
from app.cli_events import add_events_option, events_stdout
from app.cli_export import add_parsers as add_export_parsers
from app.cli_iterate import add_parsers as add_iterate_parsers
from app.cli_methods import add_parsers as add_methods_parsers
from app.core.errors import StudioError
from app.logsetup import route_library_logs, setup_logging

log = logging.getLogger("app")
# A run's status as the exit code of `train`: a refused config, data or model is the user's to fix (2), as for
# every StudioError; a run that failed while training is 1.
EXIT_CODES = {"completed": 0, "cancelled": 130, "rejected": 2}


def _print_json(obj) -> None:
    print(json.dumps(obj, indent=2, default=str))


def cmd_gui(args) -> int:
    from app.ui.app import run_gui

    return run_gui(args.config, exit_after_show=args.exit_after_show)


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


def cmd_runs(args) -> int:
    from app.core.store import Store

    store = Store()
    if args.runs_cmd == "list":
        runs = store.list_runs(search=args.search)
        if args.json:
            _print_json(runs)
            return 0
        if not runs:
            print("No runs yet. Start one with: finetune-studio train resources/examples/quickstart.yaml")
            return 0
        print(f"{'id':22} {'name':20} {'status':10} {'method':7} {'steps':>7} {'loss':>8}")
        for r in runs:
            loss = f"{r['final_loss']:.4f}" if r.get("final_loss") is not None else "-"
            steps = f"{r.get('last_step') or 0}/{r.get('total_steps') or '?'}"
            print(f"{r['id']:22} {(r['name'] or '')[:20]:20} {r['status']:10} {r['method']:7} {steps:>7} {loss:>8}")
        return 0
    story = store.story(args.run)
    if args.json:
        _print_json(story)
        return 0
    print(f"Run {story['id']} ({story['name']}): {story['status']}")
    for key in ("model", "method", "stage", "device", "dataset_fingerprint", "dataset_rows", "total_steps",
                "last_step", "final_loss", "trainable_params", "total_params", "run_dir"):
        print(f"  {key}: {story.get(key)}")
    if story.get("error"):
        print(f"  error: {story['error']}\n  hint: {story.get('hint')}")
    for name, points in story["metrics"].items():
        print(f"  {name}: {len(points)} points, first {points[0]['value']:.4g}, last {points[-1]['value']:.4g}")
    for art in story["artifacts"]:
        print(f"  artifact {art['kind']}: {art['path']} ({art['bytes'] / 1e6:.1f} MB) {art['properties'] or ''}")
    for ev in story["evaluations"]:
        scores = ", ".join(f"{k} {v:.3f}" for k, v in ev["metrics"].items() if isinstance(v, float))
        print(f"  eval {ev['model']} {ev['shots']}-shot on {ev['examples']} {ev['split']} examples: {scores}")
    return 0


def cmd_chat(args) -> int:
    from app.core.chat.generate import stream_reply
    from app.core.chat.load import load_for_chat
    from app.core.chat.serve import serve_jsonl
    from app.core.events import JsonlEventWriter

    if args.with_runs and args.events != "jsonl":
        from app.cli_chat import chat_several

        return chat_several(args)
    if args.compare_base:
        from app.cli_iterate import chat_compare

        return chat_compare(args)
    route_library_logs()
    if args.events == "jsonl":
        return serve_jsonl([args.model, *args.with_runs], sys.stdin, JsonlEventWriter(events_stdout()),
                           system=args.system, max_tokens=args.max_tokens, temperature=args.temperature,
                           top_p=args.top_p)
    print("Loading the model…", file=sys.stderr)
    model, tokenizer = load_for_chat(args.model)
    history: list[dict] = [{"role": "system", "content": args.system}] if args.system else []

    def reply(text: str) -> None:
        history.append({"role": "user", "content": text})
        parts, stats = [], {}
        for piece in stream_reply(model, tokenizer, history, max_new_tokens=args.max_tokens,
                                  temperature=args.temperature, top_p=args.top_p, stats=stats):
            parts.append(piece)
            sys.stdout.write(piece)
            sys.stdout.flush()
        sys.stdout.write("\n")
        if stats.get("trimmed"):
            print(f"(the {stats['trimmed']} oldest messages were left out to fit the model's context)", file=sys.stderr)
        history.append({"role": "assistant", "content": "".join(parts)})

    if args.prompt:
        reply(args.prompt)
        return 0
    print("Type a message; an empty line or Ctrl+D quits.", file=sys.stderr)
    while True:
        try:
            text = input("> ").strip()
        except EOFError:
            return 0
        if not text:
            return 0
        reply(text)


def cmd_data(args) -> int:
    if args.data_cmd == "split":
        return _data_split(args)
    if args.data_cmd == "augment":
        from app.cli_augment import cmd_augment

        return cmd_augment(args)
    tokenizer = None
    if args.model:
        from app.core.models import load_tokenizer

        tokenizer = load_tokenizer(args.model)

    def progress(done, total):
        if not args.json and sys.stderr.isatty():
            sys.stderr.write(f"\rReading… {done:,}" + (f"/{total:,}" if total else "") + " rows")
    if args.data_cmd == "clean":
        return _data_clean(args, tokenizer, progress)
    from app.core.data import inspect_file

    reports = []  # the report itself, for the summary people read

    def inspect(sink, _stop) -> dict:
        def reading(done, total):
            if args.events == "jsonl" and (done == total or not done % max(1, (total or 0) // 100 or 1000)):
                sink.emit("phase", name="inspect", message="Reading rows", current=done, total=total)
            else:
                progress(done, total)

        report = inspect_file(args.file, fmt=args.format, tokenizer=tokenizer, max_length=args.max_length,
                              progress=reading, validation=args.validation)
        reports.append(report)
        report_dict = report.to_dict()
        return report_dict if args.details else {"counts": report.counts(), **_brief(report_dict)}

    def show(answer: dict) -> None:
        if args.json:
            _print_json(answer)
        else:
            print(reports[0].summary(details=args.details))

    from app.cli_events import run_command

    return run_command(args, inspect, show, code=lambda answer, _stop: 1 if answer["problems"] else 0)


def _brief(report: dict) -> dict:
    """The JSON report without the per-line details (duplicate groups, leaked pairs), which --details adds."""
    for key in ("duplicates", "near_duplicates"):
        report[key] = {k: v for k, v in report[key].items() if k != "lines"}
    if report.get("leakage"):
        report["leakage"] = {k: v for k, v in report["leakage"].items() if k != "pairs"}
    return report


def _data_clean(args, tokenizer, progress) -> int:
    from app.core.data.cleaning import clean_dataset

    values = {}
    for item in args.fill or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise StudioError(f"--fill {item!r} is not NAME=VALUE.", "Example: --fill name=Quill --fill author=Us")
        values[name.strip()] = value
    actions = {"drop_invalid": args.drop_invalid, "trim": args.trim, "dedupe": args.dedupe, "fill": values,
               "min_tokens": args.min_tokens, "max_tokens": args.max_tokens}
    result = clean_dataset(args.file, actions, out=args.out, fmt=args.format, tokenizer=tokenizer,
                           progress=progress)
    if args.json:
        _print_json(result.to_dict())
    else:
        print(result.summary())
    return 0


def _data_split(args) -> int:
    from app.core.data.splits import split_dataset

    result = split_dataset(args.file, tuple(args.ratios), seed=args.seed, stratify_by=args.stratify,
                           out_dir=args.out_dir)
    if args.json:
        _print_json(result.to_dict())
    else:
        print(result.summary())
    return 0


def cmd_models(args) -> int:
    from app.core.models import describe_model, list_models

    if args.models_cmd == "info":
        _print_json(describe_model(args.source).to_dict())
        return 0
    models = list_models()
    if args.json:
        _print_json(models)
    else:
        for m in models:
            print(f"{m['name']:40} {'ready' if m['ready'] else 'converted on first use':24} {m['path']}")
    return 0


def cmd_doctor(args) -> int:
    from app.core.doctor import checks

    results = checks()
    if args.json:
        _print_json(results)
    else:
        for item in results:
            mark = {"ok": "✓", "warn": "!", "fail": "✗"}[item["status"]]
            print(f"{mark} {item['name']:14} {item['detail']}")
            if item.get("hint"):
                print(f"  {'':14} {item['hint']}")
    return 0 if all(i["status"] != "fail" for i in results) else 1


def _clean_parser(ds) -> None:
    """`data clean`: the options' help is the one CleanActions' fields carry (clean_options.py)."""
    from app.core.data.clean_options import DESCRIPTIONS

    def helps(name: str) -> str:
        return DESCRIPTIONS[name].replace("%", "%%")

    dc = ds.add_parser("clean", help="apply cleaning actions; writes a new versioned file, never the original")
    dc.add_argument("file")
    dc.add_argument("--drop-invalid", action="store_true", help=helps("drop_invalid"))
    dc.add_argument("--dedupe", choices=["exact", "near"], help=helps("dedupe"))
    dc.add_argument("--trim", action="store_true", help=helps("trim"))
    dc.add_argument("--min-tokens", type=int, metavar="N", help=helps("min_tokens"))
    dc.add_argument("--max-tokens", type=int, metavar="N", help=helps("max_tokens"))
    dc.add_argument("--fill", action="append", metavar="NAME=VALUE", help=helps("fill"))
    dc.add_argument("--format", default="auto")
    dc.add_argument("--model", help="model whose tokenizer measures lengths (e.g. demo)")
    dc.add_argument("--out", metavar="PATH", help="the new file (default: <data home>/datasets/<name>.v<N>.jsonl)")
    dc.add_argument("--json", action="store_true")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="finetune-studio", description="Fine-tune language models on your machine.")
    p.add_argument("-v", "--verbose", action="store_true", help="more log output")
    sub = p.add_subparsers(dest="cmd")

    g = sub.add_parser("gui", help="open the desktop app (the default)")
    g.add_argument("config", nargs="?", help="a run config to open")
    g.add_argument("--exit-after-show", action="store_true",
                   help="quit as soon as the window is shown (start-up benchmarks and smoke tests)")
    g.set_defaults(func=cmd_gui)

    t = sub.add_parser("train", help="train from a YAML run config")
    t.add_argument("config", nargs="?", help="run config YAML (see resources/examples/)")
    add_events_option(t)
    t.add_argument("--resume", metavar="RUN", help="continue a run from its last checkpoint")
    t.add_argument("--run-id", help=argparse.SUPPRESS)
    t.add_argument("--stop-file", help="stop gracefully when this file appears")
    t.set_defaults(func=cmd_train)

    r = sub.add_parser("runs", help="the run history")
    rs = r.add_subparsers(dest="runs_cmd", required=True)
    rl = rs.add_parser("list")
    rl.add_argument("--json", action="store_true")
    rl.add_argument("--search")
    rsh = rs.add_parser("show")
    rsh.add_argument("run")
    rsh.add_argument("--json", action="store_true")
    r.set_defaults(func=cmd_runs)

    add_export_parsers(sub)

    c = sub.add_parser("chat", help="chat with a run or a model")
    c.add_argument("model", help="run id/name, 'demo', a model folder or a .gguf file")
    c.add_argument("--prompt", help="one prompt, answer, exit (interactive without it)")
    c.add_argument("--system", help="system prompt")
    c.add_argument("--max-tokens", type=int, default=256)
    c.add_argument("--temperature", type=float, default=0.0, help="0 = greedy (the most likely token)")
    c.add_argument("--top-p", type=float, default=1.0, help="nucleus sampling: keep the smallest set of tokens "
                   "whose probabilities add up to P (used when temperature > 0)")
    c.add_argument("--events", choices=["jsonl", "text"], default="text",
                   help="jsonl, for programs (the GUI): read requests as JSON lines on stdin, write events as JSON "
                        "lines on stdout; one loaded model answers many prompts until EOF (see app/core/chat/load.py)")
    c.add_argument("--compare-base", action="store_true",
                   help="answer --prompt with the run's tuned model and then with its base model")
    c.add_argument("--with", dest="with_runs", action="append", default=[], metavar="RUN",
                   help="another run trained on the same base: its adapter is loaded beside the first and answers "
                        "--prompt too (repeatable; with --compare-base the base model answers last); with --events "
                        "jsonl "
                        "the base model's own key may be given too, and one process serves them all")
    c.add_argument("--json", action="store_true", help="with --compare-base or --with: the answers as JSON")
    c.set_defaults(func=cmd_chat)

    d = sub.add_parser("data", help="dataset tools: inspect (the doctor), clean, split")
    ds = d.add_subparsers(dest="data_cmd", required=True)
    di = ds.add_parser("inspect", help="format, rows, problems by line, duplicates, leakage, token lengths")
    di.add_argument("file")
    di.add_argument("--format", default="auto")
    di.add_argument("--model", help="model whose tokenizer measures lengths (e.g. demo)")
    di.add_argument("--max-length", type=int, default=512)
    di.add_argument("--validation", metavar="FILE", help="a validation file to check for rows shared with FILE")
    di.add_argument("--details", action="store_true",
                    help="list every problem, duplicate group, leaked pair and the token-length histogram")
    di.add_argument("--json", action="store_true")
    add_events_option(di)
    _clean_parser(ds)
    add_augment_parser(ds)
    dp = ds.add_parser("split", help="write train/validation/test files by ratio (copied rows, same columns)")
    dp.add_argument("file")
    dp.add_argument("--ratios", type=float, nargs="+", default=[0.8, 0.1, 0.1], metavar="R",
                    help="train, validation and test shares (default 0.8 0.1 0.1; normalised to sum to 1)")
    dp.add_argument("--seed", type=int, default=0)
    dp.add_argument("--stratify", metavar="COLUMN", help="keep each value of this column (e.g. label) in proportion")
    dp.add_argument("--out-dir", metavar="DIR", help="where to write (default: a new folder in the data home)")
    dp.add_argument("--json", action="store_true")
    d.set_defaults(func=cmd_data)

    m = sub.add_parser("models", help="models in the cache")
    ms = m.add_subparsers(dest="models_cmd")
    ml = ms.add_parser("list")
    ml.add_argument("--json", action="store_true")
    mi = ms.add_parser("info")
    mi.add_argument("source")
    m.set_defaults(func=cmd_models, models_cmd="list", json=False)

    add_iterate_parsers(sub)
    add_methods_parsers(sub)

    doc = sub.add_parser("doctor", help="check this machine: python, torch, GPU, libraries, disk")
    doc.add_argument("--json", action="store_true")
    doc.set_defaults(func=cmd_doctor)
    return p


def main(argv: list[str] | None = None) -> int:
    if os.name == "posix":  # what this process writes (the data home's store, runs, logs, caches) is the user's alone
        os.umask(0o077)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.cmd is None:
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
