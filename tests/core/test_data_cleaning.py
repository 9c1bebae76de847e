"""Cleaning actions and splits: their counts, new versioned files with sidecars, the source left byte-identical,
determinism under a seed, stratification, and the `data clean` / `data split` commands."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from sample_data import LLAMAFACTORY

from app.cli import main
from app.core.data import clean_dataset, split_dataset
from app.core.errors import DataError

IDENTITY = LLAMAFACTORY / "identity.json"


def chat(question: str, answer: str) -> dict:
    return {"messages": [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]}


def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows), encoding="utf-8")
    return path


def read_jsonl(path: str | Path) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines()]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


ROWS = [chat("Hello,  World!", "Hi."), chat("hello world", "hi"), chat("Hello,  World!", "Hi."), "{broken",
        chat("  padded  ", "\n answer \n"), chat("q", "   "), chat("Other", "Text")]


@pytest.fixture
def dirty(tmp_path) -> Path:
    return write_jsonl(tmp_path / "dirty.jsonl", ROWS)


@pytest.mark.parametrize(("actions", "rows_out", "step"), [
    ({"drop_invalid": True}, 5, ("drop_invalid", 7, 5)),  # the broken line and the empty answer
    ({"drop_invalid": True, "dedupe": "exact"}, 4, ("dedupe", 5, 4)),
    ({"drop_invalid": True, "dedupe": "near"}, 3, ("dedupe", 5, 3)),
    ({"drop_invalid": True, "trim": True}, 5, ("trim", 5, 5)),
])
def test_each_action_counts_and_leaves_the_source_alone(dirty, tmp_path, actions, rows_out, step):
    before = digest(dirty)
    result = clean_dataset(dirty, actions, out_dir=tmp_path / "out")
    assert digest(dirty) == before
    assert result.counts["rows_in"] == 7 and result.counts["rows_out"] == rows_out
    assert next((a["action"], a["rows_in"], a["rows_out"]) for a in result.actions if a["action"] == step[0]) == step
    rows = read_jsonl(result.path)
    assert len(rows) == rows_out and all(set(r) == {"messages"} for r in rows)
    assert Path(result.path).name == "dirty.v1.jsonl"
    sidecar = json.loads(Path(result.sidecar).read_text(encoding="utf-8"))
    assert sidecar["source"] == str(dirty) and sidecar["source_sha256"] == before
    assert sidecar["actions"] == result.actions and sidecar["counts"] == result.counts
    assert sidecar["output_sha256"] == digest(Path(result.path))


def test_trim_strips_turns(dirty, tmp_path):
    result = clean_dataset(dirty, {"drop_invalid": True, "trim": True}, out_dir=tmp_path)
    assert result.counts["trim_changed"] == 1
    assert chat("padded", "answer") in read_jsonl(result.path)


def test_invalid_rows_stop_the_cleaning_unless_dropped(dirty, tmp_path):
    with pytest.raises(DataError, match="dirty.jsonl:4") as err:
        clean_dataset(dirty, {"dedupe": "exact"}, out_dir=tmp_path / "out")
    assert "--drop-invalid" in err.value.hint
    assert not list((tmp_path / "out").iterdir())  # nothing half-written


def test_versions_count_up_and_never_overwrite_the_source(dirty, tmp_path):
    first = clean_dataset(dirty, {"drop_invalid": True}, out_dir=tmp_path)
    second = clean_dataset(first.path, {"dedupe": "exact"}, out_dir=tmp_path)
    assert (Path(first.path).name, Path(second.path).name) == ("dirty.v1.jsonl", "dirty.v2.jsonl")
    with pytest.raises(DataError, match="overwrite the source"):
        clean_dataset(dirty, {"drop_invalid": True}, out=dirty)
    with pytest.raises(DataError, match="min_tokens"):
        clean_dataset(dirty, {"min_tokens": 10, "max_tokens": 5})
    with pytest.raises(DataError, match="needs a tokenizer"):
        clean_dataset(dirty, {"max_tokens": 5})


def test_filter_by_token_length(demo_tokenizer, tmp_path):
    from app.core.data.templating import encode_conversation

    rows = [chat(f"q{i}", "word " * (i * 10)) for i in range(1, 7)]
    lengths = [encode_conversation(demo_tokenizer, r["messages"], 10**9).full_length for r in rows]
    low, high = lengths[1], lengths[4]
    result = clean_dataset(write_jsonl(tmp_path / "d.jsonl", rows), {"min_tokens": low, "max_tokens": high},
                           out_dir=tmp_path, tokenizer=demo_tokenizer)
    assert result.counts["filter_tokens_removed"] == 2 and read_jsonl(result.path) == rows[1:5]


def test_fill_placeholders_on_identity(tmp_path):
    before = digest(IDENTITY)
    result = clean_dataset(IDENTITY, {"fill": {"name": "Quill", "author": "Us"}}, out_dir=tmp_path)
    assert digest(IDENTITY) == before
    text = Path(result.path).read_text(encoding="utf-8")
    assert "{{name}}" not in text and "{{author}}" not in text and "Quill" in text and "Us" in text
    assert result.counts["rows_in"] == result.counts["rows_out"] == 91 and result.counts["fill_changed"] > 0


def test_default_output_is_in_the_data_home(dirty):
    result = clean_dataset(dirty, {"drop_invalid": True})
    from app.core.paths import data_home

    assert Path(result.path).parent == data_home() / "datasets"


def labelled(tmp_path: Path, n_pos: int = 80, n_neg: int = 20) -> Path:
    rows = [{**chat(f"q{i}", f"a{i}"), "label": i < n_pos} for i in range(n_pos + n_neg)]
    return write_jsonl(tmp_path / "kto.jsonl", rows + ["{broken"])


def test_split_ratios_are_deterministic_and_keep_columns(tmp_path):
    path = labelled(tmp_path)
    before = digest(path)
    a = split_dataset(path, (0.8, 0.1, 0.1), seed=3, out_dir=tmp_path / "a")
    b = split_dataset(path, (8, 1, 1), seed=3, out_dir=tmp_path / "b")
    c = split_dataset(path, (0.8, 0.1, 0.1), seed=4, out_dir=tmp_path / "c")
    assert digest(path) == before
    assert {k: a.counts[k] for k in ("train", "validation", "test", "skipped")} == {
        "train": 80, "validation": 10, "test": 10, "skipped": 1}
    for name in ("train", "validation", "test"):
        assert Path(a.paths[name]).read_bytes() == Path(b.paths[name]).read_bytes()
    assert Path(a.paths["test"]).read_bytes() != Path(c.paths["test"]).read_bytes()
    rows = [r for name in ("train", "validation", "test") for r in read_jsonl(a.paths[name])]
    assert len(rows) == 100 and len({r["messages"][0]["content"] for r in rows}) == 100 and "label" in rows[0]
    assert json.loads((tmp_path / "a" / "split.json").read_text())["source_sha256"] == before


def test_split_stratified_keeps_label_shares(tmp_path):
    result = split_dataset(labelled(tmp_path), (0.5, 0.5, 0), seed=0, stratify_by="label",
                           out_dir=tmp_path / "s")
    assert result.labels["train"] == result.labels["validation"] == {"true": 40, "false": 10}
    assert result.paths["test"] is None and not (tmp_path / "s" / "test.jsonl").exists()
    with pytest.raises(DataError, match="No row has a 'kind'"):
        split_dataset(labelled(tmp_path), stratify_by="kind", out_dir=tmp_path / "x")
    with pytest.raises(DataError, match="Invalid split ratios"):
        split_dataset(labelled(tmp_path), (0, 1, 1))


def test_cli_clean_and_split(capsys, dirty, tmp_path):
    out = tmp_path / "clean.jsonl"
    code = main(["data", "clean", str(dirty), "--drop-invalid", "--dedupe", "near", "--trim", "--out", str(out),
                 "--json"])
    result = json.loads(capsys.readouterr().out)
    assert code == 0 and result["path"] == str(out) and result["counts"]["rows_out"] == 3
    assert main(["data", "clean", str(dirty), "--dedupe", "exact"]) == 2
    assert "--drop-invalid" in capsys.readouterr().err
    assert main(["data", "clean", str(dirty), "--drop-invalid", "--fill", "name=Quill", "--out",
                 str(tmp_path / "f.jsonl")]) == 0
    assert "rows: 7 in, 5 out" in capsys.readouterr().out
    assert main(["data", "split", str(out), "--ratios", "2", "1", "--seed", "1", "--out-dir",
                 str(tmp_path / "split")]) == 0
    text = capsys.readouterr().out
    assert "train" in text and "validation" in text and (tmp_path / "split" / "train.jsonl").is_file()
    assert main(["data", "inspect", str(dirty), "--validation", str(out), "--details"]) == 1
    text = capsys.readouterr().out
    assert "exact duplicates (lines):" in text and "1, 3" in text and "leakage:" in text
