"""`chat MODEL`: interactive or one prompt; `--events jsonl` serves the GUI; `--with RUN2` several runs'
adapters on one loaded base; `--compare-base` the tuned model and then its base."""

from __future__ import annotations

import json
import sys

from app.cli.events import events_stdout
from app.core.errors import StudioError
from app.logsetup import route_library_logs


def cmd_chat(args) -> int:
    from app.core.chat.generate import stream_reply
    from app.core.chat.load import load_for_chat
    from app.core.chat.serve import serve_jsonl
    from app.core.events import JsonlEventWriter

    if args.with_runs and args.events != "jsonl":
        return chat_several(args)
    if args.compare_base:
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


def chat_several(args) -> int:
    from app.core.chat.generate import stream_reply
    from app.core.chat.load import load_adapters_for_chat

    if not args.prompt:
        raise StudioError("--with answers one prompt with each run.", 'Add --prompt "your question".')
    route_library_logs()
    keys = [args.model, *args.with_runs]
    print(f"Loading the base model with {len(keys)} adapters…", file=sys.stderr)
    model, tokenizer, names = load_adapters_for_chat(keys)
    messages = ([{"role": "system", "content": args.system}] if args.system else []) + [
        {"role": "user", "content": args.prompt}]

    def answer() -> str:
        return "".join(stream_reply(model, tokenizer, messages, max_new_tokens=args.max_tokens,
                                    temperature=args.temperature, top_p=args.top_p)).strip()

    answers = {}
    for key, name in names.items():
        model.set_adapter(name)
        answers[key] = answer()
    if args.compare_base:
        with model.disable_adapter():
            answers["base"] = answer()
    if args.json:
        print(json.dumps({"prompt": args.prompt, "answers": answers}, indent=2, ensure_ascii=False))
    else:
        print("\n\n".join(f"{key}:\n{text}" for key, text in answers.items()))
    return 0


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
                        "lines on stdout; one loaded model answers many prompts until EOF (see app/core/chat/serve.py)")
    c.add_argument("--compare-base", action="store_true",
                   help="answer --prompt with the run's tuned model and then with its base model")
    c.add_argument("--with", dest="with_runs", action="append", default=[], metavar="RUN",
                   help="another run trained on the same base: its adapter is loaded beside the first and answers "
                        "--prompt too (repeatable; with --compare-base the base model answers last); with --events "
                        "jsonl "
                        "the base model's own key may be given too, and one process serves them all")
    c.add_argument("--json", action="store_true", help="with --compare-base or --with: the answers as JSON")
    c.set_defaults(func=cmd_chat)
