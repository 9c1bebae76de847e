"""`finetune-studio recipes list [--json]` and `recipes new NAME [--data FILE] [--step N --from RUN] [--large]
-o run.yaml`: the bundled recipes (app.core.recipes) and a run config made from one. Issue #21."""

from __future__ import annotations

import json
from pathlib import Path

from app.core.errors import StudioError
from app.core.recipes import Recipe, get_recipe, recipes, summary


def _figure(value: float | None) -> str:
    return "—" if value is None else f"{value:.3g}"


def measured_line(recipe: Recipe, index: int) -> str:
    step = recipe.steps[index]
    m = step.measured
    if m is None:
        return "not measured yet (python -m bench.recipes)"
    return (f"{step.metric.title}: base {_figure(m.base_zero_shot)} zero-shot, {_figure(m.base_few_shot)} few-shot "
            f"→ tuned {_figure(m.tuned)} ({m.examples} held-out rows, {m.minutes:.1f} min to train on a CPU)")


def cmd_list(args) -> int:
    found = recipes()
    if args.json:
        print(json.dumps([summary(r) for r in found.values()], indent=2))
        return 0
    for recipe in found.values():
        print(f"{recipe.name:<22} {recipe.title}")
        for i, step in enumerate(recipe.steps):
            cfg = step.config
            prefix = f"step {i + 1}: " if len(recipe.steps) > 1 else ""
            print(f"  {prefix}{cfg.get('training', {}).get('stage', 'sft')} · {cfg.get('method', {}).get('name')} · "
                  f"{step.data.sample}")
            print(f"  {measured_line(recipe, i)}")
    return 0


def base_of(run_key: str) -> Path:
    """The merged model of a finished run (what a chained step starts from)."""
    from app.core.store import Store

    store = Store()
    run = store.get_run(run_key)
    merged = store.artifacts(run["id"], "merged")
    if run["status"] != "completed" or not merged:
        raise StudioError(f"Run {run['id']} ({run['status']}) has no merged model to start from.",
                          "Use a completed run whose export saved the merged model (export.merged: true).")
    return Path(merged[-1]["path"])


def cmd_new(args) -> int:
    recipe = get_recipe(args.name)
    base = base_of(args.from_run) if args.from_run else None
    config = recipe.run_config(args.step - 1, data=args.data, large=args.large, base_model=base)
    out = Path(args.output)
    config.save(out)
    step = recipe.steps[args.step - 1]
    print(f"Wrote {out}: {recipe.title}, step {args.step} of {len(recipe.steps)} ({step.title}).")
    if config.data.columns:
        print("Column mapping: " + ", ".join(f"{k} → {v}" for k, v in config.data.columns.items()))
    print(f"Train it: finetune-studio train {out}")
    print(f"Then score it as the recipe does: finetune-studio eval RUN --split {step.evaluation.split}"
          + (f" --few-shot {step.evaluation.few_shot}" if step.evaluation.few_shot else ""))
    if args.step < len(recipe.steps):
        print(f"Then the next step: finetune-studio recipes new {recipe.name} --step {args.step + 1} --from RUN "
              f"-o step{args.step + 1}.yaml")
    return 0


def add_parsers(sub) -> None:
    r = sub.add_parser("recipes", help="ready-made setups: sentiment, summaries, domain "
                       "pre-training, preferences")
    rs = r.add_subparsers(dest="recipes_cmd")
    rl = rs.add_parser("list", help="every recipe with its stage, method, data and measured before/after")
    rl.add_argument("--json", action="store_true", help="as JSON: each recipe's steps with stage, method, dataset, "
                    "metric and measured figures")
    rl.set_defaults(func=cmd_list)
    rn = rs.add_parser("new", help="write a run config from a recipe")
    rn.add_argument("name", help="the recipe (finetune-studio recipes list)")
    rn.add_argument("--data", help="your own data file or folder instead of the sample (columns mapped from the "
                    "recipe's common names; 10%% held out for the evaluation)")
    rn.add_argument("--step", type=int, default=1, help="which step of a chained recipe (default 1)")
    rn.add_argument("--from", dest="from_run", metavar="RUN", help="the finished run of the previous step, whose "
                    "merged model this step starts from")
    rn.add_argument("--large", action="store_true", help="the settings for a 7B model on a 24 GB GPU")
    rn.add_argument("-o", "--output", required=True, help="the run config to write (YAML)")
    rn.set_defaults(func=cmd_new)
    r.set_defaults(func=cmd_list, json=False)
