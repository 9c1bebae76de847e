"""Recipes (issue #21): every bundled recipe validates, its sample data is current, passes the data doctor and keeps
its held-out rows out of training, its measured figures beat its baseline, the CLI lists and writes them, and every
step trains two steps on the tiny model."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from app.cli import main
from app.core.config import load_config
from app.core.data import inspect_file
from app.core.errors import StudioError
from app.core.paths import PROJECT_ROOT
from app.core.recipes import RECIPES, beats_baseline, load_recipe, recipe_files, recipes, row_facts
from app.core.stages.registry import STAGES

FILES = recipe_files()
DRAFTS = sorted((RECIPES / "drafts").glob("*.yaml"))  # not shipped until they beat their baselines
PERSONA = next(p for p in FILES + DRAFTS if p.stem == "chatbot-persona")
STEPS = [(path, i) for path in FILES for i in range(len(load_recipe(path).steps))]


def step_id(value) -> str:
    return f"{value[0].stem}-{value[1] + 1}" if isinstance(value, tuple) else str(value)


def test_the_gallery_has_every_job_the_issue_names():
    found = recipes()
    stages = {(name, i): step.config["training"]["stage"] for name, r in found.items()
              for i, step in enumerate(r.steps)}
    assert {"cls", "sft", "pt", "dpo"} <= set(stages.values())
    assert found["domain-pretraining"].steps[1].after_previous  # pt, then sft from its merged model
    assert stages[("domain-pretraining", 0)] == "pt" and stages[("domain-pretraining", 1)] == "sft"
    assert [r.name for r in found.values()] == sorted(found, key=lambda n: found[n].order)


def test_drafts_are_not_in_the_gallery(tmp_path, monkeypatch):
    import app.core.recipes as module

    assert not {p.stem for p in DRAFTS} & set(recipes())
    (tmp_path / "drafts").mkdir()
    (tmp_path / "summaries.yaml").write_bytes((RECIPES / "summaries.yaml").read_bytes())
    (tmp_path / "drafts" / "chatbot-persona.yaml").write_bytes(PERSONA.read_bytes())
    monkeypatch.setattr(module, "RECIPES", tmp_path)
    assert list(recipes()) == ["summaries"]


@pytest.mark.parametrize("path", FILES + DRAFTS, ids=lambda p: p.stem)
def test_recipe_validates_for_the_demo_model_and_for_a_7b(path):
    recipe = load_recipe(path)
    for i, step in enumerate(recipe.steps):
        base = "some-run/merged" if step.after_previous else None
        demo, large = recipe.run_config(i, base_model=base), recipe.run_config(i, large=True, base_model=base)
        stage = STAGES[demo.training.stage]
        assert step.data.format in stage.formats and demo.method.name in stage.methods
        assert large.training.stage == demo.training.stage and large.method.name in stage.methods
        assert Path(demo.data.train).exists() and Path(demo.data.test).exists()
        if not step.after_previous:
            assert demo.model.source == "demo" and large.model.source != "demo"
        for config in (demo, large):  # a recipe's config round-trips through the YAML the CLI writes
            assert config.to_yaml().startswith("name:")


@pytest.mark.parametrize("step", STEPS, ids=step_id)
def test_sample_data_passes_the_data_doctor_and_holds_its_test_rows_out(step):
    path, i = step
    spec = load_recipe(path).steps[i]
    train, test = PROJECT_ROOT / spec.data.sample, PROJECT_ROOT / spec.data.test
    report = inspect_file(train, validation=test)
    assert report.format == spec.data.format and report.rows >= 20
    assert report.valid_rows == report.rows and report.problem_count == 0
    assert report.duplicates.rows == 0
    assert report.leakage is not None and report.leakage.rows == 0
    held = inspect_file(test)
    assert held.format == spec.data.format and held.problem_count == 0 and held.rows >= 10


def test_sample_data_is_what_the_generator_writes():
    script = PROJECT_ROOT / "resources" / "samples" / "make_recipe_data.py"
    proc = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("step", STEPS, ids=step_id)
def test_every_shipped_recipe_beats_its_baseline(step):
    path, i = step
    spec = load_recipe(path).steps[i]
    assert spec.measured is not None, "measure it: python -m bench.recipes " + path.stem
    assert beats_baseline(spec), spec.measured
    assert spec.measured.minutes > 0 and spec.measured.examples >= 5  # pt: blocks of held-out text
    if spec.metric.facts:  # a persona check: measured on the test file as it is now (every row, with its facts)
        assert spec.measured.examples == len(row_facts(PROJECT_ROOT / spec.data.test, spec.metric.facts))


def test_the_persona_check_needs_the_name_and_each_rows_facts():
    spec = load_recipe(PERSONA).steps[0]
    metric, test = spec.metric, PROJECT_ROOT / spec.data.test
    aura = "Which bulb fits the Aura floor lamp?"
    assert metric.passes("I'm Pip. The Aura takes an e27 bulb.", ["E27"])
    assert not metric.passes("I'm Pip, the Lumen Lamps help desk assistant.", ["E27"])  # the name, not the fact
    assert not metric.passes("The Aura takes an E27 bulb.", ["E27"])  # the fact, not the name
    assert metric.share([(aura, "I'm Pip, the Lumen Lamps help desk assistant.")], test) == 0
    assert metric.share([(aura, "Pip here. The Aura floor lamp takes an E27 LED bulb."),
                         ("Say who you are.", "I'm Pip."),  # a who-question needs the name only
                         ("Can the Nova be dimmed?", "I'm Pip. Yes, it can.")], test) == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="key facts are unknown"):
        metric.share([("A question the test file never asks?", "I'm Pip.")], test)


def test_the_persona_facts_are_taught_in_training_and_asked_in_new_wordings():
    spec = load_recipe(PERSONA).steps[0]
    facts = row_facts(PROJECT_ROOT / spec.data.test, spec.metric.facts)
    train = [json.loads(line)["messages"] for line in (PROJECT_ROOT / spec.data.sample).read_text().splitlines()]
    taught = " ".join(m["content"] for chat in train for m in chat if m["role"] == "assistant").lower()
    asked = {m["content"] for chat in train for m in chat if m["role"] == "user"}
    assert sum(bool(f) for f in facts.values()) >= 8 and sum(not f for f in facts.values()) >= 8
    assert all(f.lower() in taught for row in facts.values() for f in row)
    assert not set(facts) & asked


def test_a_users_file_gets_its_columns_mapped_and_a_test_share(tmp_path):
    data = tmp_path / "mine.csv"
    data.write_text("review,sentiment\nGreat phone.,positive\nBroke at once.,negative\n", encoding="utf-8")
    found = recipes()
    cls = found["sentiment-classifier"].run_config(0, data=data)
    assert cls.data.columns == {"review": "text", "sentiment": "label"}
    assert cls.data.train == str(data) and cls.data.test is None and cls.data.test_split > 0
    generated = found["sentiment-label"].run_config(0, data=data)
    assert generated.data.columns == {"review": "prompt", "sentiment": "completion"}


def test_a_chained_step_starts_from_the_previous_runs_model():
    recipe = recipes()["domain-pretraining"]
    with pytest.raises(StudioError, match="--from RUN"):
        recipe.run_config(1)
    assert recipe.run_config(1, base_model="/models/pt-merged").model.source == "/models/pt-merged"
    with pytest.raises(StudioError, match="no step 3"):
        recipe.run_config(2)


def test_a_broken_recipe_names_each_problem(tmp_path):
    from app.core.errors import ConfigError

    raw = yaml.safe_load((FILES[0]).read_text(encoding="utf-8"))
    raw["steps"][0]["config"]["training"]["learning_rate"] = -1
    raw["steps"][0]["large"]["method"]["name"] = "no-such-method"
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_recipe(path)
    paths = [p for p, _ in caught.value.problems]
    assert any(p.startswith("steps.0.config.training.learning_rate") for p in paths)
    assert any(p.startswith("steps.0.large.method.name") for p in paths)


def test_cli_lists_recipes_as_json(capsys):
    assert main(["recipes", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [r["name"] for r in listed] == list(recipes())
    for recipe in listed:
        for step in recipe["steps"]:
            assert {"stage", "method", "dataset", "metric", "measured"} <= set(step)
            assert (PROJECT_ROOT / step["dataset"]).exists()
            assert {"base_zero_shot", "base_few_shot", "tuned", "minutes"} <= set(step["measured"])
    assert main(["recipes", "list"]) == 0
    assert "sentiment-classifier" in capsys.readouterr().out


def test_cli_writes_a_run_config_from_a_recipe(tmp_path, capsys):
    out = tmp_path / "run.yaml"
    assert main(["recipes", "new", "summaries", "-o", str(out)]) == 0
    config = load_config(out)
    assert config.training.stage == "sft" and config.data.train.endswith("summaries.jsonl")
    assert config.data.test.endswith("summaries_test.jsonl")
    assert main(["recipes", "new", "preference-dpo", "--large", "-o", str(out)]) == 0
    assert load_config(out).method.name == "qlora"
    capsys.readouterr()
    assert main(["recipes", "new", "domain-pretraining", "--step", "2", "-o", str(out)]) == 2
    assert "--from RUN" in capsys.readouterr().err
    assert main(["recipes", "new", "no-such-recipe", "-o", str(out)]) == 2


@pytest.mark.parametrize("step", STEPS, ids=step_id)
def test_each_step_trains_two_steps_on_the_tiny_model(step, tiny_model_dir, tmp_path):
    from app.core.store import Store

    path, i = step
    recipe = load_recipe(path)
    config = recipe.run_config(i, base_model=tiny_model_dir)
    name = f"recipe-tiny-{path.stem}-{i + 1}"
    data = config.data.model_copy(update={"max_samples": 40})
    config = config.model_copy(update={
        "name": name, "model": config.model.model_copy(update={"source": str(tiny_model_dir)}), "data": data,
        "training": config.training.model_copy(update={"max_steps": 2, "save_steps": 2}),
        "evaluation": config.evaluation.model_copy(update={"sample_prompts": []}),
        "export": config.export.model_copy(update={"merged": False, "adapter": False})})
    config.save(tmp_path / "run.yaml")
    assert main(["train", str(tmp_path / "run.yaml")]) == 0
    run = Store().get_run(name)
    assert run["status"] == "completed"
    assert {s for s, _ in Store().metric_series(run["id"])["loss"]} == {1, 2}


def test_cli_chains_step_two_onto_a_finished_runs_merged_model(tmp_path, capsys):
    from app.core.store import Store

    store, merged = Store(), tmp_path / "merged"
    merged.mkdir()
    store.create_run("20261205-000000-abcd", name="recipe-pt-done", config_yaml="{}", model="demo", method="lora",
                     stage="pt")
    out = tmp_path / "sft.yaml"
    assert main(["recipes", "new", "domain-pretraining", "--step", "2", "--from", "recipe-pt-done",
                 "-o", str(out)]) == 2  # not completed, no merged model yet
    assert "no merged model" in capsys.readouterr().err
    store.update_run("20261205-000000-abcd", status="completed")
    store.add_artifact("20261205-000000-abcd", "merged", merged)
    assert main(["recipes", "new", "domain-pretraining", "--step", "2", "--from", "recipe-pt-done",
                 "-o", str(out)]) == 0
    config = load_config(out)
    assert config.model.source == str(merged) and config.training.stage == "sft"
    assert config.data.train.endswith("tallow_qa.jsonl")
