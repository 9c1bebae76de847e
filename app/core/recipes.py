"""Recipes: ready-made setups for the jobs people fine-tune for (sentiment, summaries, domain pre-training then SFT,
preference alignment), read from resources/recipes/*.yaml (drafts/ holds those not shipped: a recipe ships once
its measured tuned score beats every baseline). Issue #21.

A recipe is data: what it is for, and one or two steps (a chained recipe's second run starts from the first run's
merged model). Each step holds the run config for the demo model, the overrides for a 7B model on a 24 GB GPU, the
data it trains on (the bundled sample, or the user's file with its columns mapped), the metric it is judged by, the
evaluation that runs after training (tuned vs base on held-out rows) and what that evaluation measured on the demo
model (bench/recipes.py writes it). `Recipe.run_config` turns a step into a RunConfig; the CLI's `recipes` command
and the GUI's gallery both call it. No torch here: listing recipes is cheap.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .config import DataFormat, RunConfig, parse_config, validation_problems
from .errors import ConfigError, StudioError
from .messages import Text
from .paths import PROJECT_ROOT, RESOURCES

RECIPES = RESOURCES / "recipes"
MEASURED_FILE = RECIPES / "measured.yaml"  # bench/recipes.py writes it: {recipe name: [one mapping per step]}
# The held-out share of a user's own file (the sample data comes with a test file of its own).
USER_TEST_SHARE = 0.1


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RecipeData(Strict):
    sample: str = Field(..., description="The bundled training data (a file or folder under resources/samples).")
    test: str = Field(..., description="The bundled held-out rows, never trained on: what the evaluation scores.")
    expects: str = Field(..., description="What the user's own data must hold, in words.")
    format: DataFormat = Field(..., description="The data format of the sample and of the user's file.")
    aliases: dict[str, list[str]] = Field(
        default_factory=dict, description="For each column the format reads, the names a user's file may give it "
        "instead (a user's file is mapped with the first one found).")


class RecipeMetric(Strict):
    key: str = Field(..., description="The evaluation's metric the recipe is judged by (accuracy, f1, rougeL, "
                     "perplexity, pairwise_accuracy), or 'persona'.")
    title: str
    higher_is_better: bool = True
    contains: str | None = Field(None, description="persona: the share of generated answers that contain this text.")
    facts: str | None = Field(None, description="persona: the test rows' field that lists each row's key facts (a "
                              "list of words); an answer counts only when it also contains every fact of its row.")

    def passes(self, answer: str, facts: list[str] | tuple[str, ...] = ()) -> bool:
        """Whether one generated answer passes the check: it contains `contains` and each of `facts` (any case)."""
        text = answer.lower()
        return all(part.lower() in text for part in [self.contains or "", *facts])

    def share(self, answers: list[tuple[str, str]], test_file: str | Path) -> float:
        """The share of (question, answer) pairs that pass; with `facts`, each question's facts are read from the
        test row that asks it (its last user message)."""
        facts = row_facts(test_file, self.facts) if self.facts else {}
        if self.facts and (missing := [q for q, _ in answers if q not in facts]):  # answers to another file
            raise ValueError(f"no row of {test_file} asks {missing[0]!r}: its key facts are unknown")
        return sum(self.passes(a, facts.get(q, [])) for q, a in answers) / max(1, len(answers))


def row_facts(path: str | Path, field: str) -> dict[str, list[str]]:
    """{a test row's question (its last user message): the key facts under `field`} for a messages-format file."""
    from .data.sources import read_rows

    found = {}
    for row in read_rows(Path(path)):
        if not isinstance(row.data, dict):
            continue
        asked = [m.get("content", "") for m in row.data.get("messages", []) if m.get("role") == "user"]
        if asked:
            found[asked[-1]] = [str(f) for f in row.data.get(field) or []]
    return found


class RecipeEvaluation(Strict):
    split: Literal["validation", "test"] = "test"
    few_shot: int = Field(0, ge=0, le=16, description="Training examples in the base model's few-shot prompt "
                          "(generating stages only; 0: no few-shot baseline).")
    max_new_tokens: int | None = Field(None, ge=1, le=512)


class Measured(Strict):
    """What the evaluation measured on the demo model on a CPU (bench/recipes.py)."""

    base_zero_shot: float | None = None
    base_few_shot: float | None = None
    tuned: float
    minutes: float = Field(..., description="Training time in minutes (measured under load: see `machine`).")
    examples: int
    machine: str
    date: str
    baseline: str = Field("the base model", description="What the base figures are: the base model, or for a head "
                          "stage the base model prompted for the label.")


class RecipeStep(Strict):
    title: str
    stage_note: str = Field("", description="Why this stage and method, in a sentence.")
    config: dict[str, Any] = Field(..., description="The run config for the demo model on a CPU.")
    large: dict[str, Any] = Field(..., description="Overrides of `config` for a 7B model on a 24 GB GPU.")
    data: RecipeData
    metric: RecipeMetric
    evaluation: RecipeEvaluation = Field(default_factory=RecipeEvaluation)
    after_previous: bool = Field(False, description="The run starts from the previous step's run: its merged "
                                 "model is this run's model.")
    measured: Measured | None = None

    @field_validator("config", "large")
    @classmethod
    def _mapping(cls, value: dict) -> dict:
        if not isinstance(value, dict):
            raise ValueError(Text("expected a mapping of config sections"))
        return value


class Recipe(Strict):
    name: str = Field(..., pattern=r"^[a-z0-9][a-z0-9-]*$")
    order: int = Field(100, description="The gallery lists recipes by this, then by name.")
    title: str
    task: str = Field(..., description="The job, in a few words (the gallery's heading).")
    purpose: str
    steps: list[RecipeStep] = Field(..., min_length=1, max_length=2)

    @model_validator(mode="after")
    def _chain(self) -> Recipe:
        if self.steps[0].after_previous:
            raise ValueError(Text("steps.0.after_previous: the first step has no previous run to start from"))
        return self

    # ---- run configs ----
    def run_config(self, step: int = 0, *, data: str | Path | None = None, large: bool = False,
                   base_model: str | Path | None = None) -> RunConfig:
        """Step `step` as a RunConfig: the demo setup (or the 7B one with `large`), on the sample data or on the
        user's file `data` (its columns mapped from the recipe's aliases, a test share held out); a step after a
        previous one starts from `base_model` (the previous run's merged model folder)."""
        if not 0 <= step < len(self.steps):
            raise StudioError(Text("Recipe {name} has {n} step(s); there is no step {number}.",
                                   name=self.name, n=len(self.steps), number=step + 1),
                              Text("Choose a step from 1 to {n}.", n=len(self.steps)))
        spec = self.steps[step]
        raw = merge(spec.config, spec.large) if large else copy.deepcopy(spec.config)
        section = raw.setdefault("data", {})
        if data is None:
            section.update(train=str(PROJECT_ROOT / spec.data.sample), test=str(PROJECT_ROOT / spec.data.test),
                           format=spec.data.format)
        else:
            path = Path(data).expanduser().resolve()
            section.update(train=str(path), test=None, test_split=USER_TEST_SHARE, format=spec.data.format,
                           columns=column_mapping(path, spec.data))
        if spec.after_previous:
            if base_model is None:
                first = self.steps[step - 1].title
                raise StudioError(Text("Step {number} of recipe {name} starts from the run of step {step} "
                                       "({first}).", number=step + 1, name=self.name, step=step, first=first),
                                  Text("Train step {step} first, then give its run: --from RUN.", step=step))
            raw.setdefault("model", {})["source"] = str(base_model)
        return parse_config(raw)


def merge(base: dict, overrides: dict) -> dict:
    """`base` with `overrides` merged in section by section (a copy)."""
    out = copy.deepcopy(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def column_mapping(path: Path, data: RecipeData) -> dict[str, str]:
    """{their column: ours} for a user's file: each column the format reads that the file lacks, mapped from the
    first of its aliases the file has. Files without named columns (a folder of documents) map nothing."""
    if not data.aliases or path.is_dir():
        return {}
    from .data.sources import read_rows

    try:
        rows = read_rows(path)
        first = next(rows, None)
        getattr(rows, "close", lambda: None)()
    except (StudioError, OSError):  # the data step and the doctor say what is wrong with the file
        return {}
    keys = list(first.data) if first is not None and isinstance(first.data, dict) else []
    mapping = {}
    for ours, theirs in data.aliases.items():
        if ours in keys:
            continue
        found = next((k for k in keys for alias in theirs if k.lower() == alias.lower()), None)
        if found is not None:
            mapping[found] = ours
    return mapping


def load_recipe(path: str | Path) -> Recipe:
    """One recipe file, validated (the recipe and every step's configs); a ConfigError lists every problem."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise StudioError(Text("Cannot read the recipe {path}: {error}", path=path, error=str(exc)),
                          Text("Check the file's YAML.")) from None
    if not isinstance(raw, dict):
        raise ConfigError([("(recipe)", Text("expected a mapping"))], subject=Text("recipe {name}", name=path.name))
    raw.setdefault("name", path.stem)
    measured = measured_data().get(raw["name"], [])
    if isinstance(raw.get("steps"), list):
        for step, figures in zip(raw["steps"], measured, strict=False):
            if isinstance(step, dict) and figures:
                step["measured"] = figures
    try:
        recipe = Recipe.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(validation_problems(exc), subject=Text("recipe {name}", name=path.name)) from None
    problems = []
    for i, step in enumerate(recipe.steps):
        for large in (False, True):
            try:
                recipe.run_config(i, large=large, base_model="previous-run" if step.after_previous else None)
            except ConfigError as exc:
                where = f"steps.{i}.{'large' if large else 'config'}"
                problems += [(f"{where}.{p}", msg) for p, msg in exc.problems]
    if problems:
        raise ConfigError(problems, subject=Text("recipe {name}", name=path.name))
    return recipe


def measured_data() -> dict[str, list[dict]]:
    """What bench/recipes.py measured, by recipe name (empty before it ran)."""
    if not MEASURED_FILE.is_file():
        return {}
    data = yaml.safe_load(MEASURED_FILE.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}


def recipe_files() -> list[Path]:
    return sorted(p for p in RECIPES.glob("*.yaml") if p != MEASURED_FILE)


def recipes() -> dict[str, Recipe]:
    """Every bundled recipe by name, in the gallery's order."""
    found = [load_recipe(path) for path in recipe_files()]
    return {r.name: r for r in sorted(found, key=lambda r: (r.order, r.name))}


def get_recipe(name: str) -> Recipe:
    found = recipes()
    if name not in found:
        raise StudioError(Text("No recipe named {name!r}.", name=name),
                          Text("Choose one of: {found} (finetune-studio recipes list).",
                               found=', '.join(found)))
    return found[name]


def summary(recipe: Recipe) -> dict:
    """A recipe as the CLI's JSON lists it: each step's stage, method, dataset, metric and measured figures."""
    steps = []
    for step in recipe.steps:
        cfg = step.config
        steps.append({
            "title": step.title, "stage": cfg.get("training", {}).get("stage", "sft"),
            "method": cfg.get("method", {}).get("name", "lora"), "dataset": step.data.sample, "test": step.data.test,
            "format": step.data.format, "metric": step.metric.key, "metric_title": step.metric.title,
            "after_previous": step.after_previous,
            "measured": step.measured.model_dump() if step.measured else None,
        })
    return {"name": recipe.name, "title": recipe.title, "task": recipe.task, "purpose": recipe.purpose,
            "steps": steps}


def beats_baseline(step: RecipeStep) -> bool | None:
    """Whether the tuned score beats every measured baseline (None when not measured)."""
    m = step.measured
    if m is None:
        return None
    bases = [b for b in (m.base_zero_shot, m.base_few_shot) if b is not None]
    if not bases:
        return None
    return all((m.tuned > b) if step.metric.higher_is_better else (m.tuned < b) for b in bases)
