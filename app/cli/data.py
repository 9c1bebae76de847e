"""`data inspect|clean|split` (and `data augment`, whose command is augment.py): the dataset tools."""

from __future__ import annotations

import argparse
import sys

from app.cli.augment import add_parser as add_augment_parser
from app.cli.events import add_events_option, print_json
from app.core.errors import StudioError


def cmd_data(args) -> int:
    if args.data_cmd == "split":
        return _data_split(args)
    if args.data_cmd == "augment":
        from app.cli.augment import cmd_augment

        return cmd_augment(args)
    tokenizer, context_length = None, 0
    if args.model:
        from app.core.models import describe_model, load_tokenizer

        tokenizer = load_tokenizer(args.model)
        if args.data_cmd == "inspect" and args.max_length == "auto":
            context_length = describe_model(args.model).context_length  # the cap a run applies (no weights read)

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
                              progress=reading, validation=args.validation,
                              validation_split=args.validation_split, seed=args.seed,
                              context_length=context_length)
        reports.append(report)
        report_dict = report.to_dict()
        return report_dict if args.details else {"counts": report.counts(), **_brief(report_dict)}

    def show(answer: dict) -> None:
        if args.json:
            print_json(answer)
        else:
            print(reports[0].summary(details=args.details))

    from app.cli.events import run_command

    return run_command(args, inspect, show, code=lambda answer, _stop: 1 if answer["problems"] else 0)


def _max_length(value: str) -> int | str:
    if value == "auto":
        return value
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a positive number of tokens or 'auto'")
    return number


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
        print_json(result.to_dict())
    else:
        print(result.summary())
    return 0


def _data_split(args) -> int:
    from app.core.data.splits import split_dataset

    result = split_dataset(args.file, tuple(args.ratios), seed=args.seed, stratify_by=args.stratify,
                           out_dir=args.out_dir, group_by=args.group_by, hold_out_words=args.hold_out_words)
    if args.json:
        print_json(result.to_dict())
    else:
        print(result.summary())
    return 0


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


def add_parsers(sub) -> None:
    from app.core.config import DataConfig

    d = sub.add_parser("data", help="dataset tools: inspect (the doctor), clean, split")
    ds = d.add_subparsers(dest="data_cmd", required=True)
    di = ds.add_parser("inspect", help="format, rows, problems by line, duplicates, leakage, token lengths")
    di.add_argument("file")
    di.add_argument("--format", default="auto")
    di.add_argument("--model", help="model whose tokenizer measures lengths (e.g. demo)")
    di.add_argument("--max-length", type=_max_length, default="auto", metavar="N|auto",
                    help="with --model: count the rows longer than N tokens and the trained tokens cut; 'auto' "
                    "(default): the length a run chooses from the training rows (the split --validation-split "
                    "and --seed make), within the model's context")
    di.add_argument("--validation", metavar="FILE", help="a validation file to check for rows shared with FILE")
    di.add_argument("--validation-split", type=float, default=DataConfig.model_fields["validation_split"].default,
                    metavar="R", help="without --validation: the share a run holds out, checked for rows that bring "
                    "nothing new (default: the config's default)")
    di.add_argument("--seed", type=int, default=DataConfig.model_fields["seed"].default,
                    help="the split's seed (data.seed)")
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
    dp.add_argument("--group-by", metavar="COLUMN", help="keep the rows of each value of this column together in one "
                    "split (a customer, a city, a template): held-out rows measure generalisation")
    dp.add_argument("--hold-out-words", action="store_true", help="hold out words (names, places, phrasings): "
                    "every row that holds one leaves training")
    dp.add_argument("--out-dir", metavar="DIR", help="where to write (default: a new folder in the data home)")
    dp.add_argument("--json", action="store_true")
    d.set_defaults(func=cmd_data)
