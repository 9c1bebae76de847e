"""`finetune-studio data inspect` run in-process on the public sample datasets and on a malformed file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sample_data import LLAMAFACTORY

from app.cli import main

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "resources" / "samples"

FILES = [
    (LLAMAFACTORY / "alpaca_en_demo.json", "alpaca"),
    (LLAMAFACTORY / "identity.json", "alpaca"),
    (LLAMAFACTORY / "glaive_toolcall_en_demo.json", "sharegpt"),
    (LLAMAFACTORY / "v1_sft_demo.jsonl", "messages"),
    (LLAMAFACTORY / "c4_demo.jsonl", "text"),
    (SAMPLES / "assistant.jsonl", "messages"),
    (SAMPLES / "alpaca_tiny.json", "alpaca"),
]


def record_count(path: Path) -> int:
    """The number of records, counted without the code under test: a JSON array's items, or non-blank lines."""
    if path.suffix == ".json":
        return len(json.loads(path.read_text(encoding="utf-8")))
    with path.open(encoding="utf-8") as fh:
        return sum(1 for line in fh if line.strip())


def inspect(capsys, *args: str) -> tuple[int, dict]:
    code = main(["data", "inspect", *args, "--json"])
    return code, json.loads(capsys.readouterr().out)


@pytest.mark.parametrize(("path", "fmt"), FILES, ids=[p.name for p, _ in FILES])
def test_sample_files_are_detected_and_counted(capsys, path, fmt):
    code, report = inspect(capsys, str(path))
    assert code == 0
    assert report["format"] == fmt
    assert report["rows"] == report["valid_rows"] == record_count(path)
    assert report["problem_count"] == 0 and report["problems"] == []
    assert report["token_stats"] is None  # no --model: lengths are not measured


def test_malformed_file_lists_its_bad_lines_and_exits_1(capsys, tmp_path):
    def row(answer: str) -> str:
        return json.dumps({"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": answer}]})

    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join([row("a"), row("b"), '{"messages": [oops', row("d"), row(""), row("f")]) + "\n",
                    encoding="utf-8")
    code, report = inspect(capsys, str(path))
    assert code == 1
    assert (report["format"], report["rows"], report["valid_rows"], report["problem_count"]) == ("messages", 6, 4, 2)
    problems = {p["line"]: p["message"] for p in report["problems"]}
    assert sorted(problems) == [3, 5]
    assert problems[3].startswith("invalid JSON") and "empty assistant turn" in problems[5]
    assert all(p["file"] == str(path) for p in report["problems"])


def test_model_measures_tokens_and_counts_truncated_rows(capsys, demo_model_dir):
    path = SAMPLES / "assistant.jsonl"
    code, report = inspect(capsys, str(path), "--model", "demo", "--max-length", "32")
    assert code == 0
    stats = report["token_stats"]
    assert stats["max_length"] == 32 and stats["max"] > 32
    assert 0 < stats["truncated"] <= report["valid_rows"] == record_count(path)
    assert stats["min"] <= stats["p50"] <= stats["p95"] <= stats["max"]


def test_max_length_is_by_default_the_one_a_default_run_chooses(capsys, demo_model_dir, demo_tokenizer):
    """Without --max-length the report counts what a run with the config's defaults cuts: its automatic max length
    (the same split and rule, within the demo model's context), said in the summary."""
    from app.core.auto_settings import resolve
    from app.core.config import parse_config
    from app.core.models import describe_model

    path = LLAMAFACTORY / "alpaca_en_demo.json"
    code, report = inspect(capsys, str(path), "--model", "demo")
    stats = report["token_stats"]
    context = describe_model("demo").context_length
    chosen = resolve(parse_config({"data": {"train": str(path)}}), demo_tokenizer, 134_515_008, context)[0]
    assert code == 0 and stats["max_length"] == chosen.training.max_length == stats["auto_length"]["value"]
    assert main(["data", "inspect", str(path), "--model", "demo"]) == 0
    assert f"max length auto → {stats['max_length']} (" in capsys.readouterr().out


def test_text_summary_without_json(capsys):
    path = SAMPLES / "alpaca_tiny.json"
    assert main(["data", "inspect", str(path)]) == 0
    out = capsys.readouterr().out
    assert "format: alpaca" in out and f"rows: {record_count(path)}, usable: {record_count(path)}" in out
