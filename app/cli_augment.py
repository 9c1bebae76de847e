"""`data augment`: grow candidate examples with a local model into a review file, then add the ones kept.

    finetune-studio data augment chat.jsonl --n 6 --model demo       # writes <data home>/datasets/chat.candidates.jsonl
    (review it: delete lines, or set "keep": false)
    finetune-studio data augment chat.jsonl --add <that file>        # chat.v<N>.jsonl = chat's rows + the kept ones

With `--jsonl` (for the GUI's worker process) progress and the result are JSON lines on stdout.
Kept out of cli.py so that module stays small; `add_parser` registers it under `data`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from app.core.errors import DataError


def add_parser(ds) -> None:
    da = ds.add_parser("augment", help="grow candidate examples with a local model for review; --add the kept ones")
    da.add_argument("file")
    da.add_argument("--n", type=int, default=6, help="how many candidates to generate (default 6)")
    da.add_argument("--model", default="demo", help="the instruct model: 'demo', a model folder or a run")
    da.add_argument("--kinds", nargs="+", choices=["rephrase", "new"], default=["rephrase", "new"],
                    help="rephrase: the seed's question reworded, its answer kept; new: a new question and the "
                         "model's answer")
    da.add_argument("--format", default="auto")
    da.add_argument("--columns", type=json.loads, default=None, metavar="JSON",
                    help='the column mapping, e.g. \'{"question": "prompt", "answer": "completion"}\'')
    da.add_argument("--seed", type=int, default=0)
    da.add_argument("--out", metavar="PATH", help="the review file (default: <data home>/datasets/<name>.candidates"
                                                  ".jsonl); with --add, the new version")
    da.add_argument("--add", metavar="CANDIDATES", help="add the candidates kept in this review file as a new "
                                                         "version of FILE")
    da.add_argument("--jsonl", action="store_true", help="progress and result as JSON lines on stdout")


def _emit(args, event: str, **fields) -> None:
    if args.jsonl:
        print(json.dumps({"event": event, **fields}, ensure_ascii=False), flush=True)
    elif event == "progress":
        print(f"\rGenerating… {fields['done']}/{fields['total']}", end="", file=sys.stderr, flush=True)


def cmd_augment(args) -> int:
    from app.core.chat import load_for_chat, sampled_replier
    from app.core.data.augment import Candidate, generate_candidates, save_augmented, seed_examples
    from app.core.data.versions import base_stem, datasets_dir

    if args.add:
        kept = [Candidate(c["kind"], c["seed_line"], c["messages"]) for c in _read_review(Path(args.add))]
        target, sidecar = save_augmented(args.file, kept, args.model, args.format, args.columns, out=args.out)
        _emit(args, "saved", path=str(target), added=len(kept))
        if not args.jsonl:
            print(f"{target}: the rows of {Path(args.file).name} and {len(kept)} kept candidates "
                  f"(recorded in {sidecar.name})")
        return 0
    seeds = seed_examples(args.file, args.format, args.columns)
    ask = sampled_replier(*load_for_chat(args.model))
    candidates = generate_candidates(seeds, ask, args.n, tuple(args.kinds), seed=args.seed,
                                     progress=lambda done, total: _emit(args, "progress", done=done, total=total))
    out = Path(args.out) if args.out else datasets_dir() / f"{base_stem(args.file)}.candidates.jsonl"
    out.parent.mkdir(parents=True, exist_ok=True)
    items = [{"keep": True, "kind": c.kind, "seed_line": c.seed_line, "messages": c.messages} for c in candidates]
    out.write_text("".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items), encoding="utf-8")
    _emit(args, "candidates", path=str(out), items=items)
    if not args.jsonl:
        print(f"\n{len(items)} candidates in {out}\nReview them (delete lines or set \"keep\": false), then: "
              f"finetune-studio data augment {args.file} --add {out}")
    return 0


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
