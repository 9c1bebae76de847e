"""`chat RUN --with RUN2 [--with RUN3] --prompt ...`: several runs' adapters on one loaded base answer one prompt."""

from __future__ import annotations

import json
import sys

from app.core.errors import StudioError
from app.logsetup import route_library_logs


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
