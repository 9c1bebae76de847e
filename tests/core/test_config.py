from pathlib import Path

import pytest
from pydantic import BaseModel

from app.core.config import RunConfig, demo_config, load_config, parse_config
from app.core.errors import ConfigError, StudioError
from app.core.paths import RESOURCES

EXAMPLES = sorted((RESOURCES / "examples").glob("*.yaml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_every_example_config_validates_and_opens_with_its_command(path: Path):
    config = load_config(path)
    assert Path(config.data.train).is_file(), "example data must ship with the app"
    first = path.read_text().splitlines()[0]
    assert first == f"# finetune-studio train resources/examples/{path.name}"


def test_quickstart_is_the_demo_preset():
    config = demo_config()
    assert config.model.source == "demo"
    assert (config.method.name, config.method.rank, config.method.alpha) == ("lora", 16, 32)
    assert config.training.batch_size == 8 and config.export.merged


def test_all_errors_are_collected_with_field_paths():
    with pytest.raises(ConfigError) as info:
        parse_config({"data": {"train": "x.jsonl", "validation_split": 0.9},
                      "method": {"name": "magic", "rank": 0}, "trainin": {}})
    paths = [p for p, _ in info.value.problems]
    assert paths == ["data.validation_split", "method.name", "method.rank", "trainin"]
    assert "4 problems" in info.value.message
    assert "unknown field" in str(info.value)


def test_missing_data_section_is_reported():
    with pytest.raises(ConfigError) as info:
        parse_config({"model": {"source": "demo"}})
    assert ("data", "required field is missing") in info.value.problems


def test_yaml_round_trip(tmp_path):
    config = parse_config({"name": "x", "data": {"train": "a.jsonl"}, "training": {"max_steps": 5}})
    config.save(tmp_path / "run.yaml")
    again = load_config(tmp_path / "run.yaml")
    assert again.training.max_steps == 5 and again.name == "x"
    assert Path(again.data.train).is_absolute()


def test_invalid_yaml_names_the_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ndata:\n  train: [unclosed\n")
    with pytest.raises(StudioError, match="line"):
        load_config(bad)


def test_every_field_is_documented_and_bounded_where_numeric():
    def walk(model):
        for name, field in model.model_fields.items():
            ann = field.annotation
            if isinstance(ann, type) and issubclass(ann, BaseModel):
                walk(ann)
                continue
            assert field.title, f"{model.__name__}.{name} has no title"
            if name not in ("model", "data", "method", "training", "evaluation", "export"):
                assert field.description, f"{model.__name__}.{name} has no description"
            if ann in (int, float) and name != "seed":
                bounds = [m for m in field.metadata if type(m).__name__ in ("Ge", "Gt", "Le", "Lt")]
                assert bounds, f"{model.__name__}.{name} is unbounded"
    walk(RunConfig)
