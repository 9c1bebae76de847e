"""Validation that measures generalisation (issue #23 item 2): the doctor warns when the validation rows bring no
word the training rows lack, and the splits that hold out whole groups (a column's values, or words)."""

from __future__ import annotations

import json

import pytest

from app.cli import main
from app.core.data.inspection import inspect_file
from app.core.data.overlap import overlap
from app.core.data.splits import split_dataset
from app.core.errors import DataError

CITIES = ["Lyon", "Porto", "Leeds", "Gdansk", "Bergen", "Malmo", "Utrecht", "Graz", "Bilbao", "Turku"]


def order(city: str, n: int) -> dict:
    return {"messages": [{"role": "user", "content": f"Send {n} chairs to {city}."},
                         {"role": "assistant", "content": json.dumps({"quantity": n, "city": city})}],
            "city": city}


def write(path, rows) -> str:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return str(path)


@pytest.fixture
def orders(tmp_path) -> str:
    return write(tmp_path / "orders.jsonl", [order(city, n) for n in range(2, 8) for city in CITIES])


def test_a_random_split_of_templated_rows_warns_and_held_out_cities_do_not(orders, tmp_path):
    report = inspect_file(orders, validation_split=0.2, seed=1).overlap
    assert report.source == "default split" and report.validation_rows == 12
    assert report.nothing_new == 12 and report.warns and "Send" in report.examples[0]
    held = write(tmp_path / "val.jsonl", [order(city, 3) for city in ("Kaunas", "Split", "Tartu", "Varna", "Zadar")])
    checked = inspect_file(orders, validation=held)
    assert checked.overlap.nothing_new == 0 and not checked.overlap.warns
    assert "generalisation" not in checked.summary() and "generalisation" in inspect_file(
        orders, validation_split=0.2).summary()


def test_rows_that_bring_one_new_word_count_as_new_and_digits_do_not():
    report = overlap([{"t": "send two chairs to Lyon"}], [{"t": "send 7 chairs to Lyon"}, {"t": "send chairs to Graz"}],
                     "validation file")
    assert (report.validation_rows, report.nothing_new) == (2, 1)


def test_a_split_by_column_keeps_each_value_in_one_split(orders, tmp_path):
    result = split_dataset(orders, (0.6, 0.2, 0.2), seed=3, group_by="city", out_dir=tmp_path / "by-city")
    cities = {name: {json.loads(line)["city"] for line in open(result.paths[name])} for name in
              ("train", "validation", "test")}
    assert cities["train"] and cities["validation"] and cities["test"]
    assert not (cities["train"] & cities["validation"]) and not (cities["train"] & cities["test"])
    assert sum(result.counts[n] for n in ("train", "validation", "test")) == 60
    assert result.counts["validation"] == 12 and result.counts["test"] == 12  # two cities of six rows each


def test_held_out_words_leave_training_and_the_doctor_is_then_satisfied(orders, tmp_path):
    result = split_dataset(orders, (0.8, 0.2), seed=5, hold_out_words=True, out_dir=tmp_path / "by-words")
    assert 12 <= result.counts["validation"] <= 19 and result.counts["train"] + result.counts["validation"] == 60
    report = inspect_file(result.paths["train"], validation=result.paths["validation"]).overlap
    assert report.nothing_new == 0  # every validation row holds a word no training row holds
    again = split_dataset(orders, (0.8, 0.2), seed=5, hold_out_words=True, out_dir=tmp_path / "again")
    assert open(again.paths["validation"]).read() == open(result.paths["validation"]).read()


def test_one_way_to_split_and_a_missing_group_column(orders, tmp_path):
    with pytest.raises(DataError, match="one way"):
        split_dataset(orders, group_by="city", stratify_by="city", out_dir=tmp_path / "x")
    with pytest.raises(DataError, match="'customer'"):
        split_dataset(orders, group_by="customer", out_dir=tmp_path / "y")


def test_cli_split_by_column_and_inspect_reports_the_overlap(orders, tmp_path, capsys):
    assert main(["data", "split", orders, "--group-by", "city", "--ratios", "0.8", "0.2", "--out-dir",
                 str(tmp_path / "cli"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["counts"]["validation"] == 12
    assert main(["data", "inspect", orders, "--validation-split", "0.2", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["overlap"]["warns"] is True
