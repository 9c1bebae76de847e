"""Augmentation: candidates grown by a local model (a scripted one, and a tiny random one), kept only when the
user says so, written as a new version beside the untouched source."""

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


def test_candidates_take_turns_and_are_made_of_the_model_replies(tmp_path):
    seeds = seed_examples(write_chats(tmp_path / "chat.jsonl", 4))
    assert [line for line, _m in seeds] == [1, 2, 3, 4]
    asked = []

    def ask(prompt, max_new_tokens, seed):
        asked.append((max_new_tokens, seed))
        if prompt.startswith("Why"):
            return f"Because {seed}."
        return f'Rewritten question: "Why {seed}?"\nonly the first line counts'

    steps = []
    candidates = generate_candidates(seeds, ask, n=3, max_new_tokens=7, seed=2,
                                     progress=lambda done, total: steps.append((done, total)))
    assert steps == [(1, 3), (2, 3), (3, 3)] and asked == [(7, 2000), (7, 2001), (7, 2001), (7, 2002)]
    assert [(c.kind, c.question) for c in candidates] == [("rephrase", "Why 2000?"), ("new", "Why 2001?"),
                                                          ("rephrase", "Why 2002?")]
    assert candidates[0].answer == dict(seeds)[candidates[0].seed_line][-1]["content"]  # the seed's answer stays
    assert candidates[1].answer == "Because 2001."
    assert generate_candidates(seeds, ask, n=3, max_new_tokens=7, seed=2) == candidates


def test_a_reply_that_repeats_the_seed_is_dropped_and_stop_keeps_what_was_made(tmp_path):
    seeds = seed_examples(write_chats(tmp_path / "chat.jsonl", 1))
    assert generate_candidates(seeds, lambda *_: "Q0?", n=2, kinds=("rephrase",)) == []
    stop = StopFlag()

    def ask_then_stop(prompt, max_new_tokens, seed):
        stop.set()
        return "Another question?"

    made = generate_candidates(seeds, ask_then_stop, n=3, kinds=("rephrase",), stop=stop)
    assert [c.question for c in made] == ["Another question?"]
    assert generate_candidates(seeds, ask_then_stop, n=3, stop=stop) == []


def test_a_local_model_grows_the_same_candidates_from_the_same_seed(tmp_path, tiny_model_dir):
    from app.core.chat.generate import sampled_replier
    from app.core.chat.load import load_for_chat

    seeds = seed_examples(write_chats(tmp_path / "chat.jsonl", 4))
    ask = sampled_replier(*load_for_chat(str(tiny_model_dir)))
    candidates = generate_candidates(seeds, ask, n=2, kinds=("rephrase",), max_new_tokens=4)
    assert len(candidates) <= 2 and generate_candidates(seeds, ask, n=2, kinds=("rephrase",),
                                                        max_new_tokens=4) == candidates
    for c in candidates:
        assert c.kind == "rephrase" and [m["role"] for m in c.messages] == ["user", "assistant"]
        assert c.question.strip() and c.answer == dict(seeds)[c.seed_line][-1]["content"]


def test_cli_writes_a_review_file_and_adds_only_the_kept_candidates(tmp_path, monkeypatch, capsys):
    from app.cli import augment as augment_cli
    from app.cli import main
    from app.core.chat import load as chat
    from app.core.data import augment
    from app.core.events import ListSink
    from app.core.requests import AugmentRequest

    def fake_generate(seeds, ask, n, kinds, seed=0, progress=None, **_kwargs):
        for i in range(n):
            progress(i + 1, n)
        return [Candidate(kinds[0], seeds[i][0], [{"role": "user", "content": f"New {i}?"},
                                                  {"role": "assistant", "content": f"Yes {i}."}]) for i in range(n)]

    monkeypatch.setattr(chat, "load_for_chat", lambda key: (None, None))
    monkeypatch.setattr(augment, "generate_candidates", fake_generate)
    source = write_chats(tmp_path / "chat.jsonl", 3)
    review = tmp_path / "review.jsonl"
    sink = ListSink()  # what `--events jsonl` writes: phases, then the answer as the `result`
    answer = augment_cli.augment(AugmentRequest(file=source, n=2, kinds=["new"], out=review), sink, StopFlag())
    assert [e["current"] for e in sink.of("phase")] == [0, 1, 2]
    assert [item["seed_line"] for item in answer["items"]] == [1, 2]
    assert main(["data", "augment", str(source), "--n", "2", "--kinds", "new", "--out", str(review)]) == 0
    assert f"2 candidates in {review}" in capsys.readouterr().out
    lines = review.read_text(encoding="utf-8").splitlines()
    review.write_text(lines[0].replace('"keep": true', '"keep": false') + "\n" + lines[1] + "\n", encoding="utf-8")
    out = tmp_path / "chat.v1.jsonl"
    assert main(["data", "augment", str(source), "--add", str(review), "--out", str(out)]) == 0
    assert [json.loads(r)["messages"][0]["content"] for r in out.read_text().splitlines()] == ["Q0?", "Q1?", "Q2?",
                                                                                             "New 1?"]
    review.write_text(lines[1] + "\n" + '{"kind": "new", "messages": [{"role": "user", "content": "hi"}]}\n')
    assert main(["data", "augment", str(source), "--add", str(review)]) == 2
    assert f"{review}:2: the conversation ends with a user turn" in capsys.readouterr().err
