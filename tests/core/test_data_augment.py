"""Augmentation: candidates grown by a local model (here a tiny random one), kept only when the user says so,
written as a new version beside the untouched source."""

from __future__ import annotations

import json

from app.core.data.augment import Candidate, generate_candidates, save_augmented, seed_examples
from app.core.events import StopFlag


def write_chats(path, n, bad_line=None):
    lines = [json.dumps({"messages": [{"role": "user", "content": f"Q{i}?"}, {"role": "assistant",
                                                                              "content": f"A{i}."}]})
             for i in range(n)]
    if bad_line:
        lines.insert(bad_line - 1, "{oops")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_kept_candidates_join_the_source_rows_in_a_new_version(tmp_path):
    source = write_chats(tmp_path / "chat.jsonl", 3, bad_line=2)
    before = source.read_bytes()
    kept = [Candidate("rephrase", 1, [{"role": "user", "content": "Question zero?"},
                                      {"role": "assistant", "content": "A0."}])]
    target, sidecar = save_augmented(source, kept, "demo", out_dir=tmp_path / "out")
    rows = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert target.name == "chat.v1.jsonl" and source.read_bytes() == before
    assert [r["messages"][0]["content"] for r in rows] == ["Q0?", "Q1?", "Q2?", "Question zero?"]
    record = json.loads(sidecar.read_text(encoding="utf-8"))
    assert record["actions"] == [{"action": "augment", "params": {"model": "demo", "rephrase": 1, "new": 0},
                                  "rows_in": 3, "rows_out": 4}]
    assert record["counts"]["skipped"] == 1 and record["added"][0]["seed_line"] == 1


def test_generation_reports_progress_and_stops(tmp_path, tiny_model_dir):
    from app.core.chat import load_for_chat

    seeds = seed_examples(write_chats(tmp_path / "chat.jsonl", 4))
    assert [line for line, _m in seeds] == [1, 2, 3, 4]
    loaded = load_for_chat(str(tiny_model_dir))
    steps = []
    candidates = generate_candidates(seeds, n=2, kinds=("rephrase",), max_new_tokens=4, loaded=loaded,
                                     progress=lambda done, total: steps.append((done, total)))
    assert steps == [(1, 2), (2, 2)] and len(candidates) <= 2
    for c in candidates:
        assert c.kind == "rephrase" and [m["role"] for m in c.messages] == ["user", "assistant"]
        assert c.question.strip() and c.answer == dict(seeds)[c.seed_line][-1]["content"]
    stop = StopFlag()
    stop.set()
    assert generate_candidates(seeds, n=3, loaded=loaded, stop=stop) == []
