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


def test_salvage_keeps_an_intact_config_as_it_was(tmp_path):
    from app.core.config import salvage_config

    data_file = tmp_path / "qa.csv"
    data_file.write_text("question,answer\nq,a\n")
    saved = demo_config().model_copy(update={"name": "mine", "data": demo_config().data.model_copy(update={
        "train": str(data_file), "format": "alpaca", "columns": {"question": "instruction", "answer": "output"}})})
    assert salvage_config(saved.model_dump(mode="json"), demo_config()) == (saved, [])


def test_salvage_keeps_what_is_valid_and_names_what_it_dropped(tmp_path):
    """Issue #25 item 1: a saved setup that no longer validates loads its valid part; nothing is raised."""
    from app.core.config import salvage_config

    data_file = tmp_path / "pairs.jsonl"
    data_file.write_text('{"prompt": "p", "completion": "c"}\n')
    saved = demo_config().model_dump(mode="json")
    saved["name"] = "kept"
    saved["data"].update(train=str(data_file), format="prompt_completion", validation=str(tmp_path / "gone.jsonl"))
    saved["training"].update(stage="ppo", learning_rate=5.0, epochs=3, lr_typo=1)
    saved["stage"]["reward_model"] = "my-rm-run"  # ppo needs it: the stage goes in on the second pass
    saved["method"]["rank"] = 8
    saved["surprise"] = {}
    config, dropped = salvage_config(saved, demo_config())
    assert (config.name, config.data.train, config.training.stage, config.stage.reward_model) == (
        "kept", str(data_file), "ppo", "my-rm-run")
    assert (config.training.epochs, config.method.rank, config.data.validation) == (3, 8, None)
    assert config.training.learning_rate == demo_config().training.learning_rate
    assert config.data.format == "prompt_completion"
    reasons = dict(dropped)
    assert set(reasons) == {"data.validation", "training.learning_rate", "training.lr_typo", "surprise"}
    assert reasons["data.validation"] == f"{tmp_path / 'gone.jsonl'} no longer exists"
    assert "less than or equal to" in reasons["training.learning_rate"]
    assert reasons["training.lr_typo"] == reasons["surprise"] == "unknown field"


def test_salvage_falls_back_to_the_sample_data_when_the_training_file_is_gone(tmp_path):
    from app.core.config import salvage_config

    saved = demo_config().model_dump(mode="json")
    saved["data"].update(train=str(tmp_path / "deleted.csv"), format="alpaca", columns={"q": "instruction"},
                         validation_split=0.2)
    saved["model"]["source"] = str(tmp_path / "deleted-model")
    saved["training"]["epochs"] = 2
    config, dropped = salvage_config(saved, demo_config())
    assert config.data.train == demo_config().data.train and config.data.format == "auto"
    assert config.data.columns == {} and config.data.validation_split == 0.2 and config.training.epochs == 2
    assert config.model.source == "demo"
    assert [path for path, _ in dropped] == ["data.train", "model.source"]
    assert "deleted.csv no longer exists (its format and column mapping were dropped with it)" in dropped[0][1]
    assert salvage_config("not a mapping", demo_config()) == (demo_config(), [("(config)",
                                                                               "not a mapping of sections")])
