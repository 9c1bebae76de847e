"""The bench tasks of issue #23 (bench/tasks/make_tasks.py): the committed files are what the generator writes, and
the held-out rows hold what they claim to (no held-out item, city, name or sentence shape in training, no test one in
validation)."""

import json
import re
from pathlib import Path

import pytest

from bench.tasks import make_tasks

TASKS = Path(make_tasks.__file__).parent


def holds(text: str, word: str) -> bool:
    """Whether the text holds the word as a word ("rug" is not in "Bruges"; "rugs" holds it)."""
    return re.search(rf"\b{word}", text) is not None


def rows(task: str, split: str) -> list[str]:
    """The user messages of one split."""
    lines = (TASKS / task / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["messages"][1]["content"] for line in lines]


def test_the_committed_files_are_what_the_generator_writes():
    assert make_tasks.main(["--check"]) == 0


def test_a_changed_file_is_reported(tmp_path, monkeypatch, capsys):
    for task in make_tasks.TASK_MAKERS:
        (tmp_path / task).mkdir()
        for name, text in make_tasks.render(task).items():
            (tmp_path / task / name).write_text(text, encoding="utf-8")
    path = tmp_path / "notes" / "validation.jsonl"
    path.write_text(path.read_text(encoding="utf-8").replace("ought to", "will"), encoding="utf-8")
    monkeypatch.setattr(make_tasks, "ROOT", tmp_path)
    assert make_tasks.main(["--check"]) == 1
    assert str(path) in capsys.readouterr().err


@pytest.mark.parametrize(("task", "pools"), [
    ("orders", (make_tasks.ORDER_ITEMS, make_tasks.ORDER_CITIES)),
    ("notes", (make_tasks.NAMES,)),
])
def test_held_out_words_never_reach_an_earlier_split(task, pools):
    train, validation, test = (" ".join(rows(task, s)) for s in ("train", "validation", "test"))
    for pool in pools:
        for word in pool["validation"] + pool["more"]:
            assert not holds(train, word)
        for word in pool["test"]:
            assert not holds(train, word) and not holds(validation, word)


def test_validation_holds_the_harder_rows_after_its_first_ones():
    """Orders: 80 validation rows, the last 40 with the 'more' items only; notes: 64, the last 24 in the harder
    shapes (a modal verb other than 'will')."""
    orders, notes = rows("orders", "validation"), rows("notes", "validation")
    assert (len(orders), len(notes)) == (80, 64)
    assert all(any(holds(row, item) for item in make_tasks.ORDER_ITEMS["more"]) for row in orders[40:])
    assert not any(holds(row, item) for item in make_tasks.ORDER_ITEMS["more"] for row in orders[:40])
    assert all(" must " in row or " ought to " in row for row in notes[40:])
    assert not any(" must " in row or " ought to " in row for row in notes[:40])
