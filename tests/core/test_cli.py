"""The CLI on a tiny model: train, runs list/show, export, chat, errors without tracebacks."""

import json

import pytest
import yaml
from tiny_runs import train_tiny_cli_run

from app.cli import main
from app.core.store import Store


@pytest.fixture(scope="module")
def trained_run(tiny_model_dir, tmp_path_factory):
    return train_tiny_cli_run(
        tmp_path_factory.mktemp("cli"), tiny_model_dir, "cli-run", 4,
        data={"validation_split": 0.25}, training={"max_steps": 3, "batch_size": 4, "max_length": 96},
        evaluation={"sample_prompts": ["Say apple"], "sample_max_new_tokens": 4},
        export={"merged": True, "dtype": "fp32"})


def test_runs_show_json_tells_the_whole_story(trained_run, capsys):
    capsys.readouterr()
    assert main(["runs", "show", "cli-run", "--json"]) == 0
    story = json.loads(capsys.readouterr().out)
    assert story["status"] == "completed" and story["config"]["method"]["name"] == "lora"
    assert len(story["metrics"]["loss"]) == 3 and "eval_loss" in story["metrics"]
    assert {a["kind"] for a in story["artifacts"]} >= {"checkpoint", "adapter", "merged"}
    assert story["samples"] and story["samples"][0]["prompt"] == "Say apple"
    assert main(["runs", "list", "--json"]) == 0
    assert any(r["name"] == "cli-run" for r in json.loads(capsys.readouterr().out))


def test_export_merged_and_adapter_from_the_store(trained_run, tmp_path, capsys):
    capsys.readouterr()
    code = main(["export", "cli-run", "--merged", str(tmp_path / "m"), "--adapter", str(tmp_path / "a"),
                 "--dtype", "fp32", "--json"])
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    assert (tmp_path / "m" / "config.json").exists() and (tmp_path / "a" / "adapter_config.json").exists()
    merged = [a for a in result["artifacts"] if a["kind"] == "merged"][0]
    assert merged["properties"]["max_abs_diff"] < 1e-3
    assert not list(tmp_path.glob(".*tmp*")), "temporary export folders must be renamed into place"


def test_chat_with_a_run(trained_run, capsys):
    """The reply is the run's own greedy answer: what transformers generates from its merged export (fp32)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from app.core.store import Store

    capsys.readouterr()
    assert main(["chat", "cli-run", "--prompt", "Say apple", "--max-tokens", "3"]) == 0
    printed = capsys.readouterr().out
    store = Store()
    merged = store.artifacts(store.get_run("cli-run")["id"], "merged")[0]["path"]
    model = AutoModelForCausalLM.from_pretrained(merged, dtype=torch.float32)
    tokenizer = AutoTokenizer.from_pretrained(merged)
    ids = tokenizer.apply_chat_template([{"role": "user", "content": "Say apple"}], add_generation_prompt=True,
                                        return_tensors="pt", return_dict=True)
    out = model.generate(**ids, max_new_tokens=3, do_sample=False)
    expected = tokenizer.decode(out[0, ids["input_ids"].shape[1]:], skip_special_tokens=True)
    assert len(out[0]) - ids["input_ids"].shape[1] == 3 and printed == expected + "\n"


def test_user_errors_print_a_hint_and_no_traceback(tmp_path, capsys):
    assert main(["train", str(tmp_path / "missing.yaml")]) == 2
    err = capsys.readouterr().err
    assert "Config file not found" in err and "Hint:" in err and "Traceback" not in err
    bad = tmp_path / "bad.yaml"
    bad.write_text("data: {train: x.jsonl}\nmethod: {name: lora, rank: -1}\ntraining: {batch_size: 0}\n")
    assert main(["train", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "method.rank" in err and "training.batch_size" in err
    assert main(["runs", "show", "no-such-run"]) == 2
    assert "runs list" in capsys.readouterr().err


def test_doctor_reports_torch_and_disk(capsys, monkeypatch):
    import torch

    assert main(["doctor", "--json"]) == 0  # the test environment is a complete install: no check fails
    results = {i["name"]: i for i in json.loads(capsys.readouterr().out)}
    assert {"python", "torch", "disk", "demo model"} <= results.keys()
    assert results["torch"]["status"] == "ok" and results["torch"]["detail"].startswith(torch.__version__)
    failing = [*results.values(), {"name": "peft", "status": "fail", "detail": "not installed", "hint": "Run it."}]
    monkeypatch.setattr("app.core.doctor.checks", lambda: failing)
    assert main(["doctor", "--json"]) == 1  # one failed check: exit 1
    capsys.readouterr()


def test_training_the_same_config_again_gives_the_run_a_name_of_its_own(trained_run, capsys):
    config = yaml.safe_load((trained_run / "run.yaml").read_text())
    config["training"].update(max_steps=1)
    config["export"] = {"merged": False}
    (trained_run / "again.yaml").write_text(yaml.safe_dump(config))
    assert main(["train", str(trained_run / "again.yaml")]) == 0
    names = {row["name"]: row["status"] for row in Store().list_runs()}
    assert names["cli-run"] == names["cli-run 2"] == "completed"
    assert len(Store().metric_series(Store().get_run("cli-run")["id"])["loss"]) == 3  # the first run kept its name
