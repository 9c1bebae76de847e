"""`data augment`: grow candidate examples with a local model into a review file, then add the ones kept.

    finetune-studio data augment chat.jsonl --n 6 --model demo       # writes <data home>/datasets/chat.candidates.jsonl
    (review it: delete lines, or set "keep": false)
    finetune-studio data augment chat.jsonl --add <that file>        # chat.v<N>.jsonl = chat's rows + the kept ones

With `--events jsonl` (the GUI's worker process) progress and the result are events on stdout (app/cli/events.py);
`--request FILE` reads the options from an AugmentRequest (app/core/requests.py) the GUI wrote.
Kept out of cli.py so that module stays small; `add_parser` registers it under `data`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import get_args

from app.cli.events import add_events_option
from app.core.errors import DataError
from app.core.events import EventSink, StopFlag
from app.core.requests import AugmentKind, AugmentRequest


def add_parser(ds) -> None:
    da = ds.add_parser("augment", help="grow candidate examples with a local model for review; --add the kept ones")
    da.add_argument("file", nargs="?", help="the dataset (or give --request FILE)")
    da.add_argument("--request", type=Path, metavar="FILE", help="an augment request (YAML, the fields of "
                    "app/core/requests.py AugmentRequest) instead of the options; the GUI writes one")
    da.add_argument("--n", type=int, help="how many candidates to generate (default 6)")
    da.add_argument("--model", help="the instruct model: 'demo' (the default), a model folder or a run")
    da.add_argument("--kinds", nargs="+", choices=get_args(AugmentKind),
                    help="rephrase: the seed's question reworded, its answer kept; new: a new question and the "
                         "model's answer (default both)")
    da.add_argument("--format")
    da.add_argument("--columns", type=json.loads, metavar="JSON",
                    help='the column mapping, e.g. \'{"question": "prompt", "answer": "completion"}\'')
    da.add_argument("--seed", type=int)
    da.add_argument("--out", metavar="PATH", help="the review file (default: <data home>/datasets/<name>.candidates"
                                                  ".jsonl); with --add, the new version")
    da.add_argument("--add", metavar="CANDIDATES", help="add the candidates kept in this review file as a new "
                                                         "version of FILE")
    add_events_option(da)


def augment_request(args) -> AugmentRequest:
    """The request the options (or `--request FILE`) describe."""
    from app.core.requests import request_from_options

    fields = ("file", "n", "model", "kinds", "format", "columns", "seed", "out", "add")
    return request_from_options(AugmentRequest, args.request, args.file, {k: getattr(args, k) for k in fields},
                                ("dataset", "a file"))


def cmd_augment(args) -> int:
    from app.cli.events import run_command

    request = augment_request(args)

    def show(answer: dict) -> None:
        if "added" in answer:
            print(f"{answer['path']}: the rows of {request.file.name} and {answer['added']} kept candidates "
                  f"(recorded in {Path(answer['record']).name})")
        else:
            print(f"\n{len(answer['items'])} candidates in {answer['path']}\nReview them (delete lines or set "
                  f"\"keep\": false), then: finetune-studio data augment {request.file} --add {answer['path']}")

    return run_command(args, lambda sink, stop: augment(request, sink, stop), show)


def augment(request: AugmentRequest, sink: EventSink, stop: StopFlag) -> dict:
    """Generate the candidates into a review file, or (`add`) save the kept ones as a new version."""
    from app.core.chat.generate import sampled_replier
    from app.core.chat.load import load_for_chat
    from app.core.data.augment import Candidate, generate_candidates, save_augmented, seed_examples
    from app.core.data.versions import base_stem, datasets_dir

    columns = request.columns
    if request.add:
        kept = [Candidate(c["kind"], c["seed_line"], c["messages"]) for c in _read_review(request.add)]
        target, sidecar = save_augmented(request.file, kept, request.model, request.format, columns, out=request.out)
        return {"path": str(target), "added": len(kept), "record": str(sidecar)}
    seeds = seed_examples(request.file, request.format, columns)

    def progress(done: int, total: int) -> None:
        sink.emit("phase", name="augment", message=f"Generating: {done} of {total}", current=done, total=total)

    sink.emit("phase", name="augment", message="Loading the model…", current=0, total=request.n)
    ask = sampled_replier(*load_for_chat(request.model))
    candidates = generate_candidates(seeds, ask, request.n, tuple(request.kinds), seed=request.seed,
                                     progress=progress, stop=stop)
    out = request.out or datasets_dir() / f"{base_stem(request.file)}.candidates.jsonl"
    out.parent.mkdir(parents=True, exist_ok=True)
    items = [{"keep": True, "kind": c.kind, "seed_line": c.seed_line, "messages": c.messages} for c in candidates]
    out.write_text("".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items), encoding="utf-8")
    return {"path": str(out), "items": items}


def _read_review(path: Path) -> list[dict]:
    """The kept candidates of a review file; DataError naming the line of one that is not a candidate."""
    from app.core.data.formats import RowProblem, to_messages

    if not path.is_file():
        raise DataError(f"Review file not found: {path}", "Generate one with `data augment FILE` first.")
    kept = []
    for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if not (isinstance(item, dict) and "kind" in item):
                raise RowProblem("not a candidate (a JSON object with kind and messages)")
            to_messages(item, "messages")
        except (json.JSONDecodeError, RowProblem) as exc:
            raise DataError(f"{path}:{line_no}: {exc}", "Fix or delete the line, or generate the review file "
                            "again.") from None
        if item.get("keep", True):
            kept.append({"kind": item["kind"], "seed_line": item.get("seed_line", 0), "messages": item["messages"]})
    return kept
