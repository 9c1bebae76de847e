"""Bad-input drills of issue #22: a config that is not UTF-8, a data row nested 100,000 levels deep, a truncated
.safetensors, a model folder that ships its own code, and one 20 MB line. Each is a message with a hint (exit 2), no
traceback; a run whose data or model is refused ends `rejected`, never `failed`; the model's code never runs without
consent; and the long line is cut before it is tokenised, so memory stays bounded.

Runs train the tiny random model in fp32 (no check here depends on the CPU's half-precision arithmetic), through the
CLI in-process as a user would type the commands, except where a fresh process is the point (peak memory).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from app.cli import main
from app.core.store import Store

CHAT = [{"messages": [{"role": "user", "content": f"Say {w}"}, {"role": "assistant", "content": w}]}
        for w in ["apple", "pear", "plum", "fig"] * 3]
DEEP = 100_000


def write_jsonl(path: Path, rows: list, extra: str | None = None) -> Path:
    """`rows` as JSON Lines, and `extra` (raw text) as line 4 when given."""
    lines = [json.dumps(row) for row in rows]
    if extra is not None:
        lines.insert(3, extra)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_config(folder: Path, model: Path, data: Path, name: str, **model_fields) -> Path:
    config = {"name": name, "model": {"source": str(model), **model_fields}, "data": {"train": str(data)},
              "method": {"name": "lora", "rank": 4},
              "training": {"max_steps": 1, "batch_size": 4, "max_length": 64, "precision": "fp32", "save_steps": 100},
              "evaluation": {"sample_prompts": []}, "export": {"merged": False, "adapter": False}}
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def runs_named(name: str) -> list[dict]:
    return [run for run in Store().list_runs() if run["name"] == name]


def assert_rejected(name: str, *words: str) -> None:
    """The one run named `name` ended `rejected` (not `failed`) with `words` in its error and a hint."""
    runs = runs_named(name)
    assert [run["status"] for run in runs] == ["rejected"], runs
    assert all(word in runs[0]["error"] for word in words), runs[0]["error"]
    assert runs[0]["hint"]


# ---- a config file that is not UTF-8 ----

def test_a_config_that_is_not_utf8_is_a_message_with_its_line(tmp_path, capsys):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: caf\u00e9\ndata:\n  train: x.jsonl\n".encode("latin-1"))
    assert main(["train", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:1: not UTF-8 text (byte 0xe9" in err and "Hint: Save the file as UTF-8" in err
    assert "Traceback" not in err


def test_a_config_that_is_not_utf8_exits_2_without_a_traceback_in_a_fresh_process(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"name: x\n# r\xe9sum\xe9\ndata:\n  train: x.jsonl\n")
    proc = subprocess.run([sys.executable, "-m", "app", "train", str(path)], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "not UTF-8" in proc.stderr and "Traceback" not in proc.stderr


# ---- a data row nested 100,000 levels deep ----

@pytest.fixture
def deep_jsonl(tmp_path) -> Path:
    return write_jsonl(tmp_path / "deep.jsonl", CHAT, "[" * DEEP + "]" * DEEP)


def test_data_inspect_reports_a_deeply_nested_row_at_its_line(deep_jsonl, tmp_path, capsys):
    assert main(["data", "inspect", str(deep_jsonl)]) == 1  # a file with problems, as for any bad row
    out = capsys.readouterr().out
    assert "deep.jsonl:4: nested more than 100 levels deep" in out
    objects = write_jsonl(tmp_path / "objects.jsonl", CHAT, '{"a":' * DEEP + "1" + "}" * DEEP)
    shallow_enough_to_parse = write_jsonl(tmp_path / "150.jsonl", CHAT, '{"a":' * 150 + "1" + "}" * 150)
    for path in (objects, shallow_enough_to_parse):
        assert main(["data", "inspect", str(path), "--json"]) == 1
        report = json.loads(capsys.readouterr().out)
        assert report["counts"]["problems"] == 1 and report["counts"]["valid_rows"] == len(CHAT)
        assert [(p["line"], p["message"][:24]) for p in report["problems"]] == [(4, "nested more than 100 lev")]


def test_a_json_array_with_a_deeply_nested_record_names_its_line(tmp_path, capsys):
    path = tmp_path / "deep.json"
    path.write_text("[" + ",\n".join(map(json.dumps, CHAT[:3])) + ",\n" + '{"a":' * DEEP + "1" + "}" * DEEP + "]")
    assert main(["data", "inspect", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:4: record 4 is nested more than 100 levels deep" in err and "Hint:" in err


def test_train_on_a_deeply_nested_row_is_rejected_with_its_line_and_exits_2(deep_jsonl, tiny_model_dir, tmp_path,
                                                                              capsys):
    assert main(["train", str(write_config(tmp_path, tiny_model_dir, deep_jsonl, "deep-drill"))]) == 2
    assert "deep.jsonl:4: nested more than 100 levels deep" in capsys.readouterr().err
    assert_rejected("deep-drill", "deep.jsonl:4")


# ---- a truncated .safetensors ----

@pytest.fixture
def cut_model(tiny_model_dir, tmp_path) -> Path:
    folder = shutil.copytree(tiny_model_dir, tmp_path / "cut-model")
    weights = folder / "model.safetensors"
    os.truncate(weights, weights.stat().st_size // 2)
    return folder


def test_train_on_a_truncated_safetensors_is_rejected_naming_the_file(cut_model, tmp_path, capsys):
    data = write_jsonl(tmp_path / "chat.jsonl", CHAT)
    assert main(["train", str(write_config(tmp_path, cut_model, data, "cut-drill"))]) == 2
    err = capsys.readouterr().err
    assert f"{cut_model / 'model.safetensors'} is incomplete or damaged" in err and "Download the model again" in err
    assert_rejected("cut-drill", "model.safetensors")


@pytest.mark.parametrize("command", [["chat", "{model}", "--prompt", "hi"], ["models", "info", "{model}"],
                                     ["data", "inspect", "{data}", "--model", "{model}"]])
def test_other_commands_on_a_truncated_safetensors_say_so(cut_model, tmp_path, capsys, command):
    data = write_jsonl(tmp_path / "chat.jsonl", CHAT)
    os.truncate(cut_model / "model.safetensors", 5)  # the header itself cut short
    args = [part.format(model=cut_model, data=data) for part in command]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "model.safetensors is incomplete or damaged: its header is missing or cut short" in err


# ---- a model folder that ships its own code ----

@pytest.fixture
def remote_code_model(tiny_model_dir, tmp_path) -> tuple[Path, Path]:
    """The tiny model as a custom model type whose code (two files) writes a sentinel file when it is imported:
    (folder, sentinel)."""
    folder = shutil.copytree(tiny_model_dir, tmp_path / "own-code-model")
    sentinel = tmp_path / "code-ran"
    (folder / "configuration_drill.py").write_text(textwrap.dedent(f"""\
        from transformers import LlamaConfig

        open({str(sentinel)!r}, "a").write("configuration_drill imported\\n")


        class DrillConfig(LlamaConfig):
            model_type = "drill"
        """))
    (folder / "modeling_drill.py").write_text(textwrap.dedent(f"""\
        from transformers import LlamaForCausalLM

        from .configuration_drill import DrillConfig

        open({str(sentinel)!r}, "a").write("modeling_drill imported\\n")


        class DrillForCausalLM(LlamaForCausalLM):
            config_class = DrillConfig
        """))
    config = json.loads((folder / "config.json").read_text())
    config.update(model_type="drill", architectures=["DrillForCausalLM"],
                  auto_map={"AutoConfig": "configuration_drill.DrillConfig",
                            "AutoModelForCausalLM": "modeling_drill.DrillForCausalLM"})
    (folder / "config.json").write_text(json.dumps(config))
    return folder, sentinel


OWN_CODE = "This model ships its own code (files: configuration_drill.py, modeling_drill.py)"


def test_remote_code_is_refused_without_consent_and_never_runs(remote_code_model, tmp_path, capsys):
    folder, sentinel = remote_code_model
    data = write_jsonl(tmp_path / "chat.jsonl", CHAT)
    assert main(["train", str(write_config(tmp_path, folder, data, "own-code-drill"))]) == 2
    err = capsys.readouterr().err
    assert OWN_CODE in err and "model.trust_remote_code: true" in err and "Traceback" not in err
    assert_rejected("own-code-drill", OWN_CODE)
    for command in (["chat", str(folder), "--prompt", "hi"], ["models", "info", str(folder)],
                    ["data", "inspect", str(data), "--model", str(folder)]):
        assert main(command) == 2, command
        assert OWN_CODE in capsys.readouterr().err, command
    assert not sentinel.exists()


def test_with_consent_the_flag_reaches_the_planner_and_the_model_trains(remote_code_model, tmp_path, monkeypatch,
                                                                        capsys):
    from app.core import models

    folder, sentinel = remote_code_model
    described = []
    real = models.describe_model

    def spy(*args, **kwargs):
        described.append(kwargs.get("trust_remote_code"))
        return real(*args, **kwargs)

    monkeypatch.setattr(models, "describe_model", spy)
    data = write_jsonl(tmp_path / "chat.jsonl", CHAT)
    path = write_config(tmp_path, folder, data, "own-code-consent", trust_remote_code=True)
    assert main(["train", str(path)]) == 0, capsys.readouterr().err
    assert described and all(described), described  # the settings chosen from the model and the planner both ask
    assert "modeling_drill imported" in sentinel.read_text()
    assert [run["status"] for run in runs_named("own-code-consent")] == ["completed"]


def test_with_consent_every_later_load_passes_the_flag_exports_and_eval_complete(remote_code_model, tmp_path,
                                                                                 capsys):
    """The exports after training, `export RUN` and `eval` reload the model, its config and its tokenizer: each
    with the run's consent, so none of them stops at "contains custom code ... trust_remote_code=True"."""
    folder, sentinel = remote_code_model
    data = write_jsonl(tmp_path / "chat.jsonl", CHAT)
    path = write_config(tmp_path, folder, data, "own-code-exports", trust_remote_code=True)
    config = yaml.safe_load(path.read_text())
    config["data"]["validation_split"] = 0.25
    config["export"] = {"adapter": True, "merged": True}
    path.write_text(yaml.safe_dump(config))
    assert main(["train", str(path)]) == 0, capsys.readouterr().err
    [run] = runs_named("own-code-exports")
    assert run["status"] == "completed", run["error"]
    assert {a["kind"] for a in Store().artifacts(run["id"])} >= {"adapter", "merged"}

    out = tmp_path / "merged-again"
    assert main(["export", run["id"], "--merged", str(out), "--json"]) == 0, capsys.readouterr().err
    assert json.loads(capsys.readouterr().out)["merged"] == str(out)
    # the card's loading code works for this model: it passes the flag
    assert "from_pretrained('path/to/this/folder', trust_remote_code=True)" in (out / "README.md").read_text()
    assert main(["export", run["id"], "--merged", str(tmp_path / "m"), "--gguf", str(tmp_path / "gguf")]) == 2
    assert "GGUF export does not support the 'drill' architecture" in capsys.readouterr().err  # read, then refused
    assert main(["eval", run["id"], "--max-new-tokens", "2", "--json"]) == 0, capsys.readouterr().err
    assert json.loads(capsys.readouterr().out)["examples"] == 3
    assert "modeling_drill imported" in sentinel.read_text()


def test_with_consent_a_pissa_adapter_is_converted_on_the_reloaded_base_and_exported(remote_code_model, tmp_path,
                                                                                      capsys):
    folder, _sentinel = remote_code_model
    data = write_jsonl(tmp_path / "chat.jsonl", CHAT)
    path = write_config(tmp_path, folder, data, "own-code-pissa", trust_remote_code=True)
    config = yaml.safe_load(path.read_text())
    config["method"]["name"] = "pissa"
    config["export"] = {"adapter": True, "merged": True}
    path.write_text(yaml.safe_dump(config))
    assert main(["train", str(path)]) == 0, capsys.readouterr().err
    [run] = runs_named("own-code-pissa")
    assert run["status"] == "completed", run["error"]
    assert {a["kind"] for a in Store().artifacts(run["id"])} >= {"adapter", "merged"}


def test_the_files_named_are_those_the_configs_map_to_code(remote_code_model, tiny_model_dir):
    from app.core.models import check_remote_code, remote_code_files

    folder, _sentinel = remote_code_model
    assert remote_code_files(folder) == ["configuration_drill.py", "modeling_drill.py"]
    assert remote_code_files(tiny_model_dir) == []
    check_remote_code(tiny_model_dir, False)  # nothing to run: nothing to allow
    check_remote_code(folder, True)


# ---- one 20 MB line ----

def long_line_file(path: Path, chars: int) -> Path:
    """A chat file whose 9th row asks a question of `chars` characters (words, as a pasted document would be)."""
    rng = random.Random(0)
    words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"]
    text = " ".join(rng.choice(words) for _ in range(chars // 6))
    rows = [*CHAT[:8], {"messages": [{"role": "user", "content": text}, {"role": "assistant", "content": "ok"}]},
            *CHAT[8:]]
    return write_jsonl(path, rows)


PEAK_MIB = 1500  # the CLI on the tiny model peaks near 650 MiB; a 20 MB line tokenised whole took 5.2 GiB


def peak_mib(*args: str) -> tuple[int, str]:
    """Run the CLI in a fresh process: (its peak resident memory in MiB, its stderr). The peak is the process's own
    VmHWM: ru_maxrss carries the parent's high-water mark across exec, so under a pytest worker that had grown past
    1.5 GiB every drill "peaked" at the worker's size."""
    code = ("import sys\nfrom app.cli import main\nrc = main(sys.argv[1:])\n"
            "hwm = next(line.split()[1] for line in open('/proc/self/status') if line.startswith('VmHWM:'))\n"
            "print('PEAK', hwm, rc, file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=300)
    peak_kib, rc = proc.stderr.rsplit("PEAK", 1)[1].split()
    assert rc == "0", proc.stderr
    return int(peak_kib) // 1024, proc.stderr


@pytest.fixture(scope="module")
def long_line(tmp_path_factory) -> Path:
    return long_line_file(tmp_path_factory.mktemp("long-line") / "long.jsonl", 20_000_000)


def test_data_inspect_of_a_20mb_line_stays_within_bounded_memory(long_line, tiny_model_dir):
    peak, _err = peak_mib("data", "inspect", str(long_line), "--model", str(tiny_model_dir), "--max-length", "64")
    assert peak < PEAK_MIB, f"peak {peak} MiB"


def test_training_on_a_20mb_line_stays_within_bounded_memory_and_counts_it_truncated(long_line, tiny_model_dir,
                                                                                    tmp_path):
    path = write_config(tmp_path, tiny_model_dir, long_line, "long-line-drill")
    peak, err = peak_mib("train", str(path))
    assert peak < PEAK_MIB, f"peak {peak} MiB"
    assert "1 examples are longer than max_length (64 tokens) and were truncated" in err


def test_cutting_to_the_character_budget_changes_no_token_that_truncation_keeps(tiny_model_dir):
    from transformers import AutoTokenizer

    from app.core.data.templating import ConversationEncoder, char_budget, encode_text

    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    budget = char_budget(tokenizer, 64)
    rng = random.Random(1)
    text = "".join(rng.choice("ab cd\n  ef,") for _ in range(10 * budget))
    for messages in ([{"role": "user", "content": text}, {"role": "assistant", "content": "ok"}],
                     [{"role": "user", "content": "Say it"}, {"role": "assistant", "content": text}]):
        for train_on in ("assistant", "all"):
            whole = ConversationEncoder(tokenizer, 10**9, train_on).encode(messages)
            cut = ConversationEncoder(tokenizer, 64, train_on).encode(messages)
            assert cut.truncated and cut.full_length < whole.full_length
            assert (cut.input_ids, cut.labels) == (whole.input_ids[:64], whole.labels[:64])
    whole, cut = encode_text(tokenizer, text, 10**9), encode_text(tokenizer, text, 64)
    assert cut.truncated and cut.input_ids == whole.input_ids[:64]


def test_stage_rows_are_cut_to_the_budget_before_a_trainer_tokenises_them(tmp_path):
    from app.core.config import DataConfig
    from app.core.data.stage_data import load_stage_rows

    long = "x" * 5000
    path = write_jsonl(tmp_path / "pairs.jsonl", [
        {"prompt": f"Question {i}", "chosen": long if i == 0 else f"yes {i}", "rejected": f"no {i}"} for i in range(4)])
    rows = load_stage_rows(DataConfig(train=str(path), validation_split=0.0), ("preference",), "DPO", budget=100)
    first = next(row for row in rows.train if row["prompt"][-1]["content"] == "Question 0")
    assert first["chosen"] == [{"role": "assistant", "content": "x" * 100}]
    assert all(len(row["prompt"][-1]["content"]) < 100 for row in rows.train)


def test_a_pretraining_document_is_tokenised_in_pieces_with_the_whole_texts_tokens(tiny_model_dir):
    from transformers import AutoTokenizer

    from app.core.data.packing import pieces

    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    rng = random.Random(2)  # prose: words and numbers between single spaces, some line breaks and double spaces
    text = "".join(rng.choice(["word", "Zeta,", "42", "é.", "x-ray"]) + rng.choice([" "] * 8 + ["\n", "  ", "\n\n"])
                   for _ in range(8_000))
    cut = pieces(text, 97)
    assert len(cut) > 100 and "".join(cut) == text and max(map(len, cut)) <= 97
    whole = tokenizer(text, add_special_tokens=False)["input_ids"]
    assert [t for p in cut for t in tokenizer(p, add_special_tokens=False)["input_ids"]] == whole


def test_pretraining_on_a_20mb_document_stays_within_bounded_memory(tiny_model_dir, tmp_path):
    rng = random.Random(0)
    words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"]
    data = tmp_path / "book.jsonl"
    data.write_text(json.dumps({"text": " ".join(rng.choice(words) for _ in range(20_000_000 // 6))}) + "\n")
    config = yaml.safe_load(write_config(tmp_path, tiny_model_dir, data, "long-document-drill").read_text())
    config["training"]["stage"] = "pt"
    (tmp_path / "pt.yaml").write_text(yaml.safe_dump(config))
    peak, _err = peak_mib("train", str(tmp_path / "pt.yaml"))
    assert peak < PEAK_MIB, f"peak {peak} MiB"


def test_an_online_stage_keeps_the_end_of_a_huge_prompt_within_the_budget(tiny_model_dir, tmp_path):
    """GRPO/RLOO (TRL keeps a long prompt's end): the prompt is cut to its last budget characters before TRL
    tokenises it, whole turns from the end first."""
    from transformers import AutoTokenizer

    from app.core.config import parse_config
    from app.core.data.stage_data import keep_prompt_end
    from app.core.data.templating import char_budget
    from app.core.stages import online

    assert keep_prompt_end({"prompt": "abcdef"}, 4)["prompt"] == "cdef"
    turns = [{"role": "system", "content": "s" * 10}, {"role": "user", "content": "u" * 3}]
    assert keep_prompt_end({"prompt": turns}, 5)["prompt"] == [{"role": "system", "content": "ss"},
                                                               {"role": "user", "content": "uuu"}]
    tail = "What is the answer?"
    data = write_jsonl(tmp_path / "prompts.jsonl", [{"prompt": "x " * 5_000_000 + tail}] * 2)
    config = parse_config(yaml.safe_load(write_config(tmp_path, tiny_model_dir, data, "grpo-long").read_text())
                          | {"training": {"stage": "grpo", "max_length": 64}})
    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    prompts = online.prepare(config, tokenizer, None, None).train["prompt"]
    budget = char_budget(tokenizer, 64)
    for prompt in prompts:  # as TRL's conversational layout: a list of turns
        assert sum(len(turn["content"]) for turn in prompt) <= budget and prompt[-1]["content"].endswith(tail)
