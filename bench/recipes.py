"""Measure every recipe on the demo model (issue #21): train each step as the recipe says, then score it on the
recipe's held-out test rows with the `eval` machinery, tuned vs the base model zero-shot and few-shot.

    python -m bench.recipes                          # all recipes; writes resources/recipes/measured.yaml
    python -m bench.recipes sentiment-label summaries  # some of them (the others' figures are kept)
    python -m bench.recipes --dry-run                # print the figures, write nothing

Training runs as `python -m app train` in a child process (what the GUI's worker runs), so the minutes are the
run's own (`runs` store: run_seconds), not this script's. The data home is a temporary folder unless
FINETUNE_STUDIO_HOME is set. Times on a shared machine are under load: the script records the load average.

Per metric: f1 (macro, sentiment), rougeL (summaries, domain Q&A), persona (share of held-out answers that name
the persona and hold their row's key facts: RecipeMetric.share), perplexity (held-out documents, pt),
pairwise_accuracy (dpo). The classifier recipe's base model has no trained head, so its base figures are the base
model prompted for the label on the same held-out reviews (the generated-label recipe's baseline, measured here
too); its majority-class accuracy is printed beside. A draft (resources/recipes/drafts/) is measured when named.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from app.core.recipes import MEASURED_FILE, RECIPES, Recipe, RecipeStep, load_recipe, measured_data, recipes

ROOT = Path(__file__).resolve().parents[1]


def train(config_yaml: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "app", "train", str(config_yaml)], cwd=ROOT, text=True,
                          capture_output=True)
    if proc.returncode != 0:
        raise SystemExit(f"training {config_yaml} failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")


def persona_share(store, evaluation_id: int, step: RecipeStep) -> float:
    """The share of the evaluation's answers that pass the step's persona check (the name, and each row's facts)."""
    rows = store.eval_predictions(evaluation_id)
    return step.metric.share([(r["prompt"], r["prediction"]) for r in rows], ROOT / step.data.test)


def score_of(step: RecipeStep, result: dict, store, key: str) -> float | None:
    """The step's metric for one of the evaluation's models ("tuned", "base_zero_shot", "base_few_shot")."""
    ids = result["evaluation_ids"]
    if key not in ids:
        return None
    if step.metric.contains:
        return persona_share(store, ids[key], step)
    metrics = result["metrics"] if key == "tuned" else result["base"]["few_shot" if "few" in key else "zero_shot"]
    return metrics.get(step.metric.key)


def measure_step(recipe: Recipe, index: int, folder: Path, base_model: str | None) -> tuple[dict, str]:
    """Train and evaluate one step; (its measured figures, the run id)."""
    from app.core.evaluation.run import evaluate_run
    from app.core.requests import EvalRequest
    from app.core.store import Store, run_seconds

    step = recipe.steps[index]
    config = recipe.run_config(index, base_model=base_model)
    name = f"recipe-{recipe.name}-{index + 1}"
    config = config.model_copy(update={"name": name})
    path = folder / f"{name}.yaml"
    config.save(path)
    print(f"[{recipe.name} step {index + 1}] training ({config.training.stage}, {config.method.name})", flush=True)
    train(path)
    store = Store()
    run = store.get_run(name)
    minutes = (run_seconds(run) or 0.0) / 60
    print(f"[{recipe.name} step {index + 1}] trained in {minutes:.1f} min; evaluating", flush=True)
    request = EvalRequest(run=run["id"], split=step.evaluation.split, few_shot=step.evaluation.few_shot,
                          max_new_tokens=step.evaluation.max_new_tokens)
    result = evaluate_run(request, store=store)
    figures = {
        "base_zero_shot": score_of(step, result, store, "base_zero_shot"),
        "base_few_shot": score_of(step, result, store, "base_few_shot"),
        "tuned": score_of(step, result, store, "tuned"),
        "minutes": round(minutes, 2), "examples": result["examples"],
    }
    if result.get("base", {}).get("baseline") == "majority_class":
        figures["majority_class"] = result["base"]["zero_shot"].get("accuracy")
    print(f"[{recipe.name} step {index + 1}] {step.metric.key}: {json.dumps(figures)}", flush=True)
    return figures, run["id"]


def merged_folder(run_id: str) -> str:
    from app.core.store import Store

    found = Store().artifacts(run_id, "merged")
    if not found:
        raise SystemExit(f"run {run_id} left no merged model: the next step cannot start from it")
    return found[-1]["path"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", help="recipes to measure (default: all)")
    parser.add_argument("--dry-run", action="store_true", help="print the figures; do not write measured.yaml")
    parser.add_argument("--table", action="store_true", help="print measured.yaml as docs/recipes.md's table and "
                        "measure nothing")
    args = parser.parse_args(argv)
    if args.table:
        print(table(recipes()))
        return 0
    os.environ.setdefault("FINETUNE_STUDIO_HOME", tempfile.mkdtemp(prefix="recipes-bench-"))
    found = recipes()
    names = args.names or list(found)
    found.update({p.stem: load_recipe(p) for p in sorted((RECIPES / "drafts").glob("*.yaml")) if p.stem in names})
    unknown = [n for n in names if n not in found]
    if unknown:
        parser.error(f"unknown recipes: {', '.join(unknown)} (have: {', '.join(found)})")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    machine = (f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, shared: load average "
               f"{load:.1f} at the start")
    today = datetime.date.today().isoformat()
    out = measured_data()
    generated_label_base: dict | None = None
    with tempfile.TemporaryDirectory() as tmp:
        # the generated-label recipe first: its base figures are the classifier's baseline too
        for name in sorted(names, key=lambda n: n != "sentiment-label"):
            recipe, base_model, steps = found[name], None, []
            for index, step in enumerate(recipe.steps):
                figures, run_id = measure_step(recipe, index, Path(tmp), base_model)
                figures.update(machine=machine, date=today)
                if step.config.get("training", {}).get("stage") == "cls":
                    majority = figures.pop("majority_class", None)
                    base = generated_label_base or out.get("sentiment-label", [{}])[0]
                    figures.update(base_zero_shot=base.get("base_zero_shot"), base_few_shot=base.get("base_few_shot"),
                                   baseline=f"the base model prompted for the label on the same held-out reviews "
                                            f"(majority class: {majority:.2f} accuracy)" if majority is not None
                                   else "the base model prompted for the label on the same held-out reviews")
                elif step.after_previous:
                    figures["baseline"] = "the previous step's model (the pre-trained one)"
                if name == "sentiment-label":
                    generated_label_base = figures
                steps.append(figures)
                if index + 1 < len(recipe.steps):
                    base_model = merged_folder(run_id)
            out[name] = steps
            if not args.dry_run:  # after each recipe: a later one that fails keeps the figures measured so far
                write(out)
    print(yaml.safe_dump(out, sort_keys=True, allow_unicode=True))
    return 0


def table(found: dict[str, Recipe]) -> str:
    """The before/after table of docs/recipes.md: one row per recipe step."""
    def fig(value: float | None) -> str:
        return "—" if value is None else f"{value:.2f}"

    lines = ["| recipe | metric | base 0-shot | base few-shot | tuned | minutes to train | held-out rows |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: |"]
    for recipe in found.values():
        for i, step in enumerate(recipe.steps):
            m = step.measured
            name = recipe.name + (f" (step {i + 1}, {step.config['training']['stage']})" if len(recipe.steps) > 1
                                  else "")
            metric = step.metric.title + ("" if step.metric.higher_is_better else " (lower is better)")
            if m is None:
                lines.append(f"| {name} | {metric} | not measured | | | | |")
                continue
            shots = f" ({step.evaluation.few_shot}-shot)" if step.evaluation.few_shot else ""  # cls: the label's
            few = f"{fig(m.base_few_shot)}{shots}" if m.base_few_shot is not None else "—"
            lines.append(f"| {name} | {metric} | {fig(m.base_zero_shot)} | {few} | **{fig(m.tuned)}** | "
                         f"{m.minutes:.1f} | {m.examples} |")
    return "\n".join(lines)


def write(out: dict) -> None:
    MEASURED_FILE.write_text("# Written by `python -m bench.recipes` (issue #21): what each recipe's evaluation "
                             "measured on the demo model.\n" + yaml.safe_dump(out, sort_keys=True, allow_unicode=True),
                             encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
