"""Mixes: several datasets in one training set by weight, each with its own max examples, format and mapping."""

from __future__ import annotations

import json
import random

import pytest

from app.core.config import DataConfig
from app.core.data.mixing import draw, shares
from app.core.data.prepare import fingerprint, split_examples
from app.core.errors import DataError


def test_shares_follow_the_weights_and_keep_the_total():
    assert shares([9, 2], [1.0, 2.0]) == [4, 7]
    assert shares([5, 5, 5], [1, 1, 1]) == [5, 5, 5]
    assert sum(shares([7, 3, 1], [0.3, 5, 1])) == 11


def test_draw_uses_every_example_once_before_any_twice():
    drawn = draw(list("abc"), 7, random.Random(0))
    assert sorted(drawn[:3]) == ["a", "b", "c"] and drawn[3:6] == drawn[:3] and drawn[6] == drawn[0]
    assert len(set(draw(list(range(10)), 4, random.Random(0)))) == 4


@pytest.fixture
def sources(tmp_path):
    main = tmp_path / "main.jsonl"
    main.write_text("".join(json.dumps({"messages": [{"role": "user", "content": f"q{i}"},
                                                     {"role": "assistant", "content": f"a{i}"}]}) + "\n"
                            for i in range(10)))
    extra = tmp_path / "extra.csv"
    extra.write_text("question,answer\n" + "".join(f"x{i},y{i}\n" for i in range(4)))
    return main, extra


def config(main, extra, **mix):
    return DataConfig(train=str(main), validation_split=0.1, seed=3, mix=[{
        "path": str(extra), "format": "prompt_completion", "columns": {"question": "prompt", "answer": "completion"},
        "weight": 2.0, "max_samples": 3, **mix}])


def test_mixed_training_set_has_the_weighted_shares_and_holds_out_validation_from_each(sources):
    main, extra = sources
    examples = split_examples(config(main, extra))
    users = [ex[0]["content"] for ex in examples.train]
    # main: 9 train + 1 held out; extra: first 3 rows -> 2 train + 1 held out; 11 mixed in the ratio 1:2
    assert len(users) == 11 and sum(u.startswith("x") for u in users) == 7
    assert {u for u in users if u.startswith("x")} <= {"x0", "x1", "x2"}
    held = [ex[0]["content"] for ex in examples.validation]
    assert len(held) == 2 and sum(h.startswith("x") for h in held) == 1 and not set(held) & set(users)
    assert examples.mix == [{"path": str(extra), "format": "prompt_completion", "weight": 2.0, "rows": 3,
                             "train_rows": 7}]
    again = split_examples(config(main, extra))
    assert again.train == examples.train and again.validation == examples.validation
    other = split_examples(config(main, extra).model_copy(update={"seed": 4}))
    assert other.train != examples.train


def test_a_bad_row_in_a_mixed_dataset_names_its_file_and_line(sources):
    main, extra = sources
    extra.write_text("question,answer\nfine,ok\nbroken,\n")
    with pytest.raises(DataError, match=rf"{extra}:3: 'completion' is empty"):
        split_examples(config(main, extra, max_samples=None))


def test_the_mix_is_part_of_the_fingerprint(sources):
    main, extra = sources
    base = [m.model_dump() for m in config(main, extra).mix]
    heavier = [{**base[0], "weight": 3.0}]
    prints = {fingerprint([main, extra], "messages", {}, "assistant", mix) for mix in (None, base, heavier)}
    assert len(prints) == 3


def test_prepare_sft_trains_on_the_mix_and_records_it(sources, demo_tokenizer, tmp_path):
    from app.core.data import prepare_sft

    main, extra = sources
    mixed = prepare_sft(config(main, extra), demo_tokenizer, 64, cache_dir=tmp_path / "cache")
    plain = prepare_sft(DataConfig(train=str(main), validation_split=0.1, seed=3), demo_tokenizer, 64,
                        cache_dir=tmp_path / "cache")
    assert (mixed.stats["train_rows"], mixed.stats["eval_rows"], plain.stats["train_rows"]) == (11, 2, 9)
    assert mixed.stats["mix"][0]["train_rows"] == 7 and plain.stats["mix"] == []
    assert (mixed.stats["rows"], plain.stats["rows"]) == (13, 10)
    assert mixed.fingerprint != plain.fingerprint
    texts = [demo_tokenizer.decode(ids) for ids in mixed.train["input_ids"]]
    assert sum("x" in t.split("user\n")[1][:3] for t in texts) == 7
