"""`models list|info`: the models in the cache."""

from __future__ import annotations

from app.cli.events import print_json


def cmd_models(args) -> int:
    from app.core.models import describe_model, list_models

    if args.models_cmd == "info":
        print_json(describe_model(args.source).to_dict())
        return 0
    models = list_models()
    if args.json:
        print_json(models)
    else:
        for m in models:
            print(f"{m['name']:40} {'ready' if m['ready'] else 'converted on first use':24} {m['path']}")
    return 0


def add_parsers(sub) -> None:
    m = sub.add_parser("models", help="models in the cache")
    ms = m.add_subparsers(dest="models_cmd")
    ml = ms.add_parser("list")
    ml.add_argument("--json", action="store_true")
    mi = ms.add_parser("info")
    mi.add_argument("source")
    m.set_defaults(func=cmd_models, models_cmd="list", json=False)
