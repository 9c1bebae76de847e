"""The commands that measure a run and plan the next: `eval`, `chat RUN --compare-base` (its one-shot half).

Kept out of cli.py so that module stays small; `add_parsers` registers them on cli.py's subparsers.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from app.core.errors import StudioError
from app.logsetup import route_library_logs

METRIC_ROWS = ("exact_match", "rouge1", "rouge2", "rougeL", "bleu", "accuracy", "precision", "recall", "f1")


class PhaseLines:
    """A sink that prints every `phase` event as `[name] message i/n` on stderr (the GUI's worker reads them)."""

    def emit(self, event: str, **fields: Any) -> None:
        if event == "phase":
            total = fields.get("total")
            tail = f" {fields.get('current', 0)}/{total}" if total else ""
            print(f"[{fields.get('name')}] {fields.get('message', '')}{tail}", file=sys.stderr, flush=True)


def cmd_eval(args) -> int:
    from app.core.evaluation.run import evaluate_run
    from app.core.events import StopFlag

    route_library_logs()
    if args.few_shot and args.no_base:
        raise StudioError("--few-shot scores the base model, and --no-base leaves it out.", "Drop one of them.")
    stop = StopFlag()
    stop.install_signal_handlers()
    result = evaluate_run(args.run, split=args.split, limit=args.limit, few_shot=args.few_shot,
                          base=not args.no_base, batch_size=args.batch_size, max_new_tokens=args.max_new_tokens,
                          sink=PhaseLines(), stop=stop)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    columns = {"tuned": result["metrics"]}
    for key, title in (("zero_shot", "base 0-shot"), ("few_shot", f"base {args.few_shot}-shot")):
        if key in result.get("base", {}):
            columns[title] = result["base"][key]
    print(f"Run {result['run_id']}: {result['examples']} {result['split']} examples")
    print(f"{'metric':12}" + "".join(f"{title:>14}" for title in columns))
    for name in METRIC_ROWS:
        if name in result["metrics"]:
            print(f"{name:12}" + "".join(f"{col.get(name, float('nan')):>14.3f}" for col in columns.values()))
    return 0


def chat_compare(args) -> int:
    """`chat RUN --compare-base --prompt ...`: the tuned model's answer, then the base model's, greedy."""
    import gc

    from app.core.chat import base_model_of, load_for_chat, stream_reply

    if not args.prompt:
        raise StudioError("--compare-base answers one prompt with both models.", 'Add --prompt "your question".')
    route_library_logs()
    messages = ([{"role": "system", "content": args.system}] if args.system else []) + [
        {"role": "user", "content": args.prompt}]
    answers = {}
    for title, key in (("tuned", args.model), ("base", base_model_of(args.model))):
        print(f"Loading the {title} model ({key})…", file=sys.stderr)
        model, tokenizer = load_for_chat(key)
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
    ev.add_argument("run", help="run id or name")
    ev.add_argument("--split", choices=["validation", "test"], default="validation",
                    help="held-out rows as the run's data step split them; test: data.test or data.test_split")
    ev.add_argument("--limit", type=int, metavar="N", help="score only the first N held-out examples")
    ev.add_argument("--few-shot", type=int, default=0, metavar="K",
                    help="also score the base model with K training examples placed in the prompt")
    ev.add_argument("--no-base", action="store_true", help="score the tuned model only")
    ev.add_argument("--batch-size", type=int, default=8, help="prompts generated at once")
    ev.add_argument("--max-new-tokens", type=int, metavar="N",
                    help="tokens generated per answer (default: the longest reference + 16, at most 256)")
    ev.add_argument("--json", action="store_true", help="the tuned model's metrics, and the base's under 'base'")
    ev.set_defaults(func=cmd_eval)
