"""`finetune-studio methods list [--json]`: every method and stage by its config name, with what it is for.

Reads the method cards (app.core.methods.registry) and the stage cards (app.core.stages.registry): no torch.
"""

from __future__ import annotations

import json

from app.core.methods.registry import FAMILIES, METHODS
from app.core.stages.registry import STAGES


def catalog() -> dict:
    """Methods (name, title, family, stages it suits, description) and stages (name, title, formats, methods,
    metrics, description)."""
    methods = [{"name": m.name, "title": m.title, "family": FAMILIES[m.family],
                "stages": [s.name for s in STAGES.values() if m.name in s.methods], "description": m.what}
               for m in METHODS.values()]
    stages = [{"name": s.name, "title": s.title, "formats": list(s.formats), "methods": list(s.methods),
               "metrics": list(s.metrics), "description": s.what} for s in STAGES.values()]
    return {"methods": methods, "stages": stages}


def cmd_methods(args) -> int:
    data = catalog()
    if args.json:
        print(json.dumps(data, indent=2))
        return 0
    every = len(STAGES)
    print("Methods (method.name):")
    for m in data["methods"]:
        stages = "all stages" if len(m["stages"]) == every else ", ".join(m["stages"])
        print(f"  {m['name']:<14} {m['family']:<16} {stages}\n  {'':<14} {m['description']}")
    print("\nStages (training.stage):")
    for s in data["stages"]:
        print(f"  {s['name']:<6} {s['title']} — reads {', '.join(s['formats'])}\n  {'':<6} {s['description']}")
    return 0


def add_parsers(sub) -> None:
    m = sub.add_parser("methods", help="the fine-tuning methods and training stages, by config name")
    ms = m.add_subparsers(dest="methods_cmd")
    ml = ms.add_parser("list", help="every method and stage with a one-line description")
    ml.add_argument("--json", action="store_true", help="as JSON: methods, stages")
    m.set_defaults(func=cmd_methods, methods_cmd="list", json=False)
